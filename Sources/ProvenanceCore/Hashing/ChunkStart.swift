import Foundation

/// Where a media file's sound begins, so that its chunk grid starts there (docs/FORMAT.md §2): a dynamic
/// ad-insertion server rewrites what comes before it (an MP3's ID3v2 tag and Xing/LAME frame, an MP4's boxes
/// before `mdat`) and keeps the sound's bytes. With a grid from byte 0 the original's first chunk held its own
/// tag and was never found in a copy, so a pre-roll's end was placed up to a chunk (0.3–1.0 s at 128 kbps)
/// late; from the sound's start every chunk of sound is whole in the copy. Read from the file's bytes alone,
/// a few small reads, whatever its name.
public enum ChunkStart {
    /// Reads `count` bytes at an offset (fewer at the end of the file).
    public typealias Read = (_ offset: UInt64, _ count: Int) -> [UInt8]

    /// A first chunk is at most 16 MiB (a larger tag or header keeps the grid at 0), so a stream holds back
    /// at most that much before its grid is known.
    public static let longest: UInt64 = 16 << 20

    /// Where the sound starts and ends: the fixed grid runs from `start` (chunk 0 is the bytes before it, when
    /// it is not 0) to `end` (the bytes after it are the last chunk, when it is not 0: an MP4's boxes after
    /// `mdat`, its sample tables, which a server rewrites around a post-roll).
    public struct Grid: Equatable, Sendable {
        public var start: UInt64
        public var end: UInt64
        public init(start: UInt64 = 0, end: UInt64 = 0) {
            self.start = start
            self.end = end
        }
    }

    /// The grid of a file: both 0 (a grid from the start to the end) for a file that is neither an MP3 with
    /// something before its first frame of sound, nor an MP4 with `mdat`.
    public static func of(size: UInt64, read: Read) -> Grid {
        let head = read(0, 12)
        guard head.count >= 12 else { return Grid() }
        var grid =
            head[4..<8].elementsEqual("ftyp".utf8)
            ? mp4(size: size, read: read) : Grid(start: mp3(size: size, read: read))
        if !(grid.start < size && grid.start <= longest) { grid.start = 0 }
        if !(grid.end > grid.start && grid.end < size) { grid.end = 0 }
        return grid
    }

    /// Of a stream's first bytes: nil while more of them are needed to decide (`final`: there are no more).
    static func of(head: [UInt8], final: Bool) -> Grid? {
        var short = false
        let grid = of(size: final ? UInt64(head.count) : .max) { offset, count in
            guard offset < UInt64(head.count) else {
                short = short || !final
                return []
            }
            let end = min(UInt64(head.count), offset + UInt64(count))
            if end - offset < count && !final { short = true }
            return Array(head[Int(offset)..<Int(end)])
        }
        // Not final, the start must lie inside what was seen, as inside a file's size.
        return short || (!final && grid.start >= UInt64(head.count)) ? nil : grid
    }

    /// Of an open regular file, by `pread` (the file position is left alone).
    public static func of(fd: Int32, size: UInt64) -> Grid {
        of(size: size) { offset, count in
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n > 0 ? Array(bytes[0..<n]) : []
        }
    }

    /// After any ID3v2 tags and a first frame that holds a Xing, Info or VBRI header, where a frame of sound
    /// starts (its header, and another right after it).
    static func mp3(size: UInt64, read: Read) -> UInt64 {
        var p: UInt64 = 0
        for _ in 0..<8 where p <= longest {
            let tag = read(p, 10)
            guard tag.count == 10, tag[0..<3].elementsEqual("ID3".utf8) else { break }
            let body = (6...9).reduce(UInt64(0)) { $0 << 7 | UInt64(tag[$1] & 0x7F) }
            p += 10 + body + (tag[5] & 0x10 != 0 ? 10 : 0)
        }
        guard p <= longest, let first = frame(at: p, read: read) else { return 0 }
        if first.info { p += UInt64(first.length) }
        return frame(at: p, read: read) == nil ? 0 : p
    }

    /// The frame at `p` if one starts there (a header at `p` and at its end), and whether it holds encoder notes.
    private static func frame(at p: UInt64, read: Read) -> (length: Int, info: Bool)? {
        let bytes = read(p, 68)
        return bytes.withUnsafeBytes { b -> (Int, Bool)? in
            guard let h = MP3Frame.header(at: 0, in: b) else { return nil }
            let next = read(p + UInt64(h.length), 4)
            guard next.count == 4, MP3Frame.header(next[0], next[1], next[2]) != nil else { return nil }
            return (h.length, MP3Timeline.isInfoFrame(b, at: 0, length: h.length))
        }
    }

    /// The first `mdat` box's body, walking top-level boxes from `ftyp` (at most 1,024 of them).
    static func mp4(size: UInt64, read: Read) -> Grid {
        var p: UInt64 = 0
        for _ in 0..<1024 where p <= longest {
            let h = read(p, 16)
            guard h.count >= 8 else { return Grid() }
            let small = h[0..<4].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            var (length, header) = (small, UInt64(8))
            if small == 1 {
                guard h.count == 16 else { return Grid() }
                (length, header) = (h[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, 16)
            } else if small == 0 {
                length = size - p
            }
            if h[4..<8].elementsEqual("mdat".utf8) {
                // Its end, when the box says it and something follows.
                let end = small != 0 && length >= header && length < size - p ? p + length : 0
                return Grid(start: p + header, end: end)
            }
            guard length >= header, length <= size - p else { return Grid() }
            p += length
        }
        return Grid()
    }
}

/// Chunk digests of bytes given in order, on a grid known before (a file's, read with `pread`) or found
/// from the first bytes (a stream's: they are held back until `ChunkStart` can decide, at most 16 MiB).
struct Chunker {
    let chunkSize: Int
    private var accumulator: ChunkAccumulator?
    private var head: [UInt8] = []

    /// `grid` nil: decided from the bytes.
    init(chunkSize: Int, grid: ChunkStart.Grid?) {
        self.chunkSize = chunkSize
        if let grid { accumulator = ChunkAccumulator(chunkSize: chunkSize, grid: grid) }
    }

    /// The next bytes; with `whole`, they go to that hasher too, at once, whether the grid is known or not.
    mutating func add(_ data: UnsafeRawBufferPointer, alongside whole: SHA256Hasher? = nil) {
        if accumulator != nil { return accumulator!.add(data, alongside: whole) }
        whole?.update(data)
        head += data
        if let grid = ChunkStart.of(head: head, final: false) { begin(grid) }
    }

    mutating func addPairs(_ data: UnsafeRawBufferPointer) {
        if accumulator != nil { accumulator!.addPairs(data) } else { add(data) }
    }

    mutating func finish() -> ChunkAccumulator.Result {
        if accumulator == nil { begin(ChunkStart.of(head: head, final: true) ?? ChunkStart.Grid()) }
        return accumulator!.finish()
    }

    private mutating func begin(_ grid: ChunkStart.Grid) {
        var a = ChunkAccumulator(chunkSize: chunkSize, grid: grid)
        head.withUnsafeBytes { a.add($0) }
        head = []
        accumulator = a
    }
}
