/// Amounts of wei. 2^128 wei is 3.4·10^20 ether: every real balance, fee and value fits.
public typealias Wei = UInt128

public extension UInt128 {
    /// Minimal big-endian bytes (empty for zero), as RLP and JSON-RPC quantities want.
    var minimalBigEndian: [UInt8] {
        var out: [UInt8] = []
        var v = self
        while v > 0 {
            out.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        }
        return out
    }

    init?(bigEndian bytes: [UInt8]) {
        let stripped = bytes.drop { $0 == 0 }
        guard stripped.count <= 16 else { return nil }
        var v: UInt128 = 0
        for b in stripped { v = v << 8 | UInt128(b) }
        self = v
    }

    static let gwei: UInt128 = 1_000_000_000

    /// Sums and products of amounts an endpoint reported: a hostile value saturates (and then fails the
    /// balance check) instead of trapping.
    func saturatingAdd(_ other: UInt128) -> UInt128 {
        let (v, overflow) = addingReportingOverflow(other)
        return overflow ? .max : v
    }

    func saturatingMultiply(_ other: UInt128) -> UInt128 {
        let (v, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : v
    }
}

/// A transaction ready to be signed: its type's signing hash and its signed encoding.
public protocol UnsignedTransaction: Sendable {
    var chainId: UInt64 { get }
    var nonce: UInt64 { get }
    var gasLimit: UInt64 { get }
    /// The most this transaction can cost in wei: gas × max price + value.
    var maxCost: Wei { get }
    /// The hash that is signed.
    func signingHash() -> [UInt8]
    /// The raw signed bytes, as `eth_sendRawTransaction` takes them.
    func encode(signature: RecoverableSignature) -> [UInt8]
}

/// A signed transaction: its raw bytes and hash (keccak of the raw bytes, type byte included).
public struct SignedTransaction: Sendable, Equatable {
    public let raw: [UInt8]
    public var hash: [UInt8] { Keccak256.hash(raw) }
    public var hashHex: String { Hex.encode(hash, prefix: true) }

    public init(raw: [UInt8]) { self.raw = raw }

    public init(_ tx: some UnsignedTransaction, key: PrivateKey) throws {
        raw = tx.encode(signature: try key.sign(digest: tx.signingHash()))
    }
}

/// Pieces shared by the transaction encodings.
enum TransactionFields {
    static func to(_ address: Address?) -> RLP { .bytes(address?.bytes ?? []) }

    /// r and s are integers inside RLP: leading zeros stripped.
    static func signatureFields(_ sig: RecoverableSignature) -> [RLP] {
        [.uint(bigEndian: sig.r), .uint(bigEndian: sig.s)]
    }

    static func uint64(_ rlp: RLP, _ name: String) throws -> UInt64 {
        guard let b = rlp.bytesValue, b.count <= 8, b.first != 0 else {
            throw TransactionDecodeError("\(name) is not a canonical integer")
        }
        return b.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func wei(_ rlp: RLP, _ name: String) throws -> Wei {
        guard let b = rlp.bytesValue, b.first != 0, let v = Wei(bigEndian: b) else {
            throw TransactionDecodeError("\(name) is not a canonical integer")
        }
        return v
    }

    static func address(_ rlp: RLP) throws -> Address? {
        guard let b = rlp.bytesValue, b.isEmpty || b.count == 20 else {
            throw TransactionDecodeError("to is not an address")
        }
        return b.isEmpty ? nil : Address(bytes: b)
    }

    static func scalar(_ rlp: RLP, _ name: String) throws -> [UInt8] {
        guard let b = rlp.bytesValue, b.count <= 32, b.first != 0 else {
            throw TransactionDecodeError("\(name) is not a canonical integer")
        }
        return [UInt8](repeating: 0, count: 32 - b.count) + b
    }
}

public struct TransactionDecodeError: Error, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "cannot decode transaction: \(reason)" }
}

/// What a raw signed transaction says, for inspecting what was sent (and checking it).
public struct DecodedTransaction: Sendable {
    public let type: UInt8
    public let chainId: UInt64
    public let nonce: UInt64
    public let gasLimit: UInt64
    public let to: Address?
    public let value: Wei
    public let data: [UInt8]
    public let signature: RecoverableSignature
    /// The signer, recovered from the signature.
    public let from: Address
    public let hash: [UInt8]

    /// Decodes a legacy (EIP-155) or type-2 (EIP-1559) raw transaction.
    public static func decode(_ raw: [UInt8]) throws -> DecodedTransaction {
        guard let first = raw.first else { throw TransactionDecodeError("empty") }
        if first == 0x02 { return try EIP1559Transaction.decode(raw) }
        if first >= 0xc0 { return try LegacyTransaction.decode(raw) }
        throw TransactionDecodeError("unsupported transaction type \(first)")
    }
}
