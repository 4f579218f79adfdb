# pragma version 0.4.3
"""
@title Provenance registry
@notice Records that a publisher signed the SHA-256 content digests of a batch of files.

        attest(bytes32[] digests, bytes32 merkleRoot, bytes32 r, bytes32 vs)

        checks the publisher's EIP-712 signature, given in EIP-2098 compact form
        (vs = yParity << 255 | s, with low s), over
        Attestation(merkleRoot, fileCount = digests.length), emits Attested(digest, signer) for each
        digest, and requires that the digests' Merkle root (docs/FORMAT.md §3) equals merkleRoot; if
        it does not, the whole call reverts and no event remains. Anyone may submit (relay) a signed
        batch: the events name the signer, not the sender. Nothing is stored: the events are the
        record. It returns nothing; an eth_call simulation succeeds or reverts with the reason.
@dev    `attest` is dispatched by hand in __default__ and reads its arguments straight from
        calldata. Declared as an external function with a bytes32[] argument, Vyper would copy the
        whole bounded array into memory on entry; with a bound large enough for a block of
        attestations that memory expansion alone costs ~600k gas per call. The calldata layout is
        the standard ABI encoding, so every Ethereum library calls it like any other function.
        One pass does everything: the signer is recovered from the claimed root first, then the
        digests are logged and folded into the root two at a time, and the claim is checked at the end.
"""

event Attested:
    digest: indexed(bytes32)
    signer: indexed(address)

# 16384 files × ~2,300 gas fits in a 45M-gas block; the tool packs below the block's gas limit.
MAX_BATCH: constant(uint256) = 16384
# The Merkle stack holds at most log2(MAX_BATCH) + 1 = 15 subtree roots.
MAX_HEIGHT: constant(uint256) = 16

ATTEST_SELECTOR: constant(bytes4) = method_id("attest(bytes32[],bytes32,bytes32,bytes32)", output_type=bytes4)
DOMAIN_TYPEHASH: constant(bytes32) = keccak256("EIP712Domain(string name,string version,address verifyingContract)")
ATTESTATION_TYPEHASH: constant(bytes32) = keccak256("Attestation(bytes32 merkleRoot,uint256 fileCount)")
NAME_HASH: constant(bytes32) = keccak256("Provenance")
VERSION_HASH: constant(bytes32) = keccak256("1")
# secp256k1 n / 2: a larger s is rejected (EIP-2), although the ecrecover precompile accepts it.
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

DOMAIN_SEPARATOR: public(immutable(bytes32))


@deploy
def __init__():
    # The domain names this contract's own address and no chain id: deployed by CREATE2 it has the
    # same address everywhere, so one signature can be anchored on any chain.
    DOMAIN_SEPARATOR = keccak256(abi_encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, self))


@external
def __default__():
    assert len(msg.data) >= 4 + 128, "unknown call"
    assert convert(slice(msg.data, 0, 4), bytes4) == ATTEST_SELECTOR, "unknown call"

    # Head: offset of digests (counted from byte 4), merkleRoot, r, vs.
    # Every calldata word is read with slice(), which reverts if it lies beyond the calldata.
    start: uint256 = 4 + convert(slice(msg.data, 4, 32), uint256)
    claimed_root: bytes32 = convert(slice(msg.data, 36, 32), bytes32)

    n: uint256 = convert(slice(msg.data, start, 32), uint256)
    assert n > 0, "empty batch"
    assert n <= MAX_BATCH, "batch too large"
    start += 32
    assert start + 32 * n <= len(msg.data), "digests truncated"

    r: uint256 = convert(slice(msg.data, 68, 32), uint256)
    vs: uint256 = convert(slice(msg.data, 100, 32), uint256)
    s: uint256 = vs & (max_value(uint256) >> 1)
    v: uint256 = 27 + (vs >> 255)
    assert s <= HALF_N, "high s"
    struct_hash: bytes32 = keccak256(abi_encode(ATTESTATION_TYPEHASH, claimed_root, n))
    signer: address = ecrecover(keccak256(concat(x"1901", DOMAIN_SEPARATOR, struct_hash)), v, r, s)
    assert signer != empty(address), "invalid signature"

    # Leaves are taken in pairs straight from calldata: one 64-byte slice gives both digests to log
    # and, hashed whole, their parent. The stack then merges these level-1 nodes like a binary
    # counter (once per trailing zero bit of the pair count), an odd last leaf joins at the end,
    # and the fold from the right gives the level-by-level root of docs/FORMAT.md §3.
    stack: bytes32[MAX_HEIGHT] = empty(bytes32[MAX_HEIGHT])
    height: uint256 = 0
    for j: uint256 in range(n >> 1, bound=MAX_BATCH // 2):
        pair: Bytes[64] = slice(msg.data, unsafe_add(start, unsafe_mul(j, 64)), 64)
        log Attested(digest=extract32(pair, 0), signer=signer)
        log Attested(digest=extract32(pair, 32), signer=signer)
        node: bytes32 = keccak256(pair)
        k: uint256 = unsafe_add(j, 1)
        if k & 1 == 0:  # half of all pairs merge nothing: skip the loop's setup for them
            for _: uint256 in range(MAX_HEIGHT):
                if k & 1 == 1:
                    break
                height = unsafe_sub(height, 1)
                node = keccak256(abi_encode(stack[height], node))
                k = k >> 1
        stack[height] = node
        height = unsafe_add(height, 1)
    if n & 1 == 1:
        last: bytes32 = convert(slice(msg.data, unsafe_add(start, unsafe_mul(n - 1, 32)), 32), bytes32)
        log Attested(digest=last, signer=signer)
        stack[height] = last
        height = unsafe_add(height, 1)
    # Fold what is left, right to left.
    height = unsafe_sub(height, 1)
    root: bytes32 = stack[height]
    for _: uint256 in range(MAX_HEIGHT):
        if height == 0:
            break
        height = unsafe_sub(height, 1)
        root = keccak256(abi_encode(stack[height], root))
    assert root == claimed_root, "digests do not match merkleRoot"
