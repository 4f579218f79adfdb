import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Streams a file once through two SHA-256 computations with bounded memory: the whole-file
/// digest on the calling thread and the per-chunk digests on a second thread, both reading the
/// same buffers. Memory is `slots × bufferSize` (16 MiB) whatever the file's size.
public enum FileHasher {
    public static let defaultChunkSize = 1 << 20
    static let bufferSize = 4 << 20
    static let slots = 4

    /// Hashes a path; "-" is standard input. A regular file that changes size or modification time
    /// while being read is an error, not a digest.
    public static func hash(path: String, chunkSize: Int = defaultChunkSize) throws -> FileDigest {
        guard chunkSize >= 1024, chunkSize <= 1 << 30, chunkSize & (chunkSize - 1) == 0 else {
            throw ProvenanceError.usage("chunk size must be a power of two between 1 KiB and 1 GiB")
        }
        if path == "-" { return try hash(fd: 0, name: "standard input", chunkSize: chunkSize, stable: nil) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else { throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))") }
        let kind = before.st_mode & S_IFMT
        if kind == S_IFDIR { throw ProvenanceError.input("\(path): is a directory") }
        // Pipes and devices are streams, like standard input: no size or mtime to check.
        guard kind == S_IFREG else { return try hash(fd: fd, name: path, chunkSize: chunkSize, stable: nil) }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        return try hash(fd: fd, name: path, chunkSize: chunkSize, stable: before)
    }

    private static func hash(fd: Int32, name: String, chunkSize: Int, stable before: stat?) throws -> FileDigest {
        let pipeline = ChunkPipeline(chunkSize: chunkSize)
        let whole = SHA256Hasher()
        var total: UInt64 = 0
        var readError: Int32 = 0
        var slot = 0
        while true {
            pipeline.free.wait()
            let buffer = pipeline.buffers[slot]
            let n = readFully(fd, buffer, error: &readError)
            pipeline.lengths[slot] = n
            pipeline.filled.signal() // the chunk thread hashes this buffer while we do
            if n <= 0 { break }
            whole.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += UInt64(n)
            slot = (slot + 1) % slots
        }
        let chunks = pipeline.finish()
        if readError != 0 { throw ProvenanceError.input("\(name): read failed: \(String(cString: strerror(readError)))") }
        if let before {
            var after = stat()
            fstat(fd, &after)
            if after.st_size != before.st_size || total != UInt64(before.st_size)
                || after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec {
                throw ProvenanceError.input("\(name): changed while being hashed (size or modification time); hash it again once it is complete")
            }
        }
        return FileDigest(size: total, sha256: whole.finalize(), chunkSize: chunkSize, chunks: chunks)
    }

    /// Fills the buffer unless end of file comes first; returns the byte count, or −1 on error.
    private static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, error: inout Int32) -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                error = errno
                return -1
            }
            filled += n
        }
        return filled
    }
}

/// The chunk-digest side of the pipeline: a thread that consumes filled buffers in order.
/// Synchronisation is by the two semaphores alone: `lengths[slot]` is written before `filled`
/// is signalled and read after it is awaited.
private final class ChunkPipeline: @unchecked Sendable {
    let buffers: [UnsafeMutableRawBufferPointer]
    var lengths: [Int]
    /// Created at zero and signalled once per slot: libdispatch traps if a semaphore is
    /// destroyed holding less than its initial value.
    let free = DispatchSemaphore(value: 0)
    let filled = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let chunkSize: Int
    private var chunks: [[UInt8]] = []

    init(chunkSize: Int) {
        self.chunkSize = chunkSize
        buffers = (0..<FileHasher.slots).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: FileHasher.bufferSize, alignment: 64)
        }
        lengths = Array(repeating: 0, count: FileHasher.slots)
        for _ in 0..<FileHasher.slots { free.signal() }
        let thread = Thread { [self] in self.run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { buffers.forEach { $0.deallocate() } }

    private func run() {
        let hasher = SHA256Hasher()
        var inChunk = 0
        var slot = 0
        while true {
            filled.wait()
            let n = lengths[slot]
            if n <= 0 { break }
            var offset = 0
            let buffer = UnsafeRawBufferPointer(buffers[slot])
            while offset < n {
                let take = min(n - offset, chunkSize - inChunk)
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + take]))
                offset += take
                inChunk += take
                if inChunk == chunkSize { chunks.append(hasher.finalize()); inChunk = 0 }
            }
            free.signal()
            slot = (slot + 1) % FileHasher.slots
        }
        // The trailing partial chunk; an empty file has one chunk, the digest of nothing.
        if inChunk > 0 || chunks.isEmpty { chunks.append(hasher.finalize()) }
        done.signal()
    }

    /// Waits for the chunk thread and returns its digests.
    func finish() -> [[UInt8]] {
        done.wait()
        return chunks
    }
}
