import Foundation
import ProvenanceChain
import ProvenanceCore

struct AttestCommand: Command {
    static let name = "attest"
    static let summary = "Sign files and record them on chain in one transaction; update each FILE.provenance.json."
    static let usage =
        "attest [KEY OPTIONS] [--rpc URL] [--registry ADDR] [FEE OPTIONS] [--dry-run] [--force] [--json] PATH...\n       provenance attest --from-manifest [KEY OPTIONS] … MANIFEST..."
    static let discussion = """
        Hashes each file (directories are walked), signs one EIP-712 message for the whole set, sends one
        registry transaction, waits for the receipt, and writes or updates each file's manifest with the
        chain id, registry, transaction hash, block number and block time. Files this signer already
        attested on this chain are reported, not paid for again (--force re-attests).
        --from-manifest anchors manifests signed elsewhere (`provenance sign` on an offline machine):
        the key given then only pays gas; the contract checks the publisher's signature.
        """
    static let options: [Option] =
        KeyOptions.options + ChainOptions.connection + [
            .value("--registry", "ADDR", "Registry address (default: the canonical CREATE2 address).")
        ] + ChainOptions.sending + [
            .flag("--from-manifest", "The arguments are manifests to anchor; the key pays, it need not be the signer."),
            .flag("--dry-run", "Print the signed raw transaction and its maximum cost; send nothing, write nothing."),
            .flag("--force", "Attest again even where this signer already has a record on this chain."),
            .flag("--follow-symlinks", "Follow symbolic links met while walking directories."),
            .value(
                "--max-per-tx", "N", "At most N files per transaction (default: as many as the block gas limit allows)."
            ),
            .value(
                "--summary", "FILE", "Write one JSON summary of the run: every file, digest, transaction and block."),
            .flag("--quiet", "No progress on standard error (transaction hashes are still printed as they are sent)."),
            .value(
                "--journal", "FILE",
                "Journal to resume from and append to (default: .provenance-journal.jsonl in the first path's directory)."
            ),
            ChunkOption.option,
            .flag("--json", "One JSON object per file, then one for the transaction."),
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard !args.positionals.isEmpty else { throw UsageError("no files given", usage: usage) }
        let key = try KeyOptions.source(args).load()
        let client = try ChainOptions.client(args)
        let registry = try args.value("--registry").map { try Address($0) } ?? RegistryAddress.canonical
        let attester = Attester(client: client, registry: registry, payer: key)
        attester.fees = try ChainOptions.fees(args, usage: usage)
        attester.sendOptions = try ChainOptions.sendOptions(args, usage: usage)
        attester.expectedChainId = try ChainOptions.expectedChainId(args, usage: usage)
        attester.chunkSize = try ChunkOption.parse(args, usage: usage)
        attester.onBroadcast = ChainOptions.announce("attestation")
        attester.progress = ProgressReporter.attest(json: args.flag("--json"), quiet: args.flag("--quiet"))
        Interrupt.install()
        if let n = try args.int("--max-per-tx", usage: usage) {
            guard n >= 1, n <= RegistryContract.maxBatch else {
                throw UsageError("--max-per-tx must be 1 … \(RegistryContract.maxBatch)", usage: usage)
            }
            attester.maxPerTransaction = n
        }
        let dryRun = args.flag("--dry-run")
        if !dryRun {
            // Every step is recorded before it happens: kill the run at any point and run it again.
            let first = args.positionals[0]
            var isDir: ObjCBool = false
            let base =
                FileManager.default.fileExists(atPath: first, isDirectory: &isDir) && isDir.boolValue
                ? first : (first as NSString).deletingLastPathComponent
            attester.journal = try Journal(
                path: args.value("--journal")
                    ?? ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(".provenance-journal.jsonl"))
        }
        let outcome: Attester.Outcome
        if args.flag("--from-manifest") {
            outcome = try attester.attest(manifestPaths: args.positionals, dryRun: dryRun)
        } else {
            let files = try FileWalker.expand(
                args.positionals, followSymlinks: args.flag("--follow-symlinks"), excluding: Manifest.isManifestName)
            guard !files.isEmpty else {
                throw ProvenanceError.input("no files found in \(args.positionals.joined(separator: " "))")
            }
            outcome = try attester.attest(paths: files, signer: key, force: args.flag("--force"), dryRun: dryRun)
        }
        report(outcome, json: args.flag("--json"), dryRun: dryRun)
        if let summary = args.value("--summary") { try writeSummary(outcome, to: summary, registry: registry) }
        // Skipped files were reported one by one; the rest is done. Exit 2 says some input was bad.
        return outcome.skipped > 0 ? .usage : .ok
    }

    /// The archive summary: every file with its digest and where it is recorded, and every transaction.
    static func writeSummary(_ o: Attester.Outcome, to path: String, registry: Address) throws {
        try AtomicFile.write(Data(JSONOutput.attestSummary(o, registry: registry).pretty.utf8), to: path)
    }

    static func report(_ o: Attester.Outcome, json: Bool, dryRun: Bool) {
        for f in o.files {
            let sha = Hex.encode(f.sha256)
            if json {
                Output.line(JSONOutput.attestedFile(f, dryRun: dryRun).compact)
                continue
            }
            switch f.status {
            case .attested, .planned:
                if let a = f.anchor {
                    Output.line(
                        "attested  \(Display.safe(f.path))  sha256 \(sha)  chain \(a.chainId) block \(a.blockNumber) tx \(Hex.encode(a.txHash, prefix: true))"
                    )
                } else {
                    Output.line("would attest  \(Display.safe(f.path))  sha256 \(sha)")
                }
            case .alreadyAttested(let records):
                let r = records[0]
                Output.line(
                    "already   \(Display.safe(f.path))  sha256 \(sha)  attested by \(r.signer) on chain \(r.chainId) in block \(r.blockNumber) (tx \(Hex.encode(r.txHash, prefix: true))); nothing paid"
                )
            case .skipped(let reason):
                Output.error(reason + " (skipped)")
            }
        }
        if o.batches.isEmpty {
            if !json
                && o.files.contains(where: {
                    if case .alreadyAttested = $0.status { return true }
                    return false
                })
            {
                Output.line("nothing to send: every readable file is already attested on chain \(o.chainId)")
            }
            return
        }
        for batch in o.batches {
            let tx = batch.transaction
            if dryRun {
                let decoded = try? DecodedTransaction.decode(tx.raw)
                if json {
                    Output.line(
                        JSONOutput.dryRunTransaction(batch, gasLimit: decoded?.gasLimit ?? 0).compact)
                } else {
                    Output.line(
                        "dry run: nothing sent. Signed transaction \(tx.hashHex) for chain \(o.chainId), \(batch.fileCount) file\(batch.fileCount == 1 ? "" : "s"), gas limit \(decoded?.gasLimit ?? 0), costs at most \(Units.ether(batch.maxCost)) ETH:"
                    )
                    Output.line(Hex.encode(tx.raw, prefix: true))
                }
            } else if let r = batch.receipt {
                let n = batch.fileCount
                let cost = r.effectiveGasPrice.saturatingMultiply(Wei(r.gasUsed))
                if json {
                    Output.line(
                        JSONOutput.minedTransaction(r, chainId: o.chainId, files: n, cost: cost).compact)
                } else {
                    Output.line(
                        "transaction \(Hex.encode(r.transactionHash, prefix: true)) in block \(r.blockNumber) on chain \(o.chainId): \(n) file\(n == 1 ? "" : "s"), gas \(r.gasUsed) (\(r.gasUsed / UInt64(max(n, 1))) per file), cost \(Units.ether(cost)) ETH"
                    )
                }
            }
        }
    }
}
