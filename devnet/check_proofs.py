"""Independent (Python) reference for proving records from block headers, as the Swift client will:
for every block of a chain (or the last N), over JSON-RPC only, it

  - recomputes keccak(rlp(header)) from the header fields served and compares it with the block's hash,
    and the hash chain (each parentHash is the block before's hash);
  - re-encodes every transaction from its served fields (legacy RLP list, or type byte ‖ RLP), compares
    keccak with its hash and the recovered sender with `from`, then rebuilds the transactions trie
    (keys rlp(index)) and compares its root with transactionsRoot;
  - rebuilds the receipts trie from eth_getBlockReceipts (type byte ‖ rlp([status, cumulativeGasUsed,
    logsBloom, logs])) and compares with receiptsRoot, recomputes each logsBloom from its logs, and
    checks each receipt is what eth_getTransactionReceipt answers and its logs what eth_getLogs answers;
  - verifies EIP-1186 eth_getProof of the registry (at its CREATE2 address, computed from the committed
    artifact) against the header's stateRoot: the account, then revokedAt[signer] and the signer's index
    word for each signer that revoked (and the development keys), a slot that is empty and an account
    that does not exist (proofs of absence), and that the proven code hash is that of the code served,
    which is the artifact's runtime followed by its immutables.

The trie root and the proof walk are written here from the Yellow Paper (appendix D), not taken from
py-trie, which the devnet's py-evm computes its roots with: a bug shared by both could not show. It
starts nothing: give it a running endpoint (the devnet, or devnet/faultproxy.py in front of it, which
must then fail the check). Exit 0 when everything checks, 1 otherwise.

  python devnet/check_proofs.py --rpc http://127.0.0.1:8600 [--last N] [--populate]

--populate first sends, with the development keys of devnet/server.py (devnet only): a legacy, an
EIP-2930 and an EIP-1559 transaction, a plain CREATE deployment, the registry through the CREATE2 proxy,
an attestation of two files and a revocation, so the check has every kind to check.
"""
import argparse, json, pathlib, sys, urllib.request

import rlp
from eth_utils import keccak, to_checksum_address

HERE = pathlib.Path(__file__).resolve().parent
ARTIFACT = json.loads((HERE.parent / "contracts/ProvenanceRegistry.json").read_text())
CREATE2_PROXY = "0x4e59b44847b379578588920cA78FbF26c0B4956C"
SALT = keccak(b"Provenance registry v2")
REVOKED_TOPIC = "0x" + keccak(b"Revoked(address)").hex()
SIGNER_RECORD = keccak(b"signerRecord(address,uint256)")[:4]
BLANK_ROOT = keccak(rlp.encode(b""))
EMPTY_CODE = keccak(b"")
# Header fields in RLP order. The first 15 are in every header; each later fork appends fields, so those
# present must be a prefix of the rest (London: baseFee … Prague: requestsHash).
HEADER = [("parentHash", 0), ("sha3Uncles", 0), ("miner", 0), ("stateRoot", 0), ("transactionsRoot", 0),
          ("receiptsRoot", 0), ("logsBloom", 0), ("difficulty", 1), ("number", 1), ("gasLimit", 1), ("gasUsed", 1),
          ("timestamp", 1), ("extraData", 0), ("mixHash", 0), ("nonce", 0)]
LATER = [("baseFeePerGas", 1), ("withdrawalsRoot", 0), ("blobGasUsed", 1), ("excessBlobGas", 1),
         ("parentBeaconBlockRoot", 0), ("requestsHash", 0)]


class Rpc:
    def __init__(self, url):
        self.url, self.id = url, 0

    def __call__(self, method, *params):
        self.id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:
            doc = json.loads(r.read())
        if "error" in doc:
            raise RuntimeError(f"{method}: {doc['error']}")
        return doc["result"]


def data(text):
    return bytes.fromhex(text[2:]) if text else b""


def num(text):
    return int(text, 16)


def slot_of(mapping_slot, key):
    """A Vyper HashMap entry: keccak(slot ‖ key), both 32-byte words (Solidity puts the key first)."""
    return int.from_bytes(keccak(mapping_slot.to_bytes(32, "big") + key.rjust(32, b"\0")), "big")


# -- Merkle Patricia trie, from the Yellow Paper ------------------------------------------------------
def nibbles(key):
    return [n for b in key for n in (b >> 4, b & 15)]


def hex_prefix(path, leaf):
    flag = 2 if leaf else 0
    if len(path) % 2:
        return bytes([(flag + 1) << 4 | path[0]]) + bytes(path[i] << 4 | path[i + 1] for i in range(1, len(path), 2))
    return bytes([flag << 4]) + bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))


def reference(node):
    """How a parent refers to a node: inline when its encoding is under 32 bytes, else by its hash."""
    encoded = rlp.encode(node)
    return node if len(encoded) < 32 else keccak(encoded)


def build(pairs):
    """The node holding `pairs` (nibble path, value), paths distinct and relative to this node."""
    if len(pairs) == 1:
        return [hex_prefix(pairs[0][0], True), pairs[0][1]]
    shared = 0
    while all(len(p) > shared for p, _ in pairs) and len({p[shared] for p, _ in pairs}) == 1:
        shared += 1
    if shared:
        return [hex_prefix(pairs[0][0][:shared], False), reference(build([(p[shared:], v) for p, v in pairs]))]
    branch = [b""] * 17
    for p, v in pairs:
        if not p:
            branch[16] = v
    for n in range(16):
        group = [(p[1:], v) for p, v in pairs if p and p[0] == n]
        if group:
            branch[n] = reference(build(group))
    return branch


def trie_root(items):
    """Root hash of the trie of {key: value} (the root is hashed whatever its size)."""
    if not items:
        return BLANK_ROOT
    return keccak(rlp.encode(build([(nibbles(k), v) for k, v in items.items()])))


def walk_proof(root, key, proof):
    """The value `proof` proves for `key` under `root` (b"" for a proven absence); raises unless every node
    is the one its parent (or the root) names and the proof holds exactly the nodes of the path."""
    if root == BLANK_ROOT and not proof:
        return b""
    path, used, ref = nibbles(key), 0, root
    while True:
        if isinstance(ref, bytes) and len(ref) == 32:
            if used == len(proof):
                raise ValueError("the proof ends before the path does")
            if keccak(proof[used]) != ref:
                raise ValueError(f"proof node {used} is not the node its parent names")
            node, used = rlp.decode(proof[used]), used + 1
        elif ref == b"":
            value = b""
            break
        elif isinstance(ref, list):
            node = ref  # inlined in its parent, which the proof already proved
        else:
            raise ValueError("a malformed node reference")
        if len(node) == 17:
            if not path:
                value = node[16]
                break
            ref, path = node[path[0]], path[1:]
        elif len(node) == 2:
            first = node[0][0] >> 4 if node[0] else None
            if first not in (0, 1, 2, 3):
                raise ValueError("a malformed hex-prefix path")
            own = nibbles(node[0])[1 if first in (1, 3) else 2:]
            if first >= 2:  # a leaf
                value = node[1] if own == path else b""
                break
            if path[:len(own)] != own:
                value = b""
                break
            ref, path = node[1], path[len(own):]
        else:
            raise ValueError("a node that is neither a branch, an extension nor a leaf")
    if used != len(proof):
        raise ValueError(f"{len(proof) - used} proof node(s) beyond the path")
    return value


# -- encodings ----------------------------------------------------------------------------------------
def header_rlp(b):
    fields = HEADER + [f for f in LATER if f[0] in b]
    missing = [name for name, _ in LATER[:len(fields) - len(HEADER)] if name not in b]
    if missing:
        raise ValueError(f"header fields out of fork order: missing {missing}")
    return rlp.encode([num(b[name]) if quantity else data(b[name]) for name, quantity in fields])


def access_list(tx):
    return [[data(a["address"]), [data(k) for k in a["storageKeys"]]] for a in tx.get("accessList") or []]


def tx_bytes(tx):
    """The canonical encoding (the trie's value and the hash's preimage), rebuilt from served fields."""
    kind = num(tx["type"])
    to = data(tx["to"]) if tx.get("to") else b""
    common = [num(tx["gas"]), to, num(tx["value"]), data(tx["input"])]
    if kind == 0:
        return rlp.encode([num(tx["nonce"]), num(tx["gasPrice"])] + common + [num(tx["v"]), num(tx["r"]), num(tx["s"])])
    sig = [num(tx["yParity"]), num(tx["r"]), num(tx["s"])]
    if tx.get("yParity") is None or num(tx["v"]) != num(tx["yParity"]):
        raise ValueError("a typed transaction's v is not its yParity")
    if kind == 1:
        body = [num(tx["chainId"]), num(tx["nonce"]), num(tx["gasPrice"])] + common + [access_list(tx)] + sig
    elif kind == 2:
        body = [num(tx["chainId"]), num(tx["nonce"]), num(tx["maxPriorityFeePerGas"]), num(tx["maxFeePerGas"])] + common + \
               [access_list(tx)] + sig
    else:
        raise ValueError(f"transaction type {kind} is not re-encoded here")
    return bytes([kind]) + rlp.encode(body)


def bloom(logs):
    """The 2048-bit filter of the logs: three bits per address and topic, from the first three byte
    pairs of its keccak (Yellow Paper 4.4.1)."""
    bits = 0
    for log in logs:
        for item in [data(log["address"])] + [data(t) for t in log["topics"]]:
            h = keccak(item)
            for i in (0, 2, 4):
                bits |= 1 << ((h[i] << 8 | h[i + 1]) & 2047)
    return bits.to_bytes(256, "big")


def receipt_bytes(r):
    logs = [[data(l["address"]), [data(t) for t in l["topics"]], data(l["data"])] for l in r["logs"]]
    body = rlp.encode([b"\x01" if num(r["status"]) == 1 else b"", num(r["cumulativeGasUsed"]), data(r["logsBloom"]), logs])
    kind = num(r["type"])
    return body if kind == 0 else bytes([kind]) + body


# -- the check ----------------------------------------------------------------------------------------
class Check:
    def __init__(self, rpc):
        self.rpc, self.failures, self.counts = rpc, [], {}

    def count(self, what, n=1):
        self.counts[what] = self.counts.get(what, 0) + n

    def expect(self, ok, where, what):
        if not ok:
            self.failures.append(f"{where}: {what}")
        return ok

    def block(self, n, parent_hash):
        where = f"block {n}"
        b = self.rpc("eth_getBlockByNumber", hex(n), True)
        if not self.expect(b is not None, where, "no such block"):
            return None
        self.expect(self.rpc("eth_getBlockByHash", b["hash"], True) == b, where, "eth_getBlockByHash answers differently")
        try:
            self.expect("0x" + keccak(header_rlp(b)).hex() == b["hash"], where, "keccak(rlp(header)) is not the block hash")
        except (KeyError, ValueError) as e:
            self.expect(False, where, f"the header cannot be encoded: {e}")
        if parent_hash is not None:
            self.expect(b["parentHash"] == parent_hash, where, "parentHash is not the previous block's hash")
        self.expect(data(b["sha3Uncles"]) == keccak(rlp.encode([])) and not b.get("uncles"), where, "uncles")
        if "withdrawalsRoot" in b:
            self.expect(not b.get("withdrawals") and data(b["withdrawalsRoot"]) == BLANK_ROOT, where, "withdrawals")
        self.count("blocks")

        from eth_account import Account
        leaves = {}
        for i, tx in enumerate(b["transactions"]):
            at = f"{where} tx {i}"
            try:
                raw = tx_bytes(tx)
            except (KeyError, ValueError, TypeError) as e:
                self.expect(False, at, f"cannot be re-encoded: {e}")
                continue
            leaves[rlp.encode(i)] = raw
            self.expect("0x" + keccak(raw).hex() == tx["hash"], at, "keccak of the re-encoded transaction is not its hash")
            self.expect(Account.recover_transaction(raw) == to_checksum_address(tx["from"]), at, "from is not the recovered sender")
            self.expect((tx["blockHash"], tx["blockNumber"], tx["transactionIndex"]) == (b["hash"], b["number"], hex(i)), at, "block fields")
            if num(tx["type"]) == 2:
                paid = min(num(tx["maxFeePerGas"]), num(b["baseFeePerGas"]) + num(tx["maxPriorityFeePerGas"]))
                self.expect(num(tx["gasPrice"]) == paid, at, "gasPrice is not the effective price")
            self.expect(self.rpc("eth_getTransactionByHash", tx["hash"]) == tx, at, "eth_getTransactionByHash answers differently")
            self.count(f"type-{num(tx['type'])} transactions")
        self.expect(trie_root(leaves) == data(b["transactionsRoot"]), where, "the transactions trie root is not transactionsRoot")

        receipts = self.rpc("eth_getBlockReceipts", hex(n))
        if not self.expect(isinstance(receipts, list) and len(receipts) == len(b["transactions"]), where, "eth_getBlockReceipts: not one receipt per transaction"):
            return b
        items, all_logs, block_bloom, gas = {}, [], 0, 0
        for i, (r, tx) in enumerate(zip(receipts, b["transactions"])):
            at = f"{where} receipt {i}"
            items[rlp.encode(i)] = receipt_bytes(r)
            self.expect((r["transactionHash"], r["type"], r["blockHash"], r["blockNumber"], r["transactionIndex"])
                        == (tx["hash"], tx["type"], b["hash"], b["number"], hex(i)), at, "not its transaction's receipt")
            self.expect(r == self.rpc("eth_getTransactionReceipt", tx["hash"]), at, "eth_getTransactionReceipt answers differently")
            self.expect(data(r["logsBloom"]) == bloom(r["logs"]), at, "logsBloom is not the bloom of its logs")
            self.expect(num(r["cumulativeGasUsed"]) - gas == num(r["gasUsed"]), at, "gasUsed is not the cumulative gas's step")
            gas = num(r["cumulativeGasUsed"])
            self.expect((r["from"], r["to"]) == (tx["from"], tx["to"]), at, "from/to differ from the transaction's")
            if tx["to"] is None:
                created = keccak(rlp.encode([data(tx["from"]), num(tx["nonce"])]))[12:]
                self.expect(r["contractAddress"] == to_checksum_address(created), at, "contractAddress")
                self.count("contract creations")
            self.expect(all(l["logIndex"] == hex(len(all_logs) + k) and l["transactionHash"] == tx["hash"]
                            for k, l in enumerate(r["logs"])), at, "logIndex does not count from the block's first log")
            all_logs += r["logs"]
            block_bloom |= int.from_bytes(data(r["logsBloom"]), "big")
            self.count("receipts")
        self.count("logs", len(all_logs))
        self.expect(trie_root(items) == data(b["receiptsRoot"]), where, "the receipts trie root is not receiptsRoot")
        self.expect(num(b["logsBloom"]) == block_bloom, where, "the block's logsBloom is not the union of its receipts'")
        self.expect(num(b["gasUsed"]) == gas, where, "gasUsed is not the last receipt's cumulative gas")
        self.expect(self.rpc("eth_getLogs", {"fromBlock": hex(n), "toBlock": hex(n)}) == all_logs, where, "eth_getLogs differs from the receipts' logs")
        self.expect(self.rpc("eth_getLogs", {"blockHash": b["hash"]}) == all_logs, where, "eth_getLogs by blockHash differs")
        return b

    def proof(self, b, address, keys, code=None):
        """Verifies eth_getProof of `address` and `keys` (slot numbers) at block b: returns the account
        fields and {slot: value}, both as proven (None where the proof fails)."""
        where = f"block {num(b['number'])} proof of {address}"
        p = self.rpc("eth_getProof", address, [hex(k) for k in keys], b["number"])
        try:
            raw = walk_proof(data(b["stateRoot"]), keccak(data(address)), [data(x) for x in p["accountProof"]])
            if raw:
                nonce, balance, storage_root, code_hash = rlp.decode(raw)
                account = (int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash)
            else:
                account = (0, 0, BLANK_ROOT, EMPTY_CODE)
            self.count("account proofs" if raw else "account absence proofs")
        except (ValueError, rlp.exceptions.DecodingError) as e:
            self.expect(False, where, f"account proof: {e}")
            return None, {}
        self.expect(account == (num(p["nonce"]), num(p["balance"]), data(p["storageHash"]), data(p["codeHash"])),
                    where, "the fields served are not the account proven")
        self.cross_check_trie(b["stateRoot"], keccak(data(address)), p["accountProof"], raw, where)
        if code is not None:
            self.expect(keccak(code) == account[3], where, "codeHash is not keccak of eth_getCode")
        values = {}
        self.expect([int(s["key"], 16) for s in p["storageProof"]] == keys, where, "storageProof keys")
        for k, s in zip(keys, p["storageProof"]):
            try:
                v = walk_proof(account[2], keccak(k.to_bytes(32, "big")), [data(x) for x in s["proof"]])
            except ValueError as e:
                self.expect(False, where, f"storage proof of slot {hex(k)}: {e}")
                values[k] = None
                continue
            values[k] = rlp.decode(v, sedes=rlp.sedes.big_endian_int) if v else 0
            self.expect(values[k] == num(s["value"]), where, f"slot {hex(k)}: the value served is not the value proven")
            self.cross_check_trie(p["storageHash"], keccak(k.to_bytes(32, "big")), s["proof"], v, where)
            self.count("storage proofs" if v else "storage absence proofs")
        return account, values

    def cross_check_trie(self, root, key, proof, value, where):
        """py-trie's own reading of the same proof must agree with the walk above (a second opinion)."""
        from trie import HexaryTrie
        try:
            theirs = HexaryTrie.get_from_proof(data(root), key, [rlp.decode(data(x)) for x in proof])
        except Exception as e:  # py-trie raises several kinds for a bad proof
            theirs = e
        self.expect(theirs == value, where, f"py-trie reads the proof differently: {theirs!r}")

    def registry(self, blocks, signers):
        """Proofs of the registry's revocations at each block, against the block's own stateRoot."""
        initcode = data(ARTIFACT["initcode"])
        registry = to_checksum_address(keccak(b"\xff" + data(CREATE2_PROXY) + SALT + keccak(initcode))[12:])
        domain = keccak(keccak(b"EIP712Domain(string name,string version,address verifyingContract)") + keccak(b"Provenance")
                        + keccak(b"2") + data(registry).rjust(32, b"\0"))
        absent_account = to_checksum_address(keccak(b"no such account")[12:])
        deployed = None
        for b in blocks:
            n = num(b["number"])
            code = data(self.rpc("eth_getCode", registry, hex(n)))
            keys = [slot_of(0, data(s)) for s in signers] + [slot_of(slot_of(1, data(s)), (0).to_bytes(32, "big")) for s in signers]
            keys.append(slot_of(0, keccak(b"nobody")[12:]))  # nobody revoked: an empty slot
            account, values = self.proof(b, registry, keys, code)
            self.proof(b, absent_account, [0])
            if account is None or not code:
                continue
            if deployed is None:
                deployed = int.from_bytes(code[-32:], "big")
                print(f"registry {registry} deployed in block {deployed}, code hash 0x{keccak(code).hex()}")
            self.expect(code == data(ARTIFACT["runtime"]) + domain + deployed.to_bytes(32, "big"), f"block {n}",
                        "the registry's code is not the artifact's runtime ‖ DOMAIN_SEPARATOR ‖ DEPLOYED_AT")
            for i, s in enumerate(signers):
                call = "0x" + (SIGNER_RECORD + data(s).rjust(32, b"\0") + bytes(32)).hex()
                out = data(self.rpc("eth_call", {"to": registry, "data": call}, hex(n)))
                revoked_at, count = int.from_bytes(out[:32], "big"), int.from_bytes(out[32:64], "big")
                self.expect(values.get(keys[i]) == revoked_at, f"block {n}", f"revokedAt[{s}] proven {values.get(keys[i])}, signerRecord says {revoked_at}")
                head = values.get(keys[len(signers) + i])
                self.expect(head is not None and head >> 200 == count, f"block {n}", f"the index count of {s} proven differs from signerRecord's")
                if values.get(keys[i]):
                    self.count("revocations proven")
        return registry


def populate(rpc):
    """A legacy, an EIP-2930 and an EIP-1559 transaction, a CREATE deployment, the registry through the
    CREATE2 proxy, a two-file attestation and a revocation, sent with the devnet's development keys."""
    import time
    from eth_account import Account
    from eth_account.messages import encode_typed_data
    sys.path.insert(0, str(HERE))
    from server import DEV_KEYS
    payer, signer = Account.from_key(DEV_KEYS[0]), Account.from_key(DEV_KEYS[1])
    chain = num(rpc("eth_chainId"))
    nonce = num(rpc("eth_getTransactionCount", payer.address, "pending"))
    base = num(rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"])
    initcode = data(ARTIFACT["initcode"])
    registry = to_checksum_address(keccak(b"\xff" + data(CREATE2_PROXY) + SALT + keccak(initcode))[12:])
    fees = {"maxFeePerGas": 3 * base + 10**9, "maxPriorityFeePerGas": 10**9}

    def compact(signed):
        return signed.r.to_bytes(32, "big"), ((signed.v - 27) << 255 | signed.s).to_bytes(32, "big")

    def typed(kind, message):
        return encode_typed_data(full_message={
            "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                                       {"name": "verifyingContract", "type": "address"}], **kind},
            "primaryType": next(iter(kind)), "domain": {"name": "Provenance", "version": "2", "verifyingContract": registry},
            "message": message})

    files = [(keccak(b"file one"), keccak(b"details one")), (keccak(b"file two"), keccak(b"details two"))]
    root = keccak((1).to_bytes(32, "big") + keccak(files[0][0] + files[0][1]) + keccak(files[1][0] + files[1][1]))
    r, vs = compact(signer.sign_message(typed({"Attestation": [{"name": "merkleRoot", "type": "bytes32"}, {"name": "fileCount", "type": "uint256"}]},
                                              {"merkleRoot": root, "fileCount": 2})))
    attest = keccak(b"attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)")[:4] + (128).to_bytes(32, "big") + root + r + vs + \
        (2).to_bytes(32, "big") + b"".join(c + d for c, d in files)
    r, vs = compact(signer.sign_message(typed({"Revocation": [{"name": "signer", "type": "address"}]}, {"signer": signer.address})))
    revoke = keccak(b"revoke(address,bytes32,bytes32)")[:4] + data(signer.address).rjust(32, b"\0") + r + vs
    # 0x600a600c600039600a6000f3 ‖ 10 bytes of runtime: the smallest CREATE that leaves code behind
    tiny = bytes.fromhex("600a600c600039600a6000f3" + "602a60005260206000f3")
    txs = [{"to": signer.address, "value": 1, "gas": 21000, "gasPrice": base + 10**9},
           {"type": 1, "to": signer.address, "value": 2, "gas": 30000, "gasPrice": base + 10**9,
            "accessList": [{"address": registry, "storageKeys": ["0x" + "00" * 31 + "01"]}]},
           {"type": 2, "to": signer.address, "value": 3, "gas": 21000, **fees},
           {"type": 2, "data": tiny, "value": 0, "gas": 100000, **fees}]
    if not data(rpc("eth_getCode", registry, "latest")):
        txs.append({"type": 2, "to": CREATE2_PROXY, "data": SALT + initcode, "value": 0, "gas": 3_000_000, **fees})
    txs += [{"type": 2, "to": registry, "data": attest, "value": 0, "gas": 300000, **fees},
            {"type": 2, "to": registry, "data": revoke, "value": 0, "gas": 100000, **fees}]
    hashes = []
    for i, tx in enumerate(txs):
        hashes.append(rpc("eth_sendRawTransaction", "0x" + payer.sign_transaction({**tx, "nonce": nonce + i, "chainId": chain}).raw_transaction.hex()))
    for h in hashes:  # mined at once, or by the block timer of --block-time
        for _ in range(600):
            receipt = rpc("eth_getTransactionReceipt", h)
            if receipt:
                break
            time.sleep(0.1)
        if not receipt or receipt["status"] != "0x1":
            raise SystemExit(f"populate: {h} {'failed' if receipt else 'was not mined'}")
    print(f"populate: sent {len(hashes)} transactions (legacy, EIP-2930, EIP-1559, CREATE, registry, attest, revoke)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rpc", required=True)
    ap.add_argument("--last", type=int, help="check only the last N blocks")
    ap.add_argument("--populate", action="store_true", help="send transactions of every kind first (devnet keys)")
    args = ap.parse_args()
    rpc = Rpc(args.rpc)
    if args.populate:
        populate(rpc)
    head = num(rpc("eth_blockNumber"))
    first = max(0, head - args.last + 1) if args.last else 0
    check = Check(rpc)
    blocks, parent = [], None
    if first > 0:
        parent = rpc("eth_getBlockByNumber", hex(first - 1), False)["hash"]
    for n in range(first, head + 1):
        b = check.block(n, parent)
        if b is None:
            break
        blocks.append(b)
        parent = b["hash"]
    # Signers whose revocation to prove: each that revoked, and the development keys (some never did).
    logs = rpc("eth_getLogs", {"fromBlock": "0x0", "toBlock": hex(head), "topics": [REVOKED_TOPIC]})
    sys.path.insert(0, str(HERE))
    from eth_account import Account
    from server import DEV_KEYS
    signers = sorted({to_checksum_address("0x" + l["topics"][1][-40:]) for l in logs} | {Account.from_key(k).address for k in DEV_KEYS})
    check.registry(blocks, signers)
    print(f"blocks {first}..{head} of {args.rpc}: " + ", ".join(f"{v} {k}" for k, v in sorted(check.counts.items())))
    for f in check.failures[:20]:
        print("FAIL " + f)
    if check.failures:
        print(f"{len(check.failures)} check(s) failed")
        sys.exit(1)
    print("every header hash, transactions root, receipts root and proof checks")


if __name__ == "__main__":
    main()
