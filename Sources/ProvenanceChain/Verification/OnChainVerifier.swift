import Foundation
import ProvenanceCore

/// Verifies copies by their content ID against a registry on one chain, in three stages with values between
/// them (docs/ARCHITECTURE.md): evidence about each copy (`ManifestChecker`, `EvidenceGatherer`), records
/// looked up and proven (`RecordLookup`, `EndpointAgreement`), and `Decision.decide`.
public struct OnChainVerifier {
    /// The signers the verifier trusts (some only on the chains a domain lists them for). Empty: nobody —
    /// records by anyone are reported, never verified.
    public var trust = TrustedSigners()
    public var trustedSigners: Set<Address> { trust.addresses }
    /// Also find records by anyone (a scan of the registry's history), not only the trusted signers'.
    public var anySigner = false
    public var registry: Address = RegistryAddress.canonical
    public var confirmations: UInt64 = 1
    /// What the verdict asks beyond trust (`--require-finalized`).
    public var policy = Decision.Policy()
    public var expectedChainId: UInt64?
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }
    /// Decodes a copy's sound when no byte of it is the original's (nil: sound is never compared).
    public var decodeAudio: SoundCheck.Decode?
    /// Reads a copy's picture, compared beside its sound (nil: the picture is never compared).
    public var pictures: PictureCheck.Reader?
    /// Remembers scans by content alone (no trusted signer named) between runs.
    public var scanCache: ScanCache?
    /// Told of a scan by content alone: blocks scanned of the total.
    public var onScanProgress: (_ scanned: UInt64, _ total: UInt64) -> Void = { _, _ in }

    public init() {}

    public struct Report {
        public let chainId: UInt64
        public let verdicts: [Verdict]
    }

    /// The files are read once; every endpoint is asked for the same records, each record is proven here,
    /// and what the endpoints did not agree on is part of the verdict.
    /// - Parameter signers: signatures already recovered (shared across windows of one archive).
    public func verify(
        paths: [String], originals: OriginalSource = .besideEachFile, clients: [EthClient],
        signers: RecoveredSigners = RecoveredSigners(), streamed: [String: Result<StreamedCopy, ProvenanceError>] = [:]
    ) throws -> Report {
        let manifests = ManifestChecker(registry: registry).manifests(
            for: paths, originals: originals, streamed: Set(streamed.keys), signers: signers)
        var lookup = RecordLookup(
            clients: clients, registry: registry, confirmations: confirmations, expectedChainId: expectedChainId,
            signers: trustedSigners.isEmpty || anySigner ? nil : Array(trustedSigners))
        lookup.scanCache = scanCache
        lookup.onScanProgress = onScanProgress
        // The content IDs the authentic manifests claim are asked for while the files are hashed; only
        // content IDs outside them (files without a manifest, modified copies) are asked afterwards.
        let claimed = RecordLookup.unique(manifests.compactMap(\.authentic?.sha256))
        let pending = lookup.start(claimed)
        let trust = self.trust
        var gatherer = EvidenceGatherer(searches: { trust.addresses.contains($0) }, decodeAudio: decodeAudio)
        gatherer.onHashed = onHashed
        gatherer.pictures = pictures
        let evidence = gatherer.gather(paths, manifests: manifests, originals: originals, streamed: streamed)
        let records = try lookup.finish(pending, queries: evidence.flatMap(\.queries))
        return Report(
            chainId: records.chainId,
            verdicts: evidence.map { Decision.decide($0, records: records, trust: trust, policy: policy) })
    }
}
