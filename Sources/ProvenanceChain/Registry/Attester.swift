import Foundation
import ProvenanceCore

#if canImport(Glibc)
    import Glibc
#endif

/// Puts signed batches on chain and keeps each file's manifest in step with the chain: hash (or take
/// an authentic journal's digests), look the digests up, plan (AttestPlanner), sign, submit
/// (BatchSubmitter), write manifests. The signing key (publisher) and the paying key may differ.
public final class Attester {
    public enum Status: Sendable {
        /// Attested now by this run's transaction.
        case attested
        /// Already on this chain by this signer: nothing paid; the existing records are listed.
        case alreadyAttested([OnChainAttestation])
        /// --dry-run: nothing sent.
        case planned
        /// Not a readable regular file, or its manifest cannot be read: reported, never fatal to the rest.
        case skipped(String)
    }

    public struct FileResult: Sendable {
        public let path: String
        public let sha256: [UInt8]
        public let manifestPath: String
        public let status: Status
        public let anchor: Anchor?
        /// For a skipped file: the way out, in the caller's words.
        public var remedy: ProvenanceError.Remedy? = nil
    }

    /// One transaction: a batch of files under one signature.
    public struct Batch: Sendable {
        public let transaction: SignedTransaction
        public var receipt: EthClient.Receipt?
        public let maxCost: Wei
        public let fileCount: Int
        public let chainId: UInt64
    }

    public struct Outcome: Sendable {
        public var files: [FileResult] = []
        public var batches: [Batch] = []
        public var chainId: UInt64 = 0
        /// Skipped files and all files, kept when `files` is dropped (a window of a long run, counted).
        public var skippedCount = 0
        public var total = 0

        public init(
            files: [FileResult] = [], batches: [Batch] = [], chainId: UInt64 = 0, skippedCount: Int = 0, total: Int = 0
        ) {
            self.files = files
            self.batches = batches
            self.chainId = chainId
            self.skippedCount = skippedCount
            self.total = total
        }
        public var skipped: Int {
            skippedCount
                + files.filter {
                    if case .skipped = $0.status { return true }
                    return false
                }.count
        }

        mutating func skip(
            _ path: String, sha256: [UInt8] = [], _ reason: String, remedy: ProvenanceError.Remedy? = nil
        ) {
            files.append(
                FileResult(
                    path: path, sha256: sha256, manifestPath: Manifest.path(for: path), status: .skipped(reason),
                    anchor: nil, remedy: remedy))
        }
    }

    public enum Progress: Sendable {
        /// While hashing: files and bytes done of the totals (sent at most twice a second).
        case hashing(files: Int, ofFiles: Int, bytes: UInt64, ofBytes: UInt64)
        case hashed(files: Int, bytes: UInt64, ofFiles: Int)
        case sent(batch: Int, ofBatches: Int, files: Int, tx: String)
        case confirmed(batch: Int, ofBatches: Int, block: UInt64)
        /// While fingerprinting media (sent at most twice a second, and when the pass ends).
        case fingerprinting(FingerprintProgress)
    }

    public let client: EthClient
    public let registry: Address
    private let submitter: BatchSubmitter
    public var fees: FeeOptions {
        get { submitter.fees }
        set { submitter.fees = newValue }
    }
    public var sendOptions: SendOptions {
        get { submitter.sendOptions }
        set { submitter.sendOptions = newValue }
    }
    public var expectedChainId: UInt64? {
        get { submitter.expectedChainId }
        set { submitter.expectedChainId = newValue }
    }
    /// Called with each transaction as it is sent (print it: it must never be lost).
    public var onBroadcast: (SignedTransaction) -> Void {
        get { submitter.onBroadcast }
        set { submitter.onBroadcast = newValue }
    }
    public var progress: @Sendable (Progress) -> Void {
        get { submitter.progress }
        set { submitter.progress = newValue }
    }
    /// Records every step durably before it happens, so a killed run resumes (see Journal).
    public var journal: Journal? {
        get { submitter.journal }
        set { submitter.journal = newValue }
    }
    public var chunkSize: Int?  // nil: the default for each file's size
    /// Fingerprints the sound of media files before they are signed (nil: none). Told what it skipped.
    public var fingerprinter: Fingerprinter?
    public var onFingerprintNote: (String) -> Void = { _ in }
    /// Most files per transaction; nil: as many as fit in 90 % of the latest block's gas limit.
    public var maxPerTransaction: Int?

    public init(client: EthClient, registry: Address, payer: PrivateKey) {
        self.client = client
        self.registry = registry
        submitter = BatchSubmitter(client: client, registry: registry, payer: payer)
    }

    /// The endpoint, chain and registry, checked before any file is read (RegistryReader.checkRegistry).
    public func checkChain() throws {
        try RegistryReader(client: client, registry: registry).checkRegistry(expectedChainId: expectedChainId)
    }

    // MARK: files signed here

    /// Hashes `paths`, skips what `signer` already attested on this chain (unless `force`), signs one
    /// batch per transaction for the rest (or re-uses the files' existing signature when their whole
    /// batch is here), sends them, and writes every manifest with its anchor.
    public func attest(paths inputPaths: [String], signer: PrivateKey, force: Bool = false, dryRun: Bool = false) throws
        -> Outcome
    {
        guard !inputPaths.isEmpty else { throw ProvenanceError.usage("no files to attest") }
        var outcome = Outcome()
        // File types first (stat, no open: a FIFO would block), then all regular files on all cores.
        var regular: [String] = []
        for path in inputPaths {
            do {
                try FileHasher.requireRegularFile(path)
                // A manifest that could not be written must not be paid for: told and skipped before sending.
                if let why = Manifest.nameProblem(forFile: path) { throw ProvenanceError.input(why) }
                regular.append(path)
            } catch let e as ProvenanceError { outcome.skip(path, e.message) }
        }
        if !dryRun { try journal?.settle(client: client, options: sendOptions) }
        let (paths, digests) = try hash(regular, signer: signer, dryRun: dryRun, outcome: &outcome)
        try Interrupt.check("after hashing \(regular.count) files, before anything was signed or sent")
        // Nothing readable here (a window of an archive may be all skipped): the skips are the outcome.
        guard !paths.isEmpty else { return outcome }

        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let onChain = try reader.attestations(
            for: digests.map(\.sha256), by: [signer.address], expectedChainId: expectedChainId)
        outcome.chainId = reader.chainId
        try refuseRevoked(signer.address, reader: reader, dryRun: dryRun)
        var candidates: [AttestPlanner.Candidate] = []
        var recordedManifests: [Int: Manifest] = [:]
        for (i, path) in paths.enumerated() {
            let existing = Self.existingManifest(for: path)
            let mine = onChain[i].filter { $0.signer == signer.address }
            // A record counts as done only when a manifest backed by the chain can be written for it.
            var records: [OnChainAttestation] = []
            var conflict: String?
            if !mine.isEmpty, !force {
                if let m = try manifestForRecorded(
                    path, digest: digests[i], existing: existing.manifest, records: mine, reader: reader)
                {
                    recordedManifests[i] = m
                    records = mine
                } else {
                    conflict = try otherDetails(digests[i], records: mine, reader: reader)
                }
            }
            candidates.append(
                .init(path: path, digest: digests[i], records: records, existing: existing, conflict: conflict))
        }
        // The block gas limit is asked for only when something may be sent.
        let mustSend = force || candidates.contains { $0.records.isEmpty }
        let perTransaction = try maxPerTransaction ?? (mustSend ? submitter.filesPerTransaction() : 1)
        let plan = try AttestPlanner.plan(
            candidates, signer: signer.address, registry: registry, force: force, perTransaction: perTransaction)

        for (i, reason) in plan.skipped {
            let remedy: ProvenanceError.Remedy? = candidates[i].conflict == nil ? nil : .sameDetailsOrForce
            outcome.skip(paths[i], sha256: digests[i].sha256, reason, remedy: remedy)
        }
        if !dryRun {
            try Manifest.writeAll(plan.recorded.map { (Manifest.path(for: paths[$0]), recordedManifests[$0]!) })
        }
        for i in plan.recorded {
            outcome.files.append(
                FileResult(
                    path: paths[i], sha256: digests[i].sha256, manifestPath: Manifest.path(for: paths[i]),
                    status: .alreadyAttested(candidates[i].records), anchor: candidates[i].records.last?.anchor))
        }
        try send(plan, paths: paths, digests: digests, signer: signer, dryRun: dryRun, outcome: &outcome)
        return outcome
    }

    /// Signs (or re-uses the signature of) each planned batch, sends it, and writes its manifests with the
    /// anchor, one transaction at a time; Ctrl-C is honoured between transactions.
    private func send(
        _ plan: AttestPlanner.Plan, paths: [String], digests: [FileDigest], signer: PrivateKey, dryRun: Bool,
        outcome: inout Outcome
    ) throws {
        for (k, batch) in plan.batches.enumerated() {
            try Interrupt.check("after \(k) of \(plan.batches.count) transactions")
            let manifests =
                try plan.reused
                ?? BatchSigner.sign(
                    paths: batch.map { paths[$0] }, digests: batch.map { digests[$0] }, key: signer, registry: registry
                ).map(\.manifest)
            let (sent, anchor) = try submitter.submit(manifests, dryRun: dryRun, number: k + 1, of: plan.batches.count)
            outcome.batches.append(sent)
            outcome.chainId = sent.chainId
            let anchored = manifests.map { manifest -> Manifest in
                var m = manifest
                if let anchor { m.addAnchor(anchor) }
                return m
            }
            if !dryRun { try Manifest.writeAll(zip(batch, anchored).map { (Manifest.path(for: paths[$0]), $1) }) }
            for (i, m) in zip(batch, anchored) {
                outcome.files.append(
                    FileResult(
                        path: paths[i], sha256: m.sha256, manifestPath: Manifest.path(for: paths[i]),
                        status: dryRun ? .planned : .attested, anchor: anchor))
            }
        }
    }

    /// Digests of the regular files, from the journal where its authentic record still matches the file,
    /// else hashed on all cores (and journaled). Files that fail to hash are skipped.
    private func hash(_ candidates: [String], signer: PrivateKey, dryRun: Bool, outcome: inout Outcome) throws -> (
        [String], [FileDigest]
    ) {
        journal?.macKey = signer.derivedKey(purpose: "attest journal")
        var cached: [String: FileDigest] = [:]
        for path in candidates {
            if let d = journal?.cachedDigest(path: path, chunkSize: chunkSize) { cached[path] = d }
        }
        let toHash = candidates.filter { cached[$0] == nil }
        cached = refingerprinted(cached)
        let totalBytes = toHash.reduce(UInt64(0)) { sum, p in
            FSPath.status(p).map { sum &+ UInt64($0.st_size) } ?? sum
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
        var fresh: [String: Result<FileDigest, ProvenanceError>] = [:]
        for (path, result) in zip(toHash, results) { fresh[path] = result }
        // Fingerprinted before they are journaled, so a resumed run decodes nothing again.
        let hashed = toHash.compactMap { p -> (String, FileDigest)? in
            if case .success(let d)? = fresh[p] { return (p, d) }
            return nil
        }
        for (path, d) in zip(hashed.map(\.0), fingerprinted(hashed.map(\.0), hashed.map(\.1))) {
            fresh[path] = .success(d)
        }
        if !dryRun, let journal {
            let records = toHash.compactMap { path -> JSON? in
                guard case .success(let d)? = fresh[path] else { return nil }
                return journal.hashedRecord(path: path, digest: d)
            }
            try journal.append(Array(records.prefix(records.count / 2)))
            TestSeam.crashPoint("mid-hash")
            try journal.append(Array(records.dropFirst(records.count / 2)))
            TestSeam.crashPoint("after-hash")
        }
        var paths: [String] = []
        var digests: [FileDigest] = []
        for path in candidates {
            switch cached[path].map({ Result<FileDigest, ProvenanceError>.success($0) }) ?? fresh[path]! {
            case .success(let d):
                paths.append(path)
                digests.append(d)
            case .failure(let e): outcome.skip(path, e.message)
            }
        }
        progress(.hashed(files: paths.count, bytes: digests.reduce(0) { $0 &+ $1.size }, ofFiles: candidates.count))
        return (paths, digests)
    }

    /// Journaled digests as this run signs them: without fingerprints under --no-fingerprint; with them, media
    /// a journal of an earlier version held without one fingerprinted now.
    private func refingerprinted(_ cached: [String: FileDigest]) -> [String: FileDigest] {
        var out = cached
        guard fingerprinter != nil else {
            for path in cached.keys {
                out[path]!.audio = nil
                out[path]!.picture = nil
            }
            return out
        }
        let missing = cached.keys.sorted().filter { cached[$0]!.audio == nil && Fingerprinter.isMedia($0) }
        for (path, d) in zip(missing, fingerprinted(missing, missing.map { cached[$0]! })) { out[path] = d }
        return out
    }

    /// The digests with fingerprints, when this run makes them (none with --no-fingerprint).
    private func fingerprinted(_ paths: [String], _ digests: [FileDigest]) -> [FileDigest] {
        guard var fingerprinter else { return digests }
        let report = progress
        fingerprinter.progress = Fingerprinter.throttled { report(.fingerprinting($0)) }
        let (withAudio, notes) = fingerprinter.apply(paths: paths, digests: digests)
        notes.forEach(onFingerprintNote)
        return withAudio
    }

    private static func existingManifest(for path: String) -> AttestPlanner.ExistingManifest {
        let manifestPath = Manifest.path(for: path)
        guard FSPath.status(manifestPath, followLinks: false) != nil else { return .none }
        do { return .manifest(try Manifest.read(path: manifestPath)) } catch let e as ProvenanceError {
            return .unreadable(e.message)
        } catch { return .unreadable("\(manifestPath): \(error)") }
    }

    // MARK: manifests signed elsewhere (offline signing, online sending)

    /// Anchors batches from manifests alone; the contract checks the signatures, so no signing key is
    /// needed here. Every manifest of a batch must be given (the contract recomputes the whole root).
    public func attest(manifestPaths: [String], dryRun: Bool = false) throws -> Outcome {
        guard !manifestPaths.isEmpty else { throw ProvenanceError.usage("no manifests given") }
        var manifests = try manifestPaths.map { try Manifest.read(path: $0) }
        // Checked together: a batch's manifests share one signature, recovered once.
        let problems = OfflineVerifier(registry: registry).authenticityProblems(manifests)
        if let i = problems.firstIndex(where: { $0 != nil }), let problem = problems[i] {
            throw ProvenanceError.input("\(manifestPaths[i]): \(problem)")
        }
        if !dryRun { try journal?.settle(client: client, options: sendOptions) }
        let reader = RegistryReader(client: client, registry: registry, confirmations: 1)
        let signers = Array(Set(manifests.map(\.signer)))
        let onChain = try reader.attestations(
            for: manifests.map(\.sha256), by: signers, expectedChainId: expectedChainId)
        for signer in signers { try refuseRevoked(signer, reader: reader, dryRun: dryRun) }
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
        for (number, group) in groups.enumerated() {
            let first = manifests[group[0]]
            // fileCount is bounded by the format (≤ the contract's batch limit), so this set is small.
            let indices = Set(group.map { manifests[$0].batchIndex })
            guard indices.count == first.message.fileCount else {
                let missing = Set(0..<first.message.fileCount).subtracting(indices).sorted().prefix(10).map(String.init)
                    .joined(separator: ", ")
                throw ProvenanceError.input(
                    "\(manifestPaths[group[0]]) belongs to a batch of \(first.message.fileCount) files signed together; give all their manifests (missing batch indices: \(missing))"
                )
            }
            // A record counts for these manifests only if its transaction carries this very signature.
            let mine = try group.map { i in
                try onChain[i].filter { record in
                    guard record.signer == first.signer else { return false }
                    let batch = try reader.verifiedBatch(ofTransaction: record.txHash, signer: first.signer)
                    return batch?.signature == first.signature
                }
            }
            if mine.allSatisfy({ !$0.isEmpty }) {
                for (k, i) in group.enumerated() {
                    for record in mine[k] { manifests[i].addAnchor(record.anchor) }
                }
                if !dryRun { try Manifest.writeAll(group.map { (manifestPaths[$0], manifests[$0]) }) }
                for (k, i) in group.enumerated() {
                    outcome.files.append(
                        FileResult(
                            path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                            status: .alreadyAttested(mine[k]), anchor: mine[k].last?.anchor))
                }
                continue
            }
            let (sent, anchor) = try submitter.submit(
                group.map { manifests[$0] }, dryRun: dryRun, number: number + 1, of: groups.count)
            outcome.batches.append(sent)
            outcome.chainId = sent.chainId
            let ordered = group.sorted { manifests[$0].batchIndex < manifests[$1].batchIndex }
            if let anchor { for i in ordered { manifests[i].addAnchor(anchor) } }
            if !dryRun { try Manifest.writeAll(ordered.map { (manifestPaths[$0], manifests[$0]) }) }
            for i in ordered {
                outcome.files.append(
                    FileResult(
                        path: manifestPaths[i], sha256: manifests[i].sha256, manifestPath: manifestPaths[i],
                        status: dryRun ? .planned : .attested, anchor: anchor))
            }
        }
        return outcome
    }

    /// When this signer's checked batch holds this content with details other than those hashed here
    /// (another chunk size), the manifest cannot be rebuilt: say so instead of paying again unasked.
    private func otherDetails(_ digest: FileDigest, records: [OnChainAttestation], reader: RegistryReader) throws
        -> String?
    {
        for record in records {
            guard let batch = try reader.verifiedBatch(ofTransaction: record.txHash, signer: record.signer),
                batch.files.contains(where: { $0.contentID == digest.sha256 })
            else { continue }
            return
                "already attested by \(record.signer) in block \(record.blockNumber) (tx \(Hex.encode(record.txHash, prefix: true))) with other file details than hashed now (another chunk size, or signed with or without an audio fingerprint?), so its manifest cannot be rebuilt"
        }
        return nil
    }

    /// A key revoked on this chain attests nothing more here (its records from now on would be void).
    private func refuseRevoked(_ signer: Address, reader: RegistryReader, dryRun: Bool) throws {
        guard let block = reader.signerRecords[signer]?.revokedAt else { return }
        throw ProvenanceError(
            .input,
            "the key \(signer) was revoked on chain \(reader.chainId) at block \(block): attestations by it from then on are void, so it attests nothing more"
        )
    }

    // MARK: manifests rebuilt from the chain

    /// The manifest for a file already attested by this signer: the existing one with the chain's
    /// records of its own signature added, or — when it is missing or describes other content — one
    /// rebuilt from an attesting transaction that checks out (see RegistryReader.verifiedBatch).
    /// nil when no record can be backed that way: the file is then attested again.
    private func manifestForRecorded(
        _ path: String, digest: FileDigest, existing: Manifest?, records: [OnChainAttestation], reader: RegistryReader
    ) throws -> Manifest? {
        if var m = existing, m.sha256 == digest.sha256, m.signer == records[0].signer {
            var anchored = false
            for r in records
            where try reader.verifiedBatch(ofTransaction: r.txHash, signer: m.signer)?.signature == m.signature {
                m.addAnchor(r.anchor)
                anchored = true
            }
            if anchored { return m }
        }
        // The chain's batch must commit to this file's content and to the details hashed here.
        let mine = FileCommitment(digest: digest)
        for record in records {
            guard let batch = try reader.verifiedBatch(ofTransaction: record.txHash, signer: record.signer),
                let index = batch.files.firstIndex(of: mine)
            else { continue }
            let message = AttestationMessage(
                merkleRoot: batch.merkleRoot, fileCount: batch.files.count, registry: registry)
            var m = Manifest(
                fileName: URL(fileURLWithPath: path).lastPathComponent, digest: digest, signer: record.signer,
                batchIndex: index, batchProof: Merkle.proof(index: index, leaves: batch.files.map(\.leaf)),
                message: message, signature: batch.signature)
            // The same checks a verifier makes, before anything is written.
            guard OfflineVerifier(registry: registry).authenticityProblem(m) == nil else { continue }
            m.addAnchor(record.anchor)
            return m
        }
        return nil
    }
}
