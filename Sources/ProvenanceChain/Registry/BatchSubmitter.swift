import Foundation
import ProvenanceCore

/// Sends signed batches to the registry: builds the attest transaction, records every step in the
/// journal before it happens, broadcasts, waits for the receipt, and returns the anchor.
final class BatchSubmitter {
    let client: EthClient
    let registry: Address
    let payer: PrivateKey
    var fees = FeeOptions()
    var sendOptions = SendOptions()
    var expectedChainId: UInt64?
    var journal: Journal?
    var onBroadcast: (SignedTransaction) -> Void = { _ in }
    var progress: @Sendable (Attester.Progress) -> Void = { _ in }

    init(client: EthClient, registry: Address, payer: PrivateKey) {
        self.client = client
        self.registry = registry
        self.payer = payer
    }

    /// One sender for the whole run, so successive batches take successive nonces.
    private var cachedSender: TransactionSender?
    private func sender() throws -> TransactionSender {
        if let s = cachedSender { return s }
        let s = try TransactionSender(client: client, key: payer, expectedChainId: expectedChainId)
        cachedSender = s
        return s
    }

    /// Sends one batch (manifests of one signature, any order). Returns the batch and its anchor (nil
    /// for a dry run, which signs the transaction and sends nothing).
    func submit(_ manifests: [Manifest], dryRun: Bool, number: Int, of total: Int) throws -> (
        Attester.Batch, Anchor?
    ) {
        let ordered = manifests.sorted { $0.batchIndex < $1.batchIndex }
        let calldata = try RegistryContract.attestCalldata(
            files: ordered.map(\.commitment), merkleRoot: ordered[0].message.merkleRoot,
            signature: ordered[0].signature)
        let sender = try self.sender()
        let prepared = try sender.prepare(to: registry, data: calldata, fees: fees)
        var batch = Attester.Batch(
            transaction: prepared.signed, receipt: nil, maxCost: prepared.maxCost, fileCount: ordered.count,
            chainId: sender.chainId)
        if dryRun { return (batch, nil) }
        try journal?.recordSigned(root: ordered[0].message.merkleRoot, digests: ordered.map(\.sha256))
        TestSeam.crashPoint("after-sign")
        let receipt = try sender.sendAndWait(prepared, options: sendOptions) { tx in
            // Durable before it leaves: a crash after this point cannot lose the transaction.
            try self.journal?.recordSent(tx)
            self.onBroadcast(tx)
            self.progress(.sent(batch: number, ofBatches: total, files: ordered.count, tx: tx.hashHex))
        }
        progress(.confirmed(batch: number, ofBatches: total, block: receipt.blockNumber))
        try journal?.recordMined(hash: receipt.transactionHash, block: receipt.blockNumber)
        TestSeam.crashPoint("after-receipt")
        batch.receipt = receipt
        let time = try client.block(receipt.blockNumber)?.timestamp ?? 0
        let anchor = Anchor(
            chainId: sender.chainId, registry: registry, txHash: receipt.transactionHash,
            blockNumber: receipt.blockNumber, blockTime: time)
        return (batch, anchor)
    }

    /// Files per transaction that fit in 90 % of the latest block's gas limit (measured: ~2,700 gas
    /// per file at scale, ~53,000 per transaction with a new index slot; 2,900 and 80,000 leave room),
    /// capped by the contract.
    func filesPerTransaction() throws -> Int {
        guard let block = try client.block(nil) else {
            throw RPCError.malformedResponse(endpoint: client.endpoint.redacted, reason: "no latest block")
        }
        let usable = block.gasLimit / 10 * 9
        guard usable > 80_000 + 2_900 else { return 1 }
        return Int(min(UInt64(RegistryContract.maxBatch), (usable - 80_000) / 2_900))
    }
}
