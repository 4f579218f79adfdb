/// The verdict on one copy, offline or on chain: a status, the reasons for it (codes with fields, worded by
/// the command line), and the evidence a reader may want to see (records, authentic parts, sound).
public struct Verdict: Sendable {
    public enum Status: String, CaseIterable, Sendable {
        /// Signed (and, on chain, attested) by a signer the verifier trusts, byte for byte.
        case verified
        /// An authentic original's copy whose bytes differ: the parts that are the original's, and the rest.
        case modified
        /// No byte is the original's, but its sound matches parts of it (a re-encoded clip): evidence about
        /// the sound, not proof about these bytes.
        case similar
        /// No byte is the original's; over a second or more one of its tracks matches the original and the other
        /// does not (the sound kept under another picture, or the reverse), or a region of a matching picture
        /// differs (a face, a caption): evidence of an alteration.
        case altered
        /// No record of this exact content by those looked for.
        case notAttested = "not-attested"
        /// Signed or attested, but by nobody the verifier trusts (there is no implicit trust).
        case signedByUntrusted = "signed-by-untrusted"
        /// Attested only by keys revoked before (or in the block of) the attestation.
        case revoked
        /// The manifest's proof or signature does not hold (offline).
        case invalidSignature = "invalid-signature"
        /// No manifest to check against (offline).
        case noManifest = "no-manifest"
        /// The endpoint reported a record of this content that failed the local proof, and no record proved
        /// it: the endpoint is not to be trusted (exit 3).
        case forgedRecord = "forged-record"
        /// Several endpoints were asked and their answers contradict each other (exit 3).
        case endpointsDisagree = "endpoints-disagree"
        /// Verified but for finality: `--require-finalized`, and no standing record is in a finalized block.
        case notYetFinal = "not-yet-final"
        /// The copy or its manifest could not be read.
        case error
        /// A manifest names a file that is not beside it (`verify --check`): a file of the set is gone.
        case missing
    }

    public let path: String
    public let status: Status
    /// Why, most important first (an endpoint that hid a record is a warning beside any status).
    public internal(set) var reasons: [Reason]
    public var sha256: [UInt8]?
    /// The signer the verdict is about: the manifest's (offline) or the first record's (on chain).
    public var signer: Address?
    /// Where the manifest compared with was read (a path or a URL).
    public var manifestPath: String?
    /// Records of this exact content: the trusted standing ones when verified, all of them otherwise.
    public var attestations: [OnChainAttestation] = []
    /// For a modified or similar copy: the original's digest and its records.
    public var originalSHA256: [UInt8]?
    public var originalAttestations: [OnChainAttestation] = []
    /// For a modified copy of an original that checked out: what of it the copy holds, byte for byte.
    public var authentic: AuthenticParts?
    /// The original compared with, when it was fetched (a URL, a feed item).
    public var original: Original?
    /// For a similar copy: the stretches of its sound found in the original, and the rest.
    public var audio: AudioComparison?
    /// For a similar or altered video: the stretches of its picture found in the original, the rest, and the
    /// regions that differ.
    public var picture: PictureComparison?
    /// The endpoints (hosts only) whose answers this verdict rests on; empty offline.
    public var endpoints: [String] = []
    /// The chain the records are on (nil offline).
    public var chainId: UInt64?
    /// The highest block every endpoint calls finalized (nil offline, or when one names none).
    public var finalizedBlock: UInt64?

    /// Whether this record's block is final (nil: not known).
    public func isFinal(_ a: OnChainAttestation) -> Bool? { finalizedBlock.map { a.blockNumber <= $0 } }

    public init(path: String, status: Status, reasons: [Reason], sha256: [UInt8]? = nil, signer: Address? = nil) {
        self.path = path
        self.status = status
        self.reasons = reasons
        self.sha256 = sha256
        self.signer = signer
    }

    /// The copy's ranges not shown to be the publisher's (all of it when nothing was found).
    public var differingRanges: [ByteRange] { authentic?.unmatched ?? [] }

    /// The first reason with this code, if any.
    public func reason(_ code: Reason.Code) -> Reason? { reasons.first { $0.code == code } }
}
