/// A key's revocation on one chain: attestations by it from this block on are void.
public struct Revocation: Hashable, Sendable {
    public let block: UInt64
    /// Block timestamp, seconds since 1970 (UTC).
    public let time: UInt64

    public init(block: UInt64, time: UInt64) {
        self.block = block
        self.time = time
    }
}

/// One Attested event: a signer's checked signature over a batch that contains this content.
public struct OnChainAttestation: Equatable, Sendable {
    public let digest: [UInt8]
    public let signer: Address
    public let chainId: UInt64
    public let registry: Address
    public let txHash: [UInt8]
    public let blockNumber: UInt64
    public let blockTime: UInt64
    /// The signer's revocation on this chain, if it revoked its key: what every endpoint's storage proof agreed
    /// on (EndpointAgreement sets it), not the word of the lookup that found the record.
    public var revocation: Revocation?
    /// The hash of the block holding the record, as proven here (empty for a record from the scan cache).
    public var blockHash: [UInt8] = []
    /// The details hashes (FORMAT §2a) the proven batch anchors beside this content ID: a manifest's chunk
    /// list, window keys and fingerprint say something on chain only when its details hash is one of these.
    public var anchoredDetails: [[UInt8]] = []

    /// Whether this record comes from the revocation's block or later, and so is void.
    public init(
        digest: [UInt8], signer: Address, chainId: UInt64, registry: Address, txHash: [UInt8], blockNumber: UInt64,
        blockTime: UInt64, revocation: Revocation?, blockHash: [UInt8] = []
    ) {
        self.digest = digest
        self.signer = signer
        self.chainId = chainId
        self.registry = registry
        self.txHash = txHash
        self.blockNumber = blockNumber
        self.blockTime = blockTime
        self.revocation = revocation
        self.blockHash = blockHash
    }

    public var isRevoked: Bool { revocation.map { blockNumber >= $0.block } ?? false }

    /// Whether this record anchors exactly these details (the leaf keccak(contentID ‖ detailsHash) is the batch's).
    public func anchors(detailsHash: [UInt8]) -> Bool { anchoredDetails.contains(detailsHash) }

    public var anchor: Anchor {
        Anchor(chainId: chainId, registry: registry, txHash: txHash, blockNumber: blockNumber, blockTime: blockTime)
    }
}

/// The step of the local proof of a record (docs/FORMAT.md §6b) that failed.
public enum ProofCheck: Error, Sendable, Equatable {
    /// The transaction's reported fields do not hash to its hash.
    case transactionHash
    /// The transaction does not call the registry itself (a relay contract: maybe real, not provable here).
    case notToRegistry
    /// No successful receipt for the transaction.
    case receipt
    /// The receipt names a block the chain does not have (by number and hash).
    case receiptBlock
    /// The calldata is not a batch whose Merkle root and signature check out.
    case calldata
    /// The log names another block than its receipt.
    case logBlock(log: UInt64, receipt: UInt64)
    /// The batch is signed by another key than the log names.
    case batchSigner(batch: Address, log: Address)
    /// The batch does not hold the content the log names.
    case contentNotInBatch
    /// The receipt holds no such log.
    case logNotInReceipt
    /// The transaction was not among those checked.
    case unchecked
    /// The block's reported fields do not hash to its hash (or are not a header layout known here).
    case headerHash
    /// The block's transactions, re-encoded here, do not rebuild its header's transactionsRoot.
    case transactionsRoot
    /// The block's receipts, re-encoded here, do not rebuild its header's receiptsRoot.
    case receiptsRoot
    /// The record's transaction is not among those of the proven block.
    case transactionNotInBlock
    /// The block holds a transaction or receipt of a kind this tool cannot encode (maybe real, not provable).
    case blockEncoding
    /// The transaction was signed for another chain than the one the endpoint says it serves.
    case chainId(transaction: UInt64, endpoint: UInt64)
    /// The record's block is past another endpoint's confirmed head: not yet confirmed everywhere (maybe real).
    case notConfirmedAt(endpoint: String, head: UInt64)

    public var code: String {
        switch self {
        case .transactionHash: return "proof.transactionHash"
        case .notToRegistry: return "proof.notToRegistry"
        case .receipt: return "proof.receipt"
        case .receiptBlock: return "proof.receiptBlock"
        case .calldata: return "proof.calldata"
        case .logBlock: return "proof.logBlock"
        case .batchSigner: return "proof.batchSigner"
        case .contentNotInBatch: return "proof.contentNotInBatch"
        case .logNotInReceipt: return "proof.logNotInReceipt"
        case .unchecked: return "proof.unchecked"
        case .headerHash: return "proof.headerHash"
        case .transactionsRoot: return "proof.transactionsRoot"
        case .receiptsRoot: return "proof.receiptsRoot"
        case .transactionNotInBlock: return "proof.transactionNotInBlock"
        case .blockEncoding: return "proof.blockEncoding"
        case .chainId: return "proof.chainId"
        case .notConfirmedAt: return "proof.notConfirmedAt"
        }
    }

    /// Every code, for the list in docs/FORMAT.md.
    public static let codes = [
        "proof.transactionHash", "proof.notToRegistry", "proof.receipt", "proof.receiptBlock", "proof.calldata",
        "proof.logBlock", "proof.batchSigner", "proof.contentNotInBatch", "proof.logNotInReceipt", "proof.unchecked",
        "proof.headerHash", "proof.transactionsRoot", "proof.receiptsRoot", "proof.transactionNotInBlock",
        "proof.blockEncoding", "proof.chainId", "proof.notConfirmedAt",
    ]
}

/// A record an endpoint reported that did not pass the local proof: `forged` when a check failed (the
/// endpoint lied), otherwise it could not be proven here (e.g. its block is beyond what was asked).
public struct RejectedRecord: Equatable, Sendable {
    public let digest: [UInt8]
    public let txHash: [UInt8]
    /// The step of the proof that failed.
    public let check: ProofCheck
    public let forged: Bool
    /// The endpoint (host only) that reported it.
    public let endpoint: String

    public init(digest: [UInt8], txHash: [UInt8], check: ProofCheck, forged: Bool, endpoint: String) {
        self.digest = digest
        self.txHash = txHash
        self.check = check
        self.forged = forged
        self.endpoint = endpoint
    }
}

/// Two endpoints' answers that cannot both be true.
public enum EndpointConflict: Equatable, Sendable {
    /// An endpoint reported a record that failed the local proof while others were asked too.
    case forged(endpoint: String, txHash: [UInt8], check: ProofCheck)
    /// Some endpoints report a record in a block another does not have at that number (or has another).
    case blockDiffers(
        reporting: [String], txHash: [UInt8], block: UInt64, blockHash: [UInt8], other: String,
        theirs: [UInt8]?)
    /// The endpoints report different revocation blocks for one signer (nil: not revoked), in endpoint order.
    case revocationDiffers(signer: Address, endpoints: [String], revokedAt: [UInt64?])
}

/// What one endpoint's storage proof (EIP-1186) showed of some signers' revocation state, and at which block:
/// the endpoint's confirmed head, whose header hashed to `blockHash` here. A signer of `signers` absent from
/// `revocations` was proven not revoked at that block.
public struct ProvenRevocations: Equatable, Sendable {
    public let block: UInt64
    public let blockHash: [UInt8]
    public let signers: Set<Address>
    public let revocations: [Address: Revocation]

    public init(block: UInt64, blockHash: [UInt8], signers: Set<Address>, revocations: [Address: Revocation]) {
        self.block = block
        self.blockHash = blockHash
        self.signers = signers
        self.revocations = revocations
    }
}

/// A record an endpoint did not report although it agrees the block holding it is canonical.
public struct HiddenRecord: Equatable, Sendable {
    public let endpoint: String
    public let txHash: [UInt8]
    public let block: UInt64

    public init(endpoint: String, txHash: [UInt8], block: UInt64) {
        self.endpoint = endpoint
        self.txHash = txHash
        self.block = block
    }
}

/// What the endpoints said of one content ID, once every record was proven here and their answers compared.
public struct RecordFindings: Equatable, Sendable {
    /// Records proven here (from every endpoint that reported them).
    public var proven: [OnChainAttestation] = []
    public var rejected: [RejectedRecord] = []
    public var conflicts: [EndpointConflict] = []
    public var hidden: [HiddenRecord] = []

    public init(
        proven: [OnChainAttestation] = [], rejected: [RejectedRecord] = [], conflicts: [EndpointConflict] = [],
        hidden: [HiddenRecord] = []
    ) {
        self.proven = proven
        self.rejected = rejected
        self.conflicts = conflicts
        self.hidden = hidden
    }

    public var forged: [RejectedRecord] { rejected.filter(\.forged) }
    public var unprovable: [RejectedRecord] { rejected.filter { !$0.forged } }
}

/// The record stage's answer for a window of copies: one chain, the endpoints asked, and per content ID
/// what they agreed on.
public struct ChainRecords: Sendable {
    /// Whose records were looked for: the signers trusted, or anyone (a scan of the registry's history).
    public enum LookedFor: Equatable, Sendable {
        case signers(Int)
        case anyone
    }

    public let chainId: UInt64
    public let latestBlock: UInt64
    public let registry: Address
    /// The endpoints (hosts only) whose answers were compared.
    public let endpoints: [String]
    public let lookedFor: LookedFor
    public let byDigest: [[UInt8]: RecordFindings]
    /// The highest block every endpoint calls finalized (nil: one of them names none).
    public var finalizedBlock: UInt64?

    public init(
        chainId: UInt64, latestBlock: UInt64, registry: Address, endpoints: [String], lookedFor: LookedFor,
        byDigest: [[UInt8]: RecordFindings]
    ) {
        self.chainId = chainId
        self.latestBlock = latestBlock
        self.registry = registry
        self.endpoints = endpoints
        self.lookedFor = lookedFor
        self.byDigest = byDigest
    }

    public subscript(digest: [UInt8]) -> RecordFindings { byDigest[digest] ?? RecordFindings() }
}
