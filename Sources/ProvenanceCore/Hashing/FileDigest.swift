import Foundation

/// What hashing a file yields: the content ID (plain SHA-256 of all bytes, equal to `sha256sum`)
/// plus a SHA-256 and a window key per fixed-size chunk, with which a verifier finds the chunks in a copy
/// at any offset. When only the content ID was asked for (a verifier's first pass), `chunks` is empty:
/// `hasChunks` says which.
public struct FileDigest: Equatable, Sendable {
    public let size: UInt64
    public let sha256: [UInt8]
    public let chunkSize: Int
    /// Where the fixed grid starts and ends (0: from the start, to the end; FORMAT §2).
    public let grid: ChunkStart.Grid
    public var chunkStart: UInt64 { grid.start }
    public var chunkEnd: UInt64 { grid.end }
    public let chunks: [[UInt8]]
    /// Each chunk's WindowKey pair (first and last 32 bytes).
    public let windows: [UInt64]
    /// The sound's perceptual fingerprint, for media files whose audio could be decoded (signed in the
    /// file's details as `audioFingerprint`).
    public var audio: AudioFingerprint?
    /// The picture's perceptual fingerprint, for videos (signed as `pictureFingerprint`).
    public var picture: PictureFingerprint?

    /// `windows` nil: keys unknown (all zero), for digests made up in tests.
    public init(
        size: UInt64, sha256: [UInt8], chunkSize: Int, grid: ChunkStart.Grid = ChunkStart.Grid(), chunks: [[UInt8]],
        windows: [UInt64]? = nil
    ) {
        self.init(
            size: size, sha256: sha256, chunkSize: chunkSize, grid: grid, chunks: chunks, windows: windows,
            chunkRoot: chunks.isEmpty ? [] : Merkle.root(chunks))
    }

    /// With the chunk root the hasher built as it read (Merkle.Accumulator).
    init(
        size: UInt64, sha256: [UInt8], chunkSize: Int, grid: ChunkStart.Grid = ChunkStart.Grid(), chunks: [[UInt8]],
        windows: [UInt64]?, chunkRoot: [UInt8]
    ) {
        self.size = size
        self.sha256 = sha256
        self.chunkSize = chunkSize
        self.grid = grid
        self.chunks = chunks
        self.windows = windows ?? Array(repeating: 0, count: chunks.count)
        root = chunkRoot
    }

    /// Whether the chunk digests were computed (always, except for a content-ID-only pass).
    public var hasChunks: Bool { !chunks.isEmpty }

    /// Merkle root of the chunk digests (an empty file has one chunk: SHA-256 of nothing). Computed once,
    /// with the digest: signing needs it twice (the leaf, the manifest), and it is 131,071 Keccak-256s
    /// for a 1 GiB file.
    public var chunkRoot: [UInt8] {
        precondition(hasChunks, "chunk digests were not computed for this file")
        return root
    }
    private let root: [UInt8]
}

/// A half-open byte range [start, end).
public struct ByteRange: Equatable, Sendable, CustomStringConvertible {
    public let start: UInt64
    public let end: UInt64
    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }
    public var description: String { "bytes \(start)–\(end) (\(end - start) bytes)" }
}

/// The compact text form of a file's chunk list (manifests, the attest journal): base64 of the 32-byte
/// digests one after another, and base64 of the 8-byte big-endian window key pairs. Hex in a JSON array
/// took 68 bytes a chunk, 0.8% of an 8 KiB chunk; this takes 53.3 (0.65%).
public enum CompactChunks {
    public static func encode(digests: [[UInt8]]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digests.count * 32)
        for d in digests { bytes += d }
        return Data(bytes).base64EncodedString()
    }

    public static func encode(windows: [UInt64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(windows.count * 8)
        for w in windows {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(w >> shift & 0xff)) }
        }
        return Data(bytes).base64EncodedString()
    }

    /// nil unless the text is canonical base64 of a whole number of digests.
    public static func digests(_ text: String) -> [[UInt8]]? {
        guard let bytes = canonical(text), bytes.count % 32 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 32).map { Array(bytes[$0..<$0 + 32]) }
    }

    public static func windows(_ text: String) -> [UInt64]? {
        guard let bytes = canonical(text), bytes.count % 8 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 8).map { at in
            bytes[at..<at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
    }

    /// Decodes base64 and accepts it only in the one form Foundation writes (no whitespace or other
    /// padding): one manifest text, one meaning.
    public static func canonical(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text) else { return nil }
        guard data.base64EncodedString() == text else { return nil }
        return [UInt8](data)
    }
}
