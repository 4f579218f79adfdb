import Foundation
import ProvenanceChain
import ProvenanceCore

struct RevokeCommand: Command {
    static let name = "revoke"
    static let summary = "Revoke a signing key on chain: its attestations from that block on are void."
    static let usage =
        "revoke [KEY OPTIONS] [--rpc URL] [--registry ADDR] [FEE OPTIONS] (--yes | --dry-run | --output FILE)\n       provenance revoke --relay FILE [KEY OPTIONS] [--rpc URL] [FEE OPTIONS] --yes"
    static let discussion = """
        Signs Revocation(signer) with the key (EIP-712, the registry's domain) and sends it to the registry,
        which records the block it lands in. From that block on, `verify` reports the key's attestations as
        revoked (exit 1); earlier ones stay verified, and `attest` refuses the key. It cannot be undone or
        moved, by you or by whoever stole the key; run it on every chain the key attested on.
        --output writes the signed revocation to FILE instead of sending it (sign offline); anyone can then
        send it with --relay FILE, paying with their own key.
        """
    static let options: [Option] =
        KeyOptions.options + ChainOptions.connection + [Opts.registry.option] + ChainOptions.sending + [
            Opts.yes.option, Opts.dryRun.option, Opts.output.option, Opts.relay.option,
            Opts.json.help("One JSON object: signer, chain, revocation block and time, transaction.").option,
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.positionals.isEmpty else { throw UsageError("revoke takes no files", usage: usage) }
        let registry = try args.get(Opts.registry) ?? RegistryAddress.canonical
        let key = try KeyOptions.source(args).load()
        let revocation: Revoker.SignedRevocation
        if let relay = try args.get(Opts.relay) {
            let bytes = try BoundedFile.read(relay, what: "revocation", maxBytes: 1 << 20).bytes
            do { revocation = try Revoker.SignedRevocation(json: try JSON.parse(bytes)) } catch let e as JSON.ParseError
            {
                throw ProvenanceError.input("\(relay): malformed revocation: \(e)")
            }
        } else {
            revocation = try Revoker.SignedRevocation(key: key, registry: registry)
        }
        if let output = try args.get(Opts.output) {
            try AtomicFile.write(Data(revocation.json.pretty.utf8), to: output)
            Output.line(
                "signed revocation of \(revocation.message.signer) written to \(Display.safe(output)); nothing sent")
            return .ok
        }
        let dryRun = args[Opts.dryRun]
        guard dryRun || args[Opts.yes] else {
            throw UsageError(
                "a revocation cannot be undone: add --yes to send it (or --dry-run to see the transaction)",
                usage: usage)
        }
        let sender = try TransactionSender(
            client: try ChainOptions.client(args), key: key,
            expectedChainId: try args.get(Opts.chainId))
        let outcome = try Revoker.revoke(
            revocation, sender: sender, fees: try ChainOptions.fees(args),
            options: try ChainOptions.sendOptions(args), dryRun: dryRun,
            onBroadcast: ChainOptions.announce("revocation"))
        let signer = revocation.message.signer
        if args[Opts.json] {
            Output.line(JSONOutput.revocation(outcome, signer: signer, registry: revocation.message.registry).compact)
        } else if let tx = outcome.unsent {
            Output.line(
                "dry run: nothing sent. Signed revocation transaction \(tx.hashHex) for chain \(outcome.chainId):")
            Output.line(Hex.encode(tx.raw, prefix: true))
        } else if let r = outcome.receipt {
            Output.line(
                "revoked   \(signer) on chain \(outcome.chainId) from block \(outcome.revokedAt) (\(Timestamp.utc(outcome.time))), tx \(Hex.encode(r.transactionHash, prefix: true)); its attestations from that block on are void"
            )
        } else {
            Output.line(
                "already revoked: \(signer) on chain \(outcome.chainId) since block \(outcome.revokedAt) (\(Timestamp.utc(outcome.time))); nothing sent"
            )
        }
        return .ok
    }
}
