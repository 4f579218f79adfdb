/// Verifies copies against their manifests without any network: the verify pipeline with no record stage —
/// evidence (`ManifestChecker`, `EvidenceGatherer`), then `Decision.decide` with no records.
public struct OfflineVerifier: Sendable {
    /// The signers the verifier trusts. Empty: nobody — a valid signature by a stranger's key proves
    /// only that the stranger signed.
    public var trust: TrustedSigners
    /// The registry the EIP-712 domain must name.
    public var registry: Address
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }
    /// Decodes a copy's sound when no byte of it is the original's (nil: sound is never compared).
    public var decodeAudio: SoundCheck.Decode?
    /// Reads a copy's picture, compared beside its sound (nil: the picture is never compared).
    public var pictures: PictureCheck.Reader?

    public init(trustedSigners: Set<Address> = [], registry: Address = RegistryAddress.canonical) {
        trust = TrustedSigners(addresses: trustedSigners)
        self.registry = registry
    }

    public var trustedSigners: Set<Address> { trust.addresses }

    /// Many files on all cores, verdicts in order. Each manifest is read once; each file is read once for
    /// its content ID and a second time, to find which parts are authentic, only when it differs from an
    /// authentic, trusted original.
    ///
    /// - Parameter signers: signatures already recovered (pass the same one to successive calls over
    ///   windows of an archive, so each batch's signature is recovered once in all).
    ///   `streamed`: copies already read as a stream (URLs), by their path argument.
    public func verify(
        paths: [String], originals: OriginalSource = .besideEachFile, signers: RecoveredSigners = RecoveredSigners(),
        streamed: [String: Result<StreamedCopy, ProvenanceError>] = [:]
    ) -> [Verdict] {
        let manifests = ManifestChecker(registry: registry).manifests(
            for: paths, originals: originals, streamed: Set(streamed.keys), signers: signers)
        let trust = self.trust
        var gatherer = EvidenceGatherer(searches: { trust.trusts($0) }, decodeAudio: decodeAudio)
        gatherer.onHashed = onHashed
        gatherer.pictures = pictures
        return gatherer.gather(paths, manifests: manifests, originals: originals, streamed: streamed).map {
            Decision.decide($0, records: nil, trust: trust)
        }
    }

    public func verify(path: String, manifestPath explicit: String? = nil) -> Verdict {
        verify(paths: [path], originals: explicit.map { .file($0) } ?? .besideEachFile)[0]
    }

    /// Why a manifest is not authentic, or nil when its proof and signature hold.
    public func authenticityProblem(_ manifest: Manifest, signers: RecoveredSigners = RecoveredSigners())
        -> AuthenticityProblem?
    {
        ManifestChecker(registry: registry).problem(manifest, signers: signers)
    }

    /// The same for many manifests at once: files signed together share one signature, recovered once.
    public func authenticityProblems(_ manifests: [Manifest], signers: RecoveredSigners = RecoveredSigners())
        -> [AuthenticityProblem?]
    {
        manifests.map { authenticityProblem($0, signers: signers) }
    }
}
