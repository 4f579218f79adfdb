/// Ethereum's Merkle-Patricia trie (Yellow Paper, appendix D), only as far as a verifier needs it: the root
/// of a whole set of key/value pairs (a block's transactions or receipts, rebuilt here to compare with the
/// header), and the walk of an EIP-1186 proof from a root to a key (the registry's storage). No database: a
/// block's trie is built in memory from its sorted pairs, once.
public enum Trie {
    /// keccak256(rlp("")): the root of an empty trie.
    public static let emptyRoot = Keccak256.hash([0x80])

    /// The root of the trie holding exactly these pairs (later pairs with the same key win). Order does not
    /// matter: the trie of a set is unique.
    public static func root(_ pairs: [(key: [UInt8], value: [UInt8])]) -> [UInt8] {
        var byKey: [[UInt8]: [UInt8]] = [:]
        for p in pairs where !p.value.isEmpty { byKey[p.key] = p.value }
        guard !byKey.isEmpty else { return emptyRoot }
        let sorted = byKey.map { (nibbles($0.key), $0.value) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        return Keccak256.hash(node(sorted[...], depth: 0).encoded)
    }

    /// The root of a list in a block (transactions, receipts, withdrawals): keys are rlp(index).
    public static func listRoot(_ values: [[UInt8]]) -> [UInt8] {
        root(values.enumerated().map { (RLP.uint(UInt64($0.offset)).encoded, $0.element) })
    }

    static func nibbles(_ bytes: [UInt8]) -> [UInt8] { bytes.flatMap { [$0 >> 4, $0 & 0x0f] } }

    /// Hex-prefix encoding of a path (appendix C): the flag nibble says leaf or extension, odd or even.
    static func compact(_ path: ArraySlice<UInt8>, leaf: Bool) -> [UInt8] {
        let flag: UInt8 = leaf ? 2 : 0
        var nibbles = Array(path)
        nibbles.insert(contentsOf: nibbles.count % 2 == 1 ? [flag + 1] : [flag, 0], at: 0)
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// The node holding these pairs (sorted, keys as nibbles, all sharing the first `depth` nibbles).
    private static func node(_ pairs: ArraySlice<([UInt8], [UInt8])>, depth: Int) -> RLP {
        let first = pairs.first!
        if pairs.count == 1 {
            return .list([.bytes(compact(first.0[depth...], leaf: true)), .bytes(first.1)])
        }
        // The nibbles every key shares from here on: an extension over them, if any.
        let last = pairs.last!.0
        var shared = depth
        while shared < first.0.count, shared < last.count, first.0[shared] == last[shared] { shared += 1 }
        if shared > depth {
            return .list([.bytes(compact(first.0[depth..<shared], leaf: false)), reference(node(pairs, depth: shared))])
        }
        var children = [RLP](repeating: .bytes([]), count: 16)
        var value: [UInt8] = []
        var i = pairs.startIndex
        if first.0.count == depth {
            value = first.1
            i += 1
        }
        while i < pairs.endIndex {
            let nibble = pairs[i].0[depth]
            var j = i
            while j < pairs.endIndex, pairs[j].0[depth] == nibble { j += 1 }
            children[Int(nibble)] = reference(node(pairs[i..<j], depth: depth + 1))
            i = j
        }
        return .list(children + [.bytes(value)])
    }

    /// How a parent refers to a child: the child itself when its encoding is under 32 bytes, else its hash.
    private static func reference(_ child: RLP) -> RLP {
        let encoded = child.encoded
        return encoded.count < 32 ? child : .bytes(Keccak256.hash(encoded))
    }

    // MARK: proofs

    /// The nodes on `path`'s way down the trie of these pairs (sorted, keys as nibbles), root first: an
    /// EIP-1186-style proof. The tool only checks proofs; tests make theirs with this, from the same nodes.
    static func proofNodes(_ pairs: ArraySlice<([UInt8], [UInt8])>, path: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var current = pairs
        var depth = 0
        while !current.isEmpty {
            let encoded = node(current, depth: depth).encoded
            // Nodes under 32 bytes sit inside their parent, not in the list.
            if out.isEmpty || encoded.count >= 32 { out.append(encoded) }
            guard current.count > 1 else { break }
            let first = current.first!.0
            let last = current.last!.0
            var shared = depth
            while shared < first.count, shared < last.count, first[shared] == last[shared] { shared += 1 }
            if shared > depth {
                guard path.count >= shared, path[depth..<shared].elementsEqual(first[depth..<shared]) else { break }
                depth = shared
                continue
            }
            guard depth < path.count else { break }
            let nibble = path[depth]
            current = current.filter { $0.0.count > depth && $0.0[depth] == nibble }[...]
            depth += 1
        }
        return out
    }

    public struct ProofError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid trie proof: \(reason)" }
    }

    /// The value under `key` in the trie with this root, as the proof's nodes (root first) show it: nil when
    /// the proof shows there is none. Every node is checked against the reference its parent holds; a proof
    /// that does not lead from the root to an answer throws.
    public static func value(at key: [UInt8], root: [UInt8], proof: [[UInt8]]) throws -> [UInt8]? {
        let path = nibbles(key)
        var expected = RLP.bytes(root)
        var depth = 0
        var remaining = proof[...]
        while true {
            let node: RLP
            switch expected {
            case .bytes(let hash) where hash.count == 32:
                guard let encoded = remaining.popFirst() else {
                    if hash == emptyRoot && depth == 0 { return nil }
                    throw ProofError(reason: "it ends before the key is reached")
                }
                guard Keccak256.hash(encoded) == hash else {
                    throw ProofError(reason: "a node is not the one referred to")
                }
                node = try decode(encoded)
            case .bytes(let b) where b.isEmpty:
                return try finished(remaining, nil)
            case .list:
                node = expected  // embedded in its parent, checked with it
            default:
                throw ProofError(reason: "a reference is neither a hash nor a node")
            }
            guard let items = node.listValue else { throw ProofError(reason: "a node is not a list") }
            switch items.count {
            case 17:
                if depth == path.count {
                    guard let v = items[16].bytesValue else { throw ProofError(reason: "a branch value is a list") }
                    return try finished(remaining, v.isEmpty ? nil : v)
                }
                expected = items[Int(path[depth])]
                depth += 1
            case 2:
                guard let encodedPath = items[0].bytesValue, let (segment, leaf) = decodeCompact(encodedPath) else {
                    throw ProofError(reason: "a node's path is malformed")
                }
                let matches =
                    path.count - depth >= segment.count && Array(path[depth..<depth + segment.count]) == segment
                if leaf {
                    guard matches, depth + segment.count == path.count else { return try finished(remaining, nil) }
                    guard let v = items[1].bytesValue else { throw ProofError(reason: "a leaf value is a list") }
                    return try finished(remaining, v)
                }
                guard matches else { return try finished(remaining, nil) }
                depth += segment.count
                expected = items[1]
            default:
                throw ProofError(reason: "a node has \(items.count) items")
            }
        }
    }

    /// A proof must hold nothing past the node that answers.
    private static func finished(_ rest: ArraySlice<[UInt8]>, _ value: [UInt8]?) throws -> [UInt8]? {
        guard rest.isEmpty else { throw ProofError(reason: "it has nodes past the answer") }
        return value
    }

    private static func decode(_ encoded: [UInt8]) throws -> RLP {
        do { return try RLP.decode(encoded) } catch { throw ProofError(reason: "a node is not RLP") }
    }

    /// Hex-prefix decoding: the nibbles and whether it is a leaf; nil for a flag that is neither.
    static func decodeCompact(_ bytes: [UInt8]) -> ([UInt8], Bool)? {
        guard let first = bytes.first else { return nil }
        let flag = first >> 4
        guard flag <= 3 else { return nil }
        var out: [UInt8] = flag & 1 == 1 ? [first & 0x0f] : []
        if flag & 1 == 0, first & 0x0f != 0 { return nil }
        out += nibbles(Array(bytes.dropFirst()))
        return (out, flag >= 2)
    }
}
