import ProvenanceCore

/// Typed Ethereum JSON-RPC calls on top of RPCClient: quantities decoded, errors typed. Everything
/// outside the RPC folder talks to a chain through these calls; the raw client stays internal.
public final class EthClient {
    let rpc: RPCClient

    init(rpc: RPCClient) { self.rpc = rpc }

    /// A client over libcurl for `endpoint`; timeouts in seconds; `observer` is told of every exchange.
    public convenience init(
        endpoint: Endpoint, connectTimeout: Int = 10, timeout: Int = 60,
        observer: (@Sendable (RPCExchange) -> Void)? = nil
    ) {
        self.init(rpc: RPCClient(endpoint: endpoint, connectTimeout: connectTimeout, timeout: timeout))
        rpc.observer = observer
    }

    public var endpoint: Endpoint { rpc.endpoint }
    /// HTTP requests sent so far, retries included (for measuring round trips).
    public var requestCount: Int { rpc.requestCount }
    public var connectionsOpened: Int { rpc.connectionsOpened }

    // MARK: decoding helpers (shared by everything that reads replies)

    public func quantity(_ j: JSON?, _ what: String) throws -> UInt64 {
        guard let s = j?.stringValue, s.hasPrefix("0x"), s.count > 2, s.count <= 18,
            let v = UInt64(s.dropFirst(2), radix: 16)
        else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "\(what) is not a hex quantity")
        }
        return v
    }

    public func wei(_ j: JSON?, _ what: String) throws -> Wei {
        guard let s = j?.stringValue, s.hasPrefix("0x"), s.count > 2, s.count <= 34,
            let v = Wei(s.dropFirst(2), radix: 16)
        else {
            throw RPCError.malformedResponse(
                endpoint: endpoint.redacted, reason: "\(what) is not a hex quantity of at most 128 bits")
        }
        return v
    }

    public func data(_ j: JSON?, _ what: String) throws -> [UInt8] {
        guard let s = j?.stringValue, s.hasPrefix("0x"), let b = Hex.decode(s) else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "\(what) is not hex data")
        }
        return b
    }

    static func q(_ v: UInt64) -> JSON { .string("0x" + String(v, radix: 16)) }
    static func q(_ v: Wei) -> JSON { .string("0x" + String(v, radix: 16)) }
    static func hex(_ b: [UInt8]) -> JSON { .string(Hex.encode(b, prefix: true)) }
    static func addr(_ a: Address) -> JSON { .string(a.checksummed) }

    // MARK: calls

    public func chainId() throws -> UInt64 { try quantity(try rpc.call("eth_chainId"), "eth_chainId") }

    public func blockNumber() throws -> UInt64 { try quantity(try rpc.call("eth_blockNumber"), "eth_blockNumber") }

    public func balance(_ a: Address) throws -> Wei {
        try wei(try rpc.call("eth_getBalance", [Self.addr(a), .string("latest")]), "balance")
    }

    public func nonce(_ a: Address, pending: Bool = true) throws -> UInt64 {
        let n = try quantity(
            try rpc.call("eth_getTransactionCount", [Self.addr(a), .string(pending ? "pending" : "latest")]), "nonce")
        // EIP-2681: a nonce never reaches 2^64−1; an endpoint that says so is not to be believed.
        guard n < UInt64.max else {
            throw RPCError.malformedResponse(
                endpoint: endpoint.redacted, reason: "nonce 2^64−1 is beyond EIP-2681's limit")
        }
        return n
    }

    public func code(_ a: Address) throws -> [UInt8] {
        try data(try rpc.call("eth_getCode", [Self.addr(a), .string("latest")]), "code")
    }

    public func estimateGas(from: Address, to: Address?, data input: [UInt8], value: Wei = 0) throws -> UInt64 {
        var tx: [(String, JSON)] = [("from", Self.addr(from)), ("data", Self.hex(input))]
        if let to { tx.append(("to", Self.addr(to))) }
        if value > 0 { tx.append(("value", Self.q(value))) }
        return try quantity(try rpc.call("eth_estimateGas", [.object(tx)]), "eth_estimateGas")
    }

    public func call(to: Address, data input: [UInt8]) throws -> [UInt8] {
        try data(
            try rpc.call(
                "eth_call", [.object([("to", Self.addr(to)), ("data", Self.hex(input))]), .string("latest")]),
            "eth_call")
    }

    public func gasPrice() throws -> Wei { try wei(try rpc.call("eth_gasPrice"), "eth_gasPrice") }

    public struct FeeHistory {
        /// Base fee of the next block.
        public let nextBaseFee: Wei
        /// Median priority fee paid in recent blocks (0 when blocks were empty).
        public let medianTip: Wei
    }

    public func feeHistory(blocks: Int = 5) throws -> FeeHistory {
        let r = try rpc.call("eth_feeHistory", [Self.q(UInt64(blocks)), .string("latest"), .array([.number("50")])])
        guard let bases = r["baseFeePerGas"]?.arrayValue, let last = bases.last else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "eth_feeHistory lacks baseFeePerGas")
        }
        let tips = try (r["reward"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first }.map { try wei($0, "reward") }
            .sorted()
        return FeeHistory(
            nextBaseFee: try wei(last, "baseFeePerGas"), medianTip: tips.isEmpty ? 0 : tips[tips.count / 2])
    }

    public func maxPriorityFee() throws -> Wei {
        try wei(try rpc.call("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas")
    }

    /// Broadcasts raw bytes; returns the hash the node reports.
    public func sendRawTransaction(_ raw: [UInt8]) throws -> [UInt8] {
        try data(try rpc.call("eth_sendRawTransaction", [Self.hex(raw)]), "transaction hash")
    }

    public struct Log: Sendable {
        public let address: Address
        public let topics: [[UInt8]]
        public let data: [UInt8]
        public let blockNumber: UInt64
        public let transactionHash: [UInt8]
        public let logIndex: UInt64
        public let removed: Bool
    }

    public struct Receipt: Sendable {
        public let transactionHash: [UInt8]
        public let blockNumber: UInt64
        public let blockHash: [UInt8]
        public let status: UInt64
        public let gasUsed: UInt64
        public let effectiveGasPrice: Wei
        public let contractAddress: Address?
        public let from: Address?
        public let logs: [Log]
    }

    public func log(_ j: JSON) throws -> Log {
        guard let a = j["address"]?.stringValue, let address = try? Address(a), let topics = j["topics"]?.arrayValue
        else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "log lacks address or topics")
        }
        return Log(
            address: address, topics: try topics.map { try data($0, "topic") }, data: try data(j["data"], "log data"),
            blockNumber: try quantity(j["blockNumber"], "log blockNumber"),
            transactionHash: try data(j["transactionHash"], "log transactionHash"),
            logIndex: try quantity(j["logIndex"], "logIndex"), removed: j["removed"]?.boolValue ?? false)
    }

    /// The receipt, or nil while the transaction is not mined (or unknown).
    public func receipt(_ hash: [UInt8]) throws -> Receipt? {
        let r = try rpc.call("eth_getTransactionReceipt", [Self.hex(hash)])
        if r.isNull { return nil }
        return try receipt(from: r)
    }

    public func receipt(from r: JSON) throws -> Receipt {
        let contract = r["contractAddress"]?.stringValue.flatMap { try? Address($0) }
        return Receipt(
            transactionHash: try data(r["transactionHash"], "transactionHash"),
            blockNumber: try quantity(r["blockNumber"], "blockNumber"),
            blockHash: try data(r["blockHash"], "blockHash"), status: try quantity(r["status"], "status"),
            gasUsed: try quantity(r["gasUsed"], "gasUsed"),
            effectiveGasPrice: (try? wei(r["effectiveGasPrice"], "effectiveGasPrice")) ?? 0,
            contractAddress: contract, from: r["from"]?.stringValue.flatMap { try? Address($0) },
            logs: try (r["logs"]?.arrayValue ?? []).map(log))
    }

    public struct Block: Sendable {
        public let number: UInt64
        public let hash: [UInt8]
        public let timestamp: UInt64
        public let gasLimit: UInt64
    }

    /// A block by number (nil: the latest), or nil when the endpoint has no such block.
    public func block(_ number: UInt64?) throws -> Block? {
        try parseBlock(try rpc.call("eth_getBlockByNumber", [number.map(Self.q) ?? .string("latest"), .bool(false)]))
    }

    /// Many blocks in one batch, in the order asked; nil where the endpoint has none.
    public func blocks(_ numbers: [UInt64]) throws -> [Block?] {
        let results = try rpc.batch(numbers.map { RPCClient.Call("eth_getBlockByNumber", [Self.q($0), .bool(false)]) })
        return try results.map { try parseBlock(try $0.get()) }
    }

    private func parseBlock(_ r: JSON) throws -> Block? {
        if r.isNull { return nil }
        return Block(
            number: try quantity(r["number"], "block number"), hash: try data(r["hash"], "block hash"),
            timestamp: try quantity(r["timestamp"], "timestamp"), gasLimit: try quantity(r["gasLimit"], "gasLimit"))
    }

    /// A transaction as the endpoint reports it: its signed fields, so its hash can be recomputed
    /// locally (`signedRaw`) instead of believed.
    public struct Transaction: Sendable {
        public let hash: [UInt8]
        public let type: UInt64
        public let chainId: UInt64?
        public let nonce: UInt64
        public let gasLimit: UInt64
        public let gasPrice: Wei?
        public let maxFeePerGas: Wei?
        public let maxPriorityFeePerGas: Wei?
        public let to: Address?
        public let value: Wei
        public let input: [UInt8]
        public let v: UInt64
        public let r: [UInt8]
        public let s: [UInt8]
        /// Whether the access list is empty (the only kind these encoders rebuild).
        public let emptyAccessList: Bool
        /// nil while pending.
        public let blockNumber: UInt64?
        public let blockHash: [UInt8]?

        /// The raw signed bytes rebuilt from the reported fields (nil for a type or shape this tool
        /// does not encode). Its keccak equals `hash` only if the endpoint reported the fields truly.
        public var signedRaw: [UInt8]? {
            guard r.count <= 32, s.count <= 32 else { return nil }
            let pad = { (b: [UInt8]) in [UInt8](repeating: 0, count: 32 - b.count) + b }
            switch type {
            case 2:
                guard let chainId, let maxFeePerGas, let maxPriorityFeePerGas, emptyAccessList, v <= 1 else {
                    return nil
                }
                let tx = EIP1559Transaction(
                    chainId: chainId, nonce: nonce, maxPriorityFeePerGas: maxPriorityFeePerGas,
                    maxFeePerGas: maxFeePerGas, gasLimit: gasLimit, to: to, value: value, data: input)
                return tx.encode(signature: RecoverableSignature(r: pad(r), s: pad(s), recoveryID: UInt8(v)))
            case 0:
                guard let gasPrice else { return nil }
                return LegacyTransaction.encode(
                    nonce: nonce, gasPrice: gasPrice, gasLimit: gasLimit, to: to, value: value, data: input, v: v,
                    r: r, s: s)
            default:
                return nil
            }
        }
    }

    /// The transaction with this hash, or nil when the endpoint does not know it.
    public func transaction(_ hash: [UInt8]) throws -> Transaction? {
        try parseTransaction(try rpc.call("eth_getTransactionByHash", [Self.hex(hash)]))
    }

    private func parseTransaction(_ t: JSON) throws -> Transaction? {
        if t.isNull { return nil }
        /// A field that may be absent or null (fee fields by type, block fields while pending).
        func present(_ key: String) -> JSON? {
            guard let value = t[key], !value.isNull else { return nil }
            return value
        }
        func optionalWei(_ key: String) throws -> Wei? { try present(key).map { try wei($0, key) } }
        let toText = t["to"]?.stringValue
        return Transaction(
            hash: try data(t["hash"], "transaction hash"), type: try t["type"].map { try quantity($0, "type") } ?? 0,
            chainId: try present("chainId").map { try quantity($0, "chainId") },
            nonce: try quantity(t["nonce"], "nonce"), gasLimit: try quantity(t["gas"], "gas"),
            gasPrice: try optionalWei("gasPrice"), maxFeePerGas: try optionalWei("maxFeePerGas"),
            maxPriorityFeePerGas: try optionalWei("maxPriorityFeePerGas"),
            to: try toText.map { text in
                guard let a = try? Address(text) else {
                    throw RPCError.malformedResponse(
                        endpoint: endpoint.redacted, reason: "transaction to is not an address")
                }
                return a
            },
            value: try wei(t["value"], "value"), input: try data(t["input"] ?? t["data"], "transaction input"),
            v: try quantity(t["v"] ?? t["yParity"], "v"), r: try scalar(t["r"], "r"), s: try scalar(t["s"], "s"),
            emptyAccessList: (t["accessList"]?.arrayValue?.isEmpty ?? true),
            blockNumber: try present("blockNumber").map { try quantity($0, "blockNumber") },
            blockHash: try present("blockHash").map { try data($0, "blockHash") })
    }

    /// A 256-bit quantity as minimal big-endian bytes (r and s of a signature).
    private func scalar(_ j: JSON?, _ what: String) throws -> [UInt8] {
        guard let text = j?.stringValue, text.hasPrefix("0x"), text.count > 2, text.count <= 66 else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "\(what) is not a 256-bit quantity")
        }
        let digits = text.dropFirst(2)
        guard let bytes = Hex.decode(digits.count % 2 == 0 ? String(digits) : "0" + digits) else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "\(what) is not a 256-bit quantity")
        }
        return Array(bytes.drop { $0 == 0 })
    }

    // MARK: logs

    /// Which logs to ask for: one contract, an OR-list for topic 0 and, optionally, one for topic 1.
    public struct LogFilter: Sendable, Equatable {
        public let address: Address
        public let topic0: [[UInt8]]
        /// nil: any topic 1.
        public let topic1: [[UInt8]]?
        public let fromBlock: UInt64
        /// nil: the latest block.
        public let toBlock: UInt64?

        public init(address: Address, topic0: [[UInt8]], topic1: [[UInt8]]? = nil, fromBlock: UInt64, toBlock: UInt64?)
        {
            self.address = address
            self.topic0 = topic0
            self.topic1 = topic1
            self.fromBlock = fromBlock
            self.toBlock = toBlock
        }

        public func range(_ from: UInt64, _ to: UInt64) -> LogFilter {
            LogFilter(address: address, topic0: topic0, topic1: topic1, fromBlock: from, toBlock: to)
        }

        var call: RPCClient.Call {
            var topics: [JSON] = [.array(topic0.map { EthClient.hex($0) })]
            if let topic1 { topics.append(.array(topic1.map { EthClient.hex($0) })) }
            return RPCClient.Call(
                "eth_getLogs",
                [
                    .object([
                        ("address", EthClient.addr(address)), ("fromBlock", EthClient.q(fromBlock)),
                        ("toBlock", toBlock.map { EthClient.q($0) } ?? .string("latest")), ("topics", .array(topics)),
                    ])
                ])
        }
    }

    public func logs(_ filter: LogFilter) throws -> [Log] {
        try parseLogs(try rpc.call(filter.call.method, filter.call.params))
    }

    private func parseLogs(_ value: JSON) throws -> [Log] {
        guard let items = value.arrayValue else {
            throw RPCError.malformedResponse(endpoint: endpoint.redacted, reason: "eth_getLogs did not return an array")
        }
        return try items.map { try log($0) }
    }

    // MARK: several reads in one HTTP request

    /// A read that can share a batch with others.
    public enum Query: Sendable {
        case logs(LogFilter)
        case block(UInt64)
        case call(to: Address, data: [UInt8])
        case transaction([UInt8])
        case receipt([UInt8])
        /// The block the endpoint calls finalized (its header; null or an error from a chain without one).
        case finalizedBlock

        var call: RPCClient.Call {
            switch self {
            case .finalizedBlock: return RPCClient.Call("eth_getBlockByNumber", [.string("finalized"), .bool(false)])
            case .logs(let filter): return filter.call
            case .block(let n): return RPCClient.Call("eth_getBlockByNumber", [EthClient.q(n), .bool(false)])
            case .transaction(let h): return RPCClient.Call("eth_getTransactionByHash", [EthClient.hex(h)])
            case .receipt(let h): return RPCClient.Call("eth_getTransactionReceipt", [EthClient.hex(h)])
            case .call(let to, let data):
                return RPCClient.Call(
                    "eth_call",
                    [.object([("to", EthClient.addr(to)), ("data", EthClient.hex(data))]), .string("latest")])
            }
        }
    }

    public enum Answer: Sendable {
        case logs([Log])
        case block(Block?)
        case call([UInt8])
        case transaction(Transaction?)
        case receipt(Receipt?)
    }

    /// Runs the queries in as few HTTP requests as the batch size allows. Each answer is kept apart: one
    /// may hit a provider's limit while the others succeed. A malformed answer is thrown.
    public func batch(_ queries: [Query]) throws -> [Result<Answer, RPCError>] {
        guard !queries.isEmpty else { return [] }
        return try zip(queries, try rpc.batch(queries.map(\.call))).map(answer)
    }

    private func answer(_ query: Query, _ result: Result<JSON, RPCError>) throws -> Result<Answer, RPCError> {
        switch result {
        case .failure(let error): return .failure(error)
        case .success(let value):
            switch query {
            case .logs: return .success(.logs(try parseLogs(value)))
            case .block, .finalizedBlock: return .success(.block(try parseBlock(value)))
            case .call: return .success(.call(try data(value, "eth_call")))
            case .transaction: return .success(.transaction(try parseTransaction(value)))
            case .receipt: return .success(.receipt(value.isNull ? nil : try receipt(from: value)))
            }
        }
    }

    /// What a registry lookup needs to know first, in one HTTP request: the chain, its head, the code
    /// at an address, and the answers to further queries.
    public struct ChainState: Sendable {
        public let chainId: UInt64
        public let latestBlock: UInt64
        public let code: [UInt8]
        public let answers: [Result<Answer, RPCError>]
        /// The block the endpoint calls finalized, when asked for and named (an endpoint's word).
        public var finalizedBlock: UInt64?
    }

    /// `finalized`: also ask for the finalized block; an endpoint that refuses the tag (a chain without a
    /// finality gadget, an old node) answers nil there, not an error.
    public func chainState(codeAt address: Address, finalized: Bool = false, with queries: [Query] = []) throws
        -> ChainState
    {
        let calls =
            [
                RPCClient.Call("eth_chainId"), RPCClient.Call("eth_blockNumber"),
                RPCClient.Call("eth_getCode", [Self.addr(address), .string("latest")]),
            ] + queries.map(\.call) + (finalized ? [Query.finalizedBlock.call] : [])
        let results = try rpc.batch(calls)
        var state = ChainState(
            chainId: try quantity(try results[0].get(), "eth_chainId"),
            latestBlock: try quantity(try results[1].get(), "eth_blockNumber"),
            code: try data(try results[2].get(), "code"),
            answers: try zip(queries, results.dropFirst(3)).map(answer))
        if finalized, case .success(let value) = results.last!, let block = try? parseBlock(value) {
            state.finalizedBlock = block.number
        }
        return state
    }
}
