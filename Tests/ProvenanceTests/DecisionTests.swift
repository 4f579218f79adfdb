import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// `Decision.decide` on made-up evidence and records: every status, offline and on chain, with no file
/// read after the manifest is signed and no devnet (the decision is a pure function).
@Suite(.tags(.unit)) struct DecisionTests {
    /// One signed manifest, its signer, and evidence built around it.
    struct Fixture {
        let manifest: Manifest
        let signer: Address
        let stranger = Address(bytes: [UInt8](repeating: 0x11, count: 20))
        let chainId: UInt64 = 31337

        init() throws {
            let dir = try makeTempDir()
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("a.wav").path
            _ = FileManager.default.createFile(atPath: file, contents: Data("the original".utf8))
            let key = try PrivateKey.generate()
            manifest = try BatchSigner.sign(paths: [file], key: key, registry: RegistryAddress.canonical)[0].manifest
            signer = key.address
        }

        func digest(_ sha: [UInt8]? = nil, size: UInt64? = nil) -> FileDigest {
            FileDigest(size: size ?? manifest.size, sha256: sha ?? manifest.sha256, chunkSize: 8192, chunks: [])
        }

        func evidence(_ m: ManifestEvidence, digest: FileDigest?, failure: ProvenanceError? = nil) -> Evidence {
            var e = Evidence(path: "copy.wav", manifest: m)
            e.digest = digest
            e.failure = failure
            return e
        }

        /// A proven record; its batch anchors the fixture manifest's details unless `details` says otherwise.
        func record(
            _ sha: [UInt8], by signer: Address, block: UInt64 = 10, revokedAt: UInt64? = nil, details: [UInt8]? = nil
        ) -> OnChainAttestation {
            var a = OnChainAttestation(
                digest: sha, signer: signer, chainId: chainId, registry: RegistryAddress.canonical,
                txHash: [UInt8](repeating: UInt8(block), count: 32), blockNumber: block, blockTime: 1_700_000_000,
                revocation: revokedAt.map { Revocation(block: $0, time: 1_700_000_100) },
                blockHash: [UInt8](repeating: 0xbb, count: 32))
            a.anchoredDetails = [details ?? manifest.commitment.detailsHash]
            return a
        }

        func records(_ byDigest: [[UInt8]: RecordFindings], endpoints: Int = 1) -> ChainRecords {
            ChainRecords(
                chainId: chainId, latestBlock: 100, registry: RegistryAddress.canonical,
                endpoints: (0..<endpoints).map { "http://e\($0)" }, lookedFor: .signers(1), byDigest: byDigest)
        }
    }

    static let other = [UInt8](repeating: 0x42, count: 32)

    @Test func offlineStatuses() throws {
        let f = try Fixture()
        let trusted = TrustedSigners(addresses: [f.signer])
        let authentic = ManifestEvidence.authentic(at: "a.wav.provenance.json", f.manifest)
        var modified = f.evidence(authentic, digest: f.digest(Self.other, size: 5))
        modified.parts = AuthenticParts(parts: [], copySize: 5, originalSize: f.manifest.size, original: 0)
        var similar = modified
        similar.sound = .success(
            AudioComparison(
                matches: [
                    AudioMatch(start: 0, end: 3, original: 0, originalStart: 1, originalEnd: 4, bitErrorRate: 0.1)
                ], unmatched: [], clipSeconds: 3))
        // A video: its picture seen 0–3 s, or nowhere, or seen with a region differing for 2 s.
        func picture(_ seen: [(Double, Double)], regions: [PictureRegion] = []) -> Result<
            PictureComparison, ProvenanceError
        > {
            .success(
                PictureComparison(
                    matches: seen.map {
                        PictureMatch(
                            start: $0.0, end: $0.1, original: 0, originalStart: $0.0 + 1, originalEnd: $0.1 + 1)
                    }, unmatched: seen.isEmpty ? [(0, 3)] : [], regions: regions, clipSeconds: 3, crop: .none))
        }
        var seen = similar
        seen.picture = picture([(0, 3)])
        var replaced = similar
        replaced.picture = picture([])
        var face = seen
        face.picture = picture([(0, 3)], regions: [PictureRegion(start: 0.5, end: 2.5, x: 0.4, y: 0.2, w: 0.2, h: 0.3)])
        var dubbed = modified
        dubbed.sound = .success(AudioComparison(matches: [], unmatched: [(0, 3)], clipSeconds: 3))
        dubbed.picture = picture([(0, 3)])
        var blink = seen
        blink.picture = picture([(0, 2.5)])
        let cases: [(Evidence, TrustedSigners, Verdict.Status, [Reason.Code])] = [
            (seen, trusted, .similar, [.soundMatches, .pictureMatches, .detailsSignedOnly]),
            (replaced, trusted, .altered, [.soundMatches, .pictureUnmatched, .detailsSignedOnly]),
            (face, trusted, .altered, [.soundMatches, .pictureMatches, .pictureRegionDiffers, .detailsSignedOnly]),
            (dubbed, trusted, .altered, [.pictureMatches, .soundUnmatched, .detailsSignedOnly]),
            // Half a second of picture unseen where the sound matches is not an alteration (under 1 s).
            (blink, trusted, .similar, [.soundMatches, .pictureMatches, .detailsSignedOnly]),
            (f.evidence(authentic, digest: f.digest()), trusted, .verified, [.signatureValid]),
            (f.evidence(authentic, digest: f.digest()), TrustedSigners(), .signedByUntrusted, [.signerUntrusted]),
            (modified, trusted, .modified, [.contentMismatch, .detailsSignedOnly]),
            (similar, trusted, .similar, [.soundMatches, .detailsSignedOnly]),
            (
                f.evidence(.inauthentic(at: "m", f.manifest, .batchProof), digest: f.digest()), trusted,
                .invalidSignature, [.manifestInauthentic]
            ),
            (f.evidence(.none(expectedAt: "m"), digest: f.digest()), trusted, .noManifest, [.manifestMissing]),
            (
                f.evidence(.unreadable(at: "m", .input("bad JSON")), digest: f.digest()), trusted, .error,
                [.manifestMalformed]
            ),
            (
                f.evidence(authentic, digest: nil, failure: .input("copy.wav: no such file")), trusted, .error,
                [.fileUnreadable]
            ),
        ]
        // The first second's sound replaced under a picture that matches throughout: the summary names the
        // picture's match and tells the sound's gap once, as the alteration (not as "does not match the original").
        var partDubbed = seen
        partDubbed.sound = .success(
            AudioComparison(
                matches: [
                    AudioMatch(start: 1, end: 3, original: 0, originalStart: 2, originalEnd: 4, bitErrorRate: 0.1)
                ], unmatched: [(0, 1)], clipSeconds: 3))
        let partly = VerdictText.line(Decision.decide(partDubbed, records: nil, trust: trusted))
        #expect(
            partly.contains(
                "ALTERED — 0:01–0:03 sounds like 0:02–0:04 of the original (signed by \(f.signer)) and its picture "
                    + "matches 0:00–0:03, but the sound does not match from 0:00 to 0:01"), "\(partly)")
        #expect(!partly.contains("not match the original"), "\(partly)")
        // A gap in the sound under a second, the picture matching throughout: similar, and the gap still told.
        var blip = seen
        blip.sound = .success(
            AudioComparison(
                matches: [
                    AudioMatch(start: 0, end: 1.2, original: 0, originalStart: 1, originalEnd: 2.2, bitErrorRate: 0.1),
                    AudioMatch(start: 1.8, end: 3, original: 0, originalStart: 2.8, originalEnd: 4, bitErrorRate: 0.1),
                ], unmatched: [(1.2, 1.8)], clipSeconds: 3))
        let blipVerdict = Decision.decide(blip, records: nil, trust: trusted)
        let blipText = VerdictText.line(blipVerdict)
        #expect(blipVerdict.status == .similar, "\(blipVerdict.reasons)")
        #expect(blipText.contains("0:01–0:02 does not match the original"), "\(blipText)")
        for (evidence, trust, status, codes) in cases {
            let v = Decision.decide(evidence, records: nil, trust: trust)
            #expect(v.status == status && v.reasons.map(\.code) == codes, "\(status): \(v.status) \(v.reasons)")
            #expect(v.chainId == nil && v.endpoints.isEmpty)
        }
        // A modified copy says how far its parts go; the size difference is in the reason's fields.
        let v = Decision.decide(modified, records: nil, trust: trusted)
        #expect(
            v.reasons == [
                .contentMismatch(signer: f.signer, size: 5, originalSize: f.manifest.size), .detailsSignedOnly,
            ])
        #expect(v.authentic?.copySize == 5)
    }

    @Test func onChainStatuses() throws {
        let f = try Fixture()
        let trust = TrustedSigners(addresses: [f.signer])
        let sha = f.manifest.sha256
        let exact = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest())
        let bare = f.evidence(.none(expectedAt: "m"), digest: f.digest(Self.other))
        let copy = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest(Self.other))
        let forged = RejectedRecord(
            digest: sha, txHash: [1], check: .logNotInReceipt, forged: true, endpoint: "e0")
        let hiddenConflict = EndpointConflict.blockDiffers(
            reporting: ["e0"], txHash: [2], block: 10, blockHash: [3], other: "e1", theirs: nil)
        let cases: [(Evidence, [[UInt8]: RecordFindings], Verdict.Status, Reason.Code)] = [
            (exact, [sha: RecordFindings(proven: [f.record(sha, by: f.signer)])], .verified, .recordProven),
            (exact, [sha: RecordFindings(rejected: [forged])], .forgedRecord, .recordForged),
            (
                exact, [sha: RecordFindings(proven: [f.record(sha, by: f.signer, block: 20, revokedAt: 15)])], .revoked,
                .recordRevoked
            ),
            (
                exact, [sha: RecordFindings(proven: [f.record(sha, by: f.stranger)])], .signedByUntrusted,
                .recordUntrustedSigner
            ),
            (exact, [:], .notAttested, .recordNotFound),
            (bare, [:], .notAttested, .recordNotFound),
            (copy, [sha: RecordFindings(proven: [f.record(sha, by: f.signer)])], .modified, .contentMismatch),
            (exact, [sha: RecordFindings(conflicts: [hiddenConflict])], .endpointsDisagree, .endpointsDisagree),
            (f.evidence(.none(expectedAt: nil), digest: nil, failure: .input("gone")), [:], .error, .fileUnreadable),
        ]
        for (evidence, byDigest, status, code) in cases {
            let v = Decision.decide(evidence, records: f.records(byDigest), trust: trust)
            #expect(v.status == status && v.reasons.first?.code == code, "\(status): \(v.status) \(v.reasons)")
            #expect(v.chainId == f.chainId && v.endpoints == ["http://e0"])
            #expect(
                v.exitCode
                    == (status == .verified
                        ? .ok
                        : status == .error
                            ? .usage : status == .forgedRecord || status == .endpointsDisagree ? .chain : .notVerified))
        }
    }

    /// A revoked record before the revocation still verifies; a manifest not on chain is said to be so; the
    /// original's conflicts count for a modified copy; a copy of an untrusted original has no authentic parts.
    @Test func onChainFinePoints() throws {
        let f = try Fixture()
        let trust = TrustedSigners(addresses: [f.signer])
        let sha = f.manifest.sha256
        let exact = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest())
        let before = f.record(sha, by: f.signer, block: 10, revokedAt: 15)
        #expect(
            Decision.decide(exact, records: f.records([sha: RecordFindings(proven: [before])]), trust: trust).status
                == .verified)
        let unanchored = Decision.decide(exact, records: f.records([:]), trust: trust)
        #expect(unanchored.reasons.map(\.code) == [.recordNotFound, .detailsNotAnchored])
        var copy = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest(Self.other))
        copy.parts = AuthenticParts(parts: [], copySize: 5, originalSize: f.manifest.size, original: 0)
        let conflict = EndpointConflict.forged(
            endpoint: "e1", txHash: [9], check: .contentNotInBatch)
        let disputed = Decision.decide(
            copy, records: f.records([sha: RecordFindings(conflicts: [conflict])]), trust: trust)
        #expect(disputed.status == .endpointsDisagree)
        let byStranger = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.stranger)])])
        let untrustedOriginal = Decision.decide(copy, records: byStranger, trust: trust)
        #expect(untrustedOriginal.status == .modified && untrustedOriginal.authentic == nil)
        #expect(untrustedOriginal.reasons.map(\.code) == [.contentMismatch, .originalUntrustedSigner])
        let trustedOriginal = Decision.decide(
            copy, records: f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer)])]), trust: trust)
        #expect(trustedOriginal.authentic != nil && trustedOriginal.reasons.last?.code == .originalAttested)
        // The same signer's record, but its batch anchors other details: the manifest's chunk list says nothing.
        let otherDetails = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer, details: Self.other)])])
        let unanchoredDetails = Decision.decide(copy, records: otherDetails, trust: trust)
        #expect(unanchoredDetails.status == .modified && unanchoredDetails.authentic == nil)
        #expect(unanchoredDetails.reasons.map(\.code) == [.contentMismatch, .originalDetailsDiffer])
        // A hidden record is a warning, the verdict stands.
        let hidden = RecordFindings(
            proven: [f.record(sha, by: f.signer)], hidden: [HiddenRecord(endpoint: "e1", txHash: [10], block: 10)])
        let warned = Decision.decide(exact, records: f.records([sha: hidden], endpoints: 2), trust: trust)
        #expect(warned.status == .verified && warned.reasons.map(\.code) == [.recordProven, .endpointHidRecord])
        #expect(VerdictText.line(warned).contains("warning: e1 did not report"))
    }

    /// What the review of the pipeline found: an original anchored only by another trusted key proves no
    /// part of a copy; an endpoint hiding the original's record is named beside a modified verdict; a chunk
    /// list that misses its root is an error on chain as offline; a copy never read is never verified.
    @Test func anchoringAndWarningsAndErrors() throws {
        let f = try Fixture()
        let other = Address(bytes: [UInt8](repeating: 0x22, count: 20))
        let trust = TrustedSigners(addresses: [f.signer, other])
        let sha = f.manifest.sha256
        var copy = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest(Self.other))
        copy.parts = AuthenticParts(parts: [], copySize: 5, originalSize: f.manifest.size, original: 0)
        let byOther = Decision.decide(
            copy, records: f.records([sha: RecordFindings(proven: [f.record(sha, by: other)])]), trust: trust)
        #expect(byOther.status == .modified && byOther.authentic == nil, "\(byOther.reasons)")
        let hid = RecordFindings(
            proven: [f.record(sha, by: f.signer)], hidden: [HiddenRecord(endpoint: "e1", txHash: [10], block: 10)])
        let warned = Decision.decide(copy, records: f.records([sha: hid], endpoints: 2), trust: trust)
        #expect(warned.status == .modified && warned.reasons.last?.code == .endpointHidRecord)
        let list = ManifestEvidence.badChunkList(
            at: "m", f.manifest, .input("file.chunks do not lead to file.details.chunkRoot"))
        for records in [nil, f.records([:])] {
            let v = Decision.decide(f.evidence(list, digest: f.digest(Self.other)), records: records, trust: trust)
            #expect(v.status == .error && v.reasons.map(\.code) == [.manifestMalformed] && v.sha256 == Self.other)
        }
        let unread = Decision.decide(
            f.evidence(.authentic(at: "m", f.manifest), digest: nil), records: nil, trust: trust)
        #expect(unread.status == .error)
    }

    /// Two endpoints that report the same record but different revocation blocks for its signer disagree,
    /// whichever is listed first (a liar hiding a revocation beside an honest endpoint).
    @Test func revocationHiddenByOneEndpointIsADisagreement() throws {
        let f = try Fixture()
        let sha = f.manifest.sha256
        let honest = f.record(sha, by: f.signer, block: 20, revokedAt: 15)
        let lying = f.record(sha, by: f.signer, block: 20)
        func answer(_ r: OnChainAttestation, _ port: Int) throws -> EndpointAnswer {
            var a = EndpointAnswer(
                client: EthClient(endpoint: try Endpoint("http://127.0.0.1:\(port)")), chainId: f.chainId,
                latestBlock: 100, records: [sha: [r]], rejected: [])
            // What each endpoint's storage proof showed of the signer's revocation state, at one agreed block.
            a.revocationProofs = [Self.proof(at: 100, of: r.signer, r.revocation)]
            a.confirmedHead = 100
            return a
        }
        for order in [[lying, honest], [honest, lying]] {
            let combined = try EndpointAgreement.combine(
                [try answer(order[0], 9), try answer(order[1], 10)], registry: RegistryAddress.canonical,
                lookedFor: .signers(1))
            let exact = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest())
            let v = Decision.decide(exact, records: combined, trust: TrustedSigners(addresses: [f.signer]))
            #expect(v.status == .endpointsDisagree, "\(v.reasons)")
            guard case .endpointsDisagree(let conflicts)? = v.reason(.endpointsDisagree),
                case .revocationDiffers(let signer, _, let revokedAt)? = conflicts.first
            else {
                Issue.record("expected a revocation conflict, got \(v.reasons)")
                continue
            }
            #expect(signer == f.signer && Set(revokedAt.map { $0 ?? 0 }) == [0, 15])
        }
    }

    static func proof(at block: UInt64, of signer: Address, _ revocation: Revocation?) -> ProvenRevocations {
        ProvenRevocations(
            block: block, blockHash: [UInt8](repeating: 0xcc, count: 32), signers: [signer],
            revocations: revocation.map { [signer: $0] } ?? [:])
    }

    /// One endpoint asked twice (verify's early and late lookups) must tell one story of a signer's revocation:
    /// none at block 50 and a revocation at 60 proven at 100 is one story (the key was revoked in between),
    /// and every record by that signer carries that revocation, whichever lookup found it; none at 70 beside
    /// a revocation at 60 is the endpoint contradicting itself, in either order.
    @Test func oneEndpointTellsOneStoryOfARevocation() throws {
        let f = try Fixture()
        let sha = f.manifest.sha256
        let revoked = Revocation(block: 60, time: 1_700_000_600)
        func combined(_ proofs: [ProvenRevocations]) throws -> ChainRecords {
            var a = EndpointAnswer(
                client: EthClient(endpoint: try Endpoint("http://127.0.0.1:9")), chainId: f.chainId, latestBlock: 100,
                records: [sha: [f.record(sha, by: f.signer, block: 65)]], rejected: [])
            a.revocationProofs = proofs
            a.confirmedHead = 100
            return try EndpointAgreement.combine([a], registry: RegistryAddress.canonical, lookedFor: .signers(1))
        }
        let later = Self.proof(at: 100, of: f.signer, revoked)
        let story = try combined([Self.proof(at: 50, of: f.signer, nil), later])[sha]
        #expect(story.conflicts.isEmpty && story.proven.map(\.revocation) == [revoked] && story.proven[0].isRevoked)
        for proofs in [
            [Self.proof(at: 70, of: f.signer, nil), later], [later, Self.proof(at: 70, of: f.signer, nil)],
        ] {
            let two = try combined(proofs)[sha]
            guard case .revocationDiffers(let signer, _, let revokedAt)? = two.conflicts.first else {
                Issue.record("expected a revocation conflict, got \(two.conflicts)")
                continue
            }
            #expect(signer == f.signer && Set(revokedAt) == [nil, 60])
        }
        let moved = Self.proof(at: 100, of: f.signer, Revocation(block: 60, time: 1))
        #expect(!(try combined([later, moved])[sha].conflicts.isEmpty), "a revocation's time moved")
    }

    /// On chain: a similar copy (sound only, its original anchored by its signer), a revoked original, a
    /// forged record of the original (the endpoint lied: exit 3), and sound that cannot count.
    @Test func onChainSoundAndOriginals() throws {
        let f = try Fixture()
        let trust = TrustedSigners(addresses: [f.signer])
        let sha = f.manifest.sha256
        var clip = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest(Self.other))
        clip.parts = AuthenticParts(parts: [], copySize: 5, originalSize: f.manifest.size, original: 0)
        clip.sound = .success(
            AudioComparison(
                matches: [
                    AudioMatch(start: 0, end: 3, original: 0, originalStart: 1, originalEnd: 4, bitErrorRate: 0.1)
                ], unmatched: [], clipSeconds: 3))
        let anchored = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer)])])
        let similar = Decision.decide(clip, records: anchored, trust: trust)
        #expect(similar.status == .similar && similar.reasons.map(\.code) == [.soundMatches, .originalAttested])
        #expect(VerdictText.line(similar).contains("SIMILAR — 0:00–0:03 sounds like 0:01–0:04 of the original"))
        // A fingerprint that is not the anchored one matches nothing.
        let otherDetails = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer, details: Self.other)])])
        let notSimilar = Decision.decide(clip, records: otherDetails, trust: trust)
        #expect(notSimilar.status == .modified && notSimilar.audio == nil && notSimilar.authentic == nil)
        let revoked = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer, block: 20, revokedAt: 15)])])
        let afterRevocation = Decision.decide(clip, records: revoked, trust: trust)
        #expect(afterRevocation.status == .modified && afterRevocation.authentic == nil)
        #expect(afterRevocation.reasons.map(\.code) == [.contentMismatch, .originalRevoked, .soundOriginalUntrusted])
        let lie = RejectedRecord(digest: sha, txHash: [7], check: .calldata, forged: true, endpoint: "e0")
        let forged = Decision.decide(clip, records: f.records([sha: RecordFindings(rejected: [lie])]), trust: trust)
        #expect(forged.status == .forgedRecord && forged.exitCode == .chain)
    }

    /// --require-finalized: a verified copy whose standing records are all above the finalized block is
    /// not-yet-final (exit 1); a finalized record keeps it verified; without the policy finality is only told.
    @Test func finalityPolicy() throws {
        let f = try Fixture()
        let trust = TrustedSigners(addresses: [f.signer])
        let sha = f.manifest.sha256
        let exact = f.evidence(.authentic(at: "m", f.manifest), digest: f.digest())
        var records = f.records([sha: RecordFindings(proven: [f.record(sha, by: f.signer, block: 10)])])
        let strict = Decision.Policy(requireFinalized: true)
        records.finalizedBlock = 9
        let early = Decision.decide(exact, records: records, trust: trust, policy: strict)
        #expect(early.status == .notYetFinal && early.exitCode == .notVerified)
        #expect(early.reasons == [.recordNotFinal(block: 10, finalized: 9)])
        let told = Decision.decide(exact, records: records, trust: trust)
        #expect(told.status == .verified && told.isFinal(told.attestations[0]) == false)
        #expect(VerdictText.line(told).contains("not yet finalized"))
        records.finalizedBlock = 10
        #expect(Decision.decide(exact, records: records, trust: trust, policy: strict).status == .verified)
        records.finalizedBlock = nil
        #expect(Decision.decide(exact, records: records, trust: trust, policy: strict).status == .notYetFinal)
    }

    /// The tables above reach every status there is: a new status cannot go undecided by a test.
    @Test func everyStatusIsReached() throws {
        let offline: Set<Verdict.Status> = [
            .verified, .signedByUntrusted, .modified, .similar, .altered, .invalidSignature, .noManifest, .error,
        ]
        let onChain: Set<Verdict.Status> = [
            .verified, .forgedRecord, .revoked, .signedByUntrusted, .notAttested, .modified, .endpointsDisagree,
            .error, .similar, .notYetFinal,
        ]
        // Made by `verify --check`'s walk, not by Decision (VerifyCheckTests reaches it).
        let checked: Set<Verdict.Status> = [.missing]
        #expect(offline.union(onChain).union(checked) == Set(Verdict.Status.allCases))
    }

    /// Every status and every reason code is listed in docs/FORMAT.md, so a third party can read `--json`.
    @Test func everyCodeIsDocumented() throws {
        let format = try String(contentsOf: repoRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        for s in Verdict.Status.allCases { #expect(format.contains("`\(s.rawValue)`"), "status \(s.rawValue)") }
        for c in Reason.Code.allCases { #expect(format.contains("`\(c.rawValue)`"), "reason \(c.rawValue)") }
        for c in ProofCheck.codes { #expect(format.contains("`\(c)`"), "proof check \(c)") }
        let problems: [AuthenticityProblem] = [
            .wrongRegistry(signed: RegistryAddress.canonical, expected: RegistryAddress.canonical), .batchProof,
            .notByStatedSigner(stated: RegistryAddress.canonical), .invalidSignature(message: ""),
        ]
        for p in problems { #expect(format.contains("`\(p.code)`"), "problem \(p.code)") }
    }
}
