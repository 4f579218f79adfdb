"""Runs the registry contract on two EVM implementations — py-evm (the devnet, devnet/server.py) and revm
(through pyrevm, reading the devnet's state) — with the same transactions, and prints, per step, what each EVM did: success,
gas used (from py-evm's receipt and revm's execution result), the logs, and the return data of view calls.
Signatures come from eth-account, leaves and roots from hashlib/eth_utils: no code of this project.

  python Tests/interop/registry_two_evms.py            JSON on stdout; exit 1 if the EVMs disagree
"""
import hashlib, json, pathlib, subprocess, sys, urllib.request

import pyrevm
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

REPO = pathlib.Path(__file__).resolve().parents[2]
ARTIFACT = json.loads((REPO / "contracts/ProvenanceRegistry.json").read_text())
PROXY = "0x4e59b44847b379578588920cA78FbF26c0B4956C"
PROXY_CODE = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3")
PAYER_KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
PAYER = Account.from_key(PAYER_KEY)
SALT = keccak(b"Provenance registry v2")
INIT = bytes.fromhex(ARTIFACT["initcode"][2:])
REGISTRY = to_checksum_address(keccak(b"\xff" + bytes.fromhex(PROXY[2:]) + SALT + keccak(INIT))[12:])
NODE = (1).to_bytes(32, "big")  # inner nodes: keccak(NODE ‖ left ‖ right)


def details_hash(details):
    return keccak(b"".join(keccak(k.encode()) + keccak(v.encode()) for k, v in sorted(details.items())))


def leaf(content_id, dh):
    return keccak(content_id + dh)


def root(nodes):
    while len(nodes) > 1:
        nodes = [keccak(NODE + nodes[i] + nodes[i + 1]) if i + 1 < len(nodes) else nodes[i]
                 for i in range(0, len(nodes), 2)]
    return nodes[0]


def typed(primary, message):
    types = {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                              {"name": "verifyingContract", "type": "address"}],
             "Attestation": [{"name": "merkleRoot", "type": "bytes32"}, {"name": "fileCount", "type": "uint256"}],
             "Revocation": [{"name": "signer", "type": "address"}]}
    return {"types": {"EIP712Domain": types["EIP712Domain"], primary: types[primary]}, "primaryType": primary,
            "domain": {"name": "Provenance", "version": "2", "verifyingContract": REGISTRY}, "message": message}


def compact(key, document):
    sig = Account.sign_typed_data(key, full_message=document)
    s, parity = sig.s, sig.v - 27
    return sig.r.to_bytes(32, "big"), (s | parity << 255).to_bytes(32, "big")


def hexa(v):
    """0x-hex of bytes or of eth-tester's hex strings."""
    return v.lower() if isinstance(v, str) else "0x" + bytes(v).hex()


def word(n):
    return n.to_bytes(32, "big")


def attest_call(key, files, tamper=False, other_root=False):
    r = root([leaf(c, d) for c, d in files])
    signed = keccak(r) if other_root else r
    rr, vs = compact(key, typed("Attestation", {"merkleRoot": "0x" + signed.hex(), "fileCount": len(files)}))
    if tamper:
        files = files[:-1] + [(files[-1][0], bytes(32))]
    selector = keccak(b"attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)")[:4]
    return selector + word(128) + r + rr + vs + word(len(files)) + b"".join(c + d for c, d in files)


def revoke_call(key, signer):
    rr, vs = compact(key, typed("Revocation", {"signer": signer}))
    return keccak(b"revoke(address,bytes32,bytes32)")[:4] + word(int(signer, 16)) + rr + vs


def record_call(signer, start):
    return keccak(b"signerRecord(address,uint256)")[:4] + word(int(signer, 16)) + word(start)


def files_for(tag, n):
    out = []
    for i in range(n):
        content = f"{tag} file {i}\n".encode()
        cid = hashlib.sha256(content).digest()
        out.append((cid, details_hash({"size": str(len(content)), "chunkSize": "1048576",
                                      "chunkRoot": "0x" + hashlib.sha256(content).hexdigest()})))
    return out


class Devnet:
    """py-evm: the project's devnet (devnet/server.py) in a child process, driven over JSON-RPC."""
    name = "py-evm"

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(REPO / "devnet/server.py"), "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split()[3]

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            answer = json.loads(r.read())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def block(self):
        return int(self.rpc("eth_blockNumber"), 16)

    def transact(self, to, data):
        base = int(self.rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
        tx = {"type": 2, "chainId": int(self.rpc("eth_chainId"), 16), "to": to, "data": data, "value": 0,
              "nonce": int(self.rpc("eth_getTransactionCount", PAYER.address, "latest"), 16), "gas": 8_000_000,
              "maxFeePerGas": base * 2 + 10**9, "maxPriorityFeePerGas": 10**9}
        h = self.rpc("eth_sendRawTransaction", "0x" + PAYER.sign_transaction(tx).raw_transaction.hex())
        r = self.rpc("eth_getTransactionReceipt", h)
        logs = [{"topics": log["topics"], "data": log["data"]} for log in r["logs"]]
        return {"ok": r["status"] == "0x1", "gas": int(r["gasUsed"], 16), "logs": logs,
                "block": int(r["blockNumber"], 16)}

    def call(self, to, data):
        return self.rpc("eth_call", {"from": PAYER.address, "to": to, "data": "0x" + data.hex()}, "latest")

    def close(self):
        self.proc.kill()


class Revm:
    """revm through pyrevm, reading state from the devnet (revm's fork mode: accounts and storage slots
    fetched on first use). A fresh revm per transaction: pyrevm runs every call of one EVM object as one
    transaction (slots stay warm, storage's "original value" is never reset), which would skew gas."""
    name = "revm"

    def __init__(self, devnet):
        self.devnet = devnet

    def fresh(self, block):
        e = pyrevm.EVM(fork_url=self.devnet.url, fork_block="latest", spec_id="PRAGUE")
        e.set_block_env(pyrevm.BlockEnv(number=block, timestamp=1_700_000_000 + block, gas_limit=60_000_000))
        return e

    def transact(self, to, data, block):
        e = self.fresh(block)
        try:
            e.message_call(PAYER.address, to, data, gas=8_000_000)
            ok = True
        except Exception:  # a revert raises; the result still holds the gas used
            ok = False
        r = e.result
        logs = [{"topics": [hexa(t) for t in log.topics], "data": hexa(log.data[1])} for log in r.logs] if ok else []
        return {"ok": ok and r.is_success, "gas": r.gas_used, "logs": logs}

    def call(self, to, data):
        return hexa(self.fresh(self.devnet.block()).message_call(PAYER.address, to, data))


def main():
    publisher = Account.from_key(keccak(b"two EVMs publisher"))
    other = Account.from_key(keccak(b"two EVMs other key"))
    steps = [("deploy", PROXY, SALT + INIT)]
    steps.append(("attest 1 file, first batch", "REG", attest_call(publisher.key, files_for("a", 1))))
    steps.append(("attest 1 file, second batch", "REG", attest_call(publisher.key, files_for("b", 1))))
    for k in range(3, 13):  # crosses from the index's head word into words 1 and 2
        steps.append((f"attest 2 files, batch {k}", "REG", attest_call(publisher.key, files_for(f"c{k}", 2))))
    for n in (3, 256, 1024):
        steps.append((f"attest {n} files", "REG", attest_call(other.key, files_for(f"n{n}", n))))
    steps.append(("tampered files (reverts)", "REG", attest_call(publisher.key, files_for("t", 5), tamper=True)))
    steps.append(("signature of another root (recovers another signer)", "REG",
                  attest_call(publisher.key, files_for("h", 1), other_root=True)))
    steps.append(("revoke with another key (reverts)", "REG", revoke_call(other.key, publisher.address)))
    steps.append(("revoke", "REG", revoke_call(publisher.key, publisher.address)))
    steps.append(("revoke again (no change)", "REG", revoke_call(publisher.key, publisher.address)))
    steps.append(("attest after revocation", "REG", attest_call(publisher.key, files_for("late", 1))))

    pyevm = Devnet()
    revm = Revm(pyevm)
    report, agree = [], True
    for name, to, data in steps:
        to = REGISTRY if to == "REG" else to
        # revm runs the transaction on py-evm's state from before it, in the block py-evm mined it in.
        block = pyevm.block() + 1
        second = revm.transact(to, data, block)
        first = pyevm.transact(to, data)
        assert first.pop("block") == block
        same = first == second
        agree &= same
        report.append({"step": name, "same": same, "py-evm": first, "revm": second})
    views = {}
    for label, data in (("publisher record", record_call(publisher.address, 0)),
                        ("publisher record from 7", record_call(publisher.address, 7)),
                        ("other record", record_call(other.address, 0)),
                        ("DEPLOYED_AT", keccak(b"DEPLOYED_AT()")[:4]),
                        ("DOMAIN_SEPARATOR", keccak(b"DOMAIN_SEPARATOR()")[:4])):
        answers = [pyevm.call(REGISTRY, data), revm.call(REGISTRY, data)]
        views[label] = {"same": answers[0] == answers[1], "py-evm": answers[0], "revm": answers[1]}
        agree &= answers[0] == answers[1]
    print(json.dumps({"registry": REGISTRY, "publisher": publisher.address, "other": other.address,
                      "agree": agree, "steps": report, "views": views}, indent=1))
    pyevm.close()
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()
