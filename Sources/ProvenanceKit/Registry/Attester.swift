import Foundation

/// Puts signed batches on chain and keeps each file's manifest in step with the chain.
/// The signing key (publisher) and the paying key (sender of the transaction) may differ.
public final class Attester {
    public enum Status: Sendable {
        /// Attested now by this run's transaction.
        case attested
        /// Already on this chain by this signer: nothing paid; the existing records are listed.
        case alreadyAttested([OnChainAttestation])
        /// --dry-run: nothing sent.
        case planned
    }

    public struct FileResult: Sendable {
        public let path: String
        public let sha256: [UInt8]
        public let manifestPath: String
        public let status: Status
        public let anchor: Anchor?
    }

    public struct Outcome {
        public var files: [FileResult] = []
        public var transaction: SignedTransaction?
        public var receipt: EthClient.Receipt?
        public var maxCost: Wei?
        public var chainId: UInt64 = 0
    }

    public let client: EthClient
    public let registry: Address
    public let payer: PrivateKey
    public var fees = FeeOptions()
    public var sendOptions = SendOptions()
    public var expectedChainId: UInt64?
    public var chunkSize = FileHasher.defaultChunkSize
    /// Called with each transaction as it is sent (print or journal it: it must never be lost).
    public var onBroadcast: (SignedTransaction) -> Void = { _ in }

    public init(client: EthClient, registry: Address, payer: PrivateKey) {
        self.client = client
        self.registry = registry
        self.payer = payer
    }

    // MARK: files signed here

    /// Hashes `paths`, skips what `signer` already attested on this chain (unless `force`), signs one
    /// batch for the rest (or re-uses the files' existing signature when their whole batch is here),
    /// sends it, and writes every manifest with its anchor.
    public func attest(paths: [String], signer: PrivateKey, force: Bool = false, dryRun: Bool = false) throws -> Outcome {
        guard !paths.isEmpty else { throw ProvenanceError.usage("no files to attest") }
        for p in paths { try FileHasher.requireRegularFile(p) }
        let digests = try paths.map { try FileHasher.hash(path: $0, chunkSize: chunkSize) }
        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let onChain = try reader.attestations(for: digests.map(\.sha256), expectedChainId: expectedChainId)
        var outcome = Outcome(chainId: reader.chainId)
        let existing = try paths.map { p -> Manifest? in
            guard FileManager.default.fileExists(atPath: Manifest.path(for: p)) else { return nil }
            return try Manifest.read(path: Manifest.path(for: p))
        }

        var pending: [Int] = []
        for i in paths.indices {
            let mine = onChain[i].filter { $0.signer == signer.address }
            if !mine.isEmpty && !force {
                let manifest = try manifestForRecorded(paths[i], digest: digests[i], existing: existing[i], records: mine, reader: reader)
                if !dryRun { try manifest.write(to: Manifest.path(for: paths[i])) }
                outcome.files.append(FileResult(path: paths[i], sha256: digests[i].sha256, manifestPath: Manifest.path(for: paths[i]),
                                                status: .alreadyAttested(mine), anchor: mine.last?.anchor))
            } else {
                pending.append(i)
            }
        }
        guard !pending.isEmpty else { return outcome }

        // Re-use a signature when these files are exactly one batch already signed by this signer
        // (so one signature is anchored on several chains); otherwise sign a new batch.
        var manifests: [Manifest]
        let verifier = OfflineVerifier(registry: registry)
        let reusable = pending.compactMap { i -> Manifest? in
            guard let m = existing[i], m.signer == signer.address, m.sha256 == digests[i].sha256, verifier.authenticityProblem(m) == nil else { return nil }
            return m
        }
        if reusable.count == pending.count, Set(reusable.map(\.signature)).count == 1, reusable[0].message.fileCount == pending.count,
           Set(reusable.map(\.batchIndex)).count == pending.count {
            manifests = reusable
        } else {
            for i in pending where !force {
                if let m = existing[i], !m.anchors.isEmpty {
                    throw ProvenanceError.input("\(Manifest.path(for: paths[i])) records a signature anchored on chain \(m.anchors[0].chainId) that a new batch would replace; attest its whole batch together (or with --from-manifest), or use --force")
                }
            }
            manifests = try BatchSigner.sign(paths: pending.map { paths[$0] }, digests: pending.map { digests[$0] }, key: signer, registry: registry).map(\.manifest)
        }
        let pendingPaths = pending.map { paths[$0] }
        let anchor = try send(manifests: manifests, dryRun: dryRun, outcome: &outcome)
        for (k, path) in pendingPaths.enumerated() {
            var m = manifests[k]
            if let anchor { m.addAnchor(anchor) }
            if !dryRun { try m.write(to: Manifest.path(for: path)) }
            outcome.files.append(FileResult(path: path, sha256: m.sha256, manifestPath: Manifest.path(for: path),
                                            status: dryRun ? .planned : .attested, anchor: anchor))
        }
        return outcome
    }

    // MARK: manifests signed elsewhere (offline signing, online sending)

    /// Anchors batches from manifests alone; the contract checks the signatures, so no signing key is
    /// needed here. Every manifest of a batch must be given (the contract recomputes the whole root).
    public func attest(manifestPaths: [String], dryRun: Bool = false) throws -> Outcome {
        guard !manifestPaths.isEmpty else { throw ProvenanceError.usage("no manifests given") }
        var manifests = try manifestPaths.map { try Manifest.read(path: $0) }
        let verifier = OfflineVerifier(registry: registry)
        for (i, m) in manifests.enumerated() {
            if let problem = verifier.authenticityProblem(m) { throw ProvenanceError.input("\(manifestPaths[i]): \(problem)") }
        }
        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let onChain = try reader.attestations(for: manifests.map(\.sha256), expectedChainId: expectedChainId)
        var outcome = Outcome(chainId: reader.chainId)
        // Group by batch (one signature each), in first-seen order.
        var groups: [[Int]] = []
        var groupOf: [RecoverableSignature: Int] = [:]
        for (i, m) in manifests.enumerated() {
            if let g = groupOf[m.signature] { groups[g].append(i) } else { groupOf[m.signature] = groups.count; groups.append([i]) }
        }
        for group in groups {
            let first = manifests[group[0]]
            let indices = Set(group.map { manifests[$0].batchIndex })
            guard indices.count == first.message.fileCount else {
                let missing = Set(0..<first.message.fileCount).subtracting(indices).sorted().prefix(10).map(String.init).joined(separator: ", ")
                throw ProvenanceError.input("\(manifestPaths[group[0]]) belongs to a batch of \(first.message.fileCount) files signed together; give all their manifests (missing batch indices: \(missing))")
            }
            let mine = group.map { onChain[$0].filter { $0.signer == first.signer } }
            if mine.allSatisfy({ !$0.isEmpty }) {
                for (k, i) in group.enumerated() {
                    for record in mine[k] { manifests[i].addAnchor(record.anchor) }
                    if !dryRun { try manifests[i].write(to: manifestPaths[i]) }
                    outcome.files.append(FileResult(path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                                                    status: .alreadyAttested(mine[k]), anchor: mine[k].last?.anchor))
                }
                continue
            }
            let ordered = group.sorted { manifests[$0].batchIndex < manifests[$1].batchIndex }
            let anchor = try send(manifests: ordered.map { manifests[$0] }, dryRun: dryRun, outcome: &outcome)
            for i in ordered {
                if let anchor { manifests[i].addAnchor(anchor) }
                if !dryRun { try manifests[i].write(to: manifestPaths[i]) }
                outcome.files.append(FileResult(path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                                                status: dryRun ? .planned : .attested, anchor: anchor))
            }
        }
        return outcome
    }

    // MARK: shared

    /// Sends one batch (manifests in batch order). Returns the anchor, or nil for a dry run.
    private func send(manifests: [Manifest], dryRun: Bool, outcome: inout Outcome) throws -> Anchor? {
        let ordered = manifests.sorted { $0.batchIndex < $1.batchIndex }
        let calldata = try RegistryContract.attestCalldata(digests: ordered.map(\.sha256), merkleRoot: ordered[0].message.merkleRoot,
                                                           signature: ordered[0].signature)
        let sender = try TransactionSender(client: client, key: payer, expectedChainId: expectedChainId)
        let prepared = try sender.prepare(to: registry, data: calldata, fees: fees)
        outcome.transaction = prepared.signed
        outcome.maxCost = prepared.maxCost
        outcome.chainId = sender.chainId
        if dryRun { return nil }
        let receipt = try sender.sendAndWait(prepared, options: sendOptions, onBroadcast: onBroadcast)
        outcome.receipt = receipt
        let time = try client.block(receipt.blockNumber)?.timestamp ?? 0
        return Anchor(chainId: sender.chainId, registry: registry, txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, blockTime: time)
    }

    /// The manifest for a file already attested by this signer: the existing one with the chain's
    /// records added, or — when it is missing or for other content — one rebuilt from the attesting
    /// transaction's calldata (digests, root and signature are all there).
    private func manifestForRecorded(_ path: String, digest: FileDigest, existing: Manifest?, records: [OnChainAttestation],
                                     reader: RegistryReader) throws -> Manifest {
        if var m = existing, m.sha256 == digest.sha256, m.signer == records[0].signer {
            // Records of this manifest's own signature are anchors; others are left to the chain.
            for r in records {
                if let batch = try? reader.batch(ofTransaction: r.txHash), batch.signature == m.signature { m.addAnchor(r.anchor) }
            }
            return m
        }
        let record = records[0]
        let batch = try reader.batch(ofTransaction: record.txHash)
        guard let index = batch.digests.firstIndex(of: digest.sha256) else {
            throw ProvenanceError(.chain, "transaction \(Hex.encode(record.txHash, prefix: true)) does not carry \(Hex.encode(digest.sha256))")
        }
        let message = AttestationMessage(merkleRoot: batch.merkleRoot, fileCount: batch.digests.count, registry: registry)
        var m = Manifest(fileName: URL(fileURLWithPath: path).lastPathComponent, digest: digest, signer: record.signer, batchIndex: index,
                         batchProof: Merkle.proof(index: index, leaves: batch.digests), message: message, signature: batch.signature)
        m.addAnchor(record.anchor)
        return m
    }
}
