internal import CSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so a reader sees either the old content or the new, never a torn one:
/// a temporary file in the same directory, fsync, rename over the target, fsync the directory.
public enum AtomicFile {
    /// - Parameter exclusive: never replace an existing file: the new one is linked into place, which
    ///   fails if the name exists (no check-then-rename race; keystores are never overwritten).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644, exclusive: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw ProvenanceError.input("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        // The mode passed to open() is masked by umask; set it explicitly (0600 for key files matters).
        guard fchmod(fd, mode) == 0 else {
            close(fd)
            throw ProvenanceError.input("cannot set the mode of \(path): \(String(cString: strerror(errno)))")
        }
        let synced = writeFully(fd, data) && fsync(fd) == 0
        let errnoText = String(cString: strerror(errno))
        close(fd)
        guard synced else { throw ProvenanceError.input("cannot write \(path): \(errnoText)") }
        if exclusive {
            guard link(tmp, path) == 0 else {
                let reason = errno == EEXIST ? "it exists; refusing to overwrite it" : String(cString: strerror(errno))
                throw ProvenanceError.input("cannot write \(path): \(reason)")
            }
            unlink(tmp)
        } else {
            guard rename(tmp, path) == 0 else {
                throw ProvenanceError.input("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        }
        ok = true
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Writes many files so each is either old or new, with far fewer syncs than one `write` per file:
    /// every temporary file is written, then each filesystem holding them is synced once (syncfs), then
    /// all are renamed into place and each directory is synced once. Measured on 200,000 manifests:
    /// two fsyncs per file were most of `sign`'s time. On any failure before the renames nothing is
    /// replaced and the temporary files are removed.
    public static func writeAll(_ files: [(path: String, data: Data)], mode: mode_t = 0o644) throws {
        var written: [(tmp: String, path: String)] = []
        var done = false
        defer {
            if !done { for w in written { unlink(w.tmp) } }
        }
        var directories: [String: Int32] = [:]
        defer { for fd in directories.values { close(fd) } }
        for file in files {
            let url = URL(fileURLWithPath: file.path)
            let dir = url.deletingLastPathComponent().path
            let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard fd >= 0 else {
                throw ProvenanceError.input("cannot write \(file.path): \(String(cString: strerror(errno)))")
            }
            written.append((tmp, file.path))
            let ok = fchmod(fd, mode) == 0 && writeFully(fd, file.data)
            let reason = String(cString: strerror(errno))
            close(fd)
            guard ok else { throw ProvenanceError.input("cannot write \(file.path): \(reason)") }
            if directories[dir] == nil {
                let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard dfd >= 0 else { throw ProvenanceError.input("cannot open directory \(dir)") }
                directories[dir] = dfd
            }
        }
        // One sync per filesystem: the data of every temporary file is durable before any rename.
        var synced = Set<UInt64>()
        for fd in directories.values {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw ProvenanceError.input("cannot stat a directory being written") }
            if synced.insert(UInt64(st.st_dev)).inserted {
                guard pv_syncfs(fd) == 0 else {
                    throw ProvenanceError.input("cannot sync the files written: \(String(cString: strerror(errno)))")
                }
            }
        }
        for w in written {
            guard rename(w.tmp, w.path) == 0 else {
                throw ProvenanceError.input("cannot write \(w.path): \(String(cString: strerror(errno)))")
            }
        }
        done = true
        for fd in directories.values { fsync(fd) }
    }

    /// Writes all of `data` (retrying short writes and EINTR); false on an error, with errno set.
    private static func writeFully(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
