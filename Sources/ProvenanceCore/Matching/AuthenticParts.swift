/// What a copy holds of one signed original: the parts found, and what follows from them.
public struct AuthenticParts: Sendable {
    /// Parts of this original, in copy order.
    public let parts: [AuthenticPart]
    public let copySize: UInt64
    public let originalSize: UInt64
    /// Which original of the index the parts are of.
    public let original: Int
    /// Candidate positions the search skipped because candidates had cost too much SHA-256 for nothing
    /// (a copy crafted to look like chunks everywhere): the parts found hold, more may exist.
    public var skippedCandidates = 0
    /// The copy's MP3 frames and their times, read with the search (nil: not read, or not an MP3).
    public var timeline: MediaTimeline?

    public init(parts: [AuthenticPart], copySize: UInt64, originalSize: UInt64, original: Int) {
        self.parts = parts
        self.copySize = copySize
        self.originalSize = originalSize
        self.original = original
    }

    /// The original with the most bytes in the copy, and its parts; nil when nothing was found by a search that
    /// ran to the end (one cut short says so even when it found nothing: more may be there).
    public static func best(
        of parts: [AuthenticPart], copySize: UInt64, index: ChunkIndex, skipped: Int = 0, timeline: MediaTimeline? = nil
    ) -> AuthenticParts? {
        var bytes: [Int: UInt64] = [:]
        for p in parts { bytes[p.original, default: 0] += p.end - p.start }
        guard let top = bytes.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else {
            guard skipped > 0, let first = index.originals.first else { return nil }
            var none = AuthenticParts(parts: [], copySize: copySize, originalSize: first.size, original: 0)
            none.skippedCandidates = skipped
            none.timeline = timeline
            return none
        }
        var best = AuthenticParts(
            parts: parts.filter { $0.original == top.key }, copySize: copySize,
            originalSize: index.originals[top.key].size, original: top.key)
        best.skippedCandidates = skipped
        best.timeline = timeline
        return best
    }

    /// The share of the copy's bytes that are the original's (the headline a newsroom reads).
    public var copyCoverage: Double {
        guard copySize > 0 else { return 0 }
        return Double(parts.reduce(0) { $0 + $1.end - $1.start }) / Double(copySize)
    }

    /// Whether the parts prove too little of the copy to say what it is, so its sound and picture are compared
    /// too: a re-encoded MP4 whose last 58 bytes (the muxer's trailing tag) are the original's last chunk had one
    /// part and was called 0.0% authentic with its matching sound and picture never looked at.
    public var leavesMostUnproven: Bool { copyCoverage < 0.5 }

    /// The share of the original's bytes found in the copy (each original byte counted once).
    public var originalCoverage: Double {
        guard originalSize > 0 else { return 0 }
        var covered: UInt64 = 0
        var reach: UInt64 = 0
        for p in parts.sorted(by: { $0.originalStart < $1.originalStart }) {
            let start = max(p.originalStart, reach)
            if p.originalEnd > start { covered += p.originalEnd - start }
            reach = max(reach, p.originalEnd)
        }
        return Double(covered) / Double(originalSize)
    }

    /// Whether the parts come in the original's order (a cut or an insertion keeps it; a reshuffle not).
    public var inOrder: Bool {
        zip(parts, parts.dropFirst()).allSatisfy { $0.originalEnd <= $1.originalStart }
    }

    /// The copy's byte ranges that are not among the parts: not shown to be the publisher's.
    public var unmatched: [ByteRange] {
        var out: [ByteRange] = []
        var at: UInt64 = 0
        for p in parts {
            if p.start > at { out.append(ByteRange(start: at, end: p.start)) }
            at = max(at, p.end)
        }
        if copySize > at { out.append(ByteRange(start: at, end: copySize)) }
        return out
    }
}
