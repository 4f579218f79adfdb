import ProvenanceCore

/// One Attested event: a signer's checked signature over a batch that contains this digest.
public struct OnChainAttestation: Equatable, Sendable {
    public let digest: [UInt8]
    public let signer: Address
    public let chainId: UInt64
    public let registry: Address
    public let txHash: [UInt8]
    public let blockNumber: UInt64
    public let blockTime: UInt64

    public var anchor: Anchor {
        Anchor(chainId: chainId, registry: registry, txHash: txHash, blockNumber: blockNumber, blockTime: blockTime)
    }
}

/// Reads attestations from a registry on one chain. It checks the chain before trusting it: the
/// registry address must hold exactly the registry's code, and an event counts only with
/// `confirmations` blocks on top of it (the mined block included) and not marked removed.
public final class RegistryReader {
    public let client: EthClient
    public let registry: Address
    public let confirmations: UInt64
    public private(set) var chainId: UInt64 = 0
    public private(set) var latestBlock: UInt64 = 0
    /// Digests per eth_getLogs call (an OR-list in topic 1).
    public var digestsPerQuery = 100

    public init(client: EthClient, registry: Address, confirmations: UInt64 = 1) {
        self.client = client
        self.registry = registry
        self.confirmations = max(1, confirmations)
    }

    private func filter(_ digests: [[UInt8]], from: UInt64, to: UInt64?) -> EthClient.LogFilter {
        EthClient.LogFilter(
            address: registry, topic0: RegistryContract.attestedTopic, topic1: digests, fromBlock: from, toBlock: to)
    }

    /// Finds every attestation of each digest (any signer), in the order of `digests`. One JSON-RPC
    /// batch carries the chain checks and all log queries; a second fetches block times.
    public func attestations(for digests: [[UInt8]], expectedChainId: UInt64? = nil) throws -> [[OnChainAttestation]] {
        let unique = Array(Set(digests.map { Hex.encode($0) })).sorted().compactMap { Hex.decode($0) }
        let chunks = stride(from: 0, to: unique.count, by: digestsPerQuery).map {
            Array(unique[$0..<min($0 + digestsPerQuery, unique.count)])
        }
        let state = try client.chainState(codeAt: registry, logs: chunks.map { filter($0, from: 0, to: nil) })
        chainId = state.chainId
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
        guard state.code == (try RegistryContract.expectedCode(at: registry)) else {
            throw ProvenanceError(
                .chain,
                "the code at \(registry) on chain \(chainId) is not the registry's: attestations there cannot be trusted"
            )
        }
        var logs: [EthClient.Log] = []
        for (chunk, answer) in zip(chunks, state.logs) {
            switch answer {
            case .success(let found): logs += found
            case .failure(let error):
                guard Self.isRangeLimit(error) else { throw error }
                logs += try logsSplitting(chunk, from: 0, to: latestBlock)
            }
        }
        // Only confirmed, non-removed Attested events from this registry count. The head comes from
        // the endpoint: a hostile 2^64−1 must not trap, so the arithmetic reports overflow.
        let (height, overflow) = latestBlock.addingReportingOverflow(1)
        guard !overflow else {
            throw RPCError.malformedResponse(
                endpoint: client.endpoint.redacted, reason: "latest block number is 2^64−1")
        }
        let deepEnough = height >= confirmations
        let confirmedUpTo = deepEnough ? height - confirmations : 0
        let valid = logs.filter {
            !$0.removed && $0.address == registry && $0.topics.count == 3
                && $0.topics[0] == RegistryContract.attestedTopic && $0.topics[1].count == 32
                && $0.topics[2].count == 32 && $0.topics[2].prefix(12).allSatisfy { $0 == 0 }
                && $0.blockNumber <= confirmedUpTo && deepEnough
        }
        let times = try blockTimes(Set(valid.map(\.blockNumber)))
        var byDigest: [String: [OnChainAttestation]] = [:]
        for log in valid.sorted(by: { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }) {
            let a = OnChainAttestation(
                digest: log.topics[1], signer: Address(bytes: Array(log.topics[2].suffix(20))), chainId: chainId,
                registry: registry, txHash: log.transactionHash, blockNumber: log.blockNumber,
                blockTime: times[log.blockNumber] ?? 0)
            // One signer may attest the same digest several times: keep each transaction once.
            if !(byDigest[Hex.encode(log.topics[1])]?.contains { $0.txHash == a.txHash } ?? false) {
                byDigest[Hex.encode(log.topics[1]), default: []].append(a)
            }
        }
        return digests.map { byDigest[Hex.encode($0)] ?? [] }
    }

    /// Queries [from, to]; on a provider's range or result limit, halves the range and tries each half.
    private func logsSplitting(_ digests: [[UInt8]], from: UInt64, to: UInt64, depth: Int = 0) throws
        -> [EthClient.Log]
    {
        do {
            return try client.logs(filter(digests, from: from, to: to))
        } catch let error as RPCError where Self.isRangeLimit(error) && from < to && depth < 40 {
            let mid = from + (to - from) / 2
            return try logsSplitting(digests, from: from, to: mid, depth: depth + 1)
                + logsSplitting(digests, from: mid + 1, to: to, depth: depth + 1)
        }
    }

    /// Provider answers meaning "ask for a smaller range or fewer results" (Infura −32005, Alchemy,
    /// QuickNode, public nodes; wording differs, so match loosely).
    static func isRangeLimit(_ error: RPCError) -> Bool {
        guard case .rpc(let code, let message, _) = error else { return false }
        let m = message.lowercased()
        return code == -32005 || m.contains("range") || m.contains("limit") || m.contains("too many")
            || m.contains("exceed") || m.contains("response size") || m.contains("10000 results")
    }

    private func blockTimes(_ numbers: Set<UInt64>) throws -> [UInt64: UInt64] {
        let list = numbers.sorted()
        guard !list.isEmpty else { return [:] }
        var out: [UInt64: UInt64] = [:]
        for (n, block) in zip(list, try client.blocks(list)) {
            guard let block else {
                throw ProvenanceError(
                    .chain,
                    "block \(n) with an attestation is missing on chain \(chainId): the chain reorganised; try again")
            }
            out[n] = block.timestamp
        }
        return out
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
