/// The one Merkle rule of the project (used for a batch of files and for a file's chunks):
/// leaves are 32-byte values in order; a parent is keccak256(NODE ‖ left ‖ right) with NODE the
/// 32-byte word 1; a level with an odd number of nodes carries its last node up unchanged; the root of
/// one leaf is that leaf. A file's leaf in a batch is keccak256(contentID ‖ detailsHash), 64 bytes,
/// so no leaf shares a preimage with an inner node (96 bytes): the two are domain-separated, and the
/// leaf count, always signed alongside the root, pins the tree's shape besides.
public enum Merkle {
    /// The 32-byte prefix of an inner node's preimage.
    public static let nodeTag: [UInt8] = [UInt8](repeating: 0, count: 31) + [1]

    public static func parent(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        // One permutation over the three parts, without building their concatenation: a chunk tree of a
        // 1 GiB file has 131,071 nodes (measured: 0.11 s a root through the general path, see
        // `provenance-bench merkle`).
        Keccak256.hash(nodeTag, left, right)
    }

    public static func root(_ leaves: [[UInt8]]) -> [UInt8] {
        precondition(!leaves.isEmpty, "a Merkle tree needs at least one leaf")
        var level = leaves
        while level.count > 1 { level = nextLevel(level) }
        return level[0]
    }

    /// Sibling hashes from the leaf upwards; levels where the node is carried up contribute nothing.
    public static func proof(index: Int, leaves: [[UInt8]]) -> [[UInt8]] {
        precondition(leaves.indices.contains(index))
        var proof: [[UInt8]] = []
        var level = leaves
        var i = index
        while level.count > 1 {
            let sibling = i ^ 1
            if sibling < level.count { proof.append(level[sibling]) }
            level = nextLevel(level)
            i /= 2
        }
        return proof
    }

    /// All proofs of a tree at once (O(n log n) instead of n separate tree builds).
    public static func allProofs(_ leaves: [[UInt8]]) -> [[[UInt8]]] {
        var proofs = [[[UInt8]]](repeating: [], count: leaves.count)
        var level = leaves
        // position[i] = index of leaf i's ancestor on the current level
        var position = Array(leaves.indices)
        while level.count > 1 {
            for leaf in leaves.indices {
                let sibling = position[leaf] ^ 1
                if sibling < level.count { proofs[leaf].append(level[sibling]) }
                position[leaf] /= 2
            }
            level = nextLevel(level)
        }
        return proofs
    }

    /// Recomputes the root from a leaf, its index, the tree's leaf count and its proof.
    /// Returns nil when the proof has the wrong length for that position.
    public static func root(leaf: [UInt8], index: Int, count: Int, proof: [[UInt8]]) -> [UInt8]? {
        guard count >= 1, index >= 0, index < count else { return nil }
        var node = leaf
        var i = index
        var width = count
        var used = 0
        while width > 1 {
            let sibling = i ^ 1
            if sibling < width {
                guard used < proof.count else { return nil }
                node = i % 2 == 0 ? parent(node, proof[used]) : parent(proof[used], node)
                used += 1
            }
            i /= 2
            width = (width + 1) / 2
        }
        return used == proof.count ? node : nil
    }

    /// The root computed as leaves arrive: complete subtrees are joined at once, so a hasher builds the
    /// chunk tree while it reads and only ⌈log₂ n⌉ nodes are left for the end. Carrying a level's odd last
    /// node up makes the tree the perfect subtrees of n's binary decomposition, joined from the right:
    /// the same root as `root(_:)` (MerkleTests compares them for 1 … 300 leaves).
    public struct Accumulator: Sendable {
        /// Roots of perfect subtrees, left to right, with their heights (strictly decreasing).
        private var stack: [(node: [UInt8], height: Int)] = []

        public init() {}

        public mutating func add(_ leaf: [UInt8]) {
            var node = leaf
            var height = 0
            while let last = stack.last, last.height == height {
                stack.removeLast()
                node = parent(last.node, node)
                height += 1
            }
            stack.append((node, height))
        }

        /// The root of the leaves added so far; nil when there are none.
        public var root: [UInt8]? {
            guard var node = stack.last?.node else { return nil }
            for left in stack.dropLast().reversed() { node = parent(left.node, node) }
            return node
        }
    }

    private static func nextLevel(_ level: [[UInt8]]) -> [[UInt8]] {
        var next: [[UInt8]] = []
        next.reserveCapacity((level.count + 1) / 2)
        var i = 0
        while i + 1 < level.count {
            next.append(parent(level[i], level[i + 1]))
            i += 2
        }
        if i < level.count { next.append(level[i]) }
        return next
    }
}
