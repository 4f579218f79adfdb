import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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
        /// Not a readable regular file: reported, never fatal to the rest.
        case skipped(String)
    }

    public struct FileResult: Sendable {
        public let path: String
        public let sha256: [UInt8]
        public let manifestPath: String
        public let status: Status
        public let anchor: Anchor?
    }

    /// One transaction: a batch of files under one signature.
    public struct Batch {
        public let transaction: SignedTransaction
        public var receipt: EthClient.Receipt?
        public let maxCost: Wei
        public let fileCount: Int
    }

    public struct Outcome {
        public var files: [FileResult] = []
        public var batches: [Batch] = []
        public var chainId: UInt64 = 0
        public var skipped: Int {
            files.filter {
                if case .skipped = $0.status { return true }
                return false
            }.count
        }
    }

    public let client: EthClient
    public let registry: Address
    public let payer: PrivateKey
    public var fees = FeeOptions()
    public var sendOptions = SendOptions()
    public var expectedChainId: UInt64?
    public var chunkSize = FileHasher.defaultChunkSize
    /// Most files per transaction; nil: as many as fit in 90 % of the latest block's gas limit.
    public var maxPerTransaction: Int?
    /// Called with each transaction as it is sent (print it: it must never be lost).
    public var onBroadcast: (SignedTransaction) -> Void = { _ in }
    /// Records every step durably before it happens, so a killed run resumes (see Journal).
    public var journal: Journal?

    public enum Progress: Sendable {
        /// While hashing: files and bytes done of the totals (sent at most twice a second).
        case hashing(files: Int, ofFiles: Int, bytes: UInt64, ofBytes: UInt64)
        case hashed(files: Int, bytes: UInt64, ofFiles: Int)
        case sent(batch: Int, ofBatches: Int, files: Int, tx: String)
        case confirmed(batch: Int, ofBatches: Int, block: UInt64)
    }
    public var progress: @Sendable (Progress) -> Void = { _ in }

    public init(client: EthClient, registry: Address, payer: PrivateKey) {
        self.client = client
        self.registry = registry
        self.payer = payer
    }

    // MARK: files signed here

    /// Hashes `paths`, skips what `signer` already attested on this chain (unless `force`), signs one
    /// batch for the rest (or re-uses the files' existing signature when their whole batch is here),
    /// sends it, and writes every manifest with its anchor.
    public func attest(paths inputPaths: [String], signer: PrivateKey, force: Bool = false, dryRun: Bool = false) throws
        -> Outcome
    {
        guard !inputPaths.isEmpty else { throw ProvenanceError.usage("no files to attest") }
        var outcome = Outcome()
        // Unreadable or special files are reported and skipped; the rest goes on.
        // File types first (stat, no open: a FIFO would block), then all regular files on all cores.
        var candidates: [String] = []
        for path in inputPaths {
            do {
                try FileHasher.requireRegularFile(path)
                candidates.append(path)
            } catch let e as ProvenanceError {
                outcome.files.append(
                    FileResult(
                        path: path, sha256: [], manifestPath: Manifest.path(for: path), status: .skipped(e.message),
                        anchor: nil))
            }
        }
        try settleJournaledTransactions(dryRun: dryRun)
        // Files unchanged since the journal hashed them (same size and mtime) are not hashed again.
        var cached: [String: FileDigest] = [:]
        for path in candidates {
            if let d = journal?.cachedDigest(path: path, chunkSize: chunkSize) { cached[path] = d }
        }
        let toHash = candidates.filter { cached[$0] == nil }
        var fresh: [String: Result<FileDigest, ProvenanceError>] = [:]
        let totalBytes = toHash.reduce(UInt64(0)) { sum, p in
            var st = stat()
            return stat(p, &st) == 0 ? sum + UInt64(st.st_size) : sum
        }
        let report = progress
        let count = toHash.count
        let throttle = Throttle(interval: 0.5)
        let results = ParallelHasher.hash(toHash.map { ParallelHasher.Item(path: $0, chunkSize: chunkSize) }) {
            files, bytes in
            if files == count || throttle.ready() {
                report(.hashing(files: files, ofFiles: count, bytes: bytes, ofBytes: totalBytes))
            }
        }
        for (path, result) in zip(toHash, results) { fresh[path] = result }
        if !dryRun, let journal {
            let records = toHash.compactMap { path -> JSON? in
                guard case .success(let d)? = fresh[path] else { return nil }
                return Journal.hashedRecord(path: path, digest: d)
            }
            try journal.append(Array(records.prefix(records.count / 2)))
            CrashPoint.hit("mid-hash")
            try journal.append(Array(records.dropFirst(records.count / 2)))
            CrashPoint.hit("after-hash")
        }
        let hashedBytes = candidates.reduce(UInt64(0)) { sum, p in
            if let d = cached[p] { return sum + d.size }
            if case .success(let d)? = fresh[p] { return sum + d.size }
            return sum
        }
        progress(.hashed(files: candidates.count, bytes: hashedBytes, ofFiles: inputPaths.count))
        try Interrupt.check("after hashing \(candidates.count) files, before anything was signed or sent")
        var paths: [String] = []
        var digests: [FileDigest] = []
        for path in candidates {
            switch cached[path].map({ Result<FileDigest, ProvenanceError>.success($0) }) ?? fresh[path]! {
            case .success(let d):
                paths.append(path)
                digests.append(d)
            case .failure(let e):
                outcome.files.append(
                    FileResult(
                        path: path, sha256: [], manifestPath: Manifest.path(for: path), status: .skipped(e.message),
                        anchor: nil))
            }
        }
        guard !paths.isEmpty else {
            throw ProvenanceError.input("no readable file to attest (\(outcome.files.count) skipped)")
        }
        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let onChain = try reader.attestations(for: digests.map(\.sha256), expectedChainId: expectedChainId)
        outcome.chainId = reader.chainId
        // A manifest that cannot be read is left untouched and its file skipped: never fatal to the rest.
        var existing: [Manifest?] = []
        var unreadableManifest = Set<Int>()
        for (i, p) in paths.enumerated() {
            guard FileManager.default.fileExists(atPath: Manifest.path(for: p)) else {
                existing.append(nil)
                continue
            }
            do { existing.append(try Manifest.read(path: Manifest.path(for: p))) } catch let e as ProvenanceError {
                existing.append(nil)
                unreadableManifest.insert(i)
                outcome.files.append(
                    FileResult(
                        path: p, sha256: digests[i].sha256, manifestPath: Manifest.path(for: p),
                        status: .skipped(e.message + " (left as it is)"), anchor: nil))
            }
        }

        var pending: [Int] = []
        for i in paths.indices where !unreadableManifest.contains(i) {
            let mine = onChain[i].filter { $0.signer == signer.address }
            if !mine.isEmpty && !force {
                let manifest = try manifestForRecorded(
                    paths[i], digest: digests[i], existing: existing[i], records: mine, reader: reader)
                if !dryRun { try manifest.write(to: Manifest.path(for: paths[i])) }
                outcome.files.append(
                    FileResult(
                        path: paths[i], sha256: digests[i].sha256, manifestPath: Manifest.path(for: paths[i]),
                        status: .alreadyAttested(mine), anchor: mine.last?.anchor))
            } else {
                pending.append(i)
            }
        }
        guard !pending.isEmpty else { return outcome }

        // Re-use a signature when these files are exactly one batch already signed by this signer
        // (so one signature is anchored on several chains); otherwise sign new batches.
        let verifier = OfflineVerifier(registry: registry)
        let reusable = pending.compactMap { i -> Manifest? in
            guard let m = existing[i], m.signer == signer.address, m.sha256 == digests[i].sha256,
                verifier.authenticityProblem(m) == nil
            else { return nil }
            return m
        }
        var batches: [[(index: Int, manifest: Manifest)]]
        if reusable.count == pending.count, Set(reusable.map(\.signature)).count == 1,
            reusable[0].message.fileCount == pending.count,
            Set(reusable.map(\.batchIndex)).count == pending.count
        {
            batches = [Array(zip(pending, reusable)).map { (index: $0.0, manifest: $0.1) }]
        } else {
            for i in pending where !force {
                if let m = existing[i], !m.anchors.isEmpty {
                    throw ProvenanceError.input(
                        "\(Manifest.path(for: paths[i])) records a signature anchored on chain \(m.anchors[0].chainId) that a new batch would replace; attest its whole batch together (or with --from-manifest), or use --force"
                    )
                }
            }
            // As few transactions as the block gas limit allows: one signature per transaction.
            let perTx = try maxPerTransaction ?? filesPerTransaction()
            batches = []
            for start in stride(from: 0, to: pending.count, by: perTx) {
                let part = Array(pending[start..<min(start + perTx, pending.count)])
                let signed = try BatchSigner.sign(
                    paths: part.map { paths[$0] }, digests: part.map { digests[$0] }, key: signer, registry: registry)
                batches.append(zip(part, signed).map { (index: $0.0, manifest: $0.1.manifest) })
            }
        }
        for (k, batch) in batches.enumerated() {
            try Interrupt.check("after \(k) of \(batches.count) transactions")
            let anchor = try send(
                manifests: batch.map(\.manifest), dryRun: dryRun, outcome: &outcome, of: batches.count)
            for (i, manifest) in batch {
                var m = manifest
                if let anchor { m.addAnchor(anchor) }
                if !dryRun { try m.write(to: Manifest.path(for: paths[i])) }
                outcome.files.append(
                    FileResult(
                        path: paths[i], sha256: m.sha256, manifestPath: Manifest.path(for: paths[i]),
                        status: dryRun ? .planned : .attested, anchor: anchor))
            }
        }
        return outcome
    }

    /// Files per transaction that fit in 90 % of the latest block's gas limit (measured: ~2,420 gas
    /// per file at scale, ~30,000 per transaction; 2,600 and 60,000 leave room), capped by the contract.
    func filesPerTransaction() throws -> Int {
        let block = try client.rpc.call("eth_getBlockByNumber", [.string("latest"), .bool(false)])
        let gasLimit = try client.quantity(block["gasLimit"], "gasLimit")
        let usable = gasLimit / 10 * 9
        guard usable > 60_000 + 2_600 else { return 1 }
        return Int(min(UInt64(RegistryContract.maxBatch), (usable - 60_000) / 2_600))
    }

    // MARK: manifests signed elsewhere (offline signing, online sending)

    /// Anchors batches from manifests alone; the contract checks the signatures, so no signing key is
    /// needed here. Every manifest of a batch must be given (the contract recomputes the whole root).
    public func attest(manifestPaths: [String], dryRun: Bool = false) throws -> Outcome {
        guard !manifestPaths.isEmpty else { throw ProvenanceError.usage("no manifests given") }
        var manifests = try manifestPaths.map { try Manifest.read(path: $0) }
        let verifier = OfflineVerifier(registry: registry)
        for (i, m) in manifests.enumerated() {
            if let problem = verifier.authenticityProblem(m) {
                throw ProvenanceError.input("\(manifestPaths[i]): \(problem)")
            }
        }
        try settleJournaledTransactions(dryRun: dryRun)
        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let onChain = try reader.attestations(for: manifests.map(\.sha256), expectedChainId: expectedChainId)
        var outcome = Outcome(chainId: reader.chainId)
        // Group by batch (one signature each), in first-seen order.
        var groups: [[Int]] = []
        var groupOf: [RecoverableSignature: Int] = [:]
        for (i, m) in manifests.enumerated() {
            if let g = groupOf[m.signature] {
                groups[g].append(i)
            } else {
                groupOf[m.signature] = groups.count
                groups.append([i])
            }
        }
        for group in groups {
            let first = manifests[group[0]]
            let indices = Set(group.map { manifests[$0].batchIndex })
            guard indices.count == first.message.fileCount else {
                let missing = Set(0..<first.message.fileCount).subtracting(indices).sorted().prefix(10).map(String.init)
                    .joined(separator: ", ")
                throw ProvenanceError.input(
                    "\(manifestPaths[group[0]]) belongs to a batch of \(first.message.fileCount) files signed together; give all their manifests (missing batch indices: \(missing))"
                )
            }
            let mine = group.map { onChain[$0].filter { $0.signer == first.signer } }
            if mine.allSatisfy({ !$0.isEmpty }) {
                for (k, i) in group.enumerated() {
                    for record in mine[k] { manifests[i].addAnchor(record.anchor) }
                    if !dryRun { try manifests[i].write(to: manifestPaths[i]) }
                    outcome.files.append(
                        FileResult(
                            path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                            status: .alreadyAttested(mine[k]), anchor: mine[k].last?.anchor))
                }
                continue
            }
            let ordered = group.sorted { manifests[$0].batchIndex < manifests[$1].batchIndex }
            let anchor = try send(manifests: ordered.map { manifests[$0] }, dryRun: dryRun, outcome: &outcome)
            for i in ordered {
                if let anchor { manifests[i].addAnchor(anchor) }
                if !dryRun { try manifests[i].write(to: manifestPaths[i]) }
                outcome.files.append(
                    FileResult(
                        path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                        status: dryRun ? .planned : .attested, anchor: anchor))
            }
        }
        return outcome
    }

    // MARK: shared

    /// Before anything new is sent: every transaction the journal says was sent but not seen mined is
    /// followed up — mined (recorded), pending (waited for), or dropped (broadcast again; if its nonce
    /// was taken meanwhile, the chain check that follows decides what is still to attest).
    private func settleJournaledTransactions(dryRun: Bool) throws {
        guard let journal, !dryRun else { return }
        for raw in journal.unsettled {
            let hash = Keccak256.hash(raw)
            var receipt = try client.receipt(hash)
            if receipt == nil {
                let known = try client.rpc.call("eth_getTransactionByHash", [.string(Hex.encode(hash, prefix: true))])
                if known.isNull { _ = try? client.sendRawTransaction(raw) }
                let deadline = Date().addingTimeInterval(sendOptions.timeout)
                while receipt == nil && Date() < deadline {
                    let pending = try client.rpc.call(
                        "eth_getTransactionByHash", [.string(Hex.encode(hash, prefix: true))])
                    if pending.isNull { break }  // dropped and refused again: the chain check takes over
                    Thread.sleep(forTimeInterval: sendOptions.pollInterval)
                    receipt = try client.receipt(hash)
                }
            }
            if let receipt {
                try journal.append([
                    .object([
                        ("t", .string("mined")), ("hash", .string(Hex.encode(hash, prefix: true))),
                        ("block", .number(String(receipt.blockNumber))),
                    ])
                ])
            }
        }
    }

    /// One sender for the whole run, so successive batches take successive nonces.
    private var cachedSender: TransactionSender?
    private func sender() throws -> TransactionSender {
        if let s = cachedSender { return s }
        let s = try TransactionSender(client: client, key: payer, expectedChainId: expectedChainId)
        cachedSender = s
        return s
    }

    /// Sends one batch (manifests in batch order). Returns the anchor, or nil for a dry run.
    private func send(manifests: [Manifest], dryRun: Bool, outcome: inout Outcome, of total: Int = 1) throws -> Anchor?
    {
        let ordered = manifests.sorted { $0.batchIndex < $1.batchIndex }
        let calldata = try RegistryContract.attestCalldata(
            digests: ordered.map(\.sha256), merkleRoot: ordered[0].message.merkleRoot,
            signature: ordered[0].signature)
        let sender = try self.sender()
        let prepared = try sender.prepare(to: registry, data: calldata, fees: fees)
        outcome.chainId = sender.chainId
        outcome.batches.append(
            Batch(transaction: prepared.signed, receipt: nil, maxCost: prepared.maxCost, fileCount: ordered.count))
        if dryRun { return nil }
        try journal?.append([
            .object([
                ("t", .string("signed")), ("root", .string(Hex.encode(ordered[0].message.merkleRoot, prefix: true))),
                ("digests", .array(ordered.map { .string(Hex.encode($0.sha256)) })),
            ])
        ])
        CrashPoint.hit("after-sign")
        let receipt = try sender.sendAndWait(prepared, options: sendOptions) { tx in
            // Durable before it leaves: a crash after this point cannot lose the transaction.
            try self.journal?.append([
                .object([
                    ("t", .string("sent")), ("hash", .string(tx.hashHex)),
                    ("raw", .string(Hex.encode(tx.raw, prefix: true))),
                ])
            ])
            self.onBroadcast(tx)
            self.progress(.sent(batch: outcome.batches.count, ofBatches: total, files: ordered.count, tx: tx.hashHex))
        }
        progress(.confirmed(batch: outcome.batches.count, ofBatches: total, block: receipt.blockNumber))
        try journal?.append([
            .object([
                ("t", .string("mined")), ("hash", .string(Hex.encode(receipt.transactionHash, prefix: true))),
                ("block", .number(String(receipt.blockNumber))),
            ])
        ])
        CrashPoint.hit("after-receipt")
        outcome.batches[outcome.batches.count - 1].receipt = receipt
        let time = try client.block(receipt.blockNumber)?.timestamp ?? 0
        return Anchor(
            chainId: sender.chainId, registry: registry, txHash: receipt.transactionHash,
            blockNumber: receipt.blockNumber, blockTime: time)
    }

    /// The manifest for a file already attested by this signer: the existing one with the chain's
    /// records added, or — when it is missing or for other content — one rebuilt from the attesting
    /// transaction's calldata (digests, root and signature are all there).
    private func manifestForRecorded(
        _ path: String, digest: FileDigest, existing: Manifest?, records: [OnChainAttestation],
        reader: RegistryReader
    ) throws -> Manifest {
        if var m = existing, m.sha256 == digest.sha256, m.signer == records[0].signer {
            // Records of this manifest's own signature are anchors; others are left to the chain.
            for r in records {
                if let batch = try? reader.batch(ofTransaction: r.txHash), batch.signature == m.signature {
                    m.addAnchor(r.anchor)
                }
            }
            return m
        }
        let record = records[0]
        let batch = try reader.batch(ofTransaction: record.txHash)
        guard let index = batch.digests.firstIndex(of: digest.sha256) else {
            throw ProvenanceError(
                .chain,
                "transaction \(Hex.encode(record.txHash, prefix: true)) does not carry \(Hex.encode(digest.sha256))")
        }
        let message = AttestationMessage(
            merkleRoot: batch.merkleRoot, fileCount: batch.digests.count, registry: registry)
        var m = Manifest(
            fileName: URL(fileURLWithPath: path).lastPathComponent, digest: digest, signer: record.signer,
            batchIndex: index,
            batchProof: Merkle.proof(index: index, leaves: batch.digests), message: message, signature: batch.signature)
        m.addAnchor(record.anchor)
        return m
    }
}

/// Lets an event through at most once per interval (called under the hasher's lock).
final class Throttle: @unchecked Sendable {
    private let interval: Double
    private var last = Date.distantPast
    init(interval: Double) { self.interval = interval }
    func ready() -> Bool {
        let now = Date()
        guard now.timeIntervalSince(last) >= interval else { return false }
        last = now
        return true
    }
}
