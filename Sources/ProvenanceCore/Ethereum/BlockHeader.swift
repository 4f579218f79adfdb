/// A block header as the chain hashes it: its fields in consensus order, RLP-encoded, keccak256'd. An endpoint's
/// header is believed only once its fields hash to the block hash; the roots in it then prove the block's
/// transactions, receipts and state. Each fork appended fields; the layouts known here run from Frontier's
/// fifteen to Prague's twenty-one (EIP-7685 `requestsHash`). Any other set of fields is an error, never a pass.
public struct BlockHeader: Equatable, Sendable {
    public enum Kind: Sendable { case hash, address, bloom, quantity, bytes, nonce }

    /// Each field's JSON-RPC name and kind, in consensus order.
    public static let frontier: [(String, Kind)] = [
        ("parentHash", .hash), ("sha3Uncles", .hash), ("miner", .address), ("stateRoot", .hash),
        ("transactionsRoot", .hash), ("receiptsRoot", .hash), ("logsBloom", .bloom), ("difficulty", .quantity),
        ("number", .quantity), ("gasLimit", .quantity), ("gasUsed", .quantity), ("timestamp", .quantity),
        ("extraData", .bytes), ("mixHash", .hash), ("nonce", .nonce),
    ]
    /// The fields later forks appended, a group per fork: London (EIP-1559), Shanghai (EIP-4895), Cancun
    /// (EIP-4844, EIP-4788), Prague (EIP-7685). A header has a prefix of these groups, whole.
    public static let forks: [(name: String, fields: [(String, Kind)])] = [
        ("London", [("baseFeePerGas", .quantity)]),
        ("Shanghai", [("withdrawalsRoot", .hash)]),
        ("Cancun", [("blobGasUsed", .quantity), ("excessBlobGas", .quantity), ("parentBeaconBlockRoot", .hash)]),
        ("Prague", [("requestsHash", .hash)]),
    ]

    public struct LayoutError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "block header: \(reason)" }
    }

    /// The fields, in order, as encoded.
    public let fields: [RLP]
    public let number: UInt64
    public let timestamp: UInt64
    public let stateRoot: [UInt8]
    public let transactionsRoot: [UInt8]
    public let receiptsRoot: [UInt8]
    /// keccak256(rlp(fields)): the block's hash, computed here.
    public let hash: [UInt8]

    /// From named fields as an endpoint reports them (`value(name)`: the field's bytes, big-endian minimal for
    /// quantities; nil when absent). Fixed-size fields must have their size; the fork groups present must
    /// be a whole prefix of `forks`.
    public init(value: (String) throws -> [UInt8]?) throws {
        var layout = Self.frontier
        var ended = false
        for fork in Self.forks {
            let present = try fork.fields.map { try value($0.0) != nil }
            if present.allSatisfy({ $0 }) && !ended {
                layout += fork.fields
            } else if present.contains(true) {
                throw LayoutError(reason: "fields of \(fork.name) without those of the forks before it, or only some")
            } else {
                ended = true
            }
        }
        var fields: [RLP] = []
        var named: [String: [UInt8]] = [:]
        for (name, kind) in layout {
            guard let bytes = try value(name) else { throw LayoutError(reason: "no \(name)") }
            let size: Int? = [.hash: 32, .address: 20, .bloom: 256, .nonce: 8][kind]
            if let size, bytes.count != size { throw LayoutError(reason: "\(name) is not \(size) bytes") }
            if kind == .quantity, bytes.first == 0 { throw LayoutError(reason: "\(name) has leading zeros") }
            if kind == .quantity, bytes.count > 32 { throw LayoutError(reason: "\(name) exceeds 256 bits") }
            fields.append(.bytes(bytes))
            named[name] = bytes
        }
        func small(_ name: String) throws -> UInt64 {
            let b = named[name]!
            guard b.count <= 8 else { throw LayoutError(reason: "\(name) exceeds 64 bits") }
            return b.reduce(0) { $0 << 8 | UInt64($1) }
        }
        self.fields = fields
        number = try small("number")
        timestamp = try small("timestamp")
        stateRoot = named["stateRoot"]!
        transactionsRoot = named["transactionsRoot"]!
        receiptsRoot = named["receiptsRoot"]!
        hash = Keccak256.hash(RLP.list(fields).encoded)
    }
}
