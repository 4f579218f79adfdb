import Foundation
import ProvenanceCore

#if canImport(Glibc)
    import Glibc
#endif

/// The attest run's journal: one JSON object per line, appended and fsync'd before the step it
/// announces, so a run killed at any instant can be resumed by running the same command again.
///   {"t":"hashed","path","inode","size","mtime","ctime","chunkSize","sha256","chunks","windows"[,"chunkStart","chunkEnd","audio","picture"],"mac"}
///   a file's digests
///   {"t":"signed","digests":[…],"root"}                                     a batch about to be sent
///   {"t":"sent","hash","raw"}                                              a transaction, before broadcast
///   {"t":"mined","hash","block"}                                           its receipt
/// Nothing secret is written: digests, public raw transactions and hashes.
///
/// The journal saves work; it never decides what is signed. Anyone who can write the archive's
/// directory can write this file, so a cached digest is used only when its record carries a MAC made
/// with a key derived from the signing key (which that person does not have) and the file still has
/// the inode, size, mtime and ctime it had when hashed; anything else is hashed again.
public final class Journal {
    public let path: String
    private let fd: Int32
    /// Memory independent of the journal's length in what matters: of a "hashed" record only where its
    /// line lies in the file (read back when the file is met again), of transactions their hashes and raw
    /// bytes (one per batch). Measured before: every record kept as a JSON tree, 85 MiB for 10,000 files.
    /// Keyed by 8 bytes of the path's SHA-256, not the path (~3× smaller at 200,000 files); the record
    /// read back must name the same path, so a collision only costs hashing that file again.
    /// Where each file's latest hashed record is: offset (high 40 bits) and length (low 24 bits) in one
    /// word, 8 bytes a file besides the key (a tuple of two Ints took twice as much at 1,000,000 files).
    private var hashedLines: [UInt64: UInt64] = [:]

    private static func key(_ path: String) -> UInt64 {
        SHA256Hasher.hash(Array(path.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
    private var sentRaw: [String: [UInt8]] = [:]
    private var sentOrder: [String] = []
    private var mined: Set<String> = []
    /// Bytes in the file (where the next line starts).
    private var end = 0
    /// Authenticates "hashed" records: set by the attester from the signing key before caching.
    var macKey: [UInt8]?
    /// Larger journals are refused (reading one takes minutes). It is read a block at a time, so its size
    /// costs time, not memory; a 1 MiB file's record is ~7 KB at 8 KiB chunks.
    public static let maxBytes = 64 << 30
    /// Digests of smaller files are neither journaled nor looked up: hashing such a file again on resume
    /// costs about what reading its record back does, and an index entry per small file made memory grow
    /// with the archive (8 MiB at 200,000 files, measured on an attest run; about 32 MiB at 1,000,000).
    static let smallestCached: UInt64 = 1 << 20

    public init(path: String) throws {
        self.path = path
        // No links (a journal that is a link to /dev/zero or another file is refused), no blocking open
        // on a FIFO, private to its owner.
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            throw ProvenanceError.input("cannot open journal \(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw ProvenanceError.input("journal \(path) is not a regular file")
        }
        guard st.st_size <= Self.maxBytes else {
            close(fd)
            throw ProvenanceError.input("journal \(path) is larger than \(Self.maxBytes >> 20) MiB; move it aside")
        }
        if st.st_mode & 0o077 != 0 { fchmod(fd, 0o600) }
        self.fd = fd
        let lastByte: UInt8?
        do { lastByte = try readLines(size: Int(st.st_size)) } catch {
            close(fd)
            throw error
        }
        // A line cut short by a crash: the next record starts on a line of its own.
        if let last = lastByte, last != 0x0a {
            var newline: UInt8 = 0x0a
            guard Glibc.write(fd, &newline, 1) == 1 else {
                close(fd)
                throw ProvenanceError.input("cannot write journal \(path): \(String(cString: strerror(errno)))")
            }
            end += 1
        }
    }

    /// Indexes every whole line, reading 4 MiB at a time (a line may span blocks); returns the file's
    /// last byte. A line cut short by a crash is ignored: everything before it was fsync'd whole.
    private func readLines(size: Int) throws -> UInt8? {
        var block = [UInt8](repeating: 0, count: 4 << 20)
        var pending: [UInt8] = []  // the start of a line that continues in the next block
        var pendingLength = 0  // its length, which a line too long to index is not kept for
        var lineStart = 0
        var offset = 0
        var last: UInt8?
        while offset < size {
            let n = block.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress, min($0.count, size - offset), off_t(offset))
            }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n >= 0 else {
                throw ProvenanceError.input("cannot read journal \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            last = block[n - 1]
            var from = 0
            for i in 0..<n where block[i] == 0x0a {
                let length = pendingLength + i - from
                // Lines of 16 MiB or more are never indexed (a crafted one must not be held whole).
                if length < 1 << 24 {
                    let line = pending.isEmpty ? Array(block[from..<i]) : pending + block[from..<i]
                    if !line.isEmpty, let record = try? JSON.parse(line) {
                        index(record, offset: lineStart, length: line.count)
                    }
                }
                (pending, pendingLength) = ([], 0)
                lineStart += length + 1
                from = i + 1
            }
            pendingLength += n - from
            if pendingLength < 1 << 24 { pending += block[from..<n] } else { pending = [] }
            offset += n
        }
        end = offset
        return last
    }

    private func index(_ record: JSON, offset: Int, length: Int) {
        switch record["t"]?.stringValue {
        case "hashed":
            // A line longer than 16 MiB or past 1 TiB is not indexed: that file is hashed again.
            if let p = record["path"]?.stringValue, length < 1 << 24, offset < 1 << 40,
                (record["size"]?.intValue ?? 0) >= Int(Self.smallestCached)
            {
                hashedLines[Self.key(p)] = UInt64(offset) << 24 | UInt64(length)
            }
        case "sent":
            if let h = record["hash"]?.stringValue, let raw = record["raw"]?.stringValue.flatMap({ Hex.decode($0) }) {
                if sentRaw[h] == nil { sentOrder.append(h) }
                sentRaw[h] = raw
            }
        case "mined":
            // A mined transaction is never sent again: its raw bytes (~64 bytes a file) need not stay.
            if let h = record["hash"]?.stringValue {
                mined.insert(h)
                sentRaw[h] = nil
            }
        default: break
        }
    }

    deinit { close(fd) }

    /// Appends records and makes them durable before returning.
    func append(_ new: [JSON]) throws {
        guard !new.isEmpty else { return }
        let lines = new.map { Array($0.compact.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.reduce(0) { $0 + $1.count + 1 })
        for line in lines { bytes += line + [0x0a] }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ProvenanceError.input("cannot write journal \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw ProvenanceError.input("cannot sync journal \(path)") }
        for (record, line) in zip(new, lines) {
            index(record, offset: end, length: line.count)
            end += line.count + 1
        }
    }

    /// The record on the line at `at`, read back from the file.
    private func read(_ at: (offset: Int, length: Int)) -> JSON? {
        var bytes = [UInt8](repeating: 0, count: at.length)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, at.length, off_t(at.offset)) }
        guard n == at.length else { return nil }
        return try? JSON.parse(bytes)
    }

    // MARK: the record schema

    /// What identifies a file's content without reading it: if any of these changed, so may the bytes.
    struct FileIdentity: Equatable {
        let inode: UInt64
        let size: UInt64
        let mtime: String
        let ctime: String

        init?(path: String) {
            var followed = stat()
            guard stat(path, &followed) == 0 else { return nil }
            inode = UInt64(followed.st_ino)
            size = UInt64(followed.st_size)
            mtime = "\(followed.st_mtim.tv_sec).\(followed.st_mtim.tv_nsec)"
            ctime = "\(followed.st_ctim.tv_sec).\(followed.st_ctim.tv_nsec)"
        }
    }

    private func mac(_ fields: [(String, JSON)]) -> String? {
        guard let macKey else { return nil }
        return Hex.encode(HMACSHA256.mac(key: macKey, data: Array(JSON.object(fields).compact.utf8)))
    }

    func hashedRecord(path: String, digest: FileDigest) -> JSON? {
        guard digest.size >= Self.smallestCached, let id = FileIdentity(path: path), id.size == digest.size else {
            return nil
        }
        var fields: [(String, JSON)] = [
            ("t", .string("hashed")), ("path", .string(path)), ("inode", .number(String(id.inode))),
            ("size", .number(String(id.size))), ("mtime", .string(id.mtime)), ("ctime", .string(id.ctime)),
            ("chunkSize", .int(digest.chunkSize)), ("sha256", .string(Hex.encode(digest.sha256))),
            ("chunks", .string(CompactChunks.encode(digests: digest.chunks))),
            ("windows", .string(CompactChunks.encode(windows: digest.windows))),
        ]
        if digest.chunkStart > 0 { fields.append(("chunkStart", .number(String(digest.chunkStart)))) }
        if digest.chunkEnd > 0 { fields.append(("chunkEnd", .number(String(digest.chunkEnd)))) }
        // Fingerprints too: decoding is most of a media file's hashing time (a resumed run did it all again).
        if let audio = digest.audio { fields.append(("audio", .string(Data(audio.bytes).base64EncodedString()))) }
        if let picture = digest.picture {
            fields.append(("picture", .string(Data(picture.bytes).base64EncodedString())))
        }
        guard let mac = mac(fields) else { return nil }
        fields.append(("mac", .string(mac)))
        return .object(fields)
    }

    /// A cached digest for `path`, only from an authentic record of a file that has not changed since.
    /// `chunkSize` nil: the default for the file's size.
    func cachedDigest(path: String, chunkSize: Int?) -> FileDigest? {
        guard let id = FileIdentity(path: path), id.size >= Self.smallestCached,
            let packed = hashedLines[Self.key(path)],
            let record = read((offset: Int(packed >> 24), length: Int(packed & 0xff_ffff))),
            record["t"]?.stringValue == "hashed",
            record["path"]?.stringValue == path,
            var fields = record.objectValue, let last = fields.popLast(), last.0 == "mac",
            let mac = mac(fields),
            last.1.stringValue.map({ constantTimeEqual(Array($0.utf8), Array(mac.utf8)) }) == true,
            record["inode"] == .number(String(id.inode)), record["size"] == .number(String(id.size)),
            record["mtime"]?.stringValue == id.mtime, record["ctime"]?.stringValue == id.ctime,
            let expected = Optional(chunkSize ?? FileHasher.defaultChunkSize(forSize: id.size)),
            record["chunkSize"]?.intValue == expected,
            let sha = record["sha256"]?.stringValue.flatMap({ Hex.decode($0, count: 32) }),
            let chunks = record["chunks"]?.stringValue.flatMap(CompactChunks.digests),
            let windows = record["windows"]?.stringValue.flatMap(CompactChunks.windows)
        else { return nil }
        let start = record["chunkStart"].map { $0.intValue.map { UInt64($0) } } ?? 0
        let end = record["chunkEnd"].map { $0.intValue.map { UInt64($0) } } ?? 0
        guard let start, let end, !chunks.isEmpty, chunks.count == windows.count else { return nil }
        let grid = ChunkStart.Grid(start: start, end: end)
        guard UInt64(chunks.count) == ChunkList.count(size: id.size, chunkSize: expected, grid: grid) else {
            return nil
        }
        var digest = FileDigest(
            size: id.size, sha256: sha, chunkSize: expected, grid: grid, chunks: chunks, windows: windows)
        if let text = record["audio"]?.stringValue {
            guard let f = CompactChunks.canonical(text).flatMap(AudioFingerprint.init(bytes:)) else { return nil }
            digest.audio = f
        }
        if let text = record["picture"]?.stringValue {
            guard let f = CompactChunks.canonical(text).flatMap(PictureFingerprint.init(bytes:)) else { return nil }
            digest.picture = f
        }
        return digest
    }

    func recordSigned(root: [UInt8], digests: [[UInt8]]) throws {
        try append([
            .object([
                ("t", .string("signed")), ("root", .string(Hex.encode(root, prefix: true))),
                ("digests", .array(digests.map { .string(Hex.encode($0)) })),
            ])
        ])
    }

    func recordSent(_ tx: SignedTransaction) throws {
        try append([
            .object([
                ("t", .string("sent")), ("hash", .string(tx.hashHex)),
                ("raw", .string(Hex.encode(tx.raw, prefix: true))),
            ])
        ])
    }

    func recordMined(hash: [UInt8], block: UInt64) throws {
        try append([
            .object([
                ("t", .string("mined")), ("hash", .string(Hex.encode(hash, prefix: true))),
                ("block", .number(String(block))),
            ])
        ])
    }

    /// Transactions sent (raw bytes) with no receipt recorded.
    var unsettled: [[UInt8]] {
        sentOrder.filter { !mined.contains($0) }.compactMap { sentRaw[$0] }
    }

    // MARK: settling

    /// Before anything new is sent: every transaction the journal says was sent but not seen mined is
    /// followed up — mined (recorded), pending (waited for), or dropped (broadcast again; if its nonce
    /// was taken meanwhile, the chain check that follows decides what is still to attest).
    func settle(client: EthClient, options: SendOptions) throws {
        for raw in unsettled {
            let hash = Keccak256.hash(raw)
            var receipt = try client.receipt(hash)
            if receipt == nil {
                if try client.transaction(hash) == nil { _ = try? client.sendRawTransaction(raw) }
                let deadline = Date().addingTimeInterval(options.timeout)
                while receipt == nil && Date() < deadline {
                    // Dropped and refused again: the chain check takes over.
                    if try client.transaction(hash) == nil { break }
                    Thread.sleep(forTimeInterval: options.pollInterval)
                    receipt = try client.receipt(hash)
                }
            }
            if let receipt { try recordMined(hash: hash, block: receipt.blockNumber) }
        }
    }
}
