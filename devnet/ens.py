"""A minimal ENS on the devnet (development only): the registry, a public resolver and the reverse
registrar, compiled from devnet/ens/*.vy and installed in genesis at the addresses they have on Ethereum
mainnet, so the tool's ENS client is the code that works on mainnet.

  python devnet/ens.py register --rpc URL --key HEX --name show.eth [--address ADDR] [--reverse NAME]
      makes NAME resolve to ADDR (default: the key's address); --reverse sets the key's primary name
      (the reverse record), which need not resolve back (tests use that)
"""
import argparse, hashlib, json, pathlib, subprocess, sys, urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REGISTRY = "0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e"
RESOLVER = "0x231b0Ee14048e9dCcD1d247744d114a4EB5E8E63"
REVERSE_REGISTRAR = "0xa58E81fe9b61B5c3fE2AFD33CF304c454AbFc7Cb"
CONTRACTS = {REGISTRY: "ENSRegistry.vy", RESOLVER: "PublicResolver.vy", REVERSE_REGISTRAR: "ReverseRegistrar.vy"}


def runtime(source):
    """Runtime bytecode of a contract, compiled once per source text (cached beside the venv's vyper)."""
    path = HERE / "ens" / source
    text = path.read_bytes()
    cache = pathlib.Path(sys.executable).resolve().parent.parent / "ens-cache"
    cache.mkdir(exist_ok=True)
    hit = cache / (hashlib.sha256(text).hexdigest() + ".hex")
    if not hit.exists():
        vyper = pathlib.Path(sys.executable).parent / "vyper"
        out = subprocess.run([str(vyper), "-f", "bytecode_runtime", str(path)], check=True, capture_output=True, text=True)
        tmp = hit.with_suffix(".tmp")
        tmp.write_text(out.stdout.strip())
        tmp.replace(hit)
    return bytes.fromhex(hit.read_text()[2:])


def genesis_accounts():
    """address -> genesis account dict for eth-tester."""
    return {addr: {"balance": 0, "nonce": 1, "code": runtime(src), "storage": {}} for addr, src in CONTRACTS.items()}


def namehash(name):
    from eth_utils import keccak
    node = b"\0" * 32
    for label in reversed(name.split(".")) if name else []:
        node = keccak(node + keccak(label.encode()))
    return node


def main():
    from eth_account import Account
    from eth_utils import keccak, to_checksum_address
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    reg = sub.add_parser("register")
    reg.add_argument("--rpc", required=True)
    reg.add_argument("--key", required=True, help="hex key of the name's owner (and of the reverse record)")
    reg.add_argument("--name", required=True)
    reg.add_argument("--address")
    reg.add_argument("--reverse", help="primary name to set for the key's address")
    args = ap.parse_args()
    root = Account.from_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")  # owns the root
    owner = Account.from_key(args.key)

    def rpc(method, params):
        req = urllib.request.Request(args.rpc, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:  # a hang guard only
            doc = json.loads(r.read())
        if "error" in doc:
            raise SystemExit(f"{method}: {doc['error']}")
        return doc["result"]

    def send(account, to, signature, types, values):
        from eth_abi import encode
        data = keccak(signature.encode())[:4] + encode(types, values)
        base = int(rpc("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
        tx = {"type": 2, "chainId": int(rpc("eth_chainId", []), 16), "to": to, "data": data, "value": 0, "gas": 500_000,
              "nonce": int(rpc("eth_getTransactionCount", [account.address, "pending"]), 16),
              "maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9}
        h = rpc("eth_sendRawTransaction", ["0x" + account.sign_transaction(tx).raw_transaction.hex()])
        if rpc("eth_getTransactionReceipt", [h])["status"] != "0x1":
            raise SystemExit(f"{signature} reverted")

    if int(rpc("eth_getBalance", [owner.address, "latest"]), 16) < 10**16:  # the owner pays for its records
        send_value = {"type": 2, "chainId": int(rpc("eth_chainId", []), 16), "to": owner.address, "value": 10**18, "gas": 21000,
                      "nonce": int(rpc("eth_getTransactionCount", [root.address, "pending"]), 16),
                      "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9}
        rpc("eth_sendRawTransaction", ["0x" + root.sign_transaction(send_value).raw_transaction.hex()])
    labels = args.name.split(".")
    parent = b"\0" * 32
    for i, label in enumerate(reversed(labels)):  # root hands each level down; the last goes to the owner
        last = i == len(labels) - 1
        send(root, REGISTRY, "setSubnodeOwner(bytes32,bytes32,address)", ["bytes32", "bytes32", "address"],
             [parent, keccak(label.encode()), owner.address if last else root.address])
        parent = keccak(parent + keccak(label.encode()))
    node = namehash(args.name)
    send(owner, REGISTRY, "setResolver(bytes32,address)", ["bytes32", "address"], [node, RESOLVER])
    send(owner, RESOLVER, "setAddr(bytes32,address)", ["bytes32", "address"], [node, to_checksum_address(args.address or owner.address)])
    if args.reverse:
        send(owner, REVERSE_REGISTRAR, "setName(string)", ["string"], [args.reverse])
    print(json.dumps({"name": args.name, "address": to_checksum_address(args.address or owner.address),
                      "reverse": args.reverse, "owner": owner.address}))


if __name__ == "__main__":
    main()
