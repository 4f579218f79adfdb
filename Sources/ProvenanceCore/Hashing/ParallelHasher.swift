import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Hashes many files on all cores: one worker per core takes the next file and hashes it on its own
/// thread, whole-file and chunk digests in one pass over one reused buffer (the two streams interleaved on
/// SHA-NI), or, for content IDs alone, two files at a time (PairedHasher). Results come back in the
/// order given, each a digest or the error for that file. Memory is one buffer per worker, whatever
/// the number or size of the files. A single file goes to FileHasher, which splits the work across
/// cores inside the file instead.
public enum ParallelHasher {
    public struct Item: Sendable {
        public let path: String
        /// nil: the default for the file's size (FileHasher.defaultChunkSize(forSize:)).
        public let chunkSize: Int?
        /// false: the content ID only, one SHA-256 pass (verifying needs chunk digests only for files
        /// whose content ID differs, and `hash` prints none).
        public let chunks: Bool
        public init(path: String, chunkSize: Int? = nil, chunks: Bool = true) {
            self.path = path
            self.chunkSize = chunkSize
            self.chunks = chunks
        }
    }

    /// `onFile` is called after each file (from a worker thread, serialised) with the count and bytes done
    /// so far; for a single file it is also called during the file, after each read, with files = 0.
    public static func hash(
        _ items: [Item], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        onFile: @escaping @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }
    ) -> [Result<FileDigest, ProvenanceError>] {
        func one(_ item: Item) -> Result<FileDigest, ProvenanceError> {
            do {
                // A single file: its progress is reported from inside it, after each read.
                return .success(
                    try FileHasher.hash(path: item.path, chunkSize: item.chunkSize, chunks: item.chunks) {
                        onFile(0, $0)
                    })
            } catch let e
                as ProvenanceError
            { return .failure(e) } catch { return .failure(.input("\(item.path): \(error)")) }
        }
        if items.count <= 1 {
            let r = items.map(one)
            if case .success(let d)? = r.first { onFile(1, d.size) }
            return r
        }
        let state = SharedResults(count: items.count, onFile: onFile)
        let group = DispatchGroup()
        // Content IDs alone (hash, verify): two files at a time on each core, their streams interleaved.
        let paired = SHA256Hasher.usesKernel && items.allSatisfy { !$0.chunks }
        for _ in 0..<max(1, min(workers, items.count)) {
            group.enter()
            let thread = Thread {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
                let second = UnsafeMutableRawBufferPointer.allocate(byteCount: paired ? 1 << 20 : 0, alignment: 64)
                defer {
                    buffer.deallocate()
                    second.deallocate()
                    group.leave()
                }
                if paired {
                    PairedHasher.run(
                        items, buffers: (buffer, second), workers: workers, next: state.next,
                        remaining: state.remaining, done: state.set)
                    return
                }
                while let i = state.next() {
                    state.set(i, sequentialHash(items[i], buffer: buffer))
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return state.results.map { $0! }
    }

    /// A stream (no size known in advance): FileHasher's two-thread path.
    private static func streamed(_ item: Item) -> Result<FileDigest, ProvenanceError> {
        do {
            return .success(try FileHasher.hash(path: item.path, chunkSize: item.chunkSize, chunks: item.chunks))
        } catch let e as ProvenanceError { return .failure(e) } catch {
            return .failure(.input("\(item.path): \(error)"))
        }
    }

    /// One file on the calling thread: one read per buffer, both digests updated from it. A file no
    /// larger than one chunk has one chunk whose digest is the whole-file digest: hashed once.
    static func sequentialHash(_ item: Item, buffer: UnsafeMutableRawBufferPointer) -> Result<
        FileDigest, ProvenanceError
    > {
        let path = item.path
        // Standard input takes the streaming path. FIFOs, devices and sockets are refused before they are
        // opened: /dev/zero never ends, and opening a FIFO waits for a writer.
        var named = stat()
        if path == "-" { return streamed(item) }
        if stat(path, &named) == 0, ![S_IFREG, S_IFDIR].contains(named.st_mode & S_IFMT) {
            return .failure(FileHasher.notRegular(path))
        }
        if let chunkSize = item.chunkSize {
            do { try FileHasher.checkChunkSize(chunkSize) } catch let e as ProvenanceError { return .failure(e) } catch
            {
                return .failure(.usage("\(error)"))
            }
        }
        // O_NONBLOCK: should it have become a FIFO since, the open must not wait (the kind is checked next).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(.input("\(path): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else { return .failure(.input("\(path): \(String(cString: strerror(errno)))")) }
        let kind = before.st_mode & S_IFMT
        if kind == S_IFDIR { return .failure(.input("\(path): is a directory")) }
        guard kind == S_IFREG else { return .failure(.input("\(path): replaced while being opened")) }
        let chunkSize = item.chunkSize ?? FileHasher.defaultChunkSize(forSize: UInt64(before.st_size))
        let grid = item.chunks ? ChunkStart.of(fd: fd, size: UInt64(before.st_size)) : ChunkStart.Grid()
        let oneChunk = UInt64(before.st_size) <= UInt64(chunkSize) && grid == ChunkStart.Grid()
        let chunking = item.chunks && !oneChunk
        let whole = SHA256Hasher()
        var chunker = ChunkAccumulator(chunkSize: chunkSize, grid: grid)
        var total: UInt64 = 0
        var firstBytes: [UInt8] = []  // a one-chunk file's keys: its first and last 32 bytes
        var tail = WindowKey.Tail()
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.input("\(path): read failed: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { break }
            let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n])
            // The content ID and the chunk digests from the same bytes, two streams interleaved on this core.
            if chunking { chunker.add(data, alongside: whole) } else { whole.update(data) }
            if firstBytes.count < WindowKey.width { firstBytes += data.prefix(WindowKey.width - firstBytes.count) }
            if oneChunk { tail.add(data) }
            total += UInt64(n)
        }
        do { try FileHasher.ensureUnchanged(fd: fd, before: before, bytesRead: total, name: path) } catch let e
            as ProvenanceError
        {
            return .failure(e)
        } catch { return .failure(.input("\(path): \(error)")) }
        let digest = whole.finalize()
        let chunked =
            !item.chunks
            ? ChunkAccumulator.Result()
            : oneChunk
                ? ChunkAccumulator.Result(
                    chunks: [digest], windows: [WindowKey.pair(head: WindowKey.key(firstBytes), tail: tail.key)],
                    root: digest)
                : chunker.finish()
        return .success(
            FileDigest(
                size: total, sha256: digest, chunkSize: chunkSize, grid: oneChunk ? grid : chunked.grid,
                chunks: chunked.chunks, windows: chunked.windows, chunkRoot: chunked.root))
    }
}

/// Work index and result slots shared by the workers, behind one lock (taken once per file).
private final class SharedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private var done = 0
    private var bytes: UInt64 = 0
    private let onFile: @Sendable (Int, UInt64) -> Void
    private(set) var results: [Result<FileDigest, ProvenanceError>?]

    init(count: Int, onFile: @escaping @Sendable (Int, UInt64) -> Void) {
        results = Array(repeating: nil, count: count)
        self.onFile = onFile
    }

    /// Items not handed out yet.
    func remaining() -> Int {
        lock.lock()
        defer { lock.unlock() }
        return results.count - cursor
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard cursor < results.count else { return nil }
        defer { cursor += 1 }
        return cursor
    }

    func set(_ i: Int, _ r: Result<FileDigest, ProvenanceError>) {
        lock.lock()
        defer { lock.unlock() }
        results[i] = r
        done += 1
        if case .success(let d) = r { bytes += d.size }
        onFile(done, bytes)
    }
}
