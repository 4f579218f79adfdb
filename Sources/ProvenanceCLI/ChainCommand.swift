import Foundation
import ProvenanceChain
import ProvenanceCore

/// `provenance chain`: what a user checks first about an endpoint.
struct ChainCommand: Command {
    static let name = "chain"
    static let summary = "Show the endpoint's chain, latest block, your key's balance and nonce, and the registry."
    static let usage = "chain [--rpc URL] [--registry ADDR] [KEY OPTIONS] [--json]"
    static let discussion = "The key is optional: without one, only the chain and the registry are shown."
    static let options: [Option] =
        ChainOptions.connection + KeyOptions.options + [
            Opts.registry.help("Registry address to check (default: the canonical CREATE2 address).").option,
            Opts.json.option,
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.positionals.isEmpty else { throw UsageError("chain takes no arguments", usage: usage) }
        let client = try ChainOptions.client(args)
        let chainId = try client.chainId()
        if let expected = try args.get(Opts.chainId), expected != chainId {
            throw RPCError.wrongChain(endpoint: client.endpoint.redacted, expected: expected, actual: chainId)
        }
        let latest = try client.block(nil)
        let registry = try args.get(Opts.registry) ?? RegistryAddress.canonical
        let status = try RegistryDeployer.status(of: registry, client: client)
        let source = try KeyOptions.source(args)
        let wantsKey =
            source.keystore != nil || source.account != nil || source.privateKeyFile != nil
            || ProcessInfo.processInfo.environment[KeySource.privateKeyVariable] != nil
        let key = wantsKey ? try source.load() : nil
        let balance = try key.map { try client.balance($0.address) }
        let nonce = try key.map { try client.nonce($0.address, pending: true) }
        let statusText: String
        switch status {
        case .deployed: statusText = "deployed (code verified)"
        case .absent: statusText = "not deployed (provenance registry deploy)"
        case .foreignCode: statusText = "UNEXPECTED CODE: not the registry; do not trust attestations here"
        }
        if args[Opts.json] {
            Output.line(
                JSONOutput.chainStatus(
                    .init(
                        endpoint: client.endpoint.redacted, chainId: chainId, latest: latest, registry: registry,
                        registryStatus: status, account: key?.address, balance: balance, nonce: nonce)
                ).compact)
        } else {
            Output.line("endpoint  \(client.endpoint.redacted)")
            Output.line("chain id  \(chainId)")
            if let b = latest {
                let age = Int(Date().timeIntervalSince1970) - Int(b.timestamp)
                Output.line("block     \(b.number) at \(Timestamp.utc(b.timestamp)) (\(age) s ago)")
            }
            Output.line("registry  \(registry) \(statusText)")
            if let key, let balance, let nonce {
                Output.line("account   \(key.address) balance \(Units.ether(balance)) ETH, next nonce \(nonce)")
            }
        }
        return status == .foreignCode ? .chain : .ok
    }
}
