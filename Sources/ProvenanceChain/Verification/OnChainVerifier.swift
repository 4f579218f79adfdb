import Foundation
import ProvenanceCore

/// The verdict on one file checked against a chain.
public struct Verdict: Sendable {
    public enum Status: String, Sendable {
        case verified
        case notAttested = "not-attested"
        /// Records exist, none by a signer the verifier trusts (there is no implicit trust).
        case signedByUntrusted = "signed-by-untrusted"
        /// Attested only by keys that were revoked before (or in the block of) the attestation.
        case revoked
        /// The endpoint reported a record of this content that failed the local proof, and no record
        /// proved it: the endpoint is not to be trusted (exit 3).
        case forgedRecord = "forged-record"
        /// Several endpoints were asked and one has (or contradicts) a record another lacks, on a block
        /// they do not all agree on: which to believe cannot be decided here (exit 3).
        case endpointsDisagree = "endpoints-disagree"
        /// A manifest beside the file is authentic, but this copy's bytes differ from the signed original.
        case modified
        /// No byte is the original's, but its sound matches parts of the attested original.
        case similar
        case error
    }

    public let path: String
    public let sha256: [UInt8]?
    public let status: Status
    public let detail: String
    /// Records of this exact content: the trusted ones when verified, all of them otherwise.
    public let attestations: [OnChainAttestation]
    /// For a modified copy: the original's digest and its records.
    public let originalSHA256: [UInt8]?
    public let originalAttestations: [OnChainAttestation]
    /// For a modified copy of an original attested here by a signer you trust: what of it the copy holds,
    /// byte for byte. nil when the original does not check out (no range is called authentic then).
    public var authentic: AuthenticParts?
    /// The original compared with, when it was fetched (a URL, a feed item).
    public var original: Original?
    /// For a similar copy: the stretches of its sound found in the original, and the rest.
    public var audio: AudioComparison?
    /// Why the sound was not compared, or said nothing.
    public var soundNote: String?
    /// The copy's ranges not shown to be the publisher's (all of it when nothing was found).
    public var differingRanges: [ByteRange] { authentic?.unmatched ?? [] }
    /// The endpoints whose answers this verdict rests on (hosts only), and what they did not agree on.
    public var endpoints: [String] = []
    public var warnings: [String] = []

}

/// Verifies files by their content hash alone against a registry on one chain, using a manifest
/// beside the file (when there is one) to explain a mismatch.
public struct OnChainVerifier {
    /// The signers the verifier trusts (some only on the chains a domain lists them for). Empty: nobody —
    /// records by anyone are reported, never verified.
    public var trust = TrustedSigners()
    public var trustedSigners: Set<Address> { trust.addresses }
    /// Also find records by anyone (a scan of the registry's history), not only the trusted signers'.
    public var anySigner = false
    public var registry: Address = RegistryAddress.canonical
    public var confirmations: UInt64 = 1
    public var expectedChainId: UInt64?
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }
    /// Decodes a copy's sound when no byte of it is the original's (nil: sound is never compared).
    public var decodeAudio: SoundCheck.Decode?
    /// Remembers scans by content alone (no trusted signer named) between runs.
    public var scanCache: ScanCache?
    /// Told of a scan by content alone: blocks scanned of the total.
    public var onScanProgress: (_ scanned: UInt64, _ total: UInt64) -> Void = { _, _ in }

    public init() {}

    public struct Report {
        public let chainId: UInt64
        public let latestBlock: UInt64
        public let verdicts: [Verdict]
    }

    private func reader(for client: EthClient) -> RegistryReader {
        let reader = RegistryReader(client: client, registry: registry, confirmations: confirmations)
        reader.cache = scanCache
        reader.onScanProgress = onScanProgress
        return reader
    }

    private func unique(_ digests: [[UInt8]]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        return digests.filter { seen.insert($0).inserted }
    }

    /// - Parameter signers: signatures already recovered (shared across windows of one archive).
    public func verify(
        paths: [String], originals: OriginalSource = .besideEachFile, client: EthClient,
        signers: RecoveredSigners = RecoveredSigners(), streamed: [String: Result<StreamedCopy, ProvenanceError>] = [:]
    ) throws -> Report {
        try verify(paths: paths, originals: originals, clients: [client], signers: signers, streamed: streamed)[0]
            .report
    }

    /// The same against several endpoints of one chain: the files are read once, each endpoint is asked
    /// and its records proven on its own (combine the reports with EndpointAgreement).
    public func verify(
        paths: [String], originals: OriginalSource = .besideEachFile, clients: [EthClient],
        signers: RecoveredSigners = RecoveredSigners(), streamed: [String: Result<StreamedCopy, ProvenanceError>] = [:]
    ) throws -> [(client: EthClient, report: Report)] {
        struct Local {
            var digest: FileDigest?
            var manifest: Manifest?
            var manifestProblem: String?
            var error: String?
            var parts: AuthenticParts?
            var original: Original?
            var sound: Result<AudioComparison, ProvenanceError>?
        }
        let offline = OfflineVerifier(registry: registry)
        var locals = [Local](repeating: Local(), count: paths.count)
        var read: [(index: Int, path: String, manifest: Manifest)] = []
        let manifestPaths = paths.map { path -> String? in
            guard
                let mPath = streamed[path] == nil
                    ? originals.manifestPath(for: path) : originals.manifestPathForStreamed,
                FileManager.default.fileExists(atPath: mPath)
            else { return nil }
            return mPath
        }
        // Parsed on all cores; the chunk list is checked against its signed root only if a copy is searched.
        let parsed = ParallelMap.map(paths.count) { i in
            manifestPaths[i].map { path in Result { try Manifest.read(path: path, chunkCheck: .whenSearched) } }
        }
        for (i, result) in parsed.enumerated() {
            switch result {
            case .success(let m)?: read.append((i, manifestPaths[i]!, m))
            case .failure(let error)?: locals[i].manifestProblem = "\(error)"
            case nil: break
            }
        }
        // Files signed together share one signature: it is recovered once per batch, not once per file.
        for (entry, problem) in zip(read, offline.authenticityProblems(read.map(\.manifest), signers: signers)) {
            if let problem {
                locals[entry.index].manifestProblem = "\(entry.path): \(problem)"
            } else {
                locals[entry.index].manifest = entry.manifest
            }
        }
        // The chain is asked while the files are read: the content IDs the authentic manifests claim are
        // looked up by signer on another thread (an endpoint's round trips cost no CPU), and only content
        // IDs outside them (files without a manifest) are asked once the files are hashed.
        let claimed = unique(locals.compactMap(\.manifest?.sha256))
        let early =
            trustedSigners.isEmpty || anySigner || originals.fetched != nil || claimed.isEmpty
            ? nil
            : EarlyLookup(
                readers: clients.map { reader(for: $0) }, digests: claimed, signers: Array(trustedSigners),
                expectedChainId: expectedChainId)
        // All files on all cores, content IDs only: one SHA-256 pass. The search for authentic parts only
        // in files that differ from an authentic original by a signer you trust.
        let contents = CopyPasses.contents(paths, streamed: streamed, onHashed: onHashed)
        for (i, r) in contents.enumerated() {
            switch r {
            case .success(let d): locals[i].digest = d
            case .failure(let e): locals[i].error = e.message
            }
        }
        var setAside: [String] = []
        if let usable = originals.fetched {
            setAside = usable.setAside
            let digests = locals.map(\.digest)
            let found = ParallelMap.map(paths.count) { i -> Result<AuthenticParts?, ProvenanceError>? in
                guard let d = digests[i], usable.exact(d.sha256) == nil else { return nil }
                return CopyPasses.search(paths[i], index: usable.index, streamed: streamed[paths[i]])
            }
            for i in paths.indices {
                if let d = locals[i].digest, let o = usable.exact(d.sha256) {
                    (locals[i].manifest, locals[i].original) = (o.manifest, o)
                } else if case .success(let parts?)? = found[i] {
                    let o = usable.usable[parts.original]
                    (locals[i].manifest, locals[i].original, locals[i].parts) = (o.manifest, o, parts)
                } else if case .failure(let e)? = found[i] {
                    (locals[i].digest, locals[i].error) = (nil, "\(e)")
                }
            }
            // Not one byte of any episode: the sound, against every episode's fingerprint at once.
            let decode = decodeAudio
            let heard = locals.map { $0.digest != nil && $0.manifest == nil }
            let sounds = ParallelMap.map(paths.count) { i -> Result<AudioComparison, ProvenanceError>? in
                guard heard[i], streamed[paths[i]] == nil else { return nil }
                return SoundCheck.compare(
                    path: paths[i], originals: usable.usable.map(\.manifest.audio), decode: decode)
            }
            for i in paths.indices {
                guard case .success(let c)? = sounds[i], let first = c.matches.first else { continue }
                let o = usable.usable[first.original]
                (locals[i].manifest, locals[i].original, locals[i].sound) = (o.manifest, o, sounds[i])
            }
        } else {
            let searched = locals.map { l -> Manifest? in
                guard let m = l.manifest, let d = l.digest, d.sha256 != m.sha256, trustedSigners.contains(m.signer)
                else { return nil }
                return m
            }
            let found = ParallelMap.map(paths.count) { i -> Result<AuthenticParts?, ProvenanceError>? in
                guard let m = searched[i] else { return nil }
                return CopyPasses.search(paths[i], manifest: m, at: manifestPaths[i]!, streamed: streamed[paths[i]])
            }
            for i in paths.indices {
                switch found[i] {
                case .success(let parts)?:
                    locals[i].parts =
                        parts
                        ?? AuthenticParts(
                            parts: [], copySize: locals[i].digest!.size, originalSize: locals[i].manifest!.size,
                            original: 0)
                case .failure(let e)?: (locals[i].digest, locals[i].error) = (nil, "\(e)")
                case nil: break
                }
            }
            let decode = decodeAudio
            let unheard = locals.map { l -> AudioFingerprint? in
                guard let parts = l.parts, parts.parts.isEmpty, l.digest != nil else { return nil }
                return l.manifest?.audio
            }
            let sounds = ParallelMap.map(paths.count) { i -> Result<AudioComparison, ProvenanceError>? in
                guard let audio = unheard[i], streamed[paths[i]] == nil else { return nil }
                return SoundCheck.compare(path: paths[i], originals: [audio], decode: decode)
            }
            for i in paths.indices { locals[i].sound = sounds[i] }
        }
        // One lookup for every file's content and every authentic manifest's original.
        var queries: [[UInt8]] = []
        for l in locals {
            if let d = l.digest { queries.append(d.sha256) }
            if let m = l.manifest, m.sha256 != l.digest?.sha256 { queries.append(m.sha256) }
        }
        var reports: [(client: EthClient, report: Report)] = []
        let answered = early?.join()
        for (c, client) in clients.enumerated() {
            var records: [String: [OnChainAttestation]] = [:]
            var reader = reader(for: client)
            var asked = queries
            if let answered {
                reader = answered[c].reader
                for (q, f) in zip(claimed, try answered[c].found.get()) { records[Hex.encode(q)] = f }
                asked = unique(queries.filter { records[Hex.encode($0)] == nil })
            }
            // Named signers: the registry's index says where their batches are. Nobody named: scan.
            if answered == nil || !asked.isEmpty {
                let found =
                    trustedSigners.isEmpty || anySigner
                    ? try reader.attestations(for: asked, expectedChainId: expectedChainId)
                    : try reader.attestations(for: asked, by: Array(trustedSigners), expectedChainId: expectedChainId)
                for (q, f) in zip(asked, found) { records[Hex.encode(q)] = f }
            }
            let chain = "chain \(reader.chainId)"
            var rejected: [String: [String]] = [:]
            var unprovable: [String: [String]] = [:]
            for r in reader.rejected {
                let line = "tx \(Hex.encode(r.txHash, prefix: true)): \(r.reason)"
                if r.forged {
                    rejected[Hex.encode(r.digest), default: []].append(line)
                } else {
                    unprovable[Hex.encode(r.digest), default: []].append(line)
                }
            }
            let endpoint = client.endpoint.redacted

            let verdicts = zip(paths, locals).map { path, l -> Verdict in
                guard let digest = l.digest else {
                    return Verdict(
                        path: path, sha256: nil, status: .error, detail: l.error ?? "unreadable", attestations: [],
                        originalSHA256: nil, originalAttestations: [])
                }
                let all = records[Hex.encode(digest.sha256)] ?? []
                let trusted = all.filter { trust.trusts($0.signer, on: reader.chainId) }
                let standing = trusted.filter { !$0.isRevoked }
                let forged = rejected[Hex.encode(digest.sha256)] ?? []
                if !standing.isEmpty {
                    var detail = "attested on \(chain); proven here from the transaction, receipt and signature"
                    if !forged.isEmpty {
                        detail +=
                            "; \(endpoint) also reported \(forged.count) record(s) that failed the check: "
                            + forged.joined(separator: "; ")
                    }
                    return Verdict(
                        path: path, sha256: digest.sha256, status: .verified, detail: detail, attestations: standing,
                        originalSHA256: nil, originalAttestations: [])
                }
                if !forged.isEmpty {
                    return Verdict(
                        path: path, sha256: digest.sha256, status: .forgedRecord,
                        detail:
                            "\(endpoint) reported a record of this content that does not check out here (\(forged.joined(separator: "; "))): do not trust this endpoint",
                        attestations: [], originalSHA256: nil, originalAttestations: [])
                }
                if let void = trusted.first, let revocation = void.revocation {
                    return Verdict(
                        path: path, sha256: digest.sha256, status: .revoked,
                        detail:
                            "attested on \(chain) by \(void.signer) in block \(void.blockNumber), but that key was revoked in block \(revocation.block) (\(Timestamp.utc(revocation.time))): attestations from then on are void",
                        attestations: trusted, originalSHA256: nil, originalAttestations: [])
                }
                if !all.isEmpty {
                    let who = Set(all.map(\.signer.checksummed)).sorted().joined(separator: ", ")
                    return Verdict(
                        path: path, sha256: digest.sha256, status: .signedByUntrusted,
                        detail: "attested on \(chain) by \(who), whom you do not trust",
                        attestations: all, originalSHA256: nil, originalAttestations: [])
                }
                if let m = l.manifest, m.sha256 != digest.sha256 {
                    let original = records[Hex.encode(m.sha256)] ?? []
                    let originalTrusted = original.filter {
                        trust.trusts($0.signer, on: reader.chainId) && !$0.isRevoked
                    }
                    var detail = "this copy differs from the original signed by \(m.signer)"
                    if !originalTrusted.isEmpty {
                        detail += " and attested on \(chain) in block \(originalTrusted[0].blockNumber)"
                    } else if !original.isEmpty {
                        detail += " (attested on \(chain) by an untrusted signer)"
                    } else {
                        detail += " (the original is not attested on \(chain))"
                    }
                    if digest.size != m.size { detail += "; size \(digest.size), original \(m.size)" }
                    var v = Verdict(
                        path: path, sha256: digest.sha256, status: .modified, detail: detail, attestations: [],
                        originalSHA256: m.sha256, originalAttestations: original)
                    // A range is called authentic only against an original this chain shows a trusted,
                    // unrevoked signer attested (and whose manifest checked out here).
                    if !originalTrusted.isEmpty { v.authentic = l.parts }
                    v.original = l.original
                    switch l.sound {
                    case .success(let c)? where !c.matches.isEmpty:
                        // Evidence about the sound, and only of an original attested here by a trusted key.
                        if !originalTrusted.isEmpty {
                            var similar = Verdict(
                                path: path, sha256: digest.sha256, status: .similar,
                                detail:
                                    "no byte is the original's, but its sound matches the original signed by \(m.signer) and attested on \(chain) in block \(originalTrusted[0].blockNumber)",
                                attestations: [], originalSHA256: m.sha256, originalAttestations: original)
                            similar.audio = c
                            similar.original = l.original
                            return similar
                        }
                        v.soundNote = "its sound matches, but the original is not attested here by a signer you trust"
                    case .success?: v.soundNote = "its sound does not match the original's either"
                    case .failure(let e)?: v.soundNote = "the sound was not compared: \(e.message)"
                    case nil: break
                    }
                    return v
                }
                var detail = "no record of this exact content on \(chain) (registry \(registry))"
                if trustedSigners.isEmpty {
                    detail = "no record of this exact content on \(chain) (registry \(registry)) by anyone"
                } else if !anySigner {
                    detail =
                        "no record of this exact content on \(chain) (registry \(registry)) by the \(trustedSigners.count) signer(s) you trust (--any-signer also looks for others)"
                }
                if let cannot = unprovable[Hex.encode(digest.sha256)] {
                    detail += "; a record exists that cannot be proven here (" + cannot.joined(separator: "; ") + ")"
                }
                if let m = l.manifest {
                    detail +=
                        trustedSigners.contains(m.signer)
                        ? "; its manifest is signed by \(m.signer) but not anchored here"
                        : "; its manifest is signed by \(m.signer), whom you do not trust"
                }
                if let problem = l.manifestProblem { detail += "; manifest rejected: \(problem)" }
                return Verdict(
                    path: path, sha256: digest.sha256, status: .notAttested, detail: detail, attestations: [],
                    originalSHA256: nil,
                    originalAttestations: [])
            }
            reports.append(
                (client, Report(chainId: reader.chainId, latestBlock: reader.latestBlock, verdicts: verdicts)))
        }
        return reports
    }
}

/// Lookups by signer on their own thread, one endpoint after another, while the caller reads files.
private final class EarlyLookup: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let readers: [RegistryReader]
    private var answers: [(reader: RegistryReader, found: Result<[[OnChainAttestation]], Error>)] = []

    init(readers: [RegistryReader], digests: [[UInt8]], signers: [Address], expectedChainId: UInt64?) {
        self.readers = readers
        let thread = Thread { [self] in
            answers = self.readers.map { reader in
                (
                    reader,
                    Result { try reader.attestations(for: digests, by: signers, expectedChainId: expectedChainId) }
                )
            }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the lookups; each endpoint's reader (with what it rejected) and answer, in order.
    func join() -> [(reader: RegistryReader, found: Result<[[OnChainAttestation]], Error>)] {
        done.wait()
        return answers
    }
}
