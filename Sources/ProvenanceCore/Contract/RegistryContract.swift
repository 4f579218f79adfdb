/// The registry contract's interface: what its code is, how to call it, what its events and its
/// signer index look like. Layouts are specified in docs/FORMAT.md §8.
public enum RegistryContract {
    public static let initCode: [UInt8] = Hex.decode(RegistryArtifact.initCodeHex)!
    public static let runtimeCode: [UInt8] = Hex.decode(RegistryArtifact.runtimeHex)!

    /// The contract never accepts more files in one call.
    public static let maxBatch = AttestationMessage.maxFileCount
    /// Batch blocks returned by one `signerRecord` call.
    public static let recordPage = 1024

    /// `attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)`
    public static let attestSelector = selector("attest((bytes32,bytes32)[],bytes32,bytes32,bytes32)")
    /// `revoke(address,bytes32,bytes32)`
    public static let revokeSelector = selector("revoke(address,bytes32,bytes32)")
    /// `signerRecord(address,uint256)`
    public static let signerRecordSelector = selector("signerRecord(address,uint256)")

    /// topic0 of `event Revoked(address indexed signer)`. The per-file `Attested(contentId, signer)`
    /// event is anonymous: topic0 is the content ID, topic1 the signer.
    public static let revokedTopic: [UInt8] = Keccak256.hash(Array("Revoked(address)".utf8))

    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    /// Checks that `code` (what eth_getCode returned at `address`) is a correct deployment: the runtime
    /// followed by its two immutables, the EIP-712 domain separator naming that address and the
    /// deployment block. Returns the deployment block; nil when the code is anything else.
    public static func deploymentBlock(ofCode code: [UInt8], at address: Address) throws -> UInt64? {
        let separator = try AttestationMessage(
            merkleRoot: [UInt8](repeating: 0, count: 32), fileCount: 1, registry: address
        ).domainSeparator()
        guard code.count == runtimeCode.count + 64, code.starts(with: runtimeCode + separator) else { return nil }
        return smallNumber(Array(code.suffix(32)))
    }

    /// Calldata for attest: standard ABI encoding of (files, merkleRoot, r, vs) where files are
    /// (contentId, detailsHash) pairs and vs = yParity << 255 | s is the EIP-2098 compact form of the
    /// signature. EIP-2098 cannot carry a high s (its top bit is yParity), so one is refused here.
    public static func attestCalldata(files: [FileCommitment], merkleRoot: [UInt8], signature: RecoverableSignature)
        throws -> [UInt8]
    {
        guard !files.isEmpty, files.count <= maxBatch,
            files.allSatisfy({ $0.contentID.count == 32 && $0.detailsHash.count == 32 }), merkleRoot.count == 32
        else {
            throw ProvenanceError.input("a registry batch holds 1 to \(maxBatch) files (got \(files.count))")
        }
        var out = attestSelector
        out += word(128) + merkleRoot + (try compact(signature))  // head: offset of files (4 words of head)
        out += word(UInt64(files.count))
        for f in files { out += f.contentID + f.detailsHash }
        return out
    }

    /// Calldata for revoke: (signer, r, vs), the signature over `Revocation(signer)`.
    public static func revokeCalldata(signer: Address, signature: RecoverableSignature) throws -> [UInt8] {
        revokeSelector + topic(signer) + (try compact(signature))
    }

    /// Calldata for the view `signerRecord(signer, start)`.
    public static func signerRecordCalldata(signer: Address, start: Int) -> [UInt8] {
        signerRecordSelector + topic(signer) + word(UInt64(start))
    }

    /// What the registry knows of a signer: when its key was revoked (nil: never) and the blocks that
    /// hold its batches (ascending, one entry per block), `blocks` starting at the requested index.
    public struct SignerRecord: Equatable, Sendable {
        public let revokedAt: UInt64?
        public let batchBlockCount: Int
        public let blocks: [UInt64]

        public init(revokedAt: UInt64?, batchBlockCount: Int, blocks: [UInt64]) {
            self.revokedAt = revokedAt
            self.batchBlockCount = batchBlockCount
            self.blocks = blocks
        }
    }

    /// Decodes signerRecord's answer: (uint256 revokedAt, uint256 count, uint256[] blocks), strictly.
    public static func decodeSignerRecord(_ d: [UInt8]) -> SignerRecord? {
        func word(_ at: Int) -> [UInt8]? { at >= 0 && at <= d.count - 32 ? Array(d[at..<at + 32]) : nil }
        guard let revoked = word(0).flatMap(smallNumber), let count = word(32).flatMap(smallNumber),
            word(64).flatMap(smallNumber) == 96, let n = word(96).flatMap(smallNumber), n <= UInt64(recordPage),
            d.count == 128 + 32 * Int(n)
        else { return nil }
        var blocks: [UInt64] = []
        for i in 0..<Int(n) {
            guard let b = word(128 + 32 * i).flatMap(smallNumber) else { return nil }
            blocks.append(b)
        }
        guard count <= UInt64(Int32.max), zip(blocks, blocks.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        return SignerRecord(revokedAt: revoked == 0 ? nil : revoked, batchBlockCount: Int(count), blocks: blocks)
    }

    private static func compact(_ signature: RecoverableSignature) throws -> [UInt8] {
        guard signature.s.lexicographicallyPrecedes(halfOrderPlusOne) else { throw SignatureError.highS }
        var vs = signature.s
        if signature.recoveryID == 1 { vs[0] |= 0x80 }
        return signature.r + vs
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

    /// A word holding a number below 2^63, or nil: hostile answers never trap.
    public static func smallNumber(_ w: [UInt8]) -> UInt64? {
        guard w.count == 32, w.prefix(24).allSatisfy({ $0 == 0 }), w[24] < 0x80 else { return nil }
        return w.suffix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A 32-byte topic holding an address (left-padded).
    public static func topic(_ address: Address) -> [UInt8] { [UInt8](repeating: 0, count: 12) + address.bytes }

    /// The storage slot of `revokedAt[signer]`: the contract's first storage variable (slot 0; its immutables
    /// live in the code), a HashMap, which Vyper places at keccak256(slot ‖ key), both as 32-byte words
    /// (checked against the compiler's storage layout and the devnet's eth_getStorageAt in RevocationProofTests).
    public static func revokedAtSlot(_ signer: Address) -> [UInt8] {
        Keccak256.hash([UInt8](repeating: 0, count: 32) + topic(signer))
    }

    /// An attest call read back from calldata: the batch, its root and its signature.
    public struct AttestCall: Sendable, Equatable {
        public let files: [FileCommitment]
        public let merkleRoot: [UInt8]
        public let signature: RecoverableSignature

        /// Who signed this batch for `registry`: the root must be the Merkle root of exactly these
        /// files' leaves, and the signature (low s) must recover over the EIP-712 message.
        public func signer(registry: Address) throws -> Address {
            guard Merkle.root(files.map(\.leaf)) == merkleRoot else {
                throw ProvenanceError.input("the batch's files do not lead to its Merkle root")
            }
            let message = AttestationMessage(merkleRoot: merkleRoot, fileCount: files.count, registry: registry)
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
            let n = small(word(4 + offset)), n >= 1, n <= maxBatch, 4 + offset + 32 + 64 * n <= d.count
        else { return nil }
        let first = 4 + offset + 32
        let files = (0..<n).map { i in
            FileCommitment(
                contentID: Array(d[(first + 64 * i)..<(first + 64 * i + 32)]),
                detailsHash: Array(d[(first + 64 * i + 32)..<(first + 64 * i + 64)]))
        }
        let recid: UInt8 = vs[0] >> 7
        vs[0] &= 0x7f
        return AttestCall(
            files: files, merkleRoot: root, signature: RecoverableSignature(r: r, s: vs, recoveryID: recid))
    }
}
