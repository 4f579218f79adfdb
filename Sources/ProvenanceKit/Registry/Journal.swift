import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The attest run's journal: one JSON object per line, appended and fsync'd before the step it
/// announces, so a run killed at any instant can be resumed by running the same command again.
///   {"t":"hashed","path","size","mtime","chunkSize","sha256","chunks"}    a file's digests
///   {"t":"signed","digests":[…],"root"}                                    a batch about to be sent
///   {"t":"sent","hash","raw"}                                             a transaction, before broadcast
///   {"t":"mined","hash","block"}                                          its receipt
/// Nothing secret is written: digests, public raw transactions and hashes.
public final class Journal {
    public let path: String
    private var fd: Int32 = -1
    private(set) var records: [JSON] = []

    public init(path: String) throws {
        self.path = path
        if let data = FileManager.default.contents(atPath: path) {
            // A line cut short by a crash is ignored: everything before it was fsync'd whole.
            for line in data.split(separator: 0x0a) {
                if let record = try? JSON.parse([UInt8](line)), record["t"] != nil { records.append(record) }
            }
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ProvenanceError.input("cannot open journal \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends records and makes them durable before returning.
    public func append(_ new: [JSON]) throws {
        guard !new.isEmpty else { return }
        var bytes = Array(new.map(\.compact).joined(separator: "\n").utf8)
        bytes.append(0x0a)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ProvenanceError.input("cannot write journal \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw ProvenanceError.input("cannot sync journal \(path)") }
        records += new
    }

    // MARK: what the journal knows

    /// A cached digest for `path` if the file still has the size and mtime it had when hashed.
    func cachedDigest(path: String, chunkSize: Int) -> FileDigest? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let mtime = "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        guard let r = records.last(where: { $0["t"]?.stringValue == "hashed" && $0["path"]?.stringValue == path }),
            r["size"] == .number(String(st.st_size)), r["mtime"]?.stringValue == mtime,
            r["chunkSize"]?.intValue == chunkSize,
            let sha = r["sha256"]?.stringValue.flatMap({ Hex.decode($0, count: 32) }),
            let chunks = r["chunks"]?.arrayValue?.compactMap({ $0.stringValue.flatMap { Hex.decode($0, count: 32) } })
        else { return nil }
        return FileDigest(size: UInt64(st.st_size), sha256: sha, chunkSize: chunkSize, chunks: chunks)
    }

    static func hashedRecord(path: String, digest: FileDigest) -> JSON? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return .object([
            ("t", .string("hashed")), ("path", .string(path)), ("size", .number(String(digest.size))),
            ("mtime", .string("\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)")), ("chunkSize", .int(digest.chunkSize)),
            ("sha256", .string(Hex.encode(digest.sha256))),
            ("chunks", .array(digest.chunks.map { .string(Hex.encode($0)) })),
        ])
    }

    /// Transactions sent (raw bytes) with no receipt recorded.
    var unsettled: [[UInt8]] {
        let mined = Set(records.filter { $0["t"]?.stringValue == "mined" }.compactMap { $0["hash"]?.stringValue })
        return records.filter { $0["t"]?.stringValue == "sent" && !mined.contains($0["hash"]?.stringValue ?? "") }
            .compactMap { $0["raw"]?.stringValue.flatMap { Hex.decode($0) } }
    }
}

/// Test hook for crash tests: with PROVENANCE_TEST_CRASH_AT=NAME the process kills itself with
/// SIGKILL when it reaches that point — as a power cut would, with no cleanup.
public enum CrashPoint {
    public static func hit(_ name: String) {
        if ProcessInfo.processInfo.environment["PROVENANCE_TEST_CRASH_AT"] == name { kill(getpid(), SIGKILL) }
        // PROVENANCE_TEST_INTERRUPT_AT=NAME: as if the user pressed Ctrl-C at that point.
        if ProcessInfo.processInfo.environment["PROVENANCE_TEST_INTERRUPT_AT"] == name { raise(SIGINT) }
    }
}
