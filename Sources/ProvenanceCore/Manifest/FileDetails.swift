/// What a signature covers about a file besides its content ID (docs/FORMAT.md §2a): named string
/// values — now its size and chunking (chunk size and chunk root), later a fingerprint or a feed item's
/// guid — hashed into one 32-byte value that goes into the file's leaf. Any member a later version adds
/// is hashed the same way, so adding one is not a format change: a reader checks the members it knows
/// and hashes all of them.
public struct FileDetails: Equatable, Sendable {
    /// Members by name; the hash takes them in byte order of their names.
    public let members: [String: String]

    public static let maxMembers = 64
    public static let maxValueBytes = 4096

    /// The details of a hashed file (its chunk digests must have been computed).
    public init(digest: FileDigest) {
        var members = [
            "size": String(digest.size), "chunkSize": String(digest.chunkSize),
            "chunkRoot": Hex.encode(digest.chunkRoot, prefix: true),
        ]
        if digest.chunkStart > 0 { members[Self.chunkStartMember] = String(digest.chunkStart) }
        if digest.chunkEnd > 0 { members[Self.chunkEndMember] = String(digest.chunkEnd) }
        if let audio = digest.audio { members[Self.audioMember] = Hex.encode(audio.commitment, prefix: true) }
        if let picture = digest.picture {
            members[Self.pictureMember] = Hex.encode(picture.commitment, prefix: true)
        }
        self.members = members
    }

    /// Where a media file's chunk grid starts (FORMAT §2), when not at 0.
    public static let chunkStartMember = "chunkStart"
    /// Where it ends (FORMAT §2), when not at the file's end.
    public static let chunkEndMember = "chunkEnd"
    /// The member binding a file's audio fingerprint (docs/FORMAT.md §11): `0x` + SHA-256 of it.
    public static let audioMember = "audioFingerprint"
    /// The member binding a video's picture fingerprint (docs/FORMAT.md §12).
    public static let pictureMember = "pictureFingerprint"

    /// Checks names (ASCII letters and digits, 1 … 64 characters), sizes, and the members every
    /// version-2 file has: `size`, `chunkSize` (a power of two, 1 KiB … 1 GiB) and `chunkRoot`.
    public init(members: [String: String]) throws {
        func bad(_ why: String) -> ProvenanceError { .input("malformed manifest: file.details: \(why)") }
        guard members.count <= Self.maxMembers else { throw bad("more than \(Self.maxMembers) members") }
        for (name, value) in members {
            guard (1...64).contains(name.utf8.count), name.utf8.allSatisfy(Self.isNameByte)
            else { throw bad("member names are 1 to 64 ASCII letters or digits") }
            guard value.utf8.count <= Self.maxValueBytes else { throw bad("\(name) is longer than 4 KiB") }
        }
        self.members = members
        guard let sizeText = members["size"], let size = UInt64(sizeText), String(size) == sizeText else {
            throw bad("size must be a decimal integer")
        }
        guard let chunkText = members["chunkSize"], let chunk = Int(chunkText), String(chunk) == chunkText,
            chunk >= 1024, chunk <= 1 << 30, chunk & (chunk - 1) == 0
        else { throw bad("chunkSize must be a power of two between 1 KiB and 1 GiB, in decimal") }
        guard let root = members["chunkRoot"], root.hasPrefix("0x"), Hex.decode(root, count: 32) != nil,
            root == root.lowercased()
        else { throw bad("chunkRoot must be 0x and 64 lowercase hex digits") }
        if let text = members[Self.chunkStartMember] {
            // Bounded as the signer bounds it: a first chunk is searched for like any, in a buffer four times
            // the longest chunk's length.
            guard let start = UInt64(text), String(start) == text, start > 0, start < size,
                start <= ChunkStart.longest
            else { throw bad("chunkStart must be a decimal integer above 0, below size and at most 16 MiB") }
        }
        if let text = members[Self.chunkEndMember] {
            guard let end = UInt64(text), String(end) == text, end > chunkStart, end < size,
                size - end <= ChunkStart.longest
            else {
                throw bad(
                    "chunkEnd must be a decimal integer above chunkStart, below size and at most 16 MiB before it")
            }
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b)
    }

    public var size: UInt64 { UInt64(members["size"]!)! }
    public var chunkSize: Int { Int(members["chunkSize"]!)! }
    /// 0 when the member is absent: the grid starts at the file's first byte.
    public var chunkStart: UInt64 { members[Self.chunkStartMember].flatMap { UInt64($0) } ?? 0 }
    /// 0 when the member is absent: the grid runs to the file's end.
    public var chunkEnd: UInt64 { members[Self.chunkEndMember].flatMap { UInt64($0) } ?? 0 }
    public var grid: ChunkStart.Grid { ChunkStart.Grid(start: chunkStart, end: chunkEnd) }
    public var chunkRoot: [UInt8] { Hex.decode(members["chunkRoot"]!, count: 32)! }

    /// keccak256 over (keccak256(name) ‖ keccak256(value)) of every member, in byte order of the names.
    public var hash: [UInt8] {
        var preimage: [UInt8] = []
        for name in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            preimage += Keccak256.hash(Array(name.utf8)) + Keccak256.hash(Array(members[name]!.utf8))
        }
        return Keccak256.hash(preimage)
    }

    public var json: JSON {
        .object(
            members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).map {
                ($0, .string(members[$0]!))
            })
    }

    public init(json: JSON) throws {
        guard let object = json.objectValue else {
            throw ProvenanceError.input("malformed manifest: file.details must be an object")
        }
        var members: [String: String] = [:]
        for (name, value) in object {
            guard let text = value.stringValue else {
                throw ProvenanceError.input("malformed manifest: file.details.\(name) must be a string")
            }
            members[name] = text
        }
        try self.init(members: members)
    }
}

/// One file as a batch commits to it: its content ID and its details' hash. Its Merkle leaf is
/// keccak256(contentID ‖ detailsHash); the registry logs the content ID and recomputes the leaf.
public struct FileCommitment: Equatable, Hashable, Sendable {
    public let contentID: [UInt8]
    public let detailsHash: [UInt8]

    public init(contentID: [UInt8], detailsHash: [UInt8]) {
        self.contentID = contentID
        self.detailsHash = detailsHash
    }

    public init(digest: FileDigest) {
        self.init(contentID: digest.sha256, detailsHash: FileDetails(digest: digest).hash)
    }

    public var leaf: [UInt8] { Keccak256.hash(contentID + detailsHash) }
}
