"""Computes the docs/FORMAT.md worked example with eth-account, hashlib and eth_utils only
(no code of this project), so the Swift test that checks the document checks it against an
independent implementation."""
import hashlib, json, pathlib
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

NODE = (1).to_bytes(32, "big")
key = keccak(b"provenance example key")
acct = Account.from_key(key)
files = [b"first recording\n", b"second recording\n", b"third recording\n"]
content_ids = [hashlib.sha256(f).digest() for f in files]


def details_hash(details):
    names = sorted(details, key=lambda n: n.encode())
    return keccak(b"".join(keccak(n.encode()) + keccak(details[n].encode()) for n in names))


# Each file is one chunk (default chunk size 1 MiB): its chunk root is that chunk's SHA-256.
details = [{"size": str(len(f)), "chunkSize": "1048576", "chunkRoot": "0x" + hashlib.sha256(f).hexdigest()}
           for f in files]
details_hashes = [details_hash(d) for d in details]
leaves = [keccak(c + d) for c, d in zip(content_ids, details_hashes)]
n01 = keccak(NODE + leaves[0] + leaves[1])
root = keccak(NODE + n01 + leaves[2])  # third leaf carried up unchanged
# The registry's CREATE2 address, from the committed init code and the fixed salt.
artifact = json.loads((pathlib.Path(__file__).resolve().parents[2] / "contracts/ProvenanceRegistry.json").read_text())
salt = keccak(b"Provenance registry v2")
proxy = bytes.fromhex("4e59b44847b379578588920cA78FbF26c0B4956C")
registry = to_checksum_address(keccak(b"\xff" + proxy + salt + keccak(bytes.fromhex(artifact["initcode"][2:])))[12:])
domain_types = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "verifyingContract", "type": "address"}]
domain = {"name": "Provenance", "version": "2", "verifyingContract": registry}
typed = {
    "types": {"EIP712Domain": domain_types,
              "Attestation": [{"name": "merkleRoot", "type": "bytes32"}, {"name": "fileCount", "type": "uint256"}]},
    "primaryType": "Attestation", "domain": domain,
    "message": {"merkleRoot": "0x" + root.hex(), "fileCount": 3},
}
signable = encode_typed_data(full_message=typed)
digest = keccak(b"\x19\x01" + signable.header + signable.body)
signed = Account.sign_typed_data(key, full_message=typed)
revocation = {"types": {"EIP712Domain": domain_types, "Revocation": [{"name": "signer", "type": "address"}]},
              "primaryType": "Revocation", "domain": domain, "message": {"signer": acct.address}}
revocation_signable = encode_typed_data(full_message=revocation)
print(json.dumps({
    "address": acct.address, "contentIds": [c.hex() for c in content_ids],
    "detailsHash0": "0x" + details_hashes[0].hex(), "leaf0": "0x" + leaves[0].hex(), "node01": "0x" + n01.hex(),
    "root": "0x" + root.hex(), "registry": registry, "salt": "0x" + salt.hex(),
    "attestationTypeHash": "0x" + keccak(b"Attestation(bytes32 merkleRoot,uint256 fileCount)").hex(),
    "revocationTypeHash": "0x" + keccak(b"Revocation(address signer)").hex(),
    "domainSeparator": "0x" + signable.header.hex(), "digest": "0x" + digest.hex(),
    "signature": "0x" + signed.signature.hex(),
    "revocationDigest": "0x" + keccak(b"\x19\x01" + revocation_signable.header + revocation_signable.body).hex(),
    "revocationSignature": "0x" + Account.sign_typed_data(key, full_message=revocation).signature.hex(),
    "typedData": typed,
}, indent=2))
