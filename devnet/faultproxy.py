"""Fault-injecting HTTP proxy for tests, on 127.0.0.1 only. Forwards JSON-RPC POSTs to an upstream
(the devnet) and, per request, follows a plan of faults set by the test:

  POST /__plan   body: a JSON list of actions, consumed one per incoming RPC request; then forward.
     {"status": 503, "retryAfter": 1}   answer with that HTTP status (and Retry-After header)
     {"drop": true}                     close the connection without answering
     {"body": "text"}                   answer 200 with this body (truncated or non-JSON bodies)
     {"delay": 3}                       wait this many seconds, then forward
     {"forward": true}                  forward unchanged
     {"rewrite": {"eth_chainId": "0x1"}}  forward, then replace the result of these methods
     {"rpcError": {"method": "eth_getLogs", "code": -32005, "message": "…", "untilRange": 100}}
                                        forward, then turn that method's answers into this JSON-RPC error
                                        (only for block ranges wider than untilRange, if given); the
                                        action stays in force for every request until the plan is reset
     Any action may name "method": it then waits at the head of the plan for the next request that
     calls that method (other requests are forwarded), and applies to that request only — or, with
     "after": N and "times": K, lets N such requests through and applies to the K after them.
     {"method": "eth_sendRawTransaction", "drop": true, "forwardFirst": true}
                                        the upstream receives the request, the client gets no answer
     {"logCap": {"provider": "alchemy", "blocks": 500}}
                                        forward, then refuse every eth_getLogs over more than `blocks` blocks
                                        the way that provider words it (in force until the plan is reset):
                                        alchemy (-32600, suggests a range), infura-results (-32005, suggests
                                        a range), infura-range (-32602, names the limit), reth-range (names the
                                        limit), reth-results (suggests a range), publicnode (names the limit)
     {"forgeLog": {"signer": "0x…", "txHash": "0x…", "blockNumber": "0x…"}}
                                        forward, then add to every eth_getLogs answer a log from the filter's
                                        address with the filter's first topic and this signer, as a lying
                                        endpoint would (in force until the plan is reset)
     {"hideLogs": true}                 forward, then answer every eth_getLogs with no logs (in force)
     {"wrongIds": true}                 forward, then give every answer in a batch a different id
     {"markRemoved": true}              forward, then mark every log in the answer "removed": true
     {"inventTx": {"tx": {...}, "receipt": {...}, "blockNumber": "0x…", "inBlock": false}}
                                        a lying endpoint's own transaction, reported as mined in a real block:
                                        the receipt's logs are added to every eth_getLogs answer whose filter
                                        they match (address, topic OR-lists, range), eth_getTransactionByHash
                                        and eth_getTransactionReceipt of tx.hash answer tx and receipt; with
                                        "inBlock": true the block's transactions (eth_getBlockByNumber) and
                                        receipts (eth_getBlockReceipts) list them too, header unchanged (in force)
     {"rewriteRevokedAt": "0x0"}        forward, then set the first word (revokedAt) of every answer to an
                                        eth_call of signerRecord(address,uint256) (0x0 hides a revocation)
     {"hideRevocations": true}          forward, then drop Revoked(address) logs from eth_getLogs answers
     {"rewriteProof": {"storageValue": "0x0"}} or {"rewriteProof": {"dropNode": true}}
                                        forward, then change every eth_getProof storage entry's value (its
                                        proof left) or drop the last node of each storage proof (in force)
     {"shiftTimestamps": -1000000}      forward, then add this to the timestamp of every block answer (its
                                        hash unchanged, as a liar dating records would) (in force)
     {"staleState": "0xN"}              a state of the liar's own making (in force): a request calling eth_getProof
                                        at a block B > N is forwarded with the proof at N (before a revocation,
                                        say) and block N's header in place of B's header asked alone (not a block
                                        asked with its transactions), renumbered B and re-hashed,
                                        so the proof holds against a head that only its own hash vouches for
     {"rewriteCall": {"selector": "0x3b3b57de", "result": "0x…"}}
                                        forward, then answer every eth_call whose data starts with the selector
                                        with this result (ENS's addr(bytes32), say) (in force)
  GET  /__stats  -> {"requests": n, "connections": n, "calls": n, "methods": {method: n}, "bytes": n}
                    (calls: JSON-RPC calls, counting each member of a batch; bytes: of the replies sent)

  python devnet/faultproxy.py --upstream http://127.0.0.1:8545 [--port 0]
"""
import argparse, json, threading, time, urllib.request

from eth_utils import keccak
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
plan, stats = [], {"requests": 0, "connections": 0, "calls": 0, "methods": {}, "bytes": 0}
# The liar's actions that stay in force until the plan is reset.
PERSISTENT = ("rpcError", "logCap", "forgeLog", "hideLogs", "inventTx", "rewriteRevokedAt", "hideRevocations",
              "rewriteProof", "shiftTimestamps", "staleState", "rewriteCall")
SIGNER_RECORD = "0x" + keccak(text="signerRecord(address,uint256)")[:4].hex()
REVOKED_TOPIC = "0x" + keccak(text="Revoked(address)").hex()


def matches(log, f, lo, hi):
    """Whether an eth_getLogs filter asks for this log (address, topic OR-lists, block range)."""
    if f.get("address") and f["address"].lower() != log["address"].lower():
        return False
    if not lo <= int(log["blockNumber"], 16) <= hi:
        return False
    for i, want in enumerate(f.get("topics") or []):
        if want is None:
            continue
        options = [w.lower() for w in (want if isinstance(want, list) else [want])]
        if i >= len(log["topics"]) or log["topics"][i].lower() not in options:
            return False
    return True


def lie(action, doc, body):
    """The liar's edits of a forwarded reply (persistent actions above), in place."""
    items = doc if isinstance(doc, list) else [doc]
    sent = json.loads(body)
    by_id = {c.get("id"): c for c in (sent if isinstance(sent, list) else [sent])}
    for it in items:
        req = by_id.get(it.get("id"), {})
        m, params, result = req.get("method"), req.get("params") or [], it.get("result")
        if "inventTx" in action:
            spec = action["inventTx"]
            tx, receipt, n = spec["tx"], spec["receipt"], int(spec["blockNumber"], 16)
            if m == "eth_getLogs" and isinstance(result, list):
                f, lo, hi = block_range(req)
                result += [log for log in receipt["logs"] if matches(log, f, lo, hi)]
            elif m == "eth_getTransactionByHash" and params and params[0].lower() == tx["hash"].lower():
                it["result"] = tx
            elif m == "eth_getTransactionReceipt" and params and params[0].lower() == tx["hash"].lower():
                it["result"] = receipt
            elif spec.get("inBlock") and m == "eth_getBlockByNumber" and isinstance(result, dict) \
                    and int(result["number"], 16) == n:
                result["transactions"].append(tx if params[1] else tx["hash"])
            elif spec.get("inBlock") and m == "eth_getBlockReceipts" and isinstance(result, list) \
                    and params and int(params[0], 16) == n:
                result.append(receipt)
        if "rewriteRevokedAt" in action and m == "eth_call" and isinstance(result, str) \
                and str(params[0].get("data", "")).startswith(SIGNER_RECORD) and len(result) >= 66:
            it["result"] = "0x" + "%064x" % int(action["rewriteRevokedAt"], 16) + result[66:]
        if "rewriteCall" in action and m == "eth_call" and isinstance(result, str) \
                and str(params[0].get("data", "")).startswith(action["rewriteCall"]["selector"]):
            it["result"] = action["rewriteCall"]["result"]
        if "hideRevocations" in action and m == "eth_getLogs" and isinstance(result, list):
            it["result"] = [log for log in result if log["topics"][:1] != [REVOKED_TOPIC]]
        if "rewriteProof" in action and m == "eth_getProof" and isinstance(result, dict):
            for entry in result.get("storageProof", []):
                if "storageValue" in action["rewriteProof"]:
                    entry["value"] = action["rewriteProof"]["storageValue"]
                if action["rewriteProof"].get("dropNode") and entry["proof"]:
                    entry["proof"].pop()
        if "shiftTimestamps" in action and m in ("eth_getBlockByNumber", "eth_getBlockByHash") \
                and isinstance(result, dict):
            result["timestamp"] = hex(int(result["timestamp"], 16) + action["shiftTimestamps"])


# A header's fields in RLP order (Frontier ... Prague); those a block lacks are left out, as the chain does.
HEADER = [("parentHash", 0), ("sha3Uncles", 0), ("miner", 0), ("stateRoot", 0), ("transactionsRoot", 0),
          ("receiptsRoot", 0), ("logsBloom", 0), ("difficulty", 1), ("number", 1), ("gasLimit", 1), ("gasUsed", 1),
          ("timestamp", 1), ("extraData", 0), ("mixHash", 0), ("nonce", 0), ("baseFeePerGas", 1),
          ("withdrawalsRoot", 0), ("blobGasUsed", 1), ("excessBlobGas", 1), ("parentBeaconBlockRoot", 0),
          ("requestsHash", 0)]


def header_hash(block):
    import rlp
    fields = [int(block[k], 16) if q else bytes.fromhex(block[k][2:]) for k, q in HEADER if k in block]
    return "0x" + keccak(rlp.encode(fields)).hex()


def stale_request(body, stale):
    """The request with its eth_getProof (and the header asked for at the same block) moved to block `stale`,
    and the ids of the header calls moved, with the block each stood for."""
    sent = json.loads(body)
    calls = sent if isinstance(sent, list) else [sent]
    proof = [c for c in calls if isinstance(c, dict) and c.get("method") == "eth_getProof"]
    if not proof or int(proof[0]["params"][2], 16) <= stale:
        return body, {}
    head = proof[0]["params"][2]
    proof[0]["params"][2] = hex(stale)
    moved = {}
    for c in calls:
        if isinstance(c, dict) and c.get("method") == "eth_getBlockByNumber" and c["params"] == [head, False]:
            c["params"][0] = hex(stale)
            moved[c.get("id")] = head
    return json.dumps(sent).encode(), moved


def restamp(out, moved):
    """Block `stale`'s header, renumbered to the head it stands for and re-hashed."""
    doc = json.loads(out)
    for it in (doc if isinstance(doc, list) else [doc]):
        if it.get("id") in moved and isinstance(it.get("result"), dict):
            it["result"]["number"] = moved[it["id"]]
            it["result"]["hash"] = header_hash(it["result"])
    return json.dumps(doc).encode()


def each_answer(out, body, method):
    """The parsed reply, and (request, answer) for each answer to `method` in it: edit the answers in
    place, then send json.dumps of the reply."""
    doc = json.loads(out)
    items = doc if isinstance(doc, list) else [doc]
    sent = json.loads(body)
    by_id = {s.get("id"): s for s in (sent if isinstance(sent, list) else [sent])}
    pairs = [(by_id.get(it.get("id"), {}), it) for it in items]
    return doc, [(req, it) for req, it in pairs if req.get("method") == method]


def block_range(req):
    f = (req.get("params") or [{}])[0]
    lo = int(f.get("fromBlock", "0x0"), 16) if str(f.get("fromBlock", "0x0")).startswith("0x") else 0
    hi_text = str(f.get("toBlock", "latest"))
    return f, lo, (int(hi_text, 16) if hi_text.startswith("0x") else 10**9)


def cap_error(provider, lo, hi, cap):
    """The refusal of eth_getLogs over [lo, hi] as each provider words it (messages as documented by
    the providers and quoted in issue 10); suggested ranges start where the request did."""
    end = lo + cap - 1
    return {
        "alchemy": (-32600, f"You can make eth_getLogs requests with up to a {cap} block range. Based on your "
                            f"parameters, this block range should work: [{hex(lo)}, {hex(end)}]"),
        "infura-results": (-32005, f"query returned more than 10000 results. Try with this block range "
                                   f"[{hex(lo)}, {hex(end)}]."),
        "infura-range": (-32602, f"range {hi - lo + 1} exceeds limit of {cap}"),
        "reth-range": (-32602, f"query exceeds max block range {cap}"),
        "reth-results": (-32602, f"query exceeds max results 20000, retry with the range {lo}-{end}"),
        "publicnode": (-32000, f"exceed maximum block range: {cap}"),
    }[provider]


def make_handler(upstream):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def setup(self):
            super().setup()
            with lock:
                stats["connections"] += 1

        def reply(self, status, body, headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/__stats":
                with lock:
                    self.reply(200, json.dumps(stats).encode())
            else:
                self.reply(404, b"{}")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/__plan":
                with lock:
                    plan[:] = json.loads(body)
                    stats["requests"] = 0
                    stats["connections"] = 0
                    stats["calls"] = 0
                    stats["methods"] = {}
                    stats["bytes"] = 0
                self.reply(200, b"{}")
                return
            with lock:
                stats["requests"] += 1
                try:
                    sent_doc = json.loads(body)
                    for call in (sent_doc if isinstance(sent_doc, list) else [sent_doc]):
                        stats["calls"] += 1
                        m = call.get("method", "?") if isinstance(call, dict) else "?"
                        stats["methods"][m] = stats["methods"].get(m, 0) + 1
                except ValueError:
                    pass
                action = {"forward": True}
                if plan:
                    head = plan[0]
                    if "method" in head and head["method"].encode() not in body:
                        pass  # waits for a request calling its method
                    elif "method" in head and head.get("after", 0) > 0:
                        head["after"] -= 1  # let this one through
                    elif "method" in head and head.get("times", 1) > 1:
                        head["times"] -= 1
                        action = head
                    elif any(k in head for k in PERSISTENT):
                        action = head  # stays in force until the plan is reset
                    else:
                        action = plan.pop(0)
            if "status" in action:
                headers = [("Retry-After", str(action["retryAfter"]))] if "retryAfter" in action else []
                self.reply(action["status"], b'{"error":"injected"}', headers)
                return
            if action.get("drop") and not action.get("forwardFirst"):
                self.close_connection = True
                self.connection.close()
                return
            if "body" in action:
                self.reply(200, action["body"].encode())
                return
            if "delay" in action:
                time.sleep(action["delay"])
            moved = {}
            if "staleState" in action:
                body, moved = stale_request(body, int(action["staleState"], 16))
            req = urllib.request.Request(upstream, data=body, headers={"Content-Type": "application/json"})
            # A hang guard, not a speed limit: the devnet may take long over a heavy request on a loaded
            # machine, and a proxy giving up first would look to the client like a dropped connection.
            with urllib.request.urlopen(req, timeout=600) as r:
                out = r.read()
            if moved:
                out = restamp(out, moved)
            if action.get("drop"):  # forwarded first: the upstream has it, the client hears nothing
                self.close_connection = True
                self.connection.close()
                return
            if action.get("wrongIds") or action.get("markRemoved"):
                doc = json.loads(out)
                for it in (doc if isinstance(doc, list) else [doc]):
                    if action.get("wrongIds") and isinstance(it.get("id"), int):
                        it["id"] += 1000
                    if action.get("markRemoved") and isinstance(it.get("result"), list):
                        for log in it["result"]:
                            if isinstance(log, dict):
                                log["removed"] = True
                out = json.dumps(doc).encode()
            if "rpcError" in action:
                spec = action["rpcError"]
                doc, answers = each_answer(out, body, spec["method"])
                for req, it in answers:
                    _, lo, hi = block_range(req)
                    if "untilRange" in spec and hi - lo + 1 <= spec["untilRange"]:
                        continue
                    it.pop("result", None)
                    it["error"] = {"code": spec["code"], "message": spec["message"]}
                out = json.dumps(doc).encode()
            if "logCap" in action:
                spec = action["logCap"]
                doc, answers = each_answer(out, body, "eth_getLogs")
                for req, it in answers:
                    _, lo, hi = block_range(req)
                    if hi - lo + 1 <= spec["blocks"]:
                        continue
                    code, message = cap_error(spec["provider"], lo, hi, spec["blocks"])
                    it.pop("result", None)
                    it["error"] = {"code": code, "message": message}
                out = json.dumps(doc).encode()
            if "forgeLog" in action or "hideLogs" in action:
                doc, answers = each_answer(out, body, "eth_getLogs")
                for req, it in answers:
                    if not isinstance(it.get("result"), list):
                        continue
                    if action.get("hideLogs"):
                        it["result"] = []
                        continue
                    spec = action["forgeLog"]
                    f, _, _ = block_range(req)
                    first = (f.get("topics") or [[]])[0]
                    first = first[0] if isinstance(first, list) and first else first
                    if not first:
                        continue
                    it["result"].append({
                        "address": f.get("address"), "topics": [first, "0x" + "00" * 12 + spec["signer"][2:].lower()],
                        "data": "0x", "blockNumber": spec["blockNumber"], "transactionHash": spec["txHash"],
                        "transactionIndex": "0x0", "blockHash": "0x" + "11" * 32, "logIndex": "0x0", "removed": False})
                out = json.dumps(doc).encode()
            if any(k in action for k in PERSISTENT[4:]):
                doc = json.loads(out)
                lie(action, doc, body)
                out = json.dumps(doc).encode()
            if "rewrite" in action:
                doc = json.loads(out)
                items = doc if isinstance(doc, list) else [doc]
                sent = json.loads(body)
                sent = sent if isinstance(sent, list) else [sent]
                methods = {s.get("id"): s.get("method") for s in sent}
                for it in items:
                    m = methods.get(it.get("id"))
                    if m in action["rewrite"]:
                        it["result"] = action["rewrite"][m]
                out = json.dumps(doc).encode()
            with lock:
                stats["bytes"] += len(out)
            self.reply(200, out)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.upstream))
    print(f"faultproxy listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
