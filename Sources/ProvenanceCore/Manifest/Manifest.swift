import Foundation

/// `FILE.provenance.json`: the sidecar that travels with a signed file. Format in docs/FORMAT.md.
/// Parsing is strict and bounded: a manifest is untrusted input until its signature checks out.
public struct Manifest: Sendable {
    public static let format = "provenance-manifest"
    /// 3: chunk digests and window keys in compact base64 (version 2 listed hex digests, with 1 MiB
    /// chunks); the signed content (details, leaf, batch) is that of registry format 2.
    public static let version = 3
    public static let suffix = ".provenance.json"
    /// Upper bound on a manifest's size: ~2.7 million chunks (the default sizes give at most 2¹⁴).
    public static let maxBytes = 128 << 20

    public var fileName: String
    public var sha256: [UInt8]
    /// What the signature covers besides the content ID: size, chunking, and any later member.
    public var details: FileDetails
    public var chunks: [[UInt8]] {
        didSet { chunksChecked = false }  // a list changed after reading is checked again before a search
    }
    /// Each chunk's window key: unsigned hints for the search of a copy (a wrong key hides a match, it
    /// cannot make one: every match is a chunk's signed SHA-256).
    public var windows: [UInt64]
    /// The sound's fingerprint, when the file has one (bound by `details.audioFingerprint`).
    public var audio: AudioFingerprint?
    /// The picture's fingerprint, when the file is a video (bound by `details.pictureFingerprint`).
    public var picture: PictureFingerprint?
    public var signer: Address
    public var batchIndex: Int
    public var batchProof: [[UInt8]]
    public var message: AttestationMessage
    public var signature: RecoverableSignature
    /// On-chain records of this signature (filled by `attest`), one per chain it was anchored on.
    public var anchors: [Anchor]

    public static func path(for file: String) -> String { file + suffix }

    /// Why no manifest can be written beside this file (nil: it can): its name would pass the file system's
    /// limit on a name (NAME_MAX, 255 bytes on ext4, XFS, btrfs and APFS) once the suffix is added.
    public static func nameProblem(forFile file: String) -> String? {
        let name = URL(fileURLWithPath: path(for: file)).lastPathComponent
        let limit = Int(NAME_MAX)
        guard name.utf8.count > limit else { return nil }
        return "\(file): the manifest's name would be \(name.utf8.count) bytes, over the file system's limit of "
            + "\(limit) (the name plus \(suffix)); rename the file to sign it"
    }

    /// Whether a file name is a manifest's (directory walks skip them).
    public static func isManifestName(_ name: String) -> Bool { name.hasSuffix(suffix) }

    public init(
        fileName: String, digest: FileDigest, signer: Address, batchIndex: Int, batchProof: [[UInt8]],
        message: AttestationMessage, signature: RecoverableSignature, anchors: [Anchor] = []
    ) {
        self.init(
            fileName: fileName, sha256: digest.sha256, details: FileDetails(digest: digest), chunks: digest.chunks,
            windows: digest.windows, audio: digest.audio, signer: signer, batchIndex: batchIndex,
            batchProof: batchProof, message: message,
            signature: signature,
            anchors: anchors)
        picture = digest.picture
    }

    public init(
        fileName: String, sha256: [UInt8], details: FileDetails, chunks: [[UInt8]], windows: [UInt64],
        audio: AudioFingerprint? = nil, signer: Address, batchIndex: Int,
        batchProof: [[UInt8]], message: AttestationMessage, signature: RecoverableSignature, anchors: [Anchor]
    ) {
        self.fileName = fileName
        self.sha256 = sha256
        self.details = details
        self.chunks = chunks
        self.windows = windows
        self.audio = audio
        self.signer = signer
        self.batchIndex = batchIndex
        self.batchProof = batchProof
        self.message = message
        self.signature = signature
        self.anchors = anchors
    }

    public var size: UInt64 { details.size }
    public var chunkSize: Int { details.chunkSize }
    public var chunkRoot: [UInt8] { details.chunkRoot }
    /// False when the manifest was read with `ChunkCheck.whenSearched` and `chunks` have not been checked
    /// against the signed `details.chunkRoot` yet.
    public private(set) var chunksChecked = true

    /// The signed chunk digests with their window keys, to search a copy for. Checked against the signed
    /// chunk root here when reading the manifest did not.
    public func checkedChunkList() throws -> ChunkList {
        if !chunksChecked { try Self.checkChunkRoot(chunks, details) }
        return ChunkList(
            size: size, chunkSize: chunkSize, grid: details.grid, digests: chunks, windows: windows)
    }

    /// When `file.chunks` are checked against the signed `details.chunkRoot`.
    public enum ChunkCheck: Sendable {
        /// On reading: the manifest is refused if they do not lead to it.
        case onRead
        /// Only before a copy is searched with them (`checkedChunkList()`). Verifying a file identical
        /// to the signed one uses its content ID and never the chunks: the root of 384,000 chunks
        /// (Keccak-256) was 9% of `verify`'s time on 1,100 files of 3 GB, all identical.
        case whenSearched
    }

    static func checkChunkRoot(_ chunks: [[UInt8]], _ details: FileDetails) throws {
        guard Merkle.root(chunks) == details.chunkRoot else {
            throw ProvenanceError.input("malformed manifest: file.chunks do not lead to file.details.chunkRoot")
        }
    }
    /// What this file's leaf in the signed batch commits to.
    public var commitment: FileCommitment { FileCommitment(contentID: sha256, detailsHash: details.hash) }

    public var json: JSON {
        .object([
            ("format", .string(Self.format)),
            ("version", .int(Self.version)),
            (
                "file",
                .object(
                    [
                        ("name", .string(fileName)),
                        ("sha256", .string(Hex.encode(sha256))),
                        ("details", details.json),
                        ("chunks", .string(CompactChunks.encode(digests: chunks))),
                        ("windows", .string(CompactChunks.encode(windows: windows))),
                    ] + (audio.map { [("audio", Self.audioJSON($0))] } ?? [])
                        + (picture.map { [("picture", Self.pictureJSON($0))] } ?? []))
            ),
            ("signer", .string(signer.checksummed)),
            (
                "batch",
                .object([
                    ("index", .int(batchIndex)),
                    ("count", .int(message.fileCount)),
                    ("proof", .array(batchProof.map { .string(Hex.encode($0, prefix: true)) })),
                ])
            ),
            ("typedData", message.typedDataJSON),
            ("signature", .string(Hex.encode(signature.bytes, prefix: true))),
            ("anchors", .array(anchors.map(\.json))),
        ])
    }

    static func audioJSON(_ audio: AudioFingerprint) -> JSON {
        .object([
            ("algorithm", .string(AudioFingerprint.algorithm)),
            ("fingerprint", .string(Data(audio.bytes).base64EncodedString())),
        ])
    }

    static func pictureJSON(_ picture: PictureFingerprint) -> JSON {
        .object([
            ("algorithm", .string(PictureFingerprint.algorithm)),
            ("fingerprint", .string(Data(picture.bytes).base64EncodedString())),
        ])
    }

    /// Adds an anchor unless the same transaction is already listed; one entry per chain and transaction.
    public mutating func addAnchor(_ anchor: Anchor) {
        if !anchors.contains(where: { $0.chainId == anchor.chainId && $0.txHash == anchor.txHash }) {
            anchors.append(anchor)
        }
    }

    public func write(to path: String) throws {
        try AtomicFile.write(encoded, to: path)
    }

    /// Writes many manifests, each atomically, with one sync per filesystem instead of two per file.
    /// Encoded on all cores: 1,100 manifests of 384,000 chunks are 20 MB of JSON, written after the
    /// batch's one signature, when nothing else is left to overlap with.
    public static func writeAll(_ items: [(path: String, manifest: Manifest)]) throws {
        let encoded = ParallelMap.map(items.count) { items[$0].manifest.encoded }
        try AtomicFile.writeAll(zip(items, encoded).map { ($0.path, $1) })
    }

    /// The file's bytes: pretty JSON, as docs/FORMAT.md shows it.
    private var encoded: Data { Data(json.pretty.utf8) }

    public static func read(path: String, chunkCheck: ChunkCheck = .onRead) throws -> Manifest {
        let bytes = try BoundedFile.read(path, what: "manifest", maxBytes: maxBytes).bytes
        do {
            return try Manifest(json: JSON.parse(bytes), chunkCheck: chunkCheck)
        } catch let error as JSON.ParseError {
            throw ProvenanceError.input("\(path): malformed manifest: \(error)")
        } catch let error as ProvenanceError {
            throw ProvenanceError.input("\(path): \(error.message)")
        }
    }

    public init(json: JSON, chunkCheck: ChunkCheck = .onRead) throws {
        func bad(_ why: String) -> ProvenanceError { .input("malformed manifest: \(why)") }
        guard json["format"]?.stringValue == Self.format else { throw bad("format is not \"\(Self.format)\"") }
        guard json["version"]?.intValue == Self.version else {
            throw bad("unsupported version (this tool reads version \(Self.version))")
        }
        guard let file = json["file"] else { throw bad("missing \"file\"") }
        guard let name = file["name"]?.stringValue else { throw bad("file.name must be a string") }
        guard let sha = file["sha256"]?.stringValue.flatMap({ Hex.decode($0, count: 32) }) else {
            throw bad("file.sha256 must be 64 hex digits")
        }
        guard let detailsJSON = file["details"] else { throw bad("missing file.details") }
        let details = try FileDetails(json: detailsJSON)
        let (size, chunkSize) = (details.size, details.chunkSize)
        guard let chunks = file["chunks"]?.stringValue.flatMap(CompactChunks.digests) else {
            throw bad("file.chunks must be base64 of 32-byte digests")
        }
        // size comes from the file: 2^64−1 must be an error for this manifest, not an overflow trap.
        let expectedChunks = ChunkList.count(size: size, chunkSize: chunkSize, grid: details.grid)
        guard UInt64(chunks.count) == expectedChunks else {
            let grid =
                (details.chunkStart > 0 ? " from byte \(details.chunkStart)" : "")
                + (details.chunkEnd > 0 ? " to byte \(details.chunkEnd) and after it" : "")
            throw bad(
                "file.chunks has \(chunks.count) entries; a \(size)-byte file in \(chunkSize)-byte chunks\(grid) has \(expectedChunks)"
            )
        }
        guard let windows = file["windows"]?.stringValue.flatMap(CompactChunks.windows), windows.count == chunks.count
        else { throw bad("file.windows must be base64 of one 8-byte key pair per chunk") }
        if chunkCheck == .onRead { try Self.checkChunkRoot(chunks, details) }
        let audio = try Self.fingerprint(
            file, details, key: "audio", member: FileDetails.audioMember, algorithm: AudioFingerprint.algorithm,
            decode: AudioFingerprint.init(bytes:), commitment: \.commitment)
        let picture = try Self.fingerprint(
            file, details, key: "picture", member: FileDetails.pictureMember, algorithm: PictureFingerprint.algorithm,
            decode: PictureFingerprint.init(bytes:), commitment: \.commitment)
        guard let signerText = json["signer"]?.stringValue else { throw bad("missing signer") }
        let signer = try Address(signerText)
        guard let batch = json["batch"], let index = batch["index"]?.intValue, let count = batch["count"]?.intValue,
            let proofItems = batch["proof"]?.arrayValue
        else { throw bad("batch must hold index, count and proof") }
        guard proofItems.count <= 64 else { throw bad("batch.proof is longer than any tree this format allows") }
        let proof = try proofItems.map { item -> [UInt8] in
            guard let d = item.stringValue.flatMap({ Hex.decode($0, count: 32) }) else {
                throw bad("batch.proof holds a value that is not 32 bytes of hex")
            }
            return d
        }
        guard let typed = json["typedData"] else { throw bad("missing typedData") }
        let message = try AttestationMessage(typedData: typed)
        guard count == message.fileCount, index >= 0, index < count else {
            throw bad("batch.index/count disagree with the signed fileCount")
        }
        guard let sigText = json["signature"]?.stringValue, let sigBytes = Hex.decode(sigText) else {
            throw bad("signature must be 0x-hex")
        }
        let signature = try RecoverableSignature(bytes: sigBytes, vMustBe27Or28: true)
        let anchorItems = json["anchors"]?.arrayValue ?? []
        guard anchorItems.count <= 1024 else { throw bad("more anchors than any real manifest has") }
        let anchors = try anchorItems.map { try Anchor(json: $0) }
        self.init(
            fileName: name, sha256: sha, details: details, chunks: chunks, windows: windows, audio: audio,
            signer: signer,
            batchIndex: index,
            batchProof: proof, message: message, signature: signature, anchors: anchors)
        chunksChecked = chunkCheck == .onRead
        self.picture = picture
    }

    /// `file.audio` or `file.picture`, which must be what its details member binds (both or neither): the
    /// fingerprint is signed through the details, and one without the other is not this format.
    private static func fingerprint<F>(
        _ file: JSON, _ details: FileDetails, key: String, member: String, algorithm: String,
        decode: ([UInt8]) -> F?, commitment: (F) -> [UInt8]
    ) throws -> F? {
        func bad(_ why: String) -> ProvenanceError { .input("malformed manifest: \(why)") }
        var found: F?
        if let json = file[key] {
            guard json["algorithm"]?.stringValue == algorithm,
                let f = json["fingerprint"]?.stringValue.flatMap(CompactChunks.canonical).flatMap(decode)
            else { throw bad("file.\(key) must hold algorithm \"\(algorithm)\" and a base64 fingerprint") }
            found = f
        }
        guard details.members[member] == found.map({ Hex.encode(commitment($0), prefix: true) }) else {
            throw bad("file.\(key) does not match file.details.\(member)")
        }
        return found
    }
}
