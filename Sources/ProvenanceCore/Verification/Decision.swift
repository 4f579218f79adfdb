/// Where every verdict is decided: a pure function of what was found about a copy (`Evidence`), what the
/// chain's endpoints said of it once proven here (`ChainRecords`, nil offline), and whom the verifier
/// trusts. Nothing here reads a file or asks a network; the reasons it gives are codes with fields, worded
/// by the command line.
public enum Decision {
    /// What the verifier asks beyond trust.
    public struct Policy: Sendable {
        /// A record counts only in a block every endpoint calls finalized (else `not-yet-final`).
        public var requireFinalized = false

        public init(requireFinalized: Bool = false) { self.requireFinalized = requireFinalized }
    }

    public static func decide(
        _ e: Evidence, records: ChainRecords?, trust: TrustedSigners, policy: Policy = Policy()
    ) -> Verdict {
        guard let records else { return offline(e, trust: trust) }
        let v = onChain(e, records: records, trust: trust)
        guard policy.requireFinalized, v.status == .verified else { return v }
        let final = v.attestations.filter { v.isFinal($0) == true }
        if !final.isEmpty {
            var kept = v
            kept.attestations = final
            return kept
        }
        var notFinal = Verdict(
            path: v.path, status: .notYetFinal,
            reasons: [.recordNotFinal(block: v.attestations[0].blockNumber, finalized: records.finalizedBlock)]
                + v.reasons.filter { $0.code == .endpointHidRecord },
            sha256: v.sha256, signer: v.signer)
        notFinal.attestations = v.attestations
        return located(notFinal, records)
    }

    // MARK: offline: the manifest is the proof

    static func offline(_ e: Evidence, trust: TrustedSigners) -> Verdict {
        let sha = e.digest?.sha256
        // A copy whose content ID is unknown is never verified, whatever the manifest says.
        guard e.failure == nil, e.digest != nil else {
            let message = e.failure?.message
            return Verdict(path: e.path, status: .error, reasons: [.fileUnreadable(message: message)], sha256: sha)
        }
        switch e.manifest {
        case .none(let at):
            guard let fetched = e.fetched else {
                return Verdict(path: e.path, status: .noManifest, reasons: [.manifestMissing(at: at)], sha256: sha)
            }
            return Verdict(
                path: e.path, status: .noManifest,
                reasons: [.originalNotFound(originals: fetched.usable)] + setAside(fetched), sha256: sha)
        case .unreadable(let at, let error), .badChunkList(let at, _, let error):
            var v = Verdict(
                path: e.path, status: .error, reasons: [.manifestMalformed(at: at, message: error.message)],
                sha256: sha)
            v.manifestPath = at
            return v
        case .inauthentic(let at, _, let problem):
            var v = Verdict(
                path: e.path, status: .invalidSignature, reasons: [.manifestInauthentic(at: at, problem: problem)],
                sha256: sha)
            v.manifestPath = at
            return v
        case .authentic(let at, let m):
            var v = offlineAuthentic(e, m, trust: trust)
            v.manifestPath = at
            v.original = e.original
            return v
        }
    }

    private static func offlineAuthentic(_ e: Evidence, _ m: Manifest, trust: TrustedSigners) -> Verdict {
        let sha = e.digest?.sha256
        guard trust.trusts(m.signer) else {
            return Verdict(
                path: e.path, status: .signedByUntrusted, reasons: [.signerUntrusted(signer: m.signer)], sha256: sha,
                signer: m.signer)
        }
        guard let digest = e.digest else {
            return Verdict(path: e.path, status: .error, reasons: [.fileUnreadable(message: nil)])
        }
        guard digest.sha256 != m.sha256 else {
            return Verdict(
                path: e.path, status: .verified, reasons: [.signatureValid(signer: m.signer)], sha256: sha,
                signer: m.signer)
        }
        let mismatch = Reason.contentMismatch(signer: m.signer, size: digest.size, originalSize: m.size)
        if let j = Tracks.judge(e, signer: m.signer) {
            var v = Verdict(
                path: e.path, status: j.status, reasons: j.reasons + [.detailsSignedOnly], sha256: sha, signer: m.signer
            )
            v.audio = j.audio
            v.picture = j.picture
            return v
        }
        var v = Verdict(
            path: e.path, status: .modified,
            reasons: [mismatch] + soundNote(e.sound) + Tracks.pictureNote(e.picture) + [.detailsSignedOnly],
            sha256: sha, signer: m.signer)
        v.authentic = e.parts
        return v
    }

    // MARK: on chain: the records are the proof

    static func onChain(_ e: Evidence, records r: ChainRecords, trust: TrustedSigners) -> Verdict {
        guard let digest = e.digest, e.failure == nil else {
            let message = e.failure?.message
            return located(Verdict(path: e.path, status: .error, reasons: [.fileUnreadable(message: message)]), r)
        }
        if case .badChunkList(let at, _, let error) = e.manifest {
            let v = Verdict(
                path: e.path, status: .error, reasons: [.manifestMalformed(at: at, message: error.message)],
                sha256: digest.sha256)
            return located(v, r)
        }
        let own = r[digest.sha256]
        let original = e.differingOriginal
        let theirs = original.map { r[$0.sha256] } ?? RecordFindings()
        let conflicts = own.conflicts + theirs.conflicts
        // An endpoint that hid a record in a block every endpoint agrees on is named beside any verdict.
        let warnings = hidden(own) + hidden(theirs)
        if !conflicts.isEmpty {
            let v = Verdict(
                path: e.path, status: .endpointsDisagree,
                reasons: [.endpointsDisagree(conflicts: conflicts)] + warnings, sha256: digest.sha256)
            return located(v, r)
        }
        let trusted = own.proven.filter { trust.trusts($0.signer, on: r.chainId) }
        let standing = trusted.filter { !$0.isRevoked }
        var v: Verdict
        if !standing.isEmpty {
            v = Verdict(
                path: e.path, status: .verified,
                reasons: [.recordProven(chainId: r.chainId, endpoints: r.endpoints.count)] + forged(own),
                sha256: digest.sha256, signer: standing[0].signer)
            v.attestations = standing
            v.original = e.original
        } else if !own.forged.isEmpty || !theirs.forged.isEmpty {
            // A record that fails the proof, of this copy or of its original: the endpoint lied.
            v = Verdict(
                path: e.path, status: .forgedRecord, reasons: forged(own) + forged(theirs), sha256: digest.sha256)
        } else if let void = trusted.first, let revocation = void.revocation {
            let reason = Reason.recordRevoked(
                signer: void.signer, chainId: r.chainId, block: void.blockNumber, revokedAt: revocation.block,
                revokedTime: revocation.time)
            v = Verdict(path: e.path, status: .revoked, reasons: [reason], sha256: digest.sha256, signer: void.signer)
            v.attestations = trusted
        } else if !own.proven.isEmpty {
            let signers = Array(Set(own.proven.map(\.signer))).sorted { $0.checksummed < $1.checksummed }
            v = Verdict(
                path: e.path, status: .signedByUntrusted,
                reasons: [.recordUntrustedSigner(chainId: r.chainId, signers: signers)],
                sha256: digest.sha256, signer: own.proven[0].signer)
            v.attestations = own.proven
        } else if let m = original {
            v = modifiedOnChain(e, digest, m, records: r, trust: trust)
        } else {
            v = notAttested(e, digest, records: r, trust: trust)
        }
        return located(v, r, warnings: warnings)
    }

    /// A copy of an authentic original whose bytes differ: parts are called authentic, and sound similar,
    /// only against an original this chain shows a trusted, unrevoked signer attested.
    private static func modifiedOnChain(
        _ e: Evidence, _ digest: FileDigest, _ m: Manifest, records r: ChainRecords, trust: TrustedSigners
    ) -> Verdict {
        let original = r[m.sha256].proven
        // Only the manifest's own signer's record anchors it: another trusted key's record of the same content
        // says nothing of this manifest's chunk list or fingerprint.
        let bySigner = original.filter { $0.signer == m.signer && trust.trusts($0.signer, on: r.chainId) }
        let unrevoked = bySigner.filter { !$0.isRevoked }
        // And only a record whose batch holds this manifest's very leaf: a leaked key can sign new details
        // for an old content ID, but cannot put them in the batch anchored before the revocation.
        let standing = unrevoked.filter { $0.anchors(detailsHash: m.commitment.detailsHash) }
        let anchored: Reason =
            standing.first.map { .originalAttested(chainId: r.chainId, block: $0.blockNumber) }
            ?? unrevoked.first.map { .originalDetailsDiffer(chainId: r.chainId, block: $0.blockNumber) }
            ?? (original.isEmpty
                ? .originalNotAttested(chainId: r.chainId)
                : !bySigner.isEmpty
                    ? .originalRevoked(chainId: r.chainId) : .originalUntrustedSigner(chainId: r.chainId))
        var v: Verdict
        let tracks = Tracks.judge(e, signer: m.signer)
        if let j = tracks, !standing.isEmpty {
            v = Verdict(path: e.path, status: j.status, reasons: j.reasons + [anchored], sha256: digest.sha256)
            v.audio = j.audio
            v.picture = j.picture
        } else {
            let mismatch = Reason.contentMismatch(signer: m.signer, size: digest.size, originalSize: m.size)
            var reasons = [mismatch, anchored]
            if tracks != nil {
                reasons.append(.soundOriginalUntrusted)
            } else {
                reasons += soundNote(e.sound) + Tracks.pictureNote(e.picture)
            }
            v = Verdict(path: e.path, status: .modified, reasons: reasons, sha256: digest.sha256)
            if !standing.isEmpty { v.authentic = e.parts }
        }
        v.originalSHA256 = m.sha256
        v.originalAttestations = original
        v.original = e.original
        v.manifestPath = e.manifest.location
        return v
    }

    private static func notAttested(
        _ e: Evidence, _ digest: FileDigest, records r: ChainRecords, trust: TrustedSigners
    ) -> Verdict {
        let own = r[digest.sha256]
        var reasons: [Reason] = [.recordNotFound(chainId: r.chainId, registry: r.registry, lookedFor: r.lookedFor)]
        reasons += own.unprovable.map { .recordUnprovable(endpoint: $0.endpoint, txHash: $0.txHash, check: $0.check) }
        switch e.manifest {
        case .authentic(_, let m):
            reasons.append(
                trust.trusts(m.signer, on: r.chainId)
                    ? .detailsNotAnchored(signer: m.signer, chainId: r.chainId)
                    : .manifestUntrustedSigner(signer: m.signer))
        case .inauthentic(let at, _, let problem): reasons.append(.manifestInauthentic(at: at, problem: problem))
        case .unreadable(let at, let error), .badChunkList(let at, _, let error):
            reasons.append(.manifestMalformed(at: at, message: error.message))
        case .none(let at):
            // A copy with no manifest and no original given: say what would look for its authentic parts.
            if let fetched = e.fetched {
                reasons += [.originalNotFound(originals: fetched.usable)] + setAside(fetched)
            } else {
                reasons.append(.manifestMissing(at: at))
            }
        }
        var v = Verdict(path: e.path, status: .notAttested, reasons: reasons, sha256: digest.sha256)
        v.manifestPath = e.manifest.location
        return v
    }

    // MARK: pieces

    private static func located(_ v: Verdict, _ r: ChainRecords, warnings: [Reason] = []) -> Verdict {
        var v = v
        v.reasons += warnings
        v.endpoints = r.endpoints
        v.chainId = r.chainId
        v.finalizedBlock = r.finalizedBlock
        return v
    }

    private static func forged(_ f: RecordFindings) -> [Reason] {
        f.forged.map { .recordForged(endpoint: $0.endpoint, txHash: $0.txHash, check: $0.check) }
    }

    private static func hidden(_ f: RecordFindings) -> [Reason] {
        f.hidden.map { .endpointHidRecord(endpoint: $0.endpoint, txHash: $0.txHash, block: $0.block) }
    }

    private static func setAside(_ f: Evidence.FetchedSummary) -> [Reason] {
        f.setAside.map { .originalSetAside(entry: $0) }
            + (f.notCompared > 0 ? [.originalsNotCompared(items: f.notCompared)] : [])
    }

    /// Why the sound said nothing, when it was compared or could not be.
    private static func soundNote(_ sound: Result<AudioComparison, ProvenanceError>?) -> [Reason] {
        switch sound {
        case .success?: return [.soundDiffers]
        case .failure(let e)?: return [.soundNotCompared(message: e.message)]
        case nil: return []
        }
    }
}
