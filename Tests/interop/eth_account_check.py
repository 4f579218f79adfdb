"""Independent checks with eth-account and hashlib only (no code of this project).
Called by Tests/ProvenanceKitTests/InteropTests.swift. Passwords come from the environment
variable CHECK_PASSWORD, never from argv.

  sign                       stdin: [{"key": hex, "digest": hex}, ...] -> [signature hex, ...]
  verify-manifest FILE MAN   verify FILE against manifest MAN from scratch -> {"ok", "signer", "reason"}
  sign-tx                    stdin: [{"key": hex, "tx": {eth-account fields}}, ...] -> [{"raw", "hash"}, ...]
  keystore-new KDF KEYHEX    keystore JSON for KEYHEX (kdf scrypt|pbkdf2, light parameters)
  keystore-address PATH      decrypt keystore PATH -> checksummed address
"""
import hashlib, json, os, sys
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def merkle_root_from_proof(leaf, index, count, proof):
    node, i, width, used = leaf, index, count, 0
    while width > 1:
        if (i ^ 1) < width:
            sib = proof[used]
            node = keccak(node + sib) if i % 2 == 0 else keccak(sib + node)
            used += 1
        i //= 2
        width = (width + 1) // 2
    return node if used == len(proof) else None


def verify_manifest(path, manifest_path):
    m = json.load(open(manifest_path))
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != m["file"]["sha256"]:
        return {"ok": False, "reason": "content differs"}
    size, cs = m["file"]["size"], m["file"]["chunkSize"]
    chunks = [hashlib.sha256(data[i:i + cs]).hexdigest() for i in range(0, max(size, 1), cs)] or [hashlib.sha256(b"").hexdigest()]
    if chunks != m["file"]["chunks"]:
        return {"ok": False, "reason": "chunk digests differ"}
    td = m["typedData"]
    root = merkle_root_from_proof(bytes.fromhex(m["file"]["sha256"]), m["batch"]["index"], td["message"]["fileCount"],
                                  [bytes.fromhex(p[2:]) for p in m["batch"]["proof"]])
    if root is None or "0x" + root.hex() != td["message"]["merkleRoot"]:
        return {"ok": False, "reason": "proof does not reach the signed root"}
    sig = bytes.fromhex(m["signature"][2:])
    if int.from_bytes(sig[32:64], "big") > SECP256K1_HALF_N:
        return {"ok": False, "reason": "high s"}
    signer = Account.recover_message(encode_typed_data(full_message=td), signature=sig)
    return {"ok": signer == m["signer"], "signer": signer, "reason": "" if signer == m["signer"] else "signer mismatch"}


def main():
    cmd = sys.argv[1]
    if cmd == "sign":
        items = json.load(sys.stdin)
        out = [Account.unsafe_sign_hash(bytes.fromhex(it["digest"]), bytes.fromhex(it["key"])).signature.hex() for it in items]
        print(json.dumps(out))
    elif cmd == "sign-tx":
        out = []
        for it in json.load(sys.stdin):
            tx = {k: (int(v) if k in ("nonce", "gas", "chainId", "value", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas") else v)
                  for k, v in it["tx"].items()}
            signed = Account.sign_transaction(tx, bytes.fromhex(it["key"]))
            out.append({"raw": signed.raw_transaction.hex(), "hash": signed.hash.hex()})
        print(json.dumps(out))
    elif cmd == "verify-manifest":
        print(json.dumps(verify_manifest(sys.argv[2], sys.argv[3])))
    elif cmd == "keystore-new":
        kdf, key = sys.argv[2], bytes.fromhex(sys.argv[3])
        iterations = 4096 if kdf == "scrypt" else 2048
        print(json.dumps(Account.encrypt(key, os.environ["CHECK_PASSWORD"], kdf=kdf, iterations=iterations)))
    elif cmd == "keystore-address":
        ks = json.load(open(sys.argv[2]))
        print(Account.from_key(Account.decrypt(ks, os.environ["CHECK_PASSWORD"])).address)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
