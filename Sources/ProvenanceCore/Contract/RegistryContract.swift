/// The registry contract's interface: what its code is, how to call attest, what its events look like.
/// Layouts are specified in docs/FORMAT.md §8.
public enum RegistryContract {
    public static let initCode: [UInt8] = Hex.decode(RegistryArtifact.initCodeHex)!
    public static let runtimeCode: [UInt8] = Hex.decode(RegistryArtifact.runtimeHex)!

    /// The contract never accepts more digests in one call.
    public static let maxBatch = AttestationMessage.maxFileCount

    /// `attest(bytes32[],bytes32,bytes32,bytes32)`
    public static let attestSelector: [UInt8] = Array(
        Keccak256.hash(Array("attest(bytes32[],bytes32,bytes32,bytes32)".utf8)).prefix(4))

    /// topic0 of `event Attested(bytes32 indexed digest, address indexed signer)`.
    public static let attestedTopic: [UInt8] = Keccak256.hash(Array("Attested(bytes32,address)".utf8))

    /// The code a correct deployment at `address` holds: the runtime followed by its one immutable,
    /// the EIP-712 domain separator, which names that address.
    public static func expectedCode(at address: Address) throws -> [UInt8] {
        runtimeCode
            + (try AttestationMessage(merkleRoot: [UInt8](repeating: 0, count: 32), fileCount: 1, registry: address)
                .domainSeparator())
    }

    /// Calldata for attest: standard ABI encoding of (digests, merkleRoot, r, vs) where
    /// vs = yParity << 255 | s is the EIP-2098 compact form of the signature. EIP-2098 cannot carry
    /// a high s (its top bit is yParity), so a non-canonical signature is refused here.
    public static func attestCalldata(digests: [[UInt8]], merkleRoot: [UInt8], signature: RecoverableSignature) throws
        -> [UInt8]
    {
        guard !digests.isEmpty, digests.count <= maxBatch, digests.allSatisfy({ $0.count == 32 }),
            merkleRoot.count == 32
        else {
            throw ProvenanceError.input(
                "a registry batch holds 1 to \(maxBatch) digests of 32 bytes (got \(digests.count))")
        }
        guard signature.s.lexicographicallyPrecedes(halfOrderPlusOne) else { throw SignatureError.highS }
        var vs = signature.s
        if signature.recoveryID == 1 { vs[0] |= 0x80 }
        var out = attestSelector
        out += word(128) + merkleRoot + signature.r + vs  // head: offset of digests (4 words of head)
        out += word(UInt64(digests.count))
        for d in digests { out += d }
        return out
    }

    /// n/2 + 1 for secp256k1, big-endian: s must be below it.
    static let halfOrderPlusOne = Hex.decode("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1")!

    static func word(_ v: UInt64) -> [UInt8] {
        var w = [UInt8](repeating: 0, count: 32)
        var x = v
        for i in stride(from: 31, through: 24, by: -1) {
            w[i] = UInt8(x & 0xff)
            x >>= 8
        }
        return w
    }

    /// A 32-byte topic holding an address (left-padded).
    public static func topic(_ address: Address) -> [UInt8] { [UInt8](repeating: 0, count: 12) + address.bytes }

    /// An attest call read back from calldata: the batch, its root and its signature.
    public struct AttestCall: Sendable, Equatable {
        public let digests: [[UInt8]]
        public let merkleRoot: [UInt8]
        public let signature: RecoverableSignature

        /// Who signed this batch for `registry`: the root must be the Merkle root of exactly these
        /// digests, and the signature (low s) must recover over the EIP-712 message.
        public func signer(registry: Address) throws -> Address {
            guard Merkle.root(digests) == merkleRoot else {
                throw ProvenanceError.input("the batch's digests do not lead to its Merkle root")
            }
            let message = AttestationMessage(merkleRoot: merkleRoot, fileCount: digests.count, registry: registry)
            return try ECRecover.address(digest: try message.signingDigest(), signature: signature)
        }
    }

    /// Decodes attest calldata (strictly: nil for anything else, never a trap on hostile offsets).
    public static func decodeAttestCalldata(_ d: [UInt8]) -> AttestCall? {
        guard d.count >= 4 + 160, Array(d.prefix(4)) == attestSelector else { return nil }
        func word(_ at: Int) -> [UInt8]? { at >= 0 && at <= d.count - 32 ? Array(d[at..<at + 32]) : nil }
        // An ABI word that must hold a small number (an offset or a length): anything of 4 bytes or
        // more cannot fit in calldata, so it is rejected before any arithmetic.
        func small(_ w: [UInt8]?) -> Int? {
            guard let w, w.prefix(28).allSatisfy({ $0 == 0 }) else { return nil }
            return w.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let offset = small(word(4)), let root = word(36), let r = word(68), var vs = word(100),
            let n = small(word(4 + offset)), n >= 1, n <= maxBatch, 4 + offset + 32 + 32 * n <= d.count
        else { return nil }
        let digests = (0..<n).map { Array(d[(4 + offset + 32 + 32 * $0)..<(4 + offset + 64 + 32 * $0)]) }
        let recid: UInt8 = vs[0] >> 7
        vs[0] &= 0x7f
        return AttestCall(
            digests: digests, merkleRoot: root, signature: RecoverableSignature(r: r, s: vs, recoveryID: recid))
    }
}
