import ProvenanceCore

/// Records a key's revocation on one chain. The revocation is the key's own EIP-712 signature over
/// `Revocation(signer)`, so whoever holds it may send it (relaying); the registry records the block it
/// lands in, once, and never moves it (docs/SECURITY.md says why it cannot reach back in time).
public enum Revoker {
    public struct SignedRevocation: Equatable, Sendable {
        public let message: RevocationMessage
        public let signature: RecoverableSignature

        public init(message: RevocationMessage, signature: RecoverableSignature) {
            self.message = message
            self.signature = signature
        }

        /// Signs a revocation of `key` for `registry`.
        public init(key: PrivateKey, registry: Address) throws {
            let message = RevocationMessage(signer: key.address, registry: registry)
            self.init(message: message, signature: try key.sign(digest: try message.signingDigest()))
        }

        /// Checked before anything is sent: the signature must be the signer's own (low s).
        public func check() throws {
            let recovered = try ECRecover.address(digest: try message.signingDigest(), signature: signature)
            guard recovered == message.signer else {
                throw ProvenanceError.input("the revocation's signature is not by \(message.signer)")
            }
        }

        /// A file anyone can relay: the typed data exactly as eth_signTypedData_v4 takes it, and the signature.
        public var json: JSON {
            .object([
                ("format", .string("provenance-revocation")), ("version", .int(2)),
                ("typedData", message.typedDataJSON), ("signature", .string(Hex.encode(signature.bytes, prefix: true))),
            ])
        }

        public init(json: JSON) throws {
            func bad(_ why: String) -> ProvenanceError { .input("malformed revocation: \(why)") }
            guard json["format"]?.stringValue == "provenance-revocation", json["version"]?.intValue == 2 else {
                throw bad("format must be provenance-revocation, version 2")
            }
            guard let typed = json["typedData"], let signerText = typed["message"]?["signer"]?.stringValue,
                let registryText = typed["domain"]?["verifyingContract"]?.stringValue
            else { throw bad("typedData must name the signer and the registry") }
            let message = RevocationMessage(signer: try Address(signerText), registry: try Address(registryText))
            guard message.typedDataJSON == typed else { throw bad("typedData is not a Provenance v2 revocation") }
            guard let text = json["signature"]?.stringValue, let bytes = Hex.decode(text) else {
                throw bad("signature must be 0x-hex")
            }
            self.init(message: message, signature: try RecoverableSignature(bytes: bytes, vMustBe27Or28: true))
            try check()
        }
    }

    public struct Outcome: Sendable {
        /// The block from which the key's attestations are void on this chain.
        public let revokedAt: UInt64
        public let time: UInt64
        public let chainId: UInt64
        /// nil when the key was already revoked here: nothing was sent.
        public let receipt: EthClient.Receipt?
        /// For a dry run: the signed transaction, not sent.
        public let unsent: SignedTransaction?
    }

    /// Sends the revocation with `sender` paying (unless the registry already records one).
    public static func revoke(
        _ revocation: SignedRevocation, sender: TransactionSender, fees: FeeOptions, options: SendOptions,
        dryRun: Bool, onBroadcast: (SignedTransaction) throws -> Void
    ) throws -> Outcome {
        try revocation.check()
        let registry = revocation.message.registry
        let signer = revocation.message.signer
        let reader = RegistryReader(client: sender.client, registry: registry)
        _ = try reader.attestations(for: [], by: [signer])  // checks the chain and the code; reads the record
        if let block = reader.signerRecords[signer]?.revokedAt {
            let time = try sender.client.block(block)?.timestamp ?? 0
            return Outcome(revokedAt: block, time: time, chainId: reader.chainId, receipt: nil, unsent: nil)
        }
        let data = try RegistryContract.revokeCalldata(signer: signer, signature: revocation.signature)
        let prepared = try sender.prepare(to: registry, data: data, fees: fees)
        if dryRun {
            return Outcome(revokedAt: 0, time: 0, chainId: reader.chainId, receipt: nil, unsent: prepared.signed)
        }
        let receipt = try sender.sendAndWait(prepared, options: options, onBroadcast: onBroadcast)
        // The registry keeps the first revocation's block: read it back rather than assume this one.
        _ = try reader.attestations(for: [], by: [signer])
        guard let block = reader.signerRecords[signer]?.revokedAt else {
            throw ProvenanceError(
                .chain,
                "revocation transaction \(Hex.encode(receipt.transactionHash, prefix: true)) was mined but the registry records no revocation"
            )
        }
        let time = try sender.client.block(block)?.timestamp ?? 0
        return Outcome(revokedAt: block, time: time, chainId: reader.chainId, receipt: receipt, unsent: nil)
    }
}
