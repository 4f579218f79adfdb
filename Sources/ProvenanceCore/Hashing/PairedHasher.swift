import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Content IDs of many files, two files at a time on each core: each file's next bytes are read into a
/// buffer of its own and the two SHA-256 streams go through the SHA-NI kernel together (two streams cost
/// little more than one). A file that ends is replaced by the next; a file that is not a regular file, or
/// any file when the kernel is not in use, takes the one-file path.
enum PairedHasher {
    /// One file being hashed: its descriptor, what stat said when it was opened, and its unhashed bytes.
    private final class Lane {
        let index: Int
        let path: String
        let fd: Int32
        let before: stat
        let hasher = SHA256Hasher()
        let buffer: UnsafeMutableRawBufferPointer
        var pending = UnsafeRawBufferPointer(start: nil, count: 0)
        var total: UInt64 = 0
        var failure: ProvenanceError?
        var ended = false

        init(index: Int, path: String, fd: Int32, before: stat, buffer: UnsafeMutableRawBufferPointer) {
            self.index = index
            self.path = path
            self.fd = fd
            self.before = before
            self.buffer = buffer
        }

        deinit { close(fd) }

        /// Reads the next piece when the last one is used up; marks the end or a failure.
        func refill() {
            guard pending.isEmpty, !ended else { return }
            while true {
                let n = read(fd, buffer.baseAddress!, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    failure = .input("\(path): read failed: \(String(cString: strerror(errno)))")
                    ended = true
                } else if n == 0 {
                    ended = true
                } else {
                    pending = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n])
                    total += UInt64(n)
                }
                return
            }
        }

        func consume(_ count: Int) { pending = UnsafeRawBufferPointer(rebasing: pending[count...]) }

        /// The content ID once the file is read to its end, unchanged (size and modification time).
        func result(chunkSize: Int?) -> Result<FileDigest, ProvenanceError> {
            if let failure { return .failure(failure) }
            do { try FileHasher.ensureUnchanged(fd: fd, before: before, bytesRead: total, name: path) } catch {
                return .failure(error as? ProvenanceError ?? .input("\(path): \(error)"))
            }
            let size = chunkSize ?? FileHasher.defaultChunkSize(forSize: total)
            return .success(
                FileDigest(
                    size: total, sha256: hasher.finalize(), chunkSize: size, chunks: [], windows: [], chunkRoot: []))
        }
    }

    /// Hashes the items `next` hands out until it has none, two at a time, giving each result to `done`.
    /// `buffers` are two buffers of the same size, owned by the caller.
    /// A second lane is opened only while at least `workers` files are left to hand out, so that a few
    /// large files spread over the cores instead of pairing up on one.
    static func run(
        _ items: [ParallelHasher.Item], buffers: (UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer),
        workers: Int, next: () -> Int?, remaining: () -> Int, done: (Int, Result<FileDigest, ProvenanceError>) -> Void
    ) {
        var lanes: [Lane?] = [nil, nil]
        var exhausted = false
        while true {
            for k in 0..<2 where lanes[k] == nil && !exhausted && (k == 0 || lanes[0] == nil || remaining() >= workers)
            {
                lanes[k] = open(items, k == 0 ? buffers.0 : buffers.1, next: next, done: done, exhausted: &exhausted)
            }
            let active = lanes.compactMap { $0 }
            if active.isEmpty { return }
            active.forEach { $0.refill() }
            for k in 0..<2 {
                guard let lane = lanes[k], lane.ended else { continue }
                done(lane.index, lane.result(chunkSize: items[lane.index].chunkSize))
                lanes[k] = nil
            }
            if let a = lanes[0], let b = lanes[1] {
                let n = min(a.pending.count, b.pending.count)
                SHA256Hasher.update(
                    a.hasher, UnsafeRawBufferPointer(rebasing: a.pending[0..<n]), b.hasher,
                    UnsafeRawBufferPointer(rebasing: b.pending[0..<n]))
                a.consume(n)
                b.consume(n)
            } else if let lane = lanes[0] ?? lanes[1] {
                lane.hasher.update(lane.pending)
                lane.consume(lane.pending.count)
            }
        }
    }

    /// The next regular file as a lane; anything else (standard input, a stream, a directory, a file that
    /// cannot be opened) is hashed or refused on the one-file path and handed to `done` at once.
    private static func open(
        _ items: [ParallelHasher.Item], _ buffer: UnsafeMutableRawBufferPointer, next: () -> Int?,
        done: (Int, Result<FileDigest, ProvenanceError>) -> Void, exhausted: inout Bool
    ) -> Lane? {
        while let i = next() {
            let item = items[i]
            // stat before open: opening a FIFO blocks for a writer, and closing it again would cut the writer
            // off (SIGPIPE) before the one-file path reads it. O_NONBLOCK in case it became one since.
            var named = stat()
            if item.path != "-", item.chunkSize.map({ (try? FileHasher.checkChunkSize($0)) != nil }) ?? true,
                stat(item.path, &named) == 0, named.st_mode & S_IFMT == S_IFREG
            {
                let fd = ProvenanceCore.open(item.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                var st = stat()
                if fd >= 0, fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
                    return Lane(index: i, path: item.path, fd: fd, before: st, buffer: buffer)
                }
                if fd >= 0 { close(fd) }
                done(i, .failure(.input("\(item.path): replaced while being opened")))
                continue
            }
            done(i, ParallelHasher.sequentialHash(item, buffer: buffer))
        }
        exhausted = true
        return nil
    }
}
