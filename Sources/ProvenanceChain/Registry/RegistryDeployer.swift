import ProvenanceCore

/// Checking and deploying the registry contract.
public enum RegistryDeployer {
    public enum Status: Equatable {
        /// The expected code is at the address.
        case deployed
        /// No code at the address.
        case absent
        /// Some other code is there: not our registry, not to be trusted.
        case foreignCode
    }

    /// Compares the code at `address` with what a correct deployment there holds.
    public static func status(of address: Address, client: EthClient) throws -> Status {
        let code = try client.code(address)
        if code.isEmpty { return .absent }
        return try RegistryContract.deploymentBlock(ofCode: code, at: address) != nil ? .deployed : .foreignCode
    }

    /// The CREATE2 proxy's runtime code, as deployed everywhere it exists.
    static let proxyRuntime = Hex.decode(
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3"
    )!

    public struct Outcome {
        public let address: Address
        /// Code was already there: nothing was sent.
        public let alreadyDeployed: Bool
        /// Deployed with plain CREATE because the chain has no CREATE2 proxy: pass the address as --registry.
        public let viaPlainCreate: Bool
        public let receipt: EthClient.Receipt?
    }

    /// Deploys at the canonical address through the CREATE2 proxy, or says it is already there;
    /// where the chain has no proxy, deploys with plain CREATE at an address of the sender's.
    public static func deploy(
        sender: TransactionSender, fees: FeeOptions, options: SendOptions,
        onBroadcast: (SignedTransaction) throws -> Void
    ) throws -> Outcome {
        let client = sender.client
        let canonical = RegistryAddress.canonical
        switch try status(of: canonical, client: client) {
        case .deployed: return Outcome(address: canonical, alreadyDeployed: true, viaPlainCreate: false, receipt: nil)
        case .foreignCode:
            throw ProvenanceError(
                .chain,
                "unexpected code at the registry address \(canonical): this chain cannot be trusted for attestations")
        case .absent: break
        }
        if try client.code(RegistryAddress.create2Proxy) == proxyRuntime {
            let prepared = try sender.prepare(
                to: RegistryAddress.create2Proxy, data: RegistryAddress.salt + RegistryContract.initCode, fees: fees)
            let receipt = try sender.sendAndWait(prepared, options: options, onBroadcast: onBroadcast)
            guard try status(of: canonical, client: client) == .deployed else {
                throw ProvenanceError(
                    .chain,
                    "deployment transaction \(prepared.signed.hashHex) was mined but the registry code is not at \(canonical)"
                )
            }
            return Outcome(address: canonical, alreadyDeployed: false, viaPlainCreate: false, receipt: receipt)
        }
        let prepared = try sender.prepare(to: nil, data: RegistryContract.initCode, fees: fees)
        let receipt = try sender.sendAndWait(prepared, options: options, onBroadcast: onBroadcast)
        let address =
            receipt.contractAddress
            ?? RegistryAddress.create(sender: sender.key.address, nonce: prepared.transaction.nonce)
        guard try status(of: address, client: client) == .deployed else {
            throw ProvenanceError(
                .chain,
                "deployment transaction \(prepared.signed.hashHex) was mined but the registry code is not at \(address)"
            )
        }
        return Outcome(address: address, alreadyDeployed: false, viaPlainCreate: true, receipt: receipt)
    }
}
