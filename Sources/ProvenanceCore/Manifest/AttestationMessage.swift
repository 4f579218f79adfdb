/// The EIP-712 message a publisher signs: one Merkle root over the leaves of a batch of files (each
/// commits to a content ID and the file's details), and the batch's size. A single file is a batch of
/// one (root = its leaf).
/// The domain names the registry contract but no chain, so one signature can be anchored on any chain.
public struct AttestationMessage: Equatable, Sendable {
    public static let domainName = "Provenance"
    public static let domainVersion = "2"
    public static let primaryType = "Attestation"

    /// Most files one signature covers: what the registry accepts in one call (docs/FORMAT.md §8).
    public static let maxFileCount = 16384

    public let merkleRoot: [UInt8]
    public let fileCount: Int
    public let registry: Address

    public init(merkleRoot: [UInt8], fileCount: Int, registry: Address) {
        self.merkleRoot = merkleRoot
        self.fileCount = fileCount
        self.registry = registry
    }

    /// The message for a batch of files, in batch order.
    public init(files: [FileCommitment], registry: Address) {
        self.init(merkleRoot: Merkle.root(files.map(\.leaf)), fileCount: files.count, registry: registry)
    }

    static let domainTypeJSON: JSON = .array([
        .object([("name", .string("name")), ("type", .string("string"))]),
        .object([("name", .string("version")), ("type", .string("string"))]),
        .object([("name", .string("verifyingContract")), ("type", .string("address"))]),
    ])

    static func domainJSON(_ registry: Address) -> JSON {
        .object([
            ("name", .string(domainName)), ("version", .string(domainVersion)),
            ("verifyingContract", .string(registry.checksummed)),
        ])
    }

    static let typesJSON: JSON = .object([
        ("EIP712Domain", domainTypeJSON),
        (
            "Attestation",
            .array([
                .object([("name", .string("merkleRoot")), ("type", .string("bytes32"))]),
                .object([("name", .string("fileCount")), ("type", .string("uint256"))]),
            ])
        ),
    ])

    /// The complete document, exactly as `eth_signTypedData_v4` takes it.
    public var typedDataJSON: JSON {
        .object([
            ("types", Self.typesJSON),
            ("primaryType", .string(Self.primaryType)),
            ("domain", Self.domainJSON(registry)),
            (
                "message",
                .object([
                    ("merkleRoot", .string(Hex.encode(merkleRoot, prefix: true))),
                    ("fileCount", .int(fileCount)),
                ])
            ),
        ])
    }

    /// The EIP-712 domain separator: keccak256(typeHash ‖ keccak("Provenance") ‖ keccak("1") ‖ registry).
    public func domainSeparator() throws -> [UInt8] { try TypedData(json: typedDataJSON).domainSeparator() }

    /// The digest to sign: EIP-712 over `typedDataJSON`.
    public func signingDigest() throws -> [UInt8] { try TypedData(json: typedDataJSON).signingDigest() }

    /// Reads an embedded typed-data document, accepting only this exact schema (the types, primary
    /// type and domain fields of version 2), so a signature over some other message is never taken
    /// as a content attestation.
    public init(typedData json: JSON) throws {
        func reject(_ why: String) -> ProvenanceError { .input("typedData is not a Provenance v2 attestation: \(why)") }
        guard json["types"] == Self.typesJSON else { throw reject("unexpected types") }
        guard json["primaryType"]?.stringValue == Self.primaryType else {
            throw reject("primaryType must be Attestation")
        }
        guard let domain = json["domain"], domain.objectValue?.count == 3,
            domain["name"]?.stringValue == Self.domainName, domain["version"]?.stringValue == Self.domainVersion,
            let contract = domain["verifyingContract"]?.stringValue
        else { throw reject("unexpected domain") }
        guard let message = json["message"], message.objectValue?.count == 2,
            let rootText = message["merkleRoot"]?.stringValue, let root = Hex.decode(rootText, count: 32),
            let countWord = message["fileCount"].flatMap({ Word256(json: $0) }),
            countWord.fits(bits: 32, signed: false),
            let count = Int(Hex.encode(countWord.bytes.suffix(4)), radix: 16), count >= 1,
            count <= Self.maxFileCount
        else {
            throw reject("message must hold merkleRoot (bytes32) and fileCount (1 … \(Self.maxFileCount))")
        }
        self.init(merkleRoot: root, fileCount: count, registry: try Address(contract))
    }
}

/// The EIP-712 message that revokes a key: `Revocation(address signer)`, signed by that key, under the
/// same domain as attestations. The registry records the block it lands in; from that block on the
/// key's attestations are void (docs/FORMAT.md §8, docs/SECURITY.md).
public struct RevocationMessage: Equatable, Sendable {
    public static let primaryType = "Revocation"
    public let signer: Address
    public let registry: Address

    public init(signer: Address, registry: Address) {
        self.signer = signer
        self.registry = registry
    }

    public var typedDataJSON: JSON {
        .object([
            (
                "types",
                .object([
                    ("EIP712Domain", AttestationMessage.domainTypeJSON),
                    (Self.primaryType, .array([.object([("name", .string("signer")), ("type", .string("address"))])])),
                ])
            ),
            ("primaryType", .string(Self.primaryType)),
            ("domain", AttestationMessage.domainJSON(registry)),
            ("message", .object([("signer", .string(signer.checksummed))])),
        ])
    }

    public func signingDigest() throws -> [UInt8] { try TypedData(json: typedDataJSON).signingDigest() }
}
