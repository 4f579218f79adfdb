"""Independent checks with eth-account and hashlib only (no code of this project).
Called by Tests/ProvenanceTests/InteropTests.swift. Passwords come from the environment
variable CHECK_PASSWORD, never from argv.

  sign                       stdin: [{"key": hex, "digest": hex}, ...] -> [signature hex, ...]
  verify-manifest FILE MAN   verify FILE against manifest MAN from scratch -> {"ok", "signer", "reason"}
  sign-tx                    stdin: [{"key": hex, "tx": {eth-account fields}}, ...] -> [{"raw", "hash"}, ...]
  check-attest-tx URL TXHASH  read the receipt and transaction with plain JSON-RPC; check the sender
                             with the raw transaction, the EIP-712 signature in the calldata, the Merkle
                             root of the files' leaves and every Attested event -> {"ok", "signer", "sender", "files", "gasUsed", "reason"}
  recover-tx RAWHEX           the sender of a signed raw transaction
  keystore-new KDF KEYHEX    keystore JSON for KEYHEX (kdf scrypt|pbkdf2, light parameters)
  keystore-address PATH      decrypt keystore PATH -> checksummed address
"""
import base64
import hashlib, json, os, sys
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


NODE = (1).to_bytes(32, "big")  # inner Merkle nodes: keccak(NODE ‖ left ‖ right) (docs/FORMAT.md §3)


def node(left, right):
    return keccak(NODE + left + right)


def merkle_root(leaves):
    level = list(leaves)
    while len(level) > 1:
        level = [node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_from_proof(leaf, index, count, proof):
    n, i, width, used = leaf, index, count, 0
    while width > 1:
        if (i ^ 1) < width:
            sib = proof[used]
            n = node(n, sib) if i % 2 == 0 else node(sib, n)
            used += 1
        i //= 2
        width = (width + 1) // 2
    return n if used == len(proof) else None


def window_key(window):
    """Top 32 bits of sum(b_i * M^(n-1-i)) mod 2^64 over up to 32 bytes (Horner)."""
    h = 0
    for b in window:
        h = (h * 0x9E3779B97F4A7C15 + b) % (1 << 64)
    return h >> 32


def mp3_frame(data, p):
    """(length, holds Xing/Info/VBRI) of an MPEG-1/2/2.5 layer III frame starting at p (a header there and
    right after it), else None."""
    def header(q):
        if q + 4 > len(data) or data[q] != 0xFF or data[q + 1] & 0xE0 != 0xE0 or (data[q + 1] >> 1) & 3 != 1:
            return None
        version, b2 = (data[q + 1] >> 3) & 3, data[q + 2]
        br, sr = b2 >> 4, (b2 >> 2) & 3
        if version == 1 or br in (0, 15) or sr == 3:
            return None
        mpeg1 = version == 3
        rate = [[44100, 48000, 32000], [22050, 24000, 16000], [11025, 12000, 8000]][0 if mpeg1 else 1 if version == 2 else 2][sr]
        kbps = ([0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] if mpeg1 else
                [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160])[br]
        return (1152 if mpeg1 else 576) // 8 * kbps * 1000 // rate + ((b2 >> 1) & 1)
    n = header(p)
    if n is None or header(p + n) is None:
        return None
    notes = data[p + 4:p + min(n, 64)]
    return n, any(t in notes for t in (b"Xing", b"Info", b"VBRI"))


def chunk_grid(data):
    """docs/FORMAT.md §2, from its words: an MP4's first mdat body (and its end, when it says it and boxes
    follow); an MP3's first frame of sound after its ID3v2 tags and a Xing/Info/VBRI frame; 0 otherwise, or
    past 16 MiB, or at or past the end."""
    start, end = 0, 0
    if len(data) >= 12 and data[4:8] == b"ftyp":
        p = 0
        for _ in range(1024):
            if p > 16 << 20 or p + 8 > len(data):
                break
            length, kind, header = int.from_bytes(data[p:p + 4], "big"), data[p + 4:p + 8], 8
            if length == 1:
                length, header = int.from_bytes(data[p + 8:p + 16], "big"), 16
            elif length == 0:
                length = len(data) - p
            if kind == b"mdat":
                start = p + header
                if int.from_bytes(data[p:p + 4], "big") != 0 and header <= length < len(data) - p:
                    end = p + length
                break
            if length < header or length > len(data) - p:
                break
            p += length
    elif len(data) >= 12:
        p = 0
        for _ in range(8):
            if p > 16 << 20 or data[p:p + 3] != b"ID3" or p + 10 > len(data):
                break
            body = 0
            for b in data[p + 6:p + 10]:
                body = body << 7 | (b & 0x7F)
            p += 10 + body + (10 if data[p + 5] & 0x10 else 0)
        first = mp3_frame(data, p) if p <= 16 << 20 else None
        if first:
            if first[1]:
                p += first[0]
            start = p if mp3_frame(data, p) else 0
    start = start if 0 < start < len(data) and start <= 16 << 20 else 0
    return start, end if start < end < len(data) else 0


def details_hash(details):
    return keccak(b"".join(keccak(k.encode()) + keccak(v.encode()) for k, v in sorted(details.items(), key=lambda kv: kv[0].encode())))


def verify_manifest(path, manifest_path):
    m = json.load(open(manifest_path))
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != m["file"]["sha256"]:
        return {"ok": False, "reason": "content differs"}
    details = m["file"]["details"]
    size, cs = int(details["size"]), int(details["chunkSize"])
    if size != len(data):
        return {"ok": False, "reason": "size differs"}
    start, end = chunk_grid(data)
    if (int(details.get("chunkStart", "0")), int(details.get("chunkEnd", "0"))) != (start, end):
        return {"ok": False, "reason": f"chunkStart/End are {details.get('chunkStart')}/{details.get('chunkEnd')}, "
                                       f"the file's sound is at {start}/{end}"}
    head = [data[:start]] if start else []
    after = [data[i:i + cs] for i in range(end, size, cs)] if end else []
    pieces = head + [data[i:min(i + cs, end or size)] for i in range(start, max(end or size, 1), cs)] + after
    chunks = [hashlib.sha256(p).digest() for p in pieces]
    if base64.b64encode(b"".join(chunks)).decode() != m["file"]["chunks"] or "0x" + merkle_root(chunks).hex() != details["chunkRoot"]:
        return {"ok": False, "reason": "chunk digests differ"}
    # Window keys (docs/FORMAT.md §2b), recomputed from their definition alone.
    keys = b"".join(window_key(p[:32]).to_bytes(4, "big") + window_key(p[-32:]).to_bytes(4, "big") for p in pieces)
    if base64.b64encode(keys).decode() != m["file"]["windows"]:
        return {"ok": False, "reason": "window keys differ"}
    td = m["typedData"]
    leaf = keccak(bytes.fromhex(m["file"]["sha256"]) + details_hash(details))
    root = merkle_root_from_proof(leaf, m["batch"]["index"], td["message"]["fileCount"],
                                  [bytes.fromhex(p[2:]) for p in m["batch"]["proof"]])
    if root is None or "0x" + root.hex() != td["message"]["merkleRoot"]:
        return {"ok": False, "reason": "proof does not reach the signed root"}
    sig = bytes.fromhex(m["signature"][2:])
    if int.from_bytes(sig[32:64], "big") > SECP256K1_HALF_N:
        return {"ok": False, "reason": "high s"}
    signer = Account.recover_message(encode_typed_data(full_message=td), signature=sig)
    return {"ok": signer == m["signer"], "signer": signer, "reason": "" if signer == m["signer"] else "signer mismatch"}


def rpc(url, method, params):
    import urllib.request
    req = urllib.request.Request(url, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read())["result"]


def check_attest_tx(url, tx_hash):
    from eth_abi import decode
    from eth_utils import to_checksum_address
    receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
    tx = rpc(url, "eth_getTransactionByHash", [tx_hash])
    registry = to_checksum_address(tx["to"])
    data = bytes.fromhex(tx["input"][2:])
    if data[:4] != keccak(b"attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)")[:4]:
        return {"ok": False, "reason": "not an attest call"}
    files, root, r, vs = decode(["(bytes32,bytes32)[]", "bytes32", "bytes32", "bytes32"], data[4:])
    digests = [f[0] for f in files]
    if merkle_root([keccak(c + d) for c, d in files]) != root:
        return {"ok": False, "reason": "calldata root is not the files' Merkle root"}
    vsi = int.from_bytes(vs, "big")
    s, v = vsi & ((1 << 255) - 1), 27 + (vsi >> 255)
    if s > SECP256K1_HALF_N:
        return {"ok": False, "reason": "high s"}
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                        {"name": "verifyingContract", "type": "address"}],
                       "Attestation": [{"name": "merkleRoot", "type": "bytes32"}, {"name": "fileCount", "type": "uint256"}]},
             "primaryType": "Attestation", "domain": {"name": "Provenance", "version": "2", "verifyingContract": registry},
             "message": {"merkleRoot": "0x" + root.hex(), "fileCount": len(digests)}}
    signer = Account.recover_message(encode_typed_data(full_message=typed), vrs=(v, r, s.to_bytes(32, "big")))
    # The per-file event is anonymous: topics are [contentId, signer], no data.
    logs = [l for l in receipt["logs"] if to_checksum_address(l["address"]) == registry and len(l["topics"]) == 2]
    ok_logs = len(logs) == len(digests) and all(
        l["topics"][0] == "0x" + d.hex() and to_checksum_address("0x" + l["topics"][1][-40:]) == signer
        and l["data"] in ("0x", "") for l, d in zip(logs, digests))
    if not ok_logs:
        return {"ok": False, "reason": "events do not match the digests and signer"}
    return {"ok": receipt["status"] == "0x1", "signer": signer, "sender": to_checksum_address(tx["from"]), "files": len(digests),
            "gasUsed": int(receipt["gasUsed"], 16), "reason": ""}


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
    elif cmd == "check-attest-tx":
        print(json.dumps(check_attest_tx(sys.argv[2], sys.argv[3])))
    elif cmd == "recover-tx":
        print(Account.recover_transaction(sys.argv[2]))
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
