/// What hashing a file yields: the content ID (plain SHA-256 of all bytes, equal to `sha256sum`)
/// plus a SHA-256 per fixed-size chunk, which locate the differences in a modified copy. When only
/// the content ID was asked for (a verifier's first pass), `chunks` is empty: `hasChunks` says which.
public struct FileDigest: Equatable, Sendable {
    public let size: UInt64
    public let sha256: [UInt8]
    public let chunkSize: Int
    public let chunks: [[UInt8]]

    public init(size: UInt64, sha256: [UInt8], chunkSize: Int, chunks: [[UInt8]]) {
        self.size = size
        self.sha256 = sha256
        self.chunkSize = chunkSize
        self.chunks = chunks
    }

    /// Whether the chunk digests were computed (always, except for a content-ID-only pass).
    public var hasChunks: Bool { !chunks.isEmpty }

    /// Merkle root of the chunk digests (an empty file has one chunk: SHA-256 of nothing).
    public var chunkRoot: [UInt8] {
        precondition(hasChunks, "chunk digests were not computed for this file")
        return Merkle.root(chunks)
    }
}

/// A half-open byte range [start, end).
public struct ByteRange: Equatable, Sendable, CustomStringConvertible {
    public let start: UInt64
    public let end: UInt64
    public var description: String { "bytes \(start)–\(end) (\(end - start) bytes)" }
}

public enum ChunkDiff {
    /// Byte ranges of `copy` that differ from `original`, from their chunk digests (same chunk size):
    /// differing chunks, merged where adjacent, plus any length difference at the end.
    /// Granularity is one chunk: a one-byte edit reports the whole chunk that holds it.
    public static func ranges(original: (size: UInt64, chunks: [[UInt8]]), copy: FileDigest) -> [ByteRange] {
        let chunkSize = UInt64(copy.chunkSize)
        let longer = max(original.size, copy.size)
        var ranges: [ByteRange] = []
        let n = max(original.chunks.count, copy.chunks.count)
        for i in 0..<n {
            let a = i < original.chunks.count ? original.chunks[i] : nil
            let b = i < copy.chunks.count ? copy.chunks[i] : nil
            guard a != b else { continue }
            let start = UInt64(i) * chunkSize
            let end = min(start + chunkSize, longer)
            guard start < end else { continue }
            if let last = ranges.last, last.end == start {
                ranges[ranges.count - 1] = ByteRange(start: last.start, end: end)
            } else {
                ranges.append(ByteRange(start: start, end: end))
            }
        }
        return ranges
    }
}
