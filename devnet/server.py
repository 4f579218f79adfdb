"""Local Ethereum devnet: a real EVM (py-evm via eth-tester, Prague rules) behind a small JSON-RPC
server on 127.0.0.1 that speaks the spec's encodings (hex quantities, camelCase names), batches and
HTTP/1.1 keep-alive. Development only; the shipped tool never needs Python.

Genesis funds the well-known development key (Anvil/Hardhat account 0) and a second account for
relaying tests, preinstalls the deterministic CREATE2 deployment proxy, as OP-Stack chains do, and a
minimal ENS (registry, resolver, reverse registrar) at mainnet's addresses (devnet/ens.py).

  python devnet/server.py [--port 8545] [--chain-id 31337] [--block-time SECONDS] [--min-tip GWEI]

Real-chain conditions for tests: --block-time N stops mining each transaction at once and mines one
block every N seconds, so transactions sit pending; --min-tip G keeps a transaction whose priority fee is
below G gwei pending (never mined) until a replacement for the same sender and nonce pays enough, as a
node's pool does with an under-priced transaction; a replacement must raise the tip by 12.5 %.

Development methods besides the standard ones (Anvil/Hardhat names): evm_mine [N] mines N blocks the
usual way; anvil_mine / hardhat_mine [N] adds N empty blocks in one call, thousands a second (a long
history for tests of providers' range caps); evm_setIntervalMining MS sets the block timer of
--block-time (0 stops it, so a test can hold a transaction pending for as long as it needs).

What a client needs to prove records from block headers alone, as real nodes serve it: full headers
(every field of the fork, in the form keccak(rlp(header)) is recomputed from), full transaction objects,
eth_getBlockReceipts, and EIP-1186 eth_getProof at any mined block's state (devnet/check_proofs.py checks
all of it independently). Block tags: latest (and pending) is the head, safe the block before it,
finalized the one before that (head − 1, head − 2, never below 0: with no consensus layer, "final" on
this devnet only means buried), earliest block 0. A block hash is taken wherever a block is.
"""
import argparse, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import rlp

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed, ValidationError, TransactionNotFound
from eth_utils import to_canonical_address, to_checksum_address, keccak
from eth.constants import BLANK_ROOT_HASH
from eth.exceptions import BlockNotFound, HeaderNotFound, TransactionNotFound as EVMTransactionNotFound

DEV_KEYS = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",  # 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",  # 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
]
CREATE2_PROXY = "0x4e59b44847b379578588920cA78FbF26c0B4956C"
CREATE2_PROXY_CODE = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3")
TIP = 10**9  # 1 gwei suggested priority fee

# The JSON-RPC name of each header field py-evm encodes. block_out walks the header's own field list, in
# its RLP order, so every field of the fork is served exactly as hashed (and a field this table lacks
# fails loudly instead of going missing from the hash a client recomputes).
HEADER_JSON = {"parent_hash": "parentHash", "uncles_hash": "sha3Uncles", "coinbase": "miner", "state_root": "stateRoot",
               "transaction_root": "transactionsRoot", "receipt_root": "receiptsRoot", "bloom": "logsBloom",
               "difficulty": "difficulty", "block_number": "number", "gas_limit": "gasLimit", "gas_used": "gasUsed",
               "timestamp": "timestamp", "extra_data": "extraData", "mix_hash": "mixHash", "nonce": "nonce",
               "base_fee_per_gas": "baseFeePerGas", "withdrawals_root": "withdrawalsRoot", "blob_gas_used": "blobGasUsed",
               "excess_blob_gas": "excessBlobGas", "parent_beacon_block_root": "parentBeaconBlockRoot",
               "requests_hash": "requestsHash"}


def reverted(e):
    """A revert as geth reports it: code 3, "execution reverted: <reason>", data = the revert bytes."""
    inner = e.args[0] if e.args else None
    data = inner.args[0] if isinstance(inner, Exception) and inner.args else inner
    if not isinstance(data, (bytes, bytearray)):
        return RPCError(3, "execution reverted")
    reason = ""
    if data[:4] == bytes.fromhex("08c379a0") and len(data) >= 68:
        n = int.from_bytes(data[36:68], "big")
        reason = data[68:68 + n].decode("utf-8", "replace")
    return RPCError(3, "execution reverted" + (": " + reason if reason else ""), "0x" + bytes(data).hex())


class RPCError(Exception):
    def __init__(self, code, message, data=None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def q(n):
    return hex(int(n))


def hx(b):
    if isinstance(b, str):
        return b if b.startswith("0x") else "0x" + b
    return "0x" + bytes(b).hex()


def parse_q(v, name):
    if isinstance(v, int):
        return v
    if not isinstance(v, str) or not v.startswith("0x"):
        raise RPCError(-32602, f"invalid params: {name} must be a hex quantity")
    return int(v, 16)


class Devnet:
    def __init__(self, chain_id, proxy=True, gas_limit=45_000_000, block_time=None, min_tip=0):
        from eth_keys import keys
        state = {}
        for k in DEV_KEYS:
            addr = keys.PrivateKey(bytes.fromhex(k)).public_key.to_canonical_address()
            state[addr] = {"balance": 10_000 * 10**18, "nonce": 0, "code": b"", "storage": {}}
        # A minimal ENS at mainnet's addresses (devnet/ens.py), so ENS names resolve here as on mainnet.
        sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
        import ens
        for address, account in ens.genesis_accounts().items():
            state[to_canonical_address(address)] = account
        if proxy:
            state[to_canonical_address(CREATE2_PROXY)] = {"balance": 0, "nonce": 1, "code": CREATE2_PROXY_CODE, "storage": {}}
        # Ethereum mainnet's block gas limit since 2025 (45M): a 10,000-file batch (~27M gas) fits.
        backend = PyEVMBackend(genesis_state=state,
                               genesis_parameters=PyEVMBackend._generate_genesis_params({"gas_limit": gas_limit}))
        type(backend.chain).chain_id = chain_id  # the class attribute every VM reads
        self.chain_id = chain_id
        self.t = EthereumTester(backend)
        self.lock = threading.Lock()
        self.logs_cache = {}
        self.funded = to_checksum_address(keys.PrivateKey(bytes.fromhex(DEV_KEYS[0])).public_key.to_canonical_address())
        self.min_tip = min_tip
        self.held = {}  # (sender, nonce) -> (raw hex, hash, tip): under-priced, pending for ever
        # The block timer: a block every block_time seconds while it is set (--block-time, then
        # evm_setIntervalMining). Changed under self.lock, and the timer mines only under it after checking
        # it is still set: once evm_setIntervalMining 0 has answered, no block comes until it is set again.
        self.block_time = block_time or None
        self.block_time_changed = threading.Event()
        if block_time:
            self.t.disable_auto_mine_transactions()
        threading.Thread(target=self.miner, daemon=True).start()

    def miner(self):
        while True:
            interval = self.block_time
            changed = self.block_time_changed.wait(interval) if interval else self.block_time_changed.wait()
            if changed:  # a new interval (or none): start the wait again
                self.block_time_changed.clear()
                continue
            with self.lock:
                if self.block_time:
                    self.t.mine_blocks(1)

    def mine_empty(self, count):
        """`count` empty blocks in one go (anvil_mine): py-evm takes milliseconds to mine each block (a VM and
        its state, the header checks), minutes for the 20,000-block history of the provider tests on a
        loaded machine. An empty block changes no state here (genesis holds none of the system contracts
        that write at every block, and a merged chain pays no block reward), so once one block mined the
        usual way has shown exactly that, each further block is the pending header as mining seals it (a
        fresh mix hash, the same state root), stored as mining stores it, with no logs. With transactions
        waiting to be mined (--block-time), or anything unexpected, the blocks are mined the usual way."""
        t = self.t
        chain = t.backend.chain
        if count <= 0:
            return
        if not t.auto_mine_transactions:
            t.mine_blocks(count)
            return
        before = chain.get_canonical_head()
        t.mine_blocks(1)
        first = chain.get_canonical_head()
        if first.state_root != before.state_root or first.transaction_root != BLANK_ROOT_HASH:
            if count > 1:
                t.mine_blocks(count - 1)
            return
        self.logs_cache[first.block_number] = []
        block_class = chain.get_vm_class(chain.header).get_block_class()
        for done in range(1, count):
            header = chain.header.copy(mix_hash=os.urandom(32))
            chain.chaindb.persist_block(block_class(header))
            if done == 1 and chain.get_canonical_head().hash != header.hash:
                t.mine_blocks(count - 1)  # not taken as the new head: mine them the usual way
                return
            chain.header = chain.create_header_from_parent(header)
            self.logs_cache[header.block_number] = []
        if chain.get_canonical_head().block_number != first.block_number + count - 1:
            raise RPCError(-32603, "anvil_mine: the chain did not grow by the blocks added")

    def block_logs(self, n):
        """The spec-encoded logs of a mined block, cached: a mined block's logs never change here."""
        cached = self.logs_cache.get(n)
        if cached is None:
            cached = []
            block = self.t.backend.chain.get_canonical_block_by_number(n)
            for i, (tx, r) in enumerate(zip(block.transactions, block.get_receipts(self.t.backend.chain.chaindb))):
                cached += [self.log_out(block, tx, i, log, len(cached) + k) for k, log in enumerate(r.logs)]
            self.logs_cache[n] = cached
        return cached

    # -- conversions ----------------------------------------------------------------------
    def block_id(self, b):
        """A block parameter as eth-tester takes it (for state queries)."""
        if b in (None, "latest", "pending"):
            return "latest"
        if b == "earliest":
            return "earliest"
        return self.number_of(b)

    def number_of(self, b):
        """The number a block tag or quantity names (the tags as the module docstring defines them)."""
        head = self.t.backend.chain.get_canonical_head().block_number
        if isinstance(b, dict):  # EIP-1898 {"blockNumber": …}
            b = b.get("blockNumber")
        if b in (None, "latest", "pending"):
            return head
        if b == "earliest":
            return 0
        if b == "safe":
            return max(0, head - 1)
        if b == "finalized":
            return max(0, head - 2)
        return parse_q(b, "block")

    def block_at(self, b):
        """The mined canonical block a parameter names (number, tag, block hash or an EIP-1898 object), or
        None when there is none: not yet mined, or a hash this chain does not hold as canonical."""
        chain = self.t.backend.chain
        if isinstance(b, dict) and "blockHash" in b:
            b = b["blockHash"]
        if isinstance(b, str) and len(b) == 66:
            try:
                block = chain.get_block_by_hash(bytes.fromhex(b[2:]))
            except (HeaderNotFound, BlockNotFound, ValueError):
                return None
            canonical = block.number <= chain.get_canonical_head().block_number and chain.get_canonical_block_hash(block.number) == block.hash
            return block if canonical else None
        n = self.number_of(b)
        if n > chain.get_canonical_head().block_number:
            return None
        return chain.get_canonical_block_by_number(n)

    def mined(self, tx_hash):
        """(block, index) of a mined transaction, or None (unknown, held or still pending)."""
        chain = self.t.backend.chain
        try:
            number, index = chain.chaindb.get_transaction_index(bytes.fromhex(tx_hash[2:]))
        except (EVMTransactionNotFound, ValueError):
            return None
        return chain.get_canonical_block_by_number(number), index

    def tx_in(self, tx):
        out = {}
        for k in ("from", "to"):
            if tx.get(k):
                out[k] = to_checksum_address(tx[k])
        data = tx.get("input", tx.get("data"))
        if data:
            out["data"] = data
        for k in ("value", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "nonce"):
            if tx.get(k) is not None:
                out[{"gasPrice": "gas_price", "maxFeePerGas": "max_fee_per_gas",
                     "maxPriorityFeePerGas": "max_priority_fee_per_gas"}.get(k, k)] = parse_q(tx[k], k)
        if "from" not in out:
            out["from"] = to_checksum_address("0x" + "00" * 20)
        return out

    def log_out(self, block, tx, index, log, log_index):
        """A py-evm log as nodes serve it; log_index counts from the block's first log, as on real nodes
        (eth-tester's own serializer counts from the transaction's)."""
        return {"address": to_checksum_address(log.address), "topics": [hx(t.to_bytes(32, "big")) for t in log.topics],
                "data": hx(log.data), "blockNumber": q(block.number), "blockHash": hx(block.hash),
                "transactionHash": hx(tx.hash), "transactionIndex": q(index), "logIndex": q(log_index), "removed": False}

    def receipts_out(self, block, only=None):
        """The receipts of a mined block (or of its transaction `only`), from py-evm's own receipts: the
        fields a verifier rebuilds the receipts trie from (status, cumulativeGasUsed, logsBloom, logs, type)
        are those the block's receiptsRoot was computed over."""
        receipts = block.get_receipts(self.t.backend.chain.chaindb)
        out, logs_before = [], 0
        for i, (tx, r) in enumerate(zip(block.transactions, receipts)):
            if only is None or i == only:
                kind = tx.type_id or 0  # py-evm: None for a legacy transaction
                to = tx.to or None
                created = None if to else to_checksum_address(keccak(rlp.encode([tx.sender, tx.nonce]))[12:])
                price = tx.gas_price if kind < 2 else min(tx.max_fee_per_gas, block.header.base_fee_per_gas + tx.max_priority_fee_per_gas)
                out.append({
                    "transactionHash": hx(tx.hash), "transactionIndex": q(i), "blockHash": hx(block.hash), "blockNumber": q(block.number),
                    "from": to_checksum_address(tx.sender), "to": to_checksum_address(to) if to else None,
                    "cumulativeGasUsed": q(r.gas_used), "gasUsed": q(r.gas_used - (receipts[i - 1].gas_used if i else 0)),
                    "effectiveGasPrice": q(price), "contractAddress": created,
                    "logs": [self.log_out(block, tx, i, log, logs_before + k) for k, log in enumerate(r.logs)],
                    "logsBloom": hx(r.bloom.to_bytes(256, "big")),
                    # Byzantium on: the receipt's first field is the status byte (empty for a failure)
                    "status": q(1 if r.state_root == b"\x01" else 0), "type": q(kind)})
            logs_before += len(r.logs)
        return out

    def tx_out(self, tx, block=None, index=None):
        """A transaction as geth reports it: every signed field, so a verifier re-encodes it byte for byte
        (its hash, and its leaf of the block's transactions trie). block None: still pending."""
        kind = tx.type_id or 0  # py-evm: None for a legacy transaction
        out = {"type": q(kind), "hash": hx(tx.hash), "nonce": q(tx.nonce), "from": to_checksum_address(tx.sender),
               "to": to_checksum_address(tx.to) if tx.to else None, "value": q(tx.value), "gas": q(tx.gas), "input": hx(tx.data),
               "blockHash": hx(block.hash) if block else None, "blockNumber": q(block.number) if block else None,
               "transactionIndex": q(index) if block else None}
        if kind == 0:
            out["gasPrice"] = q(tx.gas_price)
            if tx.v >= 35:  # EIP-155: the chain id is folded into v
                out["chainId"] = q((tx.v - 35) // 2)
            out.update({"v": q(tx.v), "r": q(tx.r), "s": q(tx.s)})
            return out
        out["chainId"] = q(tx.chain_id)
        if kind == 1:
            out["gasPrice"] = q(tx.gas_price)
        else:
            out.update({"maxPriorityFeePerGas": q(tx.max_priority_fee_per_gas), "maxFeePerGas": q(tx.max_fee_per_gas),
                        # what the sender paid per gas once mined (geth's convention), the cap while pending
                        "gasPrice": q(min(tx.max_fee_per_gas, block.header.base_fee_per_gas + tx.max_priority_fee_per_gas)
                                      if block else tx.max_fee_per_gas)})
        out["accessList"] = [{"address": to_checksum_address(a[0]), "storageKeys": [hx(k.to_bytes(32, "big")) for k in a[1]]}
                             for a in tx.access_list]
        if kind == 3:
            out.update({"maxFeePerBlobGas": q(tx.max_fee_per_blob_gas), "blobVersionedHashes": [hx(h) for h in tx.blob_versioned_hashes]})
        if kind == 4:
            out["authorizationList"] = [{"chainId": q(a.chain_id), "address": to_checksum_address(a.address), "nonce": q(a.nonce),
                                         "yParity": q(a.y_parity), "r": q(a.r), "s": q(a.s)} for a in tx.authorization_list]
        out.update({"v": q(tx.y_parity), "yParity": q(tx.y_parity), "r": q(tx.r), "s": q(tx.s)})
        return out

    def block_out(self, block, full):
        h = block.header
        out = {}
        for name in type(h)._meta.field_names:
            v = getattr(h, name)
            if name == "coinbase":
                v = to_checksum_address(v)
            elif name == "bloom":
                v = hx(v.to_bytes(256, "big"))
            else:
                v = q(v) if isinstance(v, int) else hx(v)
            out[HEADER_JSON[name]] = v
        out.update({"hash": hx(h.hash), "size": q(len(rlp.encode(block))), "uncles": [],
                    "withdrawals": [{"index": q(w.index), "validatorIndex": q(w.validator_index), "address": to_checksum_address(w.address),
                                     "amount": q(w.amount)} for w in getattr(block, "withdrawals", ())],
                    "transactions": [self.tx_out(tx, block, i) if full else hx(tx.hash) for i, tx in enumerate(block.transactions)]})
        return out

    def proof(self, address, keys, header):
        """EIP-1186 proofs of an account and its storage slots at a block's state, read from py-evm's state
        trie at the header's stateRoot: py-evm never deletes a replaced trie node (it persists without
        applying deletes), so every mined block's state is there to prove. Nodes are listed from the root
        down the way geth lists them: each node its parent refers to by hash; a node under 32 bytes is
        inlined in its parent, not listed. An absent account or slot gets the proof of its absence."""
        from trie import HexaryTrie
        from eth.rlp.accounts import Account
        db = self.t.backend.chain.chaindb.db

        def walk(root, key):
            trie = HexaryTrie(db, root)
            nodes = [rlp.encode(n) for n in trie.get_proof(key)]
            return trie.get(key), [hx(n) for i, n in enumerate(nodes) if i == 0 or len(n) >= 32]

        raw, account_proof = walk(header.state_root, keccak(to_canonical_address(address)))
        account = rlp.decode(raw, sedes=Account) if raw else Account()
        storage = []
        for key in keys:
            slot = parse_q(key, "storage key")
            if not 0 <= slot < 2**256:
                raise RPCError(-32602, "invalid params: a storage key is 32 bytes")
            value, nodes = walk(account.storage_root, keccak(slot.to_bytes(32, "big")))
            storage.append({"key": key, "value": q(rlp.decode(value, sedes=rlp.sedes.big_endian_int) if value else 0), "proof": nodes})
        return {"address": to_checksum_address(address), "accountProof": account_proof, "balance": q(account.balance),
                "codeHash": hx(account.code_hash), "nonce": q(account.nonce), "storageHash": hx(account.storage_root),
                "storageProof": storage}

    def decode(self, raw):
        """(sender, nonce, priority fee) of a signed raw transaction (type 2, or legacy: price − base fee)."""
        import rlp
        from eth_account import Account
        data = bytes.fromhex(raw[2:] if raw.startswith("0x") else raw)
        sender = to_checksum_address(Account.recover_transaction(data))
        if data[0] == 2:
            fields = rlp.decode(data[1:])
            return sender, int.from_bytes(fields[1], "big"), int.from_bytes(fields[2], "big")
        fields = rlp.decode(data)
        base = self.t.get_block_by_number("latest")["base_fee_per_gas"]
        return sender, int.from_bytes(fields[0], "big"), int.from_bytes(fields[1], "big") - base

    def pending_out(self, raw, h, sender):
        """A held transaction as eth_getTransactionByHash reports a pending one (no block)."""
        import rlp
        data = bytes.fromhex(raw[2:])
        if data[0] != 2:
            return {"hash": h, "from": sender, "blockNumber": None, "blockHash": None, "type": "0x0"}
        f = rlp.decode(data[1:])
        n = lambda b: q(int.from_bytes(b, "big"))
        return {"type": "0x2", "hash": h, "from": sender, "chainId": n(f[0]), "nonce": n(f[1]),
                "maxPriorityFeePerGas": n(f[2]), "maxFeePerGas": n(f[3]), "gas": n(f[4]),
                "to": to_checksum_address(f[5]) if f[5] else None, "value": n(f[6]), "input": hx(f[7]),
                "accessList": [], "v": n(f[9]), "yParity": n(f[9]), "r": n(f[10]), "s": n(f[11]),
                "blockNumber": None, "blockHash": None}

    # -- methods ----------------------------------------------------------------------------
    def call(self, method, params):
        t = self.t
        p = params or []
        if method == "eth_chainId":
            return q(self.chain_id)
        if method == "net_version":
            return str(self.chain_id)
        if method == "evm_mine":  # Anvil/Hardhat-compatible: mine empty blocks (tests of confirmations)
            t.mine_blocks(int(p[0], 16) if p and isinstance(p[0], str) else 1)
            return "0x0"
        if method in ("anvil_mine", "hardhat_mine"):  # many empty blocks in one call, fast (see mine_empty)
            self.mine_empty(parse_q(p[0], "blocks") if p and p[0] is not None else 1)
            return None
        if method == "evm_setIntervalMining":  # Hardhat-compatible: the block timer in ms, 0 stops it
            ms = parse_q(p[0], "interval") if p else 0
            self.block_time = ms / 1000 if ms > 0 else None
            self.block_time_changed.set()
            return True
        if method == "web3_clientVersion":
            return "provenance-devnet/py-evm"
        if method == "eth_blockNumber":
            return q(t.get_block_by_number("latest")["number"])
        if method == "eth_getBalance":
            return q(t.get_balance(to_checksum_address(p[0]), self.block_id(p[1] if len(p) > 1 else None)))
        if method == "eth_getTransactionCount":
            address = to_checksum_address(p[0])
            n = t.get_nonce(address, self.block_id(p[1] if len(p) > 1 else None))
            if len(p) > 1 and p[1] == "pending":  # held transactions count, as in a node's pool
                while (address, n) in self.held:
                    n += 1
            return q(n)
        if method == "eth_getCode":
            return hx(t.get_code(to_checksum_address(p[0]), self.block_id(p[1] if len(p) > 1 else None)))
        if method == "eth_getStorageAt":  # read by revm's fork mode in the two-EVM check
            slot = parse_q(p[1], "slot")
            block = self.block_at(p[2] if len(p) > 2 else None)
            if block is None:
                raise RPCError(-32000, "header not found")
            state = t.backend.chain.get_vm(block.header).state
            return "0x" + state.get_storage(to_canonical_address(p[0]), slot).to_bytes(32, "big").hex()
        if method == "eth_getProof":
            block = self.block_at(p[2] if len(p) > 2 else None)
            if block is None:
                raise RPCError(-32000, "header not found")
            return self.proof(p[0], p[1] or [], block.header)
        if method == "eth_gasPrice":
            return q(t.get_block_by_number("latest")["base_fee_per_gas"] + TIP)
        if method == "eth_maxPriorityFeePerGas":
            return q(TIP)
        if method == "eth_feeHistory":
            count = min(parse_q(p[0], "blockCount") if isinstance(p[0], str) else int(p[0]), 1024)
            newest = t.get_block_by_number(self.block_id(p[1]))["number"]
            oldest = max(0, newest - count + 1)
            blocks = [t.get_block_by_number(n) for n in range(oldest, newest + 1)]
            percentiles = p[2] if len(p) > 2 else []
            last = blocks[-1]
            # next block's base fee per EIP-1559 (elasticity 2, change denominator 8)
            target = last["gas_limit"] // 2
            nxt = last["base_fee_per_gas"] + (last["base_fee_per_gas"] * (last["gas_used"] - target) // target // 8)
            return {"oldestBlock": q(oldest), "baseFeePerGas": [q(b["base_fee_per_gas"]) for b in blocks] + [q(max(nxt, 7))],
                    "gasUsedRatio": [b["gas_used"] / b["gas_limit"] for b in blocks],
                    "reward": [[q(TIP) for _ in percentiles] for _ in blocks] if percentiles else None}
        if method in ("eth_getBlockByNumber", "eth_getBlockByHash"):
            if method == "eth_getBlockByHash" and not (isinstance(p[0], str) and len(p[0]) == 66):
                raise RPCError(-32602, "invalid params: a block hash is 32 bytes")
            block = self.block_at(p[0])
            return None if block is None else self.block_out(block, bool(p[1]) if len(p) > 1 else False)
        if method == "eth_getBlockReceipts":
            block = self.block_at(p[0] if p else None)
            return None if block is None else self.receipts_out(block)
        if method == "eth_call":
            # geth runs a call without a sender from the zero address and charges nothing; py-evm checks
            # the sender can pay for the gas, so a call without one is made from a funded account.
            call = self.tx_in(p[0])
            if not (p[0].get("from")):
                call["from"] = self.funded
            try:
                return hx(t.call(call, self.block_id(p[1] if len(p) > 1 else None)))
            except TransactionFailed as e:
                raise reverted(e)
        if method == "eth_estimateGas":
            try:
                return q(t.estimate_gas(self.tx_in(p[0])))
            except TransactionFailed as e:
                raise reverted(e)
        if method == "eth_sendRawTransaction":
            raw = p[0]
            h = hx(keccak(hexstr=raw))
            if any(held[1] == h for held in self.held.values()):
                raise RPCError(-32000, "already known")
            if self.min_tip:
                sender, nonce, tip = self.decode(raw)
                mined = t.get_nonce(sender, "latest")
                if nonce < mined:
                    raise RPCError(-32000, f"nonce too low: next nonce {mined}, tx nonce {nonce}")
                held = self.held.get((sender, nonce))
                if held and tip < held[2] * 1125 // 1000:
                    raise RPCError(-32000, "replacement transaction underpriced")
                if tip < self.min_tip:
                    self.held[(sender, nonce)] = (raw, h, tip)
                    return h
                self.held.pop((sender, nonce), None)
            try:
                t.get_transaction_by_hash(h)
                raise RPCError(-32000, "already known")
            except TransactionNotFound:
                pass
            try:
                return hx(t.send_raw_transaction(raw))
            except Exception as e:  # eth-tester and py-evm raise several ValidationError classes
                msg = str(e)
                low = msg.lower()
                m = __import__("re").search(r"expected (\d+), but got (\d+)", low)
                if "nonce" in low and m and int(m.group(2)) < int(m.group(1)):
                    raise RPCError(-32000, f"nonce too low: next nonce {m.group(1)}, tx nonce {m.group(2)}")
                if "nonce" in low and m:
                    raise RPCError(-32000, f"nonce too high: next nonce {m.group(1)}, tx nonce {m.group(2)}")
                if "insufficient" in low or ("balance" in low and "gas" in low):
                    raise RPCError(-32000, "insufficient funds for gas * price + value")
                raise RPCError(-32000, msg[:300] or type(e).__name__)
        if method == "eth_getTransactionReceipt":
            found = self.mined(p[0])
            return self.receipts_out(found[0], only=found[1])[0] if found else None
        if method == "eth_getTransactionByHash":
            for (sender, nonce), (raw, h, tip) in self.held.items():
                if h == p[0].lower():
                    return self.pending_out(raw, h, sender)
            found = self.mined(p[0])
            if found:
                return self.tx_out(found[0].transactions[found[1]], *found)
            # Still pending: eth-tester keeps its pool apart from the chain's block under construction.
            try:
                tx = t.get_transaction_by_hash(p[0])
            except TransactionNotFound:
                return None
            kind = int(tx["type"], 16) if isinstance(tx.get("type"), str) else int(tx.get("type") or 0)
            out = {"type": q(kind), "hash": hx(tx["hash"]), "nonce": q(tx["nonce"]),
                   "from": to_checksum_address(tx["from"]), "to": to_checksum_address(tx["to"]) if tx.get("to") else None,
                   "blockNumber": None, "blockHash": None, "transactionIndex": None, "input": hx(tx["data"]),
                   "value": q(tx["value"]), "gas": q(tx["gas"]), "v": q(tx["v"]), "r": q(tx["r"]), "s": q(tx["s"])}
            if kind == 2:
                out.update({"chainId": q(tx["chain_id"]), "maxFeePerGas": q(tx["max_fee_per_gas"]),
                            "maxPriorityFeePerGas": q(tx["max_priority_fee_per_gas"]),
                            "gasPrice": q(tx["gas_price"]), "accessList": list(tx.get("access_list") or ()),
                            "yParity": q(tx["y_parity"])})
            else:
                out["gasPrice"] = q(tx["gas_price"])
            return out
        if method == "eth_getLogs":
            f = p[0]
            from_block = self.block_id(f.get("fromBlock", "latest"))
            to_block = self.block_id(f.get("toBlock", "latest"))
            latest = t.get_block_by_number("latest")["number"]
            from_block = latest if from_block == "latest" else 0 if from_block == "earliest" else from_block
            to_block = latest if to_block == "latest" else 0 if to_block == "earliest" else to_block
            if f.get("blockHash"):  # EIP-234: the one block of that hash
                block = self.block_at(f["blockHash"])
                if block is None:
                    raise RPCError(-32000, "unknown block")
                from_block = to_block = block.number
            addresses = f.get("address")
            if isinstance(addresses, str):
                addresses = [addresses]
            topics = f.get("topics") or []
            wanted = [None if w is None else {x.lower() for x in (w if isinstance(w, list) else [w])} for w in topics]
            allowed = {to_checksum_address(a) for a in addresses} if addresses else None
            out = []
            for n in range(from_block, min(to_block, latest) + 1):
                for log in self.block_logs(n):
                    if allowed is not None and log["address"] not in allowed:
                        continue
                    lt = log["topics"]
                    if all(w is None or (i < len(lt) and lt[i].lower() in w) for i, w in enumerate(wanted)):
                        out.append(log)
            return out
        raise RPCError(-32601, f"the method {method} does not exist/is not available")

    def handle(self, req):
        if not isinstance(req, dict) or req.get("jsonrpc") != "2.0" or "method" not in req:
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "invalid request"}}
        try:
            with self.lock:
                result = self.call(req["method"], req.get("params"))
            return {"jsonrpc": "2.0", "id": req.get("id"), "result": result}
        except RPCError as e:
            err = {"code": e.code, "message": e.message}
            if e.data is not None:
                err["data"] = e.data
            return {"jsonrpc": "2.0", "id": req.get("id"), "error": err}
        except Exception as e:  # a bug or unsupported input: still a JSON-RPC error, never a dropped connection
            return {"jsonrpc": "2.0", "id": req.get("id"), "error": {"code": -32603, "message": f"internal error: {type(e).__name__}: {str(e)[:200]}"}}


def make_handler(devnet):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            try:
                req = json.loads(body)
            except ValueError:
                resp = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}}
            else:
                resp = [devnet.handle(r) for r in req] if isinstance(req, list) else devnet.handle(req)
            out = json.dumps(resp).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8545)
    ap.add_argument("--chain-id", type=int, default=31337)
    ap.add_argument("--no-create2-proxy", action="store_true", help="leave the CREATE2 proxy out of genesis")
    ap.add_argument("--gas-limit", type=int, default=45_000_000, help="genesis block gas limit (default 45M)")
    ap.add_argument("--block-time", type=float, help="mine a block every N seconds instead of at once")
    ap.add_argument("--min-tip", type=float, default=0, help="keep transactions tipping below G gwei pending")
    args = ap.parse_args()
    devnet = Devnet(args.chain_id, proxy=not args.no_create2_proxy, gas_limit=args.gas_limit,
                    block_time=args.block_time, min_tip=int(args.min_tip * 10**9))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(devnet))
    # With --port 0 the system picks a free port; this line tells the caller which.
    print(f"devnet listening on http://127.0.0.1:{server.server_address[1]} chain {args.chain_id}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
