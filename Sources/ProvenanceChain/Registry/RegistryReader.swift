import ProvenanceCore

/// Reads attestations from a registry on one chain. It checks the chain before trusting it: the
/// registry address must hold exactly the registry's code, and an event counts only with
/// `confirmations` blocks on top of it (the mined block included) and not marked removed.
///
/// Two ways to look up (docs/FORMAT.md §6a):
/// - **by signer**: one eth_call per signer reads the registry's index of the blocks that hold the
///   signer's batches, and logs are asked for at those blocks only. Three HTTP requests whatever the
///   chain's age or the provider's range cap: (chain, code, head, index), (logs, revocation block),
///   (block times).
/// - **by content alone**: a scan from the registry's deployment block (read from its code), in the
///   windows the provider accepts (LogScanner), remembering what it scanned (ScanCache).
public final class RegistryReader {
    public let client: EthClient
    public let registry: Address
    public let confirmations: UInt64
    public private(set) var chainId: UInt64 = 0
    public private(set) var latestBlock: UInt64 = 0
    /// The block the registry was deployed in (read from its code).
    public private(set) var deployedAt: UInt64 = 0
    /// The highest block the endpoint calls finalized (nil: it names none, or refused the tag).
    public private(set) var finalizedBlock: UInt64?
    /// Content IDs per eth_getLogs call (an OR-list in topic 0).
    public var digestsPerQuery = 100
    /// Blocks one index-guided eth_getLogs call spans at most: the smallest cap among public providers
    /// (Alchemy's 500), so index windows are never refused.
    public var indexWindow: UInt64 = 500
    /// Remembers content scans between runs; nil: scan from the deployment block every time.
    public var cache: ScanCache?
    /// Told of a content scan's progress: blocks scanned of the total.
    public var onScanProgress: (_ scanned: UInt64, _ total: UInt64) -> Void = { _, _ in }
    private var scanner: LogScanner
    /// The index entries of the signers of the last lookup by signer.
    public private(set) var signerRecords: [Address: RegistryContract.SignerRecord] = [:]

    public init(client: EthClient, registry: Address, confirmations: UInt64 = 1) {
        self.client = client
        self.registry = registry
        self.confirmations = max(1, confirmations)
        scanner = LogScanner(client: client)
    }

    /// eth_getLogs calls of content scans so far (refused windows included).
    public var scanQueries: Int { scanner.queries }

    /// One lookup's answer as a value: the records proven here, in the order of the digests asked, and
    /// the records the endpoint reported that did not pass the proof.
    public struct Lookup: Sendable {
        public let chainId: UInt64
        public let latestBlock: UInt64
        public let finalizedBlock: UInt64?
        public let records: [[OnChainAttestation]]
        public let rejected: [RejectedRecord]
        /// The highest block whose records count at this endpoint (nil: none yet).
        public let confirmedHead: UInt64?
        /// What the storage proof showed of the revocation state of every signer met (nil: no signer met).
        public let revocations: ProvenRevocations?
    }

    /// Every record of each digest by any of `signers` (the registry's index says where), or by anyone
    /// (nil: a scan of the registry's history).
    public func lookup(_ digests: [[UInt8]], by signers: [Address]?, expectedChainId: UInt64?) throws -> Lookup {
        rejected = []
        proofOfRevocations = nil
        let found =
            try signers.map { try attestations(for: digests, by: $0, expectedChainId: expectedChainId) }
            ?? attestations(for: digests, expectedChainId: expectedChainId)
        let host = client.endpoint.redacted
        return Lookup(
            chainId: chainId, latestBlock: latestBlock, finalizedBlock: finalizedBlock, records: found,
            rejected: rejected.map {
                RejectedRecord(
                    digest: $0.digest, txHash: $0.txHash, check: $0.check, forged: $0.forged, endpoint: host)
            }, confirmedHead: try confirmedHead(), revocations: proofOfRevocations)
    }

    /// What the lookup's storage proof showed of the signers' revocation state (one proof per lookup).
    private var proofOfRevocations: ProvenRevocations?

    /// One request: the endpoint answers, on the chain expected, with the registry deployed. Long runs
    /// ask this before reading any file, so a wrong endpoint or registry fails in a second, not after an
    /// archive's first window has been hashed.
    public func checkRegistry(expectedChainId: UInt64?) throws {
        try accept(try client.chainState(codeAt: registry, finalized: true), expectedChainId: expectedChainId)
    }

    /// Checks what the first request brought: the chain, its head and the registry's code.
    private func accept(_ state: EthClient.ChainState, expectedChainId: UInt64?) throws {
        chainId = state.chainId
        // The finalized tag rides last in every first request (see `chainState`): an endpoint's word, used
        // only to say whether a record's block is final, never to count one.
        finalizedBlock = state.finalizedBlock
        if let expectedChainId, expectedChainId != chainId {
            throw RPCError.wrongChain(endpoint: client.endpoint.redacted, expected: expectedChainId, actual: chainId)
        }
        latestBlock = state.latestBlock
        guard !state.code.isEmpty else {
            throw ProvenanceError(
                .chain,
                "no registry at \(registry) on chain \(chainId) (\(client.endpoint.redacted))",
                remedy: .deployRegistryOrNameIt)
        }
        guard let deployed = try RegistryContract.deploymentBlock(ofCode: state.code, at: registry),
            deployed <= latestBlock
        else {
            throw ProvenanceError(
                .chain,
                "the code at \(registry) on chain \(chainId) is not the registry's: attestations there cannot be trusted"
            )
        }
        deployedAt = deployed
        codeHash = Keccak256.hash(state.code)
    }

    /// keccak256 of the code checked to be the registry's: the account a storage proof shows must hold it.
    private var codeHash: [UInt8] = []

    /// The highest block whose events count (nil: none yet). The head comes from the endpoint: a
    /// hostile 2^64−1 must not trap, so the arithmetic reports overflow.
    private func confirmedHead() throws -> UInt64? {
        let (height, overflow) = latestBlock.addingReportingOverflow(1)
        guard !overflow else {
            throw RPCError.malformedResponse(
                endpoint: client.endpoint.redacted, reason: "latest block number is 2^64−1")
        }
        return height >= confirmations ? height - confirmations : nil
    }

    private func unique(_ digests: [[UInt8]]) -> [[[UInt8]]] {
        let sorted = Array(Set(digests.map { Hex.encode($0) })).sorted().compactMap { Hex.decode($0) }
        return stride(from: 0, to: sorted.count, by: digestsPerQuery).map {
            Array(sorted[$0..<min($0 + digestsPerQuery, sorted.count)])
        }
    }

    private func filter(_ digests: [[UInt8]], signers: [Address]?) -> EthClient.LogFilter {
        EthClient.LogFilter(
            address: registry, topic0: digests, topic1: signers?.map(RegistryContract.topic), fromBlock: 0,
            toBlock: nil)
    }

    private func malformed(_ what: String) -> RPCError {
        RPCError.malformedResponse(endpoint: client.endpoint.redacted, reason: what)
    }

    // MARK: by signer

    /// Every attestation of each digest by any of `signers`, in the order of `digests`.
    public func attestations(
        for digests: [[UInt8]], by signers: [Address], expectedChainId: UInt64? = nil
    ) throws -> [[OnChainAttestation]] {
        let signers = Array(Set(signers)).sorted { $0.checksummed < $1.checksummed }
        let state = try client.chainState(
            codeAt: registry, finalized: true,
            with: signers.map { recordQuery($0, start: 0) }
        )
        try accept(state, expectedChainId: expectedChainId)
        var records = try signerRecords(signers, answers: state.answers)
        try completePages(&records)
        signerRecords = records
        guard let confirmed = try confirmedHead(), !digests.isEmpty else {
            return digests.map { _ in [] }
        }
        let blocks = Set(records.values.flatMap(\.blocks)).filter { $0 <= confirmed }.sorted()
        var windows: [ClosedRange<UInt64>] = []
        for b in blocks {
            if let last = windows.last, b - last.lowerBound < indexWindow {
                windows[windows.count - 1] = last.lowerBound...b
            } else {
                windows.append(b...b)
            }
        }
        let withBatches = signers.filter { !(records[$0]?.blocks.isEmpty ?? true) }
        var queries: [EthClient.Query] = []
        var filters: [EthClient.LogFilter] = []
        if !withBatches.isEmpty {
            for chunk in unique(digests) {
                for w in windows {
                    let f = filter(chunk, signers: withBatches).range(w.lowerBound, w.upperBound)
                    filters.append(f)
                    queries.append(.logs(f))
                }
            }
        }
        let answers = try client.batch(queries)
        var logs: [EthClient.Log] = []
        for (f, answer) in zip(filters, answers) {
            switch answer {
            case .success(.logs(let found)): logs += found
            case .failure(let error) where LogRangeAdvice(error) != nil:
                logs += try scanner.scan([f], from: f.fromBlock, to: f.toBlock ?? f.fromBlock)
            case .failure(let error): throw error
            default: throw malformed("eth_getLogs answered with something else")
            }
        }
        return try attestations(
            digests, logs: logs, confirmed: confirmed, signers: Set(signers),
            revokedAt: records.compactMapValues(\.revokedAt))
    }

    /// The registry's index of a signer's batch blocks, a page from `start`.
    private func recordQuery(_ signer: Address, start: Int) -> EthClient.Query {
        .call(to: registry, data: RegistryContract.signerRecordCalldata(signer: signer, start: start))
    }

    private func signerRecords(_ signers: [Address], answers: [Result<EthClient.Answer, RPCError>]) throws
        -> [Address: RegistryContract.SignerRecord]
    {
        var records: [Address: RegistryContract.SignerRecord] = [:]
        for (signer, answer) in zip(signers, answers) {
            guard case .success(.call(let data)) = answer, let record = RegistryContract.decodeSignerRecord(data)
            else {
                if case .failure(let error) = answer { throw error }
                throw malformed("the registry's signer index answered something that is not a signer record")
            }
            // Batches are in blocks from the registry's deployment to the head, one entry a block, ascending: an
            // index claiming more (a liar's 2^31 entries, paged for ever) is refused at once. The slack: blocks
            // mined between the head's answer and the call's.
            let top = latestBlock.addingReportingOverflow(64).overflow ? UInt64.max : latestBlock + 64
            let span = top >= deployedAt ? top - deployedAt + 1 : 0
            guard UInt64(record.batchBlockCount) <= span,
                record.blocks.allSatisfy({ $0 >= deployedAt && $0 <= top }),
                zip(record.blocks, record.blocks.dropFirst()).allSatisfy({ $0 < $1 })
            else { throw malformed("the registry's signer index names blocks the chain does not have") }
            records[signer] = record
        }
        return records
    }

    /// Fetches the rest of any index longer than one page (a signer with more than 1,024 batch blocks).
    private func completePages(_ records: inout [Address: RegistryContract.SignerRecord]) throws {
        // Pages are gathered apart and joined once (joined page by page, a long index cost quadratic time).
        var blocks = records.mapValues(\.blocks)
        while true {
            let short = records.keys.filter { blocks[$0]!.count < records[$0]!.batchBlockCount }.sorted {
                $0.checksummed < $1.checksummed
            }
            guard !short.isEmpty else { break }
            let answers = try client.batch(short.map { recordQuery($0, start: blocks[$0]!.count) })
            for (signer, page) in try signerRecords(short, answers: answers) {
                guard !page.blocks.isEmpty, page.blocks.first! > blocks[signer]!.last ?? 0,
                    blocks[signer]!.count + page.blocks.count <= records[signer]!.batchBlockCount
                else { throw malformed("the registry's signer index repeated or lost entries between pages") }
                blocks[signer]!.append(contentsOf: page.blocks)
            }
        }
        for (signer, old) in records {
            records[signer] = RegistryContract.SignerRecord(
                revokedAt: old.revokedAt, batchBlockCount: old.batchBlockCount, blocks: blocks[signer]!)
        }
    }

    // MARK: by content alone

    /// Every attestation of each digest by anyone, in the order of `digests`.
    public func attestations(for digests: [[UInt8]], expectedChainId: UInt64? = nil) throws -> [[OnChainAttestation]] {
        // The genesis block rides along: the cache is the chain's (id and genesis hash) and the registry's.
        let state = try client.chainState(codeAt: registry, finalized: true, with: cache == nil ? [] : [.block(0)])
        try accept(state, expectedChainId: expectedChainId)
        guard let confirmed = try confirmedHead(), !digests.isEmpty else { return digests.map { _ in [] } }
        if let cache {
            guard case .success(.block(let genesis?))? = state.answers.first, genesis.number == 0 else {
                throw malformed("no genesis block")
            }
            cache.load(chainId: chainId, genesis: genesis.hash, registry: registry)
        }
        let scanned = try cache.map { try scannedBlocks(digests, cache: $0, confirmed: confirmed) } ?? []
        if scanner.span == nil { scanner.span = cache?.span }
        scanner.onProgress = onScanProgress
        // Content IDs grouped by the block their scan starts at (after what the cache has seen).
        var byStart: [UInt64: [[UInt8]]] = [:]
        // The cache is a hint: it says in which blocks records were seen, and those blocks are asked again, so
        // every record is proven from the chain on every run (a forged record once cached is never believed).
        var cachedBlocks: [UInt64: [[UInt8]]] = [:]
        for digest in Set(digests.map { Hex.encode($0) }).sorted().compactMap({ Hex.decode($0) }) {
            var start = deployedAt
            if let entry = cache?.entry(digest), entry.scannedTo >= deployedAt, scanned.contains(entry.scannedTo) {
                start = entry.scannedTo + 1
                for block in Set(entry.records.map(\.block)) { cachedBlocks[block, default: []].append(digest) }
            }
            byStart[start, default: []].append(digest)
        }
        // Revoked events ride along in every window (an OR in topic 0), so the scan also finds when
        // the signers it meets revoked their keys.
        var logs: [EthClient.Log] = []
        for start in byStart.keys.sorted() {
            let filters = unique(byStart[start]!).map { chunk in
                EthClient.LogFilter(
                    address: registry, topic0: chunk + [RegistryContract.revokedTopic], fromBlock: 0, toBlock: nil)
            }
            logs += try scanner.scan(filters, from: start, to: confirmed)
        }
        logs += try self.logs(inCachedBlocks: cachedBlocks)
        let valid = validLogs(logs, digests: Set(digests.map { Hex.encode($0) }), confirmed: confirmed, signers: nil)
        var revokedAt: [Address: UInt64] = [:]
        for log in logs where Self.isRevocation(log, registry: registry) && log.blockNumber <= confirmed {
            let signer = Address(bytes: Array(log.topics[1].suffix(20)))
            revokedAt[signer] = min(revokedAt[signer] ?? log.blockNumber, log.blockNumber)
        }
        // The Revoked events found say only which headers to fetch with the proof: the revocations themselves
        // are proven from the registry's storage (a hidden event, or a signer met only in the cache, changes
        // nothing).
        let (proven, blocks, revocations) = try prove(valid, claimed: revokedAt, at: confirmed)
        let found = build(proven, blocks: blocks, revocations: revocations)
        if let cache {
            let settled = confirmed >= ScanCache.reorgMargin ? confirmed - ScanCache.reorgMargin : 0
            for digest in digests {
                let key = Hex.encode(digest)
                let records = (found[key] ?? []).filter { $0.blockNumber <= settled }.map {
                    ScanCache.Record(
                        signer: $0.signer, txHash: $0.txHash, block: $0.blockNumber, logIndex: 0, time: $0.blockTime)
                }
                cache.update(digest, scannedTo: settled, records: records)
            }
            cache.span = scanner.span
            try? cache.save()  // a cache that cannot be written only costs calls next time
        }
        return digests.map { d in
            (found[Hex.encode(d)] ?? []).sorted {
                ($0.blockNumber, Hex.encode($0.txHash)) < ($1.blockNumber, Hex.encode($1.txHash))
            }
        }
    }

    /// The logs of these content IDs in the blocks the cache names, one eth_getLogs per block, in one request.
    private func logs(inCachedBlocks blocks: [UInt64: [[UInt8]]]) throws -> [EthClient.Log] {
        let filters = blocks.keys.sorted().flatMap { block in
            unique(blocks[block]!).map { filter($0, signers: nil).range(block, block) }
        }
        var logs: [EthClient.Log] = []
        for answer in try client.batch(filters.map { .logs($0) }) {
            guard case .success(.logs(let found)) = answer else {
                if case .failure(let error) = answer { throw error }
                throw malformed("eth_getLogs answered with something else")
            }
            logs += found
        }
        return logs
    }

    // MARK: shared

    /// A `Revoked(address indexed signer)` event of this registry.
    static func isRevocation(_ log: EthClient.Log, registry: Address) -> Bool {
        !log.removed && log.address == registry && log.topics.count == 2
            && log.topics[0] == RegistryContract.revokedTopic
            && log.topics[1].count == 32 && log.topics[1].prefix(12).allSatisfy { $0 == 0 }
    }

    /// The logs that count: from this registry, the anonymous Attested shape (two topics, the second an
    /// address), one of the digests asked for, not removed, confirmed.
    private func validLogs(
        _ logs: [EthClient.Log], digests: Set<String>, confirmed: UInt64, signers: Set<Address>?
    ) -> [EthClient.Log] {
        logs.filter {
            !$0.removed && $0.address == registry && $0.topics.count == 2 && $0.topics[0].count == 32
                && $0.topics[1].count == 32 && $0.topics[1].prefix(12).allSatisfy { $0 == 0 }
                && $0.blockNumber <= confirmed && $0.data.isEmpty && digests.contains(Hex.encode($0.topics[0]))
                && (signers?.contains(Address(bytes: Array($0.topics[1].suffix(20)))) ?? true)
        }
    }

    /// The proven records among `logs`; revocation blocks are proven with them (their headers, for the time).
    private func attestations(
        _ digests: [[UInt8]], logs: [EthClient.Log], confirmed: UInt64, signers: Set<Address>,
        revokedAt: [Address: UInt64]
    ) throws -> [[OnChainAttestation]] {
        let valid = validLogs(
            logs, digests: Set(digests.map { Hex.encode($0) }), confirmed: confirmed, signers: signers)
        let (proven, blocks, revocations) = try prove(valid, claimed: revokedAt, at: confirmed)
        let found = build(proven, blocks: blocks, revocations: revocations)
        return digests.map { found[Hex.encode($0)] ?? [] }
    }

    /// Records the endpoint reported that failed the local proof, with the reason (content ID, tx, why).
    /// `forged` is false for a record that may be real but cannot be proven from its transaction: a batch
    /// relayed through another contract (the transaction does not call the registry itself).
    private var rejected: [(digest: [UInt8], txHash: [UInt8], check: ProofCheck, forged: Bool)] = []

    /// Proves each log here instead of believing the endpoint (docs/FORMAT.md §6b): the block it names is
    /// proven from its header (BlockProver: the header hashes to the block's hash, the block's transactions and
    /// receipts rebuild its roots); the log's transaction must be in that block and call this registry, its
    /// receipt must have succeeded and hold this very log; its calldata must decode, its files' Merkle root must
    /// be the signed root, the EIP-712 signature (low s) must recover to the log's signer, and the content ID
    /// must be one of the signed files. `alsoBlocks`: blocks whose header alone is proven (revocations, for
    /// their time). One HTTP request (two from an endpoint without eth_getBlockReceipts). Logs that fail are
    /// left out and recorded in `rejected`. A lying endpoint can still hide records; it cannot invent one in a
    /// block whose hash the other endpoints share.
    private func prove(_ logs: [EthClient.Log], claimed: [Address: UInt64], at head: UInt64) throws -> (
        [EthClient.Log], [UInt64: EthClient.Block], [Address: Revocation]
    ) {
        let signers = Set(logs.map { Address(bytes: Array($0.topics[1].suffix(20))) }).union(claimed.keys).sorted {
            $0.checksummed < $1.checksummed
        }
        let full = Set(logs.map(\.blockNumber)).sorted()
        guard !full.isEmpty || !signers.isEmpty else { return ([], [:], [:]) }
        let prover = BlockProver(client: client)
        var headers = Set(claimed.values.filter { $0 <= head }).subtracting(full).sorted()
        // The head's header on its own (it may also hold records, whose proof may fail apart from the header).
        let (blocks, extra) = try prover.prove(
            full: full, headers: headers,
            with: [
                RevocationProof.call(registry: registry, signers: signers, at: head),
                RPCClient.Call("eth_getBlockByNumber", [EthClient.q(head), .bool(false)]),
            ])
        var byNumber = try provenHeaders(blocks, headers)
        guard case .success(let headJSON) = extra[1], let headBlock = try? BlockEncoding.header(headJSON),
            headBlock.number == head, (try? BlockEncoding.bytes(headJSON["hash"], "hash")) == headBlock.hash
        else { throw lyingHeader(head) }
        // The head may also hold records or a revocation: one endpoint, one block at that number.
        if let other = byNumber[head], other.hash != headBlock.hash {
            throw ProvenanceError(
                .chain, "\(client.endpoint.redacted) answered two different blocks \(head) in one request: it lies")
        }
        let revokedAt = try RevocationProof.revokedAt(
            extra[0], registry: registry, signers: signers, header: headBlock, codeHash: codeHash,
            endpoint: client.endpoint.redacted)
        // A revocation the events did not show: its header is fetched now.
        headers = Set(revokedAt.values).subtracting(byNumber.keys).sorted()
        if !headers.isEmpty {
            byNumber.merge(try provenHeaders(try prover.prove(full: [], headers: headers), headers)) { a, _ in a }
        }
        let revocations = revokedAt.mapValues { Revocation(block: $0, time: byNumber[$0]?.timestamp ?? 0) }
        proofOfRevocations = ProvenRevocations(
            block: head, blockHash: headBlock.hash, signers: Set(signers), revocations: revocations)
        return (try provenLogs(logs, blocks), byNumber, revocations)
    }

    /// The blocks whose headers were proven, by number; a header asked for alone that fails is a lie.
    private func provenHeaders(_ blocks: [UInt64: Result<BlockProver.ProvenBlock, ProofCheck>], _ headers: [UInt64])
        throws -> [UInt64: EthClient.Block]
    {
        var byNumber: [UInt64: EthClient.Block] = [:]
        for (n, result) in blocks {
            if case .success(let b) = result { byNumber[n] = b.block }
        }
        for n in headers where byNumber[n] == nil { throw lyingHeader(n) }
        return byNumber
    }

    private func lyingHeader(_ n: UInt64) -> ProvenanceError {
        ProvenanceError(
            .chain, "block \(n)'s header from \(client.endpoint.redacted) does not hash to its hash: the endpoint lies")
    }

    /// The logs their blocks prove; the others go to `rejected` with the step that failed.
    private func provenLogs(_ logs: [EthClient.Log], _ blocks: [UInt64: Result<BlockProver.ProvenBlock, ProofCheck>])
        throws -> [EthClient.Log]
    {
        var proven: [EthClient.Log] = []
        // A batch of 1,000 files is one transaction with 1,000 logs: its calldata, Merkle root and signature
        // are checked once, not per log (per log, verify of such a batch took 6.4 times as long).
        // Keyed by block and transaction: a liar may name one transaction in two blocks, each with its receipts.
        var checked: [BlockTransaction: Result<CheckedBatch, ProofCheck>] = [:]
        for log in logs {
            switch check(log, in: blocks[log.blockNumber], checked: &checked) {
            case nil: proven.append(log)
            case .blockEncoding?: rejected.append((log.topics[0], log.transactionHash, .blockEncoding, false))
            case .notToRegistry?: rejected.append((log.topics[0], log.transactionHash, .notToRegistry, false))
            case let why?: rejected.append((log.topics[0], log.transactionHash, why, true))
            }
        }
        return proven
    }

    /// A transaction of a proven block, checked as a batch: who signed it, the content it holds, its logs.
    private struct CheckedBatch {
        let signer: Address
        let contentIDs: Set<[UInt8]>
        /// Each registry log of its receipt: topics and data, concatenated.
        let logs: Set<[UInt8]>
    }

    private struct BlockTransaction: Hashable {
        let block: [UInt8]
        let tx: [UInt8]
    }

    private static func logKey(_ topics: [[UInt8]], _ data: [UInt8]) -> [UInt8] {
        topics.flatMap { [UInt8(truncatingIfNeeded: $0.count)] + $0 } + data
    }

    private func checkBatch(_ b: BlockProver.ProvenBlock, _ i: Int) -> Result<CheckedBatch, ProofCheck> {
        let tx = b.transactions[i]
        let receipt = b.receipts[i]
        guard tx.to == registry else { return .failure(.notToRegistry) }
        // The chain id the endpoint names is proven by the transactions it signed for (legacy ones name none).
        if let signedFor = tx.chainId, signedFor != chainId {
            return .failure(.chainId(transaction: signedFor, endpoint: chainId))
        }
        guard receipt.status == 1 else { return .failure(.receipt) }
        guard let call = RegistryContract.decodeAttestCalldata(tx.input),
            let signer = try? call.signer(registry: registry)
        else { return .failure(.calldata) }
        batches[tx.hash] = call
        let logs = receipt.logs.filter { $0.address == registry }.map { Self.logKey($0.topics, $0.data) }
        return .success(CheckedBatch(signer: signer, contentIDs: Set(call.files.map(\.contentID)), logs: Set(logs)))
    }

    /// Why this log is not proven by its block (nil: it is).
    private func check(
        _ log: EthClient.Log, in block: Result<BlockProver.ProvenBlock, ProofCheck>?,
        checked: inout [BlockTransaction: Result<CheckedBatch, ProofCheck>]
    ) -> ProofCheck? {
        guard let block else { return .unchecked }
        let b: BlockProver.ProvenBlock
        switch block {
        case .success(let proven): b = proven
        case .failure(let why): return why
        }
        guard let i = b.index(ofTransaction: log.transactionHash) else { return .transactionNotInBlock }
        let key = BlockTransaction(block: b.header.hash, tx: log.transactionHash)
        let result = checked[key] ?? checkBatch(b, i)
        checked[key] = result
        let batch: CheckedBatch
        switch result {
        case .success(let c): batch = c
        case .failure(let why): return why
        }
        let named = Address(bytes: Array(log.topics[1].suffix(20)))
        guard batch.signer == named else { return .batchSigner(batch: batch.signer, log: named) }
        guard batch.contentIDs.contains(log.topics[0]) else { return .contentNotInBatch }
        guard batch.logs.contains(Self.logKey(log.topics, log.data)) else { return .logNotInReceipt }
        return nil
    }

    /// The records, from proven logs and the blocks that hold them (time and hash).
    private func build(
        _ valid: [EthClient.Log], blocks: [UInt64: EthClient.Block], revocations: [Address: Revocation]
    )
        -> [String: [OnChainAttestation]]
    {
        var byDigest: [String: [OnChainAttestation]] = [:]
        for log in valid.sorted(by: { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }) {
            let signer = Address(bytes: Array(log.topics[1].suffix(20)))
            var a = OnChainAttestation(
                digest: log.topics[0], signer: signer, chainId: chainId, registry: registry,
                txHash: log.transactionHash, blockNumber: log.blockNumber,
                blockTime: blocks[log.blockNumber]?.timestamp ?? 0, revocation: revocations[signer])
            a.blockHash = blocks[log.blockNumber]?.hash ?? []
            a.anchoredDetails =
                (batches[log.transactionHash] ?? nil)?.files.filter { $0.contentID == log.topics[0] }
                .map(\.detailsHash) ?? []
            // One signer may attest the same digest several times: keep each transaction once.
            if !(byDigest[Hex.encode(log.topics[0])]?.contains { $0.txHash == a.txHash } ?? false) {
                byDigest[Hex.encode(log.topics[0]), default: []].append(a)
            }
        }
        return byDigest
    }

    /// Batches already fetched and checked, by transaction hash: the files of one batch share one
    /// transaction, and a mined transaction never changes, so each is fetched once per run.
    private var batches: [[UInt8]: RegistryContract.AttestCall?] = [:]

    /// The signed batch behind an attestation, rebuilt from its transaction and checked here rather than
    /// believed: the fields the endpoint reports must hash to the transaction's hash, the transaction must
    /// call this registry, its calldata must decode, and its signature must recover to `signer` over the
    /// root of exactly these digests. nil when any of that fails (e.g. a batch relayed through another
    /// contract): the caller then attests again instead of writing a manifest it cannot back.
    public func verifiedBatch(ofTransaction hash: [UInt8], signer: Address) throws -> RegistryContract.AttestCall? {
        let batch: RegistryContract.AttestCall?
        if let known = batches[hash] {
            batch = known
        } else {
            batch = try fetchBatch(hash)
            batches[hash] = batch
        }
        guard let batch, (try? batch.signer(registry: registry)) == signer else { return nil }
        return batch
    }

    private func fetchBatch(_ hash: [UInt8]) throws -> RegistryContract.AttestCall? {
        guard let tx = try client.transaction(hash), tx.hash == hash, let raw = tx.signedRaw,
            Keccak256.hash(raw) == hash, tx.to == registry
        else { return nil }
        return RegistryContract.decodeAttestCalldata(tx.input)
    }
}
