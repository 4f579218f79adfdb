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

    public var json: JSON {
        .object([
            ("signer", .string(signer.checksummed)), ("chainId", .number(String(chainId))),
            ("registry", .string(registry.checksummed)),
            ("txHash", .string(Hex.encode(txHash, prefix: true))), ("blockNumber", .number(String(blockNumber))),
            ("timestamp", .number(String(blockTime))),
        ])
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

    /// Finds every attestation of each digest (any signer), in the order of `digests`. One JSON-RPC
    /// batch carries the chain checks and all log queries; a second fetches block times.
    public func attestations(for digests: [[UInt8]], expectedChainId: UInt64? = nil) throws -> [[OnChainAttestation]] {
        let unique = Array(Set(digests.map { Hex.encode($0) })).sorted().map { Hex.decode($0)! }
        let chunks = stride(from: 0, to: unique.count, by: digestsPerQuery).map {
            Array(unique[$0..<min($0 + digestsPerQuery, unique.count)])
        }
        var calls = [
            RPCClient.Call("eth_chainId"), RPCClient.Call("eth_blockNumber"),
            RPCClient.Call("eth_getCode", [.string(registry.checksummed), .string("latest")]),
        ]
        calls += chunks.map { logsCall($0, from: 0, to: nil) }
        let results = try client.rpc.batch(calls)
        chainId = try client.quantity(try results[0].get(), "eth_chainId")
        if let expectedChainId, expectedChainId != chainId {
            throw RPCError.wrongChain(endpoint: client.endpoint.redacted, expected: expectedChainId, actual: chainId)
        }
        latestBlock = try client.quantity(try results[1].get(), "eth_blockNumber")
        let code = try client.data(try results[2].get(), "code")
        guard !code.isEmpty else {
            throw ProvenanceError(
                .chain,
                "no registry at \(registry) on chain \(chainId) (\(client.endpoint.redacted)): deploy it with `provenance registry deploy`, or give --registry"
            )
        }
        guard code == (try RegistryContract.expectedCode(at: registry)) else {
            throw ProvenanceError(
                .chain,
                "the code at \(registry) on chain \(chainId) is not the registry's: attestations there cannot be trusted"
            )
        }
        var logs: [EthClient.Log] = []
        for (i, chunk) in chunks.enumerated() {
            switch results[3 + i] {
            case .success(let value): logs += try parseLogs(value)
            case .failure(let error):
                guard Self.isRangeLimit(error) else { throw error }
                logs += try logsSplitting(chunk, from: 0, to: latestBlock)
            }
        }
        // Only confirmed, non-removed Attested events from this registry count.
        let confirmedUpTo = latestBlock + 1 >= confirmations ? latestBlock + 1 - confirmations : 0
        let valid = logs.filter {
            !$0.removed && $0.address == registry && $0.topics.count == 3
                && $0.topics[0] == RegistryContract.attestedTopic
                && $0.topics[2].prefix(12).allSatisfy { $0 == 0 } && $0.blockNumber <= confirmedUpTo
                && (latestBlock + 1 >= confirmations)
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

    private func logsCall(_ digests: [[UInt8]], from: UInt64, to: UInt64?) -> RPCClient.Call {
        RPCClient.Call(
            "eth_getLogs",
            [
                .object([
                    ("address", .string(registry.checksummed)),
                    ("fromBlock", EthClient.q(from)),
                    ("toBlock", to.map { EthClient.q($0) } ?? .string("latest")),
                    (
                        "topics",
                        .array([
                            .string(Hex.encode(RegistryContract.attestedTopic, prefix: true)),
                            .array(digests.map { .string(Hex.encode($0, prefix: true)) }),
                        ])
                    ),
                ])
            ])
    }

    private func parseLogs(_ value: JSON) throws -> [EthClient.Log] {
        guard let items = value.arrayValue else {
            throw RPCError.malformedResponse(
                endpoint: client.endpoint.redacted, reason: "eth_getLogs did not return an array")
        }
        return try items.map { try client.log($0) }
    }

    /// Queries [from, to]; on a provider's range or result limit, halves the range and tries each half.
    private func logsSplitting(_ digests: [[UInt8]], from: UInt64, to: UInt64, depth: Int = 0) throws -> [EthClient.Log]
    {
        let call = logsCall(digests, from: from, to: to)
        do {
            return try parseLogs(try client.rpc.call(call.method, call.params))
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
            || m.contains("exceed")
            || m.contains("response size") || m.contains("10000 results")
    }

    private func blockTimes(_ numbers: Set<UInt64>) throws -> [UInt64: UInt64] {
        let list = numbers.sorted()
        guard !list.isEmpty else { return [:] }
        let results = try client.rpc.batch(
            list.map { RPCClient.Call("eth_getBlockByNumber", [EthClient.q($0), .bool(false)]) })
        var out: [UInt64: UInt64] = [:]
        for (n, r) in zip(list, results) {
            let block = try r.get()
            guard !block.isNull else {
                throw ProvenanceError(
                    .chain,
                    "block \(n) with an attestation is missing on chain \(chainId): the chain reorganised; try again")
            }
            out[n] = try client.quantity(block["timestamp"], "timestamp")
        }
        return out
    }

    /// The signed batch behind an attestation, rebuilt from its transaction's calldata: lets a lost
    /// manifest be recovered from the chain.
    public struct Batch {
        public let digests: [[UInt8]]
        public let merkleRoot: [UInt8]
        public let signature: RecoverableSignature
    }

    /// Batches already fetched, by transaction hash: the files of one batch share one transaction,
    /// and a mined transaction's calldata never changes, so each is fetched once per run.
    private var batches: [[UInt8]: Batch] = [:]

    public func batch(ofTransaction hash: [UInt8]) throws -> Batch {
        if let known = batches[hash] { return known }
        let batch = try fetchBatch(hash)
        batches[hash] = batch
        return batch
    }

    private func fetchBatch(_ hash: [UInt8]) throws -> Batch {
        let tx = try client.rpc.call("eth_getTransactionByHash", [.string(Hex.encode(hash, prefix: true))])
        let input = try client.data(tx["input"] ?? tx["data"], "transaction input")
        guard let batch = Self.decodeAttestCalldata(input) else {
            throw ProvenanceError(.chain, "transaction \(Hex.encode(hash, prefix: true)) is not an attest call")
        }
        return batch
    }

    static func decodeAttestCalldata(_ d: [UInt8]) -> Batch? {
        guard d.count >= 4 + 160, Array(d.prefix(4)) == RegistryContract.attestSelector else { return nil }
        func word(_ at: Int) -> [UInt8]? { at + 32 <= d.count ? Array(d[at..<at + 32]) : nil }
        // An ABI word that must hold a small number (an offset or a length): anything of 4 bytes or
        // more cannot fit in calldata, so it is rejected before any arithmetic.
        func small(_ w: [UInt8]?) -> Int? {
            guard let w, w.prefix(28).allSatisfy({ $0 == 0 }) else { return nil }
            return w.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let offset = small(word(4)), let root = word(36), let r = word(68), var vs = word(100),
            let n = small(word(4 + offset)), n >= 1, n <= RegistryContract.maxBatch, 4 + offset + 32 + 32 * n <= d.count
        else { return nil }
        let digests = (0..<n).map { Array(d[(4 + offset + 32 + 32 * $0)..<(4 + offset + 64 + 32 * $0)]) }
        let recid: UInt8 = vs[0] >> 7
        vs[0] &= 0x7f
        return Batch(
            digests: digests, merkleRoot: root, signature: RecoverableSignature(r: r, s: vs, recoveryID: recid))
    }
}
