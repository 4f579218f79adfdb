import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Streams a file once through two SHA-256 computations with bounded memory: a reader thread fills a
/// ring of slots; the calling thread computes the whole-file digest and a second thread the
/// per-chunk digests, both from the same slots. A regular file's slots are windows mapped from the
/// page cache, so neither hasher waits for a copy; a stream's are buffers filled by read(2). Keeping
/// reads off the whole-file hasher, which is the critical path, lets the two cores share the work
/// evenly. Memory is `slots × bufferSize` (16 MiB) whatever the file's size.
///
/// `hash --json` of a cached 1 GiB file (64 KiB chunks), 7 interleaved runs: 0.70–0.71 s through
/// mappings, 0.73–0.89 s through read(2) (its copies, and the kernel time with them, vary), against
/// 0.75–0.77 s for `openssl dgst -sha256`. The whole-file digest alone takes 0.66 s.
public enum FileHasher {
    /// The smallest default chunk: fine enough to find a 10-second excerpt of a 64 kbps MP3 (80 KB; 92%
    /// of its bytes in whole 8 KiB chunks, measured by scripts/chunking_study.py) with a manifest of
    /// 0.6% of the file (48 bytes of base64 a chunk).
    public static let minimumDefaultChunkSize = 8 << 10
    /// Files above 128 MiB get larger chunks, so a manifest holds at most 2¹⁴ chunks (~870 KiB). A chunk
    /// costs the signer a SHA-256 finalisation and a Merkle node besides its bytes: `provenance sign` on a
    /// 1 GiB file took 0.84–0.88 s at 8 KiB chunks and 0.71–0.81 s (median 0.74) at 64 KiB, against 0.78 s for
    /// `openssl dgst -sha256` (5 interleaved runs on this 2-core machine).
    /// Large files are video or very long audio, where 10 seconds are megabytes: 64 KiB chunks still
    /// locate them.
    static let maxDefaultChunks: UInt64 = 1 << 14

    /// The chunk size used when none is given: 8 KiB, doubled until the file has at most 2¹⁴ chunks.
    /// A stream of unknown size gets 8 KiB.
    public static func defaultChunkSize(forSize size: UInt64?) -> Int {
        var chunk = minimumDefaultChunkSize
        guard let size else { return chunk }
        while UInt64(chunk) * maxDefaultChunks < size && chunk < 1 << 30 { chunk <<= 1 }
        return chunk
    }

    static func checkChunkSize(_ chunkSize: Int) throws {
        guard chunkSize >= 1024, chunkSize <= 1 << 30, chunkSize & (chunkSize - 1) == 0 else {
            throw ProvenanceError.usage("chunk size must be a power of two between 1 KiB and 1 GiB")
        }
    }
    /// 2 MiB reads: fewer hand-offs than 1 MiB (measured +1.5% throughput); 4 MiB reads cost several
    /// times more kernel time on sparse files here (measured).
    static let bufferSize = 2 << 20
    static let slots = 8

    /// Commands that write a manifest beside a file need a regular file: a FIFO would block (or be
    /// consumed), a device or directory has no stable content. Checked with stat, before any open.
    public static func requireRegularFile(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))") }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw ProvenanceError.input("\(path): not a regular file (a manifest can only describe a regular file)")
        }
    }

    /// Why a FIFO, device or socket named as a file is refused, and how to hash its bytes all the same.
    static func notRegular(_ path: String) -> ProvenanceError {
        .input(
            "\(path): not a regular file (a FIFO, device or socket may never end); to hash what it gives, "
                + "pipe it to standard input as -")
    }

    /// Hashes a path; "-" is standard input. A regular file that changes size or modification time
    /// while being read is an error, not a digest. `chunks: false` computes the content ID alone (one
    /// SHA-256 pass, the reader on its own thread).
    /// `progress` is told the bytes hashed so far, after each 2 MiB read. `chunkSize` nil: the default
    /// for the file's size.
    public static func hash(
        path: String, chunkSize: Int? = nil, chunks: Bool = true, progress: ((UInt64) -> Void)? = nil
    ) throws -> FileDigest {
        if let chunkSize { try checkChunkSize(chunkSize) }
        if path == "-" {
            return try hash(
                fd: 0, name: "standard input", chunkSize: chunkSize ?? defaultChunkSize(forSize: nil), chunks: chunks,
                stable: nil, progress: progress)
        }
        // O_NONBLOCK: a FIFO opens at once (and is then refused) instead of waiting for a writer.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else {
            throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))")
        }
        let kind = before.st_mode & S_IFMT
        if kind == S_IFDIR { throw ProvenanceError.input("\(path): is a directory") }
        guard kind == S_IFREG else { throw notRegular(path) }
        let size = UInt64(before.st_size)
        return try hash(
            fd: fd, name: path, chunkSize: chunkSize ?? defaultChunkSize(forSize: size),
            grid: chunks ? ChunkStart.of(fd: fd, size: size) : ChunkStart.Grid(), chunks: chunks, stable: before,
            progress: progress)
    }

    private static func hash(
        fd: Int32, name: String, chunkSize: Int, grid: ChunkStart.Grid? = nil, chunks: Bool, stable before: stat?,
        progress: ((UInt64) -> Void)?
    ) throws -> FileDigest {
        let ring = BufferRing(
            fd: fd, withChunks: chunks, regularFileSize: before.map { UInt64($0.st_size) })
        let chunker = chunks ? ChunkDigester(ring: ring, chunkSize: chunkSize, grid: grid) : nil
        let whole = SHA256Hasher()
        var slot = 0
        var done: UInt64 = 0
        while true {
            ring.filledForWhole.wait()
            let n = ring.lengths[slot]
            if n <= 0 { break }
            ring.withBytes(slot) { whole.update($0) }
            ring.freedByWhole.signal()
            done += UInt64(n)
            progress?(done)
            slot = (slot + 1) % slots
        }
        let chunked = chunker?.finish() ?? ChunkAccumulator.Result()
        ring.join()
        if ring.readError != 0 {
            // A mapped page past a new end faults like a failing disk: say which it was.
            if let before { try ensureUnchanged(fd: fd, before: before, bytesRead: UInt64(before.st_size), name: name) }
            throw ProvenanceError.input("\(name): read failed: \(String(cString: strerror(ring.readError)))")
        }
        if let before { try ensureUnchanged(fd: fd, before: before, bytesRead: ring.total, name: name) }
        return FileDigest(
            size: ring.total, sha256: whole.finalize(), chunkSize: chunkSize, grid: chunked.grid,
            chunks: chunked.chunks, windows: chunked.windows, chunkRoot: chunked.root)
    }
}

/// Cuts a stream into fixed-size chunks (after a first chunk of `grid.start` bytes, and up to a last chunk
/// to `grid.end` and again from it, where those are not 0) and keeps each chunk's SHA-256 and window key.
struct ChunkAccumulator {
    let chunkSize: Int
    let grid: ChunkStart.Grid
    /// Where the chunk being filled starts.
    private var begin: UInt64 = 0
    private let hasher = SHA256Hasher()
    /// The second stream of `addPairs`.
    private let partner = SHA256Hasher()
    private var inChunk = 0
    private var window: UInt64 = 0
    private var tail = WindowKey.Tail()
    private(set) var chunks: [[UInt8]] = []
    private(set) var windows: [UInt64] = []
    /// The chunk tree, built as chunks end: only its last ⌈log₂ n⌉ nodes are left for `finish`
    /// (a 1 GiB file's 16,384 chunks took 8 ms of Keccak-256 after the last byte otherwise).
    private var tree = Merkle.Accumulator()

    init(chunkSize: Int, grid: ChunkStart.Grid = ChunkStart.Grid()) {
        self.chunkSize = chunkSize
        self.grid = grid
    }

    /// The length of the chunk being filled.
    private var limit: Int {
        if grid.start > 0 && chunks.isEmpty { return Int(grid.start) }
        guard grid.end > 0, begin < grid.end else { return chunkSize }
        return Int(min(UInt64(chunkSize), grid.end - begin))
    }

    struct Result {
        var chunks: [[UInt8]] = []
        var windows: [UInt64] = []
        var root: [UInt8] = []
        var grid = ChunkStart.Grid()
    }

    /// The next bytes. With `whole`, the same bytes also go to that hasher (a file's content ID), the two
    /// messages interleaved on this core: on SHA-NI two streams cost little more than one.
    mutating func add(_ data: UnsafeRawBufferPointer, alongside whole: SHA256Hasher? = nil) {
        var offset = 0
        while offset < data.count {
            let limit = limit
            let take = min(data.count - offset, limit - inChunk)
            if inChunk < WindowKey.width {
                // The first 32 bytes of a chunk may arrive in two reads: the hash continues across them.
                for b in data[offset..<offset + min(take, WindowKey.width - inChunk)] {
                    window = window &* WindowKey.multiplier &+ UInt64(b)
                }
            }
            let piece = UnsafeRawBufferPointer(rebasing: data[offset..<offset + take])
            if let whole { SHA256Hasher.update(whole, piece, hasher, piece) } else { hasher.update(piece) }
            tail.add(piece)
            offset += take
            inChunk += take
            if inChunk == limit { endChunk() }
        }
    }

    /// The same as `add`, but at a chunk boundary the whole chunks `data` holds go through two at a time:
    /// a file's chunks are independent messages, so on SHA-NI the second costs little more than the first.
    /// For the chunk thread of one large file, which otherwise ends after the content ID's.
    mutating func addPairs(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while inChunk == 0 && limit == chunkSize && data.count - offset >= 2 * chunkSize
            && (grid.end == 0 || begin >= grid.end || begin + 2 * UInt64(chunkSize) <= grid.end)
        {
            let a = UnsafeRawBufferPointer(rebasing: data[offset..<offset + chunkSize])
            let b = UnsafeRawBufferPointer(rebasing: data[offset + chunkSize..<offset + 2 * chunkSize])
            SHA256Hasher.update(hasher, a, partner, b)
            endWholeChunk(hasher.finalize(), a)
            endWholeChunk(partner.finalize(), b)
            offset += 2 * chunkSize
        }
        add(UnsafeRawBufferPointer(rebasing: data[offset...]))
    }

    /// A chunk hashed in one piece: its keys from its first and last 32 bytes.
    private mutating func endWholeChunk(_ digest: [UInt8], _ bytes: UnsafeRawBufferPointer) {
        begin += UInt64(bytes.count)
        chunks.append(digest)
        tree.add(digest)
        let tail = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - WindowKey.width)...])
        windows.append(WindowKey.pair(head: WindowKey.key(bytes), tail: WindowKey.key(tail)))
    }

    private mutating func endChunk() {
        begin += UInt64(inChunk)
        let digest = hasher.finalize()
        chunks.append(digest)
        tree.add(digest)
        windows.append(WindowKey.pair(head: WindowKey.key(ofHash: window), tail: tail.key))
        inChunk = 0
        window = 0
        tail.reset()
    }

    /// The digests and keys, with the trailing partial chunk; an empty stream has one chunk, the digest
    /// of nothing.
    mutating func finish() -> Result {
        if inChunk > 0 || chunks.isEmpty { endChunk() }
        // A stream that ended at or before the grid's end it announced has the chunks of no end.
        let end = grid.end < begin ? grid.end : 0
        return Result(
            chunks: chunks, windows: windows, root: tree.root!, grid: ChunkStart.Grid(start: grid.start, end: end))
    }
}

extension FileHasher {
    /// A regular file must end as it began (size and modification time) and yield exactly its size.
    static func ensureUnchanged(fd: Int32, before: stat, bytesRead: UInt64, name: String) throws {
        var after = stat()
        fstat(fd, &after)
        if after.st_size != before.st_size || bytesRead != UInt64(before.st_size)
            || after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec
        {
            throw ProvenanceError.input(
                "\(name): changed while being hashed (size or modification time); hash it again once it is complete")
        }
    }
}

/// The reader: fills slots in order; a slot is reused only after both consumers (or the whole-file
/// hasher alone, for a content-ID-only pass) released it. A regular file's slots are windows mapped from
/// the page cache (MappedWindow: no copy); a stream's, or a file that cannot be mapped, are buffers
/// filled by read(2).
/// Synchronisation is by semaphores alone: a slot's window and length are set before the `filled…`
/// semaphores are signalled and read after they are awaited. A length ≤ 0 marks the end.
private final class BufferRing: @unchecked Sendable {
    private let buffers: [UnsafeMutableRawBufferPointer]
    private var windows: [MappedWindow?]
    private(set) var lengths: [Int]
    // Created at zero and signalled once per slot: libdispatch traps if a semaphore is destroyed
    // holding less than its initial value.
    let freedByWhole = DispatchSemaphore(value: 0)
    let freedByChunks = DispatchSemaphore(value: 0)
    let filledForWhole = DispatchSemaphore(value: 0)
    let filledForChunks = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private(set) var total: UInt64 = 0
    private(set) var readError: Int32 = 0
    private let fd: Int32
    private let withChunks: Bool
    /// The size of a regular file read through mappings; nil for a stream.
    private let mappedSize: UInt64?

    init(fd: Int32, withChunks: Bool, regularFileSize: UInt64?) {
        self.fd = fd
        self.withChunks = withChunks
        mappedSize = regularFileSize.flatMap { $0 > 0 ? $0 : nil }
        buffers = (0..<FileHasher.slots).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.bufferSize, alignment: 64)
        }
        windows = Array(repeating: nil, count: FileHasher.slots)
        lengths = Array(repeating: 0, count: FileHasher.slots)
        for _ in 0..<FileHasher.slots {
            freedByWhole.signal()
            freedByChunks.signal()
        }
        let thread = Thread { [self] in self.run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// The bytes of a filled slot, valid inside `body` only.
    func withBytes<R>(_ slot: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let window = windows[slot] { return window.withUnsafeBytes(body) }
        return body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffers[slot])[0..<lengths[slot]]))
    }

    private func run() {
        var slot = 0
        while true {
            freedByWhole.wait()
            if withChunks { freedByChunks.wait() }
            release(slot)
            let n = fill(slot)
            lengths[slot] = n
            filledForWhole.signal()
            if withChunks { filledForChunks.signal() }
            if n <= 0 { break }
            total += UInt64(n)
            slot = (slot + 1) % FileHasher.slots
        }
        finished.signal()
    }

    /// Unmaps a slot's window once both consumers are done with it, noting a page that faulted.
    private func release(_ slot: Int) {
        if windows[slot]?.faulted == true, readError == 0 { readError = EIO }
        windows[slot] = nil
    }

    /// The next piece of the file into `slot`: a mapped window, else a read; 0 at the end, −1 on error.
    private func fill(_ slot: Int) -> Int {
        guard let size = mappedSize else { return readFully(buffers[slot]) }
        guard total < size else { return 0 }
        let length = Int(min(UInt64(FileHasher.bufferSize), size - total))
        if let window = MappedWindow(fd: fd, offset: total, length: length) {
            windows[slot] = window
            return length
        }
        return readFully(buffers[slot], at: total)
    }

    /// Waits for the reader to stop and unmaps what is left; call once both consumers have finished.
    /// After this `total` and `readError` are final.
    func join() {
        finished.wait()
        for slot in 0..<FileHasher.slots { release(slot) }
    }

    /// Fills the buffer unless end of file comes first (from `offset` with pread, else from the current
    /// position); returns the byte count, or −1 on error.
    private func readFully(_ buffer: UnsafeMutableRawBufferPointer, at offset: UInt64? = nil) -> Int {
        var filled = 0
        while filled < buffer.count {
            let n =
                offset.map { pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t($0) + off_t(filled)) }
                ?? read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                readError = errno
                return -1
            }
            filled += n
        }
        return filled
    }
}

/// The chunk-digest consumer: a thread that hashes the ring's buffers in fixed-size chunks.
private final class ChunkDigester: @unchecked Sendable {
    private let ring: BufferRing
    private let chunkSize: Int
    private let grid: ChunkStart.Grid?
    private var result = ChunkAccumulator.Result()
    private let done = DispatchSemaphore(value: 0)

    /// `grid` nil: a stream's, decided from its first bytes.
    init(ring: BufferRing, chunkSize: Int, grid: ChunkStart.Grid?) {
        self.ring = ring
        self.chunkSize = chunkSize
        self.grid = grid
        let thread = Thread { [self] in self.run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func run() {
        var accumulator = Chunker(chunkSize: chunkSize, grid: grid)
        var slot = 0
        while true {
            ring.filledForChunks.wait()
            let n = ring.lengths[slot]
            if n <= 0 { break }
            ring.withBytes(slot) { accumulator.addPairs($0) }
            ring.freedByChunks.signal()
            slot = (slot + 1) % FileHasher.slots
        }
        result = accumulator.finish()
        done.signal()
    }

    /// Waits for the chunk thread and returns its digests and keys.
    func finish() -> ChunkAccumulator.Result {
        done.wait()
        return result
    }
}

/// Hashes a stream given in pieces (a download): the content ID, and chunk digests when a chunk size is
/// given. Memory is that of the digests, whatever the stream's length.
public final class StreamHasher {
    private let whole = SHA256Hasher()
    private var chunker: Chunker?
    private let chunkSize: Int
    public private(set) var size: UInt64 = 0

    /// `chunkSize` nil: the content ID only.
    public init(chunkSize: Int?) throws {
        if let chunkSize { try FileHasher.checkChunkSize(chunkSize) }
        self.chunkSize = chunkSize ?? 0
        chunker = chunkSize.map { Chunker(chunkSize: $0, grid: nil) }
    }

    public func add(_ data: UnsafeRawBufferPointer) {
        if chunker != nil { chunker!.add(data, alongside: whole) } else { whole.update(data) }
        size += UInt64(data.count)
    }

    public func finish() -> FileDigest {
        let chunked = chunker?.finish() ?? ChunkAccumulator.Result()
        return FileDigest(
            size: size, sha256: whole.finalize(), chunkSize: chunkSize, grid: chunked.grid,
            chunks: chunked.chunks, windows: chunked.windows, chunkRoot: chunked.root)
    }
}
