/// An insertion between two parts of one original (docs/FORMAT.md §2b, splices repaired): the copy's bytes
/// from the first part's end to the second's start hold the original's bytes between them (the chunks the
/// splice cut) with other bytes inserted at one place. Where that place is, a split of the copy's bytes
/// whose two sides rebuild the cut chunks' signed digests proves: those bytes are the original's, and the
/// insertion is exactly there.
struct Splice {
    let copyStart: UInt64
    let copyEnd: UInt64
    let original: Int
    /// The chunks the splice cut.
    let chunks: Range<Int>
    let originalStart: UInt64
    let originalEnd: UInt64

    var missing: Int { Int(originalEnd - originalStart) }
    var inserted: Int { Int(copyEnd - copyStart) - missing }

    /// Whether, with the insertion starting `split` bytes into `window` (the copy's bytes of the splice), the
    /// bytes before and after it are the cut chunks.
    func rebuilds(_ window: UnsafeRawBufferPointer, splitAt split: Int, list: ChunkList, hasher: SHA256Hasher)
        -> Bool
    {
        guard split >= 0, split <= missing, window.count == missing + inserted else { return false }
        var joined = [UInt8](repeating: 0, count: missing)
        joined.withUnsafeMutableBytes { out in
            out.copyMemory(from: UnsafeRawBufferPointer(rebasing: window[0..<split]))
            UnsafeMutableRawBufferPointer(rebasing: out[split...]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: window[(split + inserted)...]))
        }
        return joined.withUnsafeBytes { j in
            chunks.allSatisfy { k in
                let from = Int(list.offset(of: k) - originalStart)
                hasher.update(UnsafeRawBufferPointer(rebasing: j[from..<from + list.length(of: k)]))
                return hasher.finalize() == list.digests[k]
            }
        }
    }

    /// The two parts a split proves.
    func parts(splitAt split: Int) -> [AuthenticPart] {
        [
            AuthenticPart(
                start: copyStart, end: copyStart + UInt64(split), original: original, originalStart: originalStart,
                originalEnd: originalStart + UInt64(split)),
            AuthenticPart(
                start: copyStart + UInt64(split + inserted), end: copyEnd, original: original,
                originalStart: originalStart + UInt64(split), originalEnd: originalEnd),
        ]
    }

    /// At most this many insertions are tried after a search, each at most 64 MiB of copy read back: a crafted
    /// copy can make many splices, but not make their repair cost more than a few reads of it.
    static let maxRepaired = 256
    static let maxWindow = 64 << 20

    /// The splices a search left, tried where the copy's MP4 sound samples start (`starts`, ascending, from its
    /// sample tables), the copy read back with `read`; the parts with those proven added, merged in order.
    /// Failed tries spend SHA-256 from `budget` (what the search left of its own).
    static func repair(
        _ parts: [AuthenticPart], _ splices: [Splice], at starts: [UInt64], index: ChunkIndex, budget: UInt64,
        read: (UInt64, Int) -> [UInt8]?
    ) -> [AuthenticPart] {
        guard !splices.isEmpty, !starts.isEmpty else { return parts }
        let hasher = SHA256Hasher()
        var spent: UInt64 = 0
        var added: [AuthenticPart] = []
        for splice in splices.prefix(maxRepaired) {
            let length = Int(splice.copyEnd - splice.copyStart)
            guard length <= maxWindow, let bytes = read(splice.copyStart, length) else { continue }
            let list = index.originals[splice.original]
            // Sample starts from the first part's end to the last place the insertion can start.
            var i = lowerBound(starts, splice.copyStart)
            while i < starts.count, starts[i] <= splice.copyStart + UInt64(splice.missing), spent <= budget {
                let split = Int(starts[i] - splice.copyStart)
                // The sound after the insertion starts at a sample too.
                let after = starts[i] + UInt64(splice.inserted)
                let j = lowerBound(starts, after)
                if j < starts.count, starts[j] == after {
                    if bytes.withUnsafeBytes({ splice.rebuilds($0, splitAt: split, list: list, hasher: hasher) }) {
                        added += splice.parts(splitAt: split)
                        break
                    }
                    spent += UInt64(splice.missing)
                }
                i += 1
            }
        }
        return merged(parts + added)
    }

    /// The first index whose value is at least `value`.
    private static func lowerBound(_ sorted: [UInt64], _ value: UInt64) -> Int {
        var (lo, hi) = (0, sorted.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Parts in copy order, those that continue one another in copy and original joined.
    static func merged(_ parts: [AuthenticPart]) -> [AuthenticPart] {
        var out: [AuthenticPart] = []
        for p in parts.sorted(by: { $0.start < $1.start }) where p.end > p.start {
            if let last = out.last, let joined = last.joined(p) { out[out.count - 1] = joined } else { out.append(p) }
        }
        return out
    }
}

extension AuthenticPart {
    /// This part and `next` as one, when `next` continues it in both copy and original.
    func joined(_ next: AuthenticPart) -> AuthenticPart? {
        guard end == next.start, original == next.original, originalEnd == next.originalStart else { return nil }
        return AuthenticPart(
            start: start, end: next.end, original: original, originalStart: originalStart,
            originalEnd: next.originalEnd)
    }
}
