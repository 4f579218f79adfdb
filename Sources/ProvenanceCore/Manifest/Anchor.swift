/// One on-chain record of a manifest's signature: where and when the batch was attested.
public struct Anchor: Equatable, Sendable {
    public let chainId: UInt64
    public let registry: Address
    public let txHash: [UInt8]
    public let blockNumber: UInt64
    /// Block timestamp, seconds since 1970 (UTC).
    public let blockTime: UInt64

    public init(chainId: UInt64, registry: Address, txHash: [UInt8], blockNumber: UInt64, blockTime: UInt64) {
        self.chainId = chainId
        self.registry = registry
        self.txHash = txHash
        self.blockNumber = blockNumber
        self.blockTime = blockTime
    }

    public var json: JSON {
        .object([
            ("chainId", .number(String(chainId))), ("registry", .string(registry.checksummed)),
            ("txHash", .string(Hex.encode(txHash, prefix: true))), ("blockNumber", .number(String(blockNumber))),
            ("blockTime", .number(String(blockTime))),
        ])
    }

    public init(json: JSON) throws {
        func bad(_ why: String) -> ProvenanceError { .input("malformed manifest: anchors: \(why)") }
        guard case .number(let c)? = json["chainId"], let chainId = UInt64(c) else {
            throw bad("chainId must be a number")
        }
        guard let r = json["registry"]?.stringValue else { throw bad("registry must be an address") }
        guard let t = json["txHash"]?.stringValue, let tx = Hex.decode(t, count: 32) else {
            throw bad("txHash must be 32 bytes of hex")
        }
        guard case .number(let b)? = json["blockNumber"], let block = UInt64(b) else {
            throw bad("blockNumber must be a number")
        }
        guard case .number(let ts)? = json["blockTime"], let time = UInt64(ts) else {
            throw bad("blockTime must be a number")
        }
        self.init(chainId: chainId, registry: try Address(r), txHash: tx, blockNumber: block, blockTime: time)
    }
}
