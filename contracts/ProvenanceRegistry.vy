# pragma version 0.4.3
"""
@title Provenance registry, format 2
@notice Records that a publisher signed a batch of files (docs/FORMAT.md §4, §8).

        attest((bytes32 contentId, bytes32 detailsHash)[] files, bytes32 merkleRoot, bytes32 r, bytes32 vs)

        checks the publisher's EIP-712 signature (EIP-2098 compact form, vs = yParity << 255 | s, low s)
        over Attestation(merkleRoot, fileCount = files.length), logs one anonymous event
        Attested(contentId indexed, signer indexed) per file, appends the block to the signer's index
        (below), and reverts unless the Merkle root of the files' leaves keccak(contentId ‖ detailsHash),
        with inner nodes keccak(NODE ‖ left ‖ right), equals merkleRoot. Anyone may submit (relay) a signed batch: the events name the signer, not the sender.

        revoke(address signer, bytes32 r, bytes32 vs) records, with the signer's own signature over
        Revocation(signer), the block from which that key's attestations are void. It is set once and
        never moved: a later call changes nothing, so a thief holding the key cannot undo it or move it.

        signerRecord(signer, start) -> (revokedAt, batchCount, blocks[start:start + 1024]) tells a
        verifier in one eth_call which blocks hold the signer's batches, so it asks for logs at those
        blocks only, whatever the chain's age and the provider's eth_getLogs range cap.
@dev    attest is dispatched by hand in __default__ and reads its arguments straight from calldata:
        declared as an external function, Vyper would copy the whole bounded array into memory on entry
        (~600k gas of memory expansion alone for a bound of 16,384 pairs). The calldata layout is the
        standard ABI encoding, so every Ethereum library calls it like any other function.
        The per-file event is anonymous (LOG2: topics contentId, signer; no data): no other event's first
        topic is a SHA-256 content ID, and dropping the signature topic saves a topic's 375 gas a file:
        2,824 gas per file in a 256-file batch (Tests/interop/registry_two_evms.py) instead of ~3,200.
"""

event Revoked:
    signer: indexed(address)

# 16384 files × ~2,600 gas fits in a 45M-gas block; the tool packs below the block's gas limit.
MAX_BATCH: constant(uint256) = 16384
# The Merkle stack holds at most log2(MAX_BATCH) + 1 = 15 subtree roots.
MAX_HEIGHT: constant(uint256) = 16
# Blocks returned by one signerRecord call.
PAGE: constant(uint256) = 1024

ATTEST_SELECTOR: constant(bytes4) = method_id("attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)", output_type=bytes4)
DOMAIN_TYPEHASH: constant(bytes32) = keccak256("EIP712Domain(string name,string version,address verifyingContract)")
ATTESTATION_TYPEHASH: constant(bytes32) = keccak256("Attestation(bytes32 merkleRoot,uint256 fileCount)")
REVOCATION_TYPEHASH: constant(bytes32) = keccak256("Revocation(address signer)")
NAME_HASH: constant(bytes32) = keccak256("Provenance")
VERSION_HASH: constant(bytes32) = keccak256("2")
# secp256k1 n / 2: a larger s is rejected (EIP-2), although the ecrecover precompile accepts it.
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

# Inner Merkle nodes are keccak(NODE ‖ left ‖ right), 96 bytes; leaves are keccak(contentId ‖ detailsHash),
# 64 bytes: the two never share a preimage, so a node cannot pass for a file's leaf nor a leaf for a node.
NODE: constant(bytes32) = 0x0000000000000000000000000000000000000000000000000000000000000001

# Index word layout (docs/FORMAT.md §8): block numbers are 40-bit fields. Word 0 of a signer holds the
# batch count in bits 200..255 and entries 0..4; word k >= 1 holds entries 5 + 6(k-1) .. 10 + 6(k-1).
# One word for a signer's first five batch blocks keeps a first attestation to one new storage slot.
FIELD: constant(uint256) = 2**40 - 1
COUNT_SHIFT: constant(uint256) = 200
IN_HEAD: constant(uint256) = 5
PER_WORD: constant(uint256) = 6

DOMAIN_SEPARATOR: public(immutable(bytes32))
# The block the registry was deployed in: where a scan by content alone starts.
DEPLOYED_AT: public(immutable(uint256))

revokedAt: public(HashMap[address, uint256])
_index: HashMap[address, HashMap[uint256, uint256]]


@deploy
def __init__():
    # The domain names this contract's own address and no chain id: deployed by CREATE2 it has the
    # same address everywhere, so one signature can be anchored (or a revocation relayed) on any chain.
    DOMAIN_SEPARATOR = keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, self))
    DEPLOYED_AT = block.number


@internal
@view
def _recover(struct_hash: bytes32, r: uint256, vs: uint256) -> address:
    s: uint256 = vs & (max_value(uint256) >> 1)
    assert s <= HALF_N, "high s"
    signer: address = ecrecover(
        keccak256(concat(x"1901", DOMAIN_SEPARATOR, struct_hash)), 27 + (vs >> 255), r, s
    )
    assert signer != empty(address), "invalid signature"
    return signer


@internal
@view
def _entry(signer: address, head: uint256, i: uint256) -> uint256:
    if i < IN_HEAD:
        return (head >> (40 * i)) & FIELD
    k: uint256 = i - IN_HEAD
    return (self._index[signer][1 + k // PER_WORD] >> (40 * (k % PER_WORD))) & FIELD


@internal
def _record_block(signer: address):
    """Appends this block to the signer's index unless it is already the last entry."""
    head: uint256 = self._index[signer][0]
    count: uint256 = head >> COUNT_SHIFT
    if count > 0 and self._entry(signer, head, count - 1) == block.number:
        return
    assert block.number <= FIELD, "block number beyond the index's 40 bits"
    if count < IN_HEAD:
        self._index[signer][0] = head + (1 << COUNT_SHIFT) + (block.number << (40 * count))
        return
    k: uint256 = count - IN_HEAD
    slot: uint256 = 1 + k // PER_WORD
    if k % PER_WORD == 0:
        self._index[signer][slot] = block.number
    else:
        self._index[signer][slot] = self._index[signer][slot] | (block.number << (40 * (k % PER_WORD)))
    self._index[signer][0] = head + (1 << COUNT_SHIFT)


@external
@view
def signerRecord(signer: address, start: uint256) -> (uint256, uint256, DynArray[uint256, PAGE]):
    """(revokedAt, number of batch blocks, up to PAGE of those blocks from index `start`), ascending."""
    head: uint256 = self._index[signer][0]
    count: uint256 = head >> COUNT_SHIFT
    blocks: DynArray[uint256, PAGE] = []
    for i: uint256 in range(start, start + PAGE, bound=PAGE):
        if i >= count:
            break
        blocks.append(self._entry(signer, head, i))
    return self.revokedAt[signer], count, blocks


@external
def revoke(signer: address, r: bytes32, vs: bytes32):
    recovered: address = self._recover(
        keccak256(abi_encode(REVOCATION_TYPEHASH, signer)), convert(r, uint256), convert(vs, uint256)
    )
    assert recovered == signer, "the signature is not the signer's"
    if self.revokedAt[signer] == 0:
        self.revokedAt[signer] = block.number
        log Revoked(signer=signer)


@external
def __default__():
    assert len(msg.data) >= 4 + 128, "unknown call"
    assert convert(slice(msg.data, 0, 4), bytes4) == ATTEST_SELECTOR, "unknown call"

    # Head: offset of files (counted from byte 4), merkleRoot, r, vs.
    # Every calldata word is read with slice(), which reverts if it lies beyond the calldata.
    start: uint256 = 4 + convert(slice(msg.data, 4, 32), uint256)
    claimed_root: bytes32 = convert(slice(msg.data, 36, 32), bytes32)

    n: uint256 = convert(slice(msg.data, start, 32), uint256)
    assert n > 0, "empty batch"
    assert n <= MAX_BATCH, "batch too large"
    start += 32
    assert start + 64 * n <= len(msg.data), "files truncated"

    signer: address = self._recover(
        keccak256(abi_encode(ATTESTATION_TYPEHASH, claimed_root, n)),
        convert(slice(msg.data, 68, 32), uint256),
        convert(slice(msg.data, 100, 32), uint256),
    )
    signer_topic: bytes32 = convert(signer, bytes32)

    # Files are taken in pairs straight from calldata: each 64-byte entry gives its content ID to log
    # and, hashed as it lies, its leaf; the pair's parent is keccak(NODE ‖ left ‖ right). The stack then
    # merges these level-1 nodes like a binary counter (once per trailing zero bit of the pair count),
    # an odd last leaf joins at the end, and the fold from the right gives the level-by-level root of §3.
    stack: bytes32[MAX_HEIGHT] = empty(bytes32[MAX_HEIGHT])
    height: uint256 = 0
    for j: uint256 in range(n >> 1, bound=MAX_BATCH // 2):
        at: uint256 = unsafe_add(start, unsafe_mul(j, 128))
        left: Bytes[64] = slice(msg.data, at, 64)
        right: Bytes[64] = slice(msg.data, unsafe_add(at, 64), 64)
        raw_log([extract32(left, 0), signer_topic], b"")
        raw_log([extract32(right, 0), signer_topic], b"")
        node: bytes32 = keccak256(abi_encode(NODE, keccak256(left), keccak256(right)))
        k: uint256 = unsafe_add(j, 1)
        if k & 1 == 0:  # half of all pairs merge nothing: skip the loop's setup for them
            for _: uint256 in range(MAX_HEIGHT):
                if k & 1 == 1:
                    break
                height = unsafe_sub(height, 1)
                node = keccak256(abi_encode(NODE, stack[height], node))
                k = k >> 1
        stack[height] = node
        height = unsafe_add(height, 1)
    if n & 1 == 1:
        last: Bytes[64] = slice(msg.data, unsafe_add(start, unsafe_mul(n - 1, 64)), 64)
        raw_log([extract32(last, 0), signer_topic], b"")
        stack[height] = keccak256(last)
        height = unsafe_add(height, 1)
    # Fold what is left, right to left.
    height = unsafe_sub(height, 1)
    root: bytes32 = stack[height]
    for _: uint256 in range(MAX_HEIGHT):
        if height == 0:
            break
        height = unsafe_sub(height, 1)
        root = keccak256(abi_encode(NODE, stack[height], root))
    assert root == claimed_root, "files do not match merkleRoot"
    self._record_block(signer)
