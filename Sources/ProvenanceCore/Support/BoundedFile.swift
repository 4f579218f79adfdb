import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a small file that someone else may have crafted (a manifest, keystore, password or signers
/// list): no symbolic links (O_NOFOLLOW), no blocking on a FIFO (O_NONBLOCK), a regular file by
/// `fstat` on the descriptor that is read, and never more than `maxBytes`. A link to /dev/zero, a
/// FIFO or a huge file is an error, not a hang or an out-of-memory.
public enum BoundedFile {
    public struct Contents {
        public let bytes: [UInt8]
        /// Permission bits of the file read (for secrets that must not be readable by others).
        public let mode: UInt32
    }

    public static func read(_ path: String, what: String, maxBytes: Int) throws -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "is a symbolic link (refused)" : String(cString: strerror(errno))
            throw ProvenanceError.input("\(what) \(path): \(reason)")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw ProvenanceError.input("\(what) \(path): not a regular file")
        }
        guard st.st_size <= maxBytes else {
            throw ProvenanceError.input("\(what) \(path) is larger than \(maxBytes) bytes")
        }
        let bytes = try read(descriptor: fd, size: Int(st.st_size), path: path, limit: maxBytes)
        return Contents(bytes: bytes, mode: UInt32(st.st_mode & 0o7777))
    }

    /// Reads a descriptor from its start: `size` bytes as fstat said, and at most `limit` in all (a file
    /// that grows while read is cut off at the limit and reported).
    public static func read(descriptor fd: Int32, size: Int, path: String, limit: Int = Int.max) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(size, 0))
        var filled = 0
        while filled < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n >= 0 else {
                throw ProvenanceError.input("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        // One byte more than fstat said means the file is growing: refuse rather than read without end.
        var extra: UInt8 = 0
        if filled == out.count, pread(fd, &extra, 1, off_t(filled)) == 1, filled >= limit {
            throw ProvenanceError.input("\(path) grew past \(limit) bytes while being read")
        }
        return Array(out[0..<filled])
    }
}
