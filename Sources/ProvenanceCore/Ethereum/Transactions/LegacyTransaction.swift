/// Legacy transaction with EIP-155 replay protection, for chains without EIP-1559 (`--legacy`).
/// Signing hash: keccak(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]));
/// raw: rlp([nonce, gasPrice, gas, to, value, data, v, r, s]) with v = recoveryID + 2·chainId + 35.
public struct LegacyTransaction: UnsignedTransaction, Equatable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var gasPrice: Wei
    public var gasLimit: UInt64
    public var to: Address?
    public var value: Wei
    public var data: [UInt8]

    public init(
        chainId: UInt64, nonce: UInt64, gasPrice: Wei, gasLimit: UInt64, to: Address?, value: Wei = 0,
        data: [UInt8] = []
    ) {
        self.chainId = chainId
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
    }

    public var maxCost: Wei { gasPrice.saturatingMultiply(Wei(gasLimit)).saturatingAdd(value) }

    private var fields: [RLP] {
        [
            .uint(nonce), .uint(bigEndian: gasPrice.minimalBigEndian), .uint(gasLimit), TransactionFields.to(to),
            .uint(bigEndian: value.minimalBigEndian), .bytes(data),
        ]
    }

    public func signingHash() -> [UInt8] {
        Keccak256.hash(RLP.list(fields + [.uint(chainId), .uint(0), .uint(0)]).encoded)
    }

    /// The largest chain id whose EIP-155 v (2·chainId + 36) fits in 64 bits (EIP-2294's bound).
    public static let maxChainId: UInt64 = (UInt64.max - 36) / 2

    public func encode(signature: RecoverableSignature) -> [UInt8] {
        precondition(chainId <= Self.maxChainId, "chain id checked by the sender before signing")
        let v = UInt64(signature.recoveryID) + 2 * chainId + 35
        return RLP.list(fields + [.uint(v)] + TransactionFields.signatureFields(signature)).encoded
    }

    /// The raw bytes of a signed legacy transaction from its reported fields (v as it was sent;
    /// r and s as minimal big-endian integers), to recompute a hash an endpoint reports.
    public static func encode(
        nonce: UInt64, gasPrice: Wei, gasLimit: UInt64, to: Address?, value: Wei, data: [UInt8], v: UInt64,
        r: [UInt8], s: [UInt8]
    ) -> [UInt8] {
        let fields: [RLP] = [
            .uint(nonce), .uint(bigEndian: gasPrice.minimalBigEndian), .uint(gasLimit), TransactionFields.to(to),
            .uint(bigEndian: value.minimalBigEndian), .bytes(data), .uint(v), .uint(bigEndian: r), .uint(bigEndian: s),
        ]
        return RLP.list(fields).encoded
    }

    static func decode(_ raw: [UInt8]) throws -> DecodedTransaction {
        guard case .list(let f)? = try? RLP.decode(raw), f.count == 9 else {
            throw TransactionDecodeError("legacy payload is not a 9-item RLP list")
        }
        let v = try TransactionFields.uint64(f[6], "v")
        guard v >= 37 else { throw TransactionDecodeError("v = \(v) has no EIP-155 chain id") }
        let chainId = (v - 35) / 2
        let tx = LegacyTransaction(
            chainId: chainId, nonce: try TransactionFields.uint64(f[0], "nonce"),
            gasPrice: try TransactionFields.wei(f[1], "gasPrice"),
            gasLimit: try TransactionFields.uint64(f[2], "gas"), to: try TransactionFields.address(f[3]),
            value: try TransactionFields.wei(f[4], "value"),
            data: try f[5].bytesValue.unwrapOr(TransactionDecodeError("data is not a string")))
        let sig = RecoverableSignature(
            r: try TransactionFields.scalar(f[7], "r"), s: try TransactionFields.scalar(f[8], "s"),
            recoveryID: UInt8((v - 35) % 2))
        let from = try ECRecover.address(digest: tx.signingHash(), signature: sig)
        return DecodedTransaction(
            type: 0, chainId: chainId, nonce: tx.nonce, gasLimit: tx.gasLimit, to: tx.to, value: tx.value,
            data: tx.data, signature: sig, from: from, hash: Keccak256.hash(raw))
    }
}
