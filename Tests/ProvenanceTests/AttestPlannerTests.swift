import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The attest run's decisions, without a chain: digests, on-chain records and existing manifests in;
/// skip / already recorded / re-use a signature / sign new batches out.
@Suite(.tags(.unit)) struct AttestPlannerTests {
    let key: PrivateKey
    let other: PrivateKey
    let registry = RegistryAddress.canonical

    init() throws {
        key = try PrivateKey(hex: devKeyHex)
        other = try PrivateKey(hex: String(repeating: "11", count: 32))
    }

    func digest(_ text: String) -> FileDigest {
        let d = SHA256Hasher.hash(Array(text.utf8))
        return FileDigest(size: UInt64(text.utf8.count), sha256: d, chunkSize: 1 << 20, chunks: [d])
    }

    func record(_ d: FileDigest, by signer: Address) -> OnChainAttestation {
        OnChainAttestation(
            digest: d.sha256, signer: signer, chainId: 31337, registry: registry, txHash: SHA256Hasher.hash(d.sha256),
            blockNumber: 7, blockTime: 1, revocation: nil)
    }

    func signedTogether(_ digests: [FileDigest], by k: PrivateKey) throws -> [Manifest] {
        try BatchSigner.sign(paths: digests.indices.map { "f\($0)" }, digests: digests, key: k, registry: registry)
            .map(\.manifest)
    }

    @Test func skipsRecordedAndUnreadableAndBatchesTheRest() throws {
        let d = (0..<5).map { digest("file \($0)") }
        let candidates: [AttestPlanner.Candidate] = [
            .init(path: "f0", digest: d[0], records: [record(d[0], by: key.address)], existing: .none),
            .init(path: "f1", digest: d[1], records: [], existing: .unreadable("f1.provenance.json: malformed")),
            .init(path: "f2", digest: d[2], records: [], existing: .none),
            .init(path: "f3", digest: d[3], records: [], existing: .none),
            .init(path: "f4", digest: d[4], records: [], existing: .none),
        ]
        let plan = try AttestPlanner.plan(
            candidates, signer: key.address, registry: registry, force: false, perTransaction: 2)
        #expect(plan.recorded == [0])
        #expect(plan.skipped.map(\.index) == [1] && plan.skipped[0].reason.contains("left as it is"))
        #expect(plan.batches == [[2, 3], [4]])
        #expect(plan.reused == nil)
        // --force attests recorded files again; the batch size never exceeds the contract's limit.
        let forced = try AttestPlanner.plan(
            candidates, signer: key.address, registry: registry, force: true, perTransaction: 1_000_000)
        #expect(forced.recorded.isEmpty && forced.batches == [[0, 2, 3, 4]])
    }

    /// Files that are exactly one batch already signed by this signer keep that signature (so it can
    /// be anchored on another chain); a partial batch, or another signer's, is signed anew.
    @Test func reusesAWholeSignedBatchOnly() throws {
        let d = (0..<3).map { digest("episode \($0)") }
        let mine = try signedTogether(d, by: key)
        let whole = d.indices.map {
            AttestPlanner.Candidate(path: "f\($0)", digest: d[$0], records: [], existing: .manifest(mine[$0]))
        }
        let plan = try AttestPlanner.plan(
            whole, signer: key.address, registry: registry, force: false, perTransaction: 10)
        #expect(plan.batches == [[0, 1, 2]])
        #expect(plan.reused?.map(\.signature) == mine.map(\.signature))

        let partial = Array(whole.prefix(2))
        let resigned = try AttestPlanner.plan(
            partial, signer: key.address, registry: registry, force: false, perTransaction: 10)
        #expect(resigned.reused == nil && resigned.batches == [[0, 1]])

        let theirs = try signedTogether(d, by: other)
        let foreign = d.indices.map {
            AttestPlanner.Candidate(path: "f\($0)", digest: d[$0], records: [], existing: .manifest(theirs[$0]))
        }
        let own = try AttestPlanner.plan(
            foreign, signer: key.address, registry: registry, force: false, perTransaction: 10)
        #expect(own.reused == nil && own.batches == [[0, 1, 2]])
    }

    /// Signing anew would replace a signature already anchored on chain: refused unless forced, with
    /// the way out as a remedy the command line words.
    @Test func refusesToReplaceAnAnchoredSignature() throws {
        let d = (0..<2).map { digest("clip \($0)") }
        var anchored = try signedTogether(d, by: key)
        anchored[0].addAnchor(
            Anchor(chainId: 1, registry: registry, txHash: SHA256Hasher.hash([1]), blockNumber: 1, blockTime: 1))
        let one = [AttestPlanner.Candidate(path: "f0", digest: d[0], records: [], existing: .manifest(anchored[0]))]
        #expect {
            _ = try AttestPlanner.plan(one, signer: key.address, registry: registry, force: false, perTransaction: 10)
        } throws: { ($0 as? ProvenanceError)?.remedy == .attestWholeBatchOrForce }
        let forced = try AttestPlanner.plan(
            one, signer: key.address, registry: registry, force: true, perTransaction: 10)
        #expect(forced.batches == [[0]])
    }

    /// A batch over the contract's limit is an error, not a precondition failure.
    @Test func calldataBeyondTheContractLimitIsAnError() throws {
        let d = SHA256Hasher.hash([1])
        let file = FileCommitment(contentID: d, detailsHash: d)
        let signature = try key.sign(digest: d)
        #expect(throws: ProvenanceError.self) {
            _ = try RegistryContract.attestCalldata(
                files: Array(repeating: file, count: RegistryContract.maxBatch + 1), merkleRoot: d, signature: signature
            )
        }
        #expect(throws: ProvenanceError.self) {
            _ = try RegistryContract.attestCalldata(files: [], merkleRoot: d, signature: signature)
        }
    }
}
