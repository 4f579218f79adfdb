"""Computes the docs/FORMAT.md worked example with eth-account, hashlib and eth_utils only
(no code of this project), so the Swift test that checks the document checks it against an
independent implementation."""
import hashlib, json, pathlib
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

key = keccak(b"provenance example key")
acct = Account.from_key(key)
files = [b"first recording\n", b"second recording\n", b"third recording\n"]
digests = [hashlib.sha256(f).digest() for f in files]
n01 = keccak(digests[0] + digests[1])
root = keccak(n01 + digests[2])  # third leaf carried up unchanged
# The registry's CREATE2 address, from the committed init code and the fixed salt.
artifact = json.loads((pathlib.Path(__file__).resolve().parents[2] / "contracts/ProvenanceRegistry.json").read_text())
salt = keccak(b"Provenance registry v1")
proxy = bytes.fromhex("4e59b44847b379578588920cA78FbF26c0B4956C")
registry = to_checksum_address(keccak(b"\xff" + proxy + salt + keccak(bytes.fromhex(artifact["initcode"][2:])))[12:])
typed = {
    "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                         {"name": "verifyingContract", "type": "address"}],
        "Attestation": [{"name": "merkleRoot", "type": "bytes32"}, {"name": "fileCount", "type": "uint256"}],
    },
    "primaryType": "Attestation",
    "domain": {"name": "Provenance", "version": "1", "verifyingContract": registry},
    "message": {"merkleRoot": "0x" + root.hex(), "fileCount": 3},
}
signable = encode_typed_data(full_message=typed)
digest = keccak(b"\x19\x01" + signable.header + signable.body)
signed = Account.sign_typed_data(key, full_message=typed)
type_hash = keccak(b"Attestation(bytes32 merkleRoot,uint256 fileCount)")
print(json.dumps({
    "address": acct.address, "digests": [d.hex() for d in digests], "node01": "0x" + n01.hex(),
    "root": "0x" + root.hex(), "registry": registry, "salt": "0x" + salt.hex(), "attestationTypeHash": "0x" + type_hash.hex(),
    "domainSeparator": "0x" + signable.header.hex(), "digest": "0x" + digest.hex(),
    "signature": "0x" + signed.signature.hex(), "typedData": typed,
}, indent=2))
