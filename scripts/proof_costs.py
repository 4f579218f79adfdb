"""What proving every record costs (issue 23), measured by scripts/bench: JSON-RPC calls, HTTP requests and
bytes downloaded per verification by signer (counted by devnet/faultproxy.py between the tool and a devnet),
for a record in a block of one transaction and in a block of mainnet size (200 transactions: 199 transfers
and the attestation), and the wall time of verifying 1,000 files attested in one batch against a baseline
binary built from the commit before the proofs, in the same run, best of N.

  python scripts/proof_costs.py BIN BASELINE_BIN WORKDIR [ROUNDS]
"""
import json, os, re, subprocess, sys, time, urllib.request

from eth_account import Account
from eth_utils import to_checksum_address

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
OTHER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
SIGNER = Account.from_key(DEV_KEY).address


def start(script, *args):
    p = subprocess.Popen([PY, os.path.join(REPO, "devnet", script), *args], stdout=subprocess.PIPE, text=True)
    url = re.search(r"http://127\.0\.0\.1:\d+", p.stdout.readline()).group(0)
    return p, url


def rpc(url, method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    answer = json.load(urllib.request.urlopen(req, timeout=600))
    if "error" in answer:
        sys.exit(f"{method}: {answer['error']}")
    return answer["result"]


def send(url, account, fields):
    tx = dict({"type": 2, "chainId": 31337, "gas": 21000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9},
              **fields)
    rpc(url, "eth_sendRawTransaction", ["0x" + account.sign_transaction(tx).raw_transaction.hex().removeprefix("0x")])


def proxy(url, path, data=None):
    req = urllib.request.Request(url + path, data=data)
    return json.load(urllib.request.urlopen(req, timeout=60))


def run(bin_, args, env, cwd):
    t0 = time.monotonic()
    r = subprocess.run([bin_, *args], env=env, cwd=cwd, capture_output=True, text=True)
    return time.monotonic() - t0, r


def counted(bin_, proxy_url, files, env, cwd):
    """One verification by signer through the proxy: (seconds, calls, requests, bytes)."""
    proxy(proxy_url, "/__plan", b"[]")
    seconds, r = run(bin_, ["verify", "--rpc", proxy_url, "--signer", SIGNER, *files], env, cwd)
    if r.returncode != 0:
        sys.exit(f"verify failed ({r.returncode}): {r.stdout[-400:]}{r.stderr[-400:]}")
    s = proxy(proxy_url, "/__stats")
    return seconds, s["calls"], s["requests"], s["bytes"]


def setup(work, name, count):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    for i in range(count):
        with open(os.path.join(d, f"f{i:05d}.txt"), "w") as f:
            f.write(f"{name} item {i} {os.urandom(8).hex()}\n")
    key = os.path.join(work, "dev.key")
    with open(key, "w") as f:
        f.write(DEV_KEY + "\n")
    os.chmod(key, 0o600)
    return d, key


def main():
    bin_, baseline, work = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    env = dict(os.environ, PROVENANCE_CACHE_DIR=os.path.join(work, "cache"))
    # A devnet whose block timer is stopped once the registry is deployed: 200 transactions wait in the
    # pool and one evm_mine puts them in one block.
    net, url = start("server.py", "--port", "0", "--block-time", "0.5")
    fp, purl = start("faultproxy.py", "--upstream", url)
    try:
        env["ETH_RPC_URL"] = url
        one, key = setup(work, "one", 1)
        subprocess.run([bin_, "registry", "deploy", "--private-key-file", key], env=env, check=True,
                       capture_output=True)
        subprocess.run([bin_, "attest", "--private-key-file", key, "--quiet", one], env=env, check=True,
                       capture_output=True)
        for _ in range(3):
            rpc(url, "evm_mine", [])
        rows = [("1 file, a block of 1 transaction", *counted(bin_, purl, [f"{one}/f00000.txt"], env, work))]

        # 199 transfers from 199 accounts (the devnet's pool takes one pending transaction per sender), then
        # the attestation, all pending; one block holds them. The accounts are funded first, a block each.
        big, _ = setup(work, "big", 1)
        rpc(url, "evm_setIntervalMining", [0])
        other = Account.from_key(OTHER_KEY)
        nonce = int(rpc(url, "eth_getTransactionCount", [other.address, "latest"]), 16)
        senders = [Account.create() for _ in range(199)]
        for i, a in enumerate(senders):
            send(url, other, {"nonce": nonce + i, "to": a.address, "value": 10**17})
            rpc(url, "evm_mine", [])
        for a in senders:
            send(url, a, {"nonce": 0, "to": to_checksum_address("0x" + os.urandom(20).hex()), "value": 1})
        attest = subprocess.Popen([bin_, "attest", "--private-key-file", key, "--quiet", big], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(5)  # its transaction sent and pending
        rpc(url, "evm_mine", [])
        rpc(url, "evm_setIntervalMining", [500])
        if attest.wait(timeout=600) != 0:
            sys.exit("attest into the 200-transaction block failed: " + attest.stderr.read())
        head = rpc(url, "eth_getBlockByNumber", ["latest", False])
        for _ in range(3):
            rpc(url, "evm_mine", [])
        n = int(head["number"], 16)
        txs = len(rpc(url, "eth_getBlockByNumber", [hex(n), False])["transactions"])
        rows.append((f"1 file, a block of {txs} transactions", *counted(bin_, purl, [f"{big}/f00000.txt"], env, work)))

        # 1,000 files in one batch, against the baseline binary (before the proofs), best of `rounds`.
        many, _ = setup(work, "many", 1000)
        subprocess.run([bin_, "attest", "--private-key-file", key, "--quiet", many], env=env, check=True,
                       capture_output=True)
        for _ in range(3):
            rpc(url, "evm_mine", [])
        ours, base = [], []
        for _ in range(rounds):
            ours.append(counted(bin_, purl, [many], env, work))
            base.append(counted(baseline, purl, [many], env, work))
        best = min(ours)
        rows.append(("1,000 files in one batch", *best))
        for label, seconds, calls, requests, size in rows:
            print(f"  {label:40s} {calls:4d} calls in {requests:2d} HTTP requests, {size / 1024:8.1f} KiB, "
                  f"{seconds * 1000:6.0f} ms")
        b = min(base)
        print(f"  before the proofs (baseline binary)      {b[1]:4d} calls in {b[2]:2d} HTTP requests, "
              f"{b[3] / 1024:8.1f} KiB, {b[0] * 1000:6.0f} ms")
        print(f"  verify of 1,000 files in one batch: {best[0] / b[0]:.2f}x the baseline's time (goal <= 1.25x); "
              f"by signer <= 4 HTTP requests per lookup (goal)")
    finally:
        fp.kill()
        net.kill()


if __name__ == "__main__":
    main()
