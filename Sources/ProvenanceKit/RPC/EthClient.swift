/// Typed Ethereum JSON-RPC calls on top of RPCClient: quantities decoded, errors typed.
public final class EthClient {
    public let rpc: RPCClient

    public init(rpc: RPCClient) { self.rpc = rpc }
    public convenience init(endpoint: Endpoint) { self.init(rpc: RPCClient(endpoint: endpoint)) }

    public var endpoint: Endpoint { rpc.endpoint }

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
        try quantity(
            try rpc.call("eth_getTransactionCount", [Self.addr(a), .string(pending ? "pending" : "latest")]), "nonce")
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
    }

    public func block(_ number: UInt64?) throws -> Block? {
        let r = try rpc.call("eth_getBlockByNumber", [number.map(Self.q) ?? .string("latest"), .bool(false)])
        if r.isNull { return nil }
        return Block(
            number: try quantity(r["number"], "block number"), hash: try data(r["hash"], "block hash"),
            timestamp: try quantity(r["timestamp"], "timestamp"))
    }
}
