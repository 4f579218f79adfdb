import Foundation
import ProvenanceChain
import ProvenanceCore

/// `provenance registry address|deploy`.
struct RegistryCommand: Command {
    static let name = "registry"
    static let subcommands = ["address", "deploy"]
    static let summary = "Print or deploy the attestation registry contract."
    static let usage = "registry address | registry deploy [KEY OPTIONS] [--rpc URL] [FEE OPTIONS]"
    static let discussion = """
          registry address   The registry's address: the same on every chain with the CREATE2 proxy.
          registry deploy    Deploy it through the CREATE2 proxy (says so if it is already there). On a chain
                             without the proxy it deploys with plain CREATE and prints the address to pass as --registry.
        """
    static let options: [Option] =
        KeyOptions.options + ChainOptions.connection + ChainOptions.sending + [
            Opts.json.help("Print a JSON object: address, chainId, deployed, txHash, gasUsed.").option
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.positionals.count == 1, let sub = args.positionals.first else {
            throw UsageError("say which: registry address or registry deploy", usage: usage)
        }
        switch sub {
        case "address":
            Output.line(RegistryAddress.canonical.checksummed)
            return .ok
        case "deploy":
            let key = try KeyOptions.source(args).load()
            let sender = try TransactionSender(
                client: try ChainOptions.client(args), key: key,
                expectedChainId: try args.get(Opts.chainId))
            let outcome = try RegistryDeployer.deploy(
                sender: sender, fees: try ChainOptions.fees(args),
                options: try ChainOptions.sendOptions(args),
                onBroadcast: ChainOptions.announce("registry deployment"))
            if args[Opts.json] {
                Output.line(
                    JSONOutput.registryDeployment(outcome, chainId: sender.chainId).compact)
            } else if outcome.alreadyDeployed {
                Output.line(
                    "registry already deployed at \(outcome.address) on chain \(sender.chainId) (code verified); nothing sent"
                )
            } else if outcome.viaPlainCreate {
                Output.line(
                    "registry deployed at \(outcome.address) on chain \(sender.chainId) with plain CREATE (this chain has no CREATE2 proxy)"
                )
                Output.line("pass --registry \(outcome.address) to attest and verify on this chain")
            } else {
                Output.line(
                    "registry deployed at \(outcome.address) on chain \(sender.chainId) (block \(outcome.receipt!.blockNumber), gas \(outcome.receipt!.gasUsed))"
                )
            }
            return .ok
        default:
            throw UsageError("unknown registry command \"\(sub)\"", usage: usage)
        }
    }
}
