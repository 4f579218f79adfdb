/// EIP-1559 (type 2) transaction.
/// Signing hash: keccak(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to,
/// value, data, accessList])); raw: 0x02 ‖ rlp([… the nine fields …, yParity, r, s]).
public struct EIP1559Transaction: UnsignedTransaction, Equatable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: Wei
    public var maxFeePerGas: Wei
    public var gasLimit: UInt64
    /// nil creates a contract.
    public var to: Address?
    public var value: Wei
    public var data: [UInt8]

    public init(
        chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: Wei, maxFeePerGas: Wei, gasLimit: UInt64,
        to: Address?, value: Wei = 0, data: [UInt8] = []
    ) {
        self.chainId = chainId
        self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
    }

    static let type: UInt8 = 0x02

    public var maxCost: Wei { maxFeePerGas.saturatingMultiply(Wei(gasLimit)).saturatingAdd(value) }

    /// The nine signed fields; the access list is always empty here.
    private var fields: [RLP] {
        [
            .uint(chainId), .uint(nonce), .uint(bigEndian: maxPriorityFeePerGas.minimalBigEndian),
            .uint(bigEndian: maxFeePerGas.minimalBigEndian), .uint(gasLimit), TransactionFields.to(to),
            .uint(bigEndian: value.minimalBigEndian), .bytes(data), .list([]),
        ]
    }

    public func signingHash() -> [UInt8] { Keccak256.hash([Self.type] + RLP.list(fields).encoded) }

    public func encode(signature: RecoverableSignature) -> [UInt8] {
        [Self.type]
            + RLP.list(fields + [.uint(UInt64(signature.recoveryID))] + TransactionFields.signatureFields(signature))
            .encoded
    }

    static func decode(_ raw: [UInt8]) throws -> DecodedTransaction {
        guard case .list(let f)? = try? RLP.decode(Array(raw.dropFirst())), f.count == 12 else {
            throw TransactionDecodeError("type-2 payload is not a 12-item RLP list")
        }
        guard f[8] == .list([]) else { throw TransactionDecodeError("access lists are not supported") }
        let yParity = try TransactionFields.uint64(f[9], "yParity")
        guard yParity <= 1 else { throw TransactionDecodeError("yParity must be 0 or 1") }
        let tx = EIP1559Transaction(
            chainId: try TransactionFields.uint64(f[0], "chainId"), nonce: try TransactionFields.uint64(f[1], "nonce"),
            maxPriorityFeePerGas: try TransactionFields.wei(f[2], "maxPriorityFeePerGas"),
            maxFeePerGas: try TransactionFields.wei(f[3], "maxFeePerGas"),
            gasLimit: try TransactionFields.uint64(f[4], "gas"),
            to: try TransactionFields.address(f[5]), value: try TransactionFields.wei(f[6], "value"),
            data: try f[7].bytesValue.unwrapOr(TransactionDecodeError("data is not a string")))
        let sig = RecoverableSignature(
            r: try TransactionFields.scalar(f[10], "r"), s: try TransactionFields.scalar(f[11], "s"),
            recoveryID: UInt8(yParity))
        let from = try ECRecover.address(digest: tx.signingHash(), signature: sig)
        return DecodedTransaction(
            type: Self.type, chainId: tx.chainId, nonce: tx.nonce, gasLimit: tx.gasLimit, to: tx.to, value: tx.value,
            data: tx.data, signature: sig, from: from, hash: Keccak256.hash(raw))
    }
}

extension Optional {
    func unwrapOr(_ error: @autoclosure () -> Error) throws -> Wrapped {
        guard let v = self else { throw error() }
        return v
    }
}
