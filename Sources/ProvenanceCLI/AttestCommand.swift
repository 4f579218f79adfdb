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
        KeyOptions.options + ChainOptions.connection + [Opts.registry.option] + ChainOptions.sending + [
            Opts.fromManifest.option, Opts.noFingerprint.option,
            Opts.dryRun.help(
                "Print the signed raw transaction and its maximum cost; send nothing, write nothing."
            ).option,
            Opts.force.help("Attest again even where this signer already has a record on this chain.").option,
            Opts.followSymlinks.help("Follow symbolic links met while walking directories.").option,
            Opts.maxPerTx.option, Opts.summary.option, Opts.quiet.option, Opts.journal.option, Opts.chunkSize.option,
            Opts.json.help("One JSON object per file, then one for the transaction.").option,
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard !args.positionals.isEmpty else { throw UsageError("no files given", usage: usage) }
        let key = try KeyOptions.source(args).load()
        let client = try ChainOptions.client(args)
        let registry = try args.get(Opts.registry) ?? RegistryAddress.canonical
        let attester = Attester(client: client, registry: registry, payer: key)
        attester.fees = try ChainOptions.fees(args)
        attester.sendOptions = try ChainOptions.sendOptions(args)
        attester.expectedChainId = try args.get(Opts.chainId)
        attester.chunkSize = try args.get(Opts.chunkSize)
        if !args[Opts.noFingerprint] {
            attester.fingerprinter = Fingerprinter()
            attester.onFingerprintNote = { Output.error($0) }
        }
        attester.onBroadcast = ChainOptions.announce("attestation")
        attester.progress = ProgressReporter.attest(json: args[Opts.json], quiet: args[Opts.quiet])
        Interrupt.install()
        if let n = try args.get(Opts.maxPerTx) { attester.maxPerTransaction = n }
        let dryRun = args[Opts.dryRun]
        try attester.checkChain()
        if !dryRun {
            // Every step is recorded before it happens: kill the run at any point and run it again.
            let first = args.positionals[0]
            let base = FSPath.exists(first).isDirectory ? first : (first as NSString).deletingLastPathComponent
            attester.journal = try Journal(
                path: try args.get(Opts.journal)
                    ?? ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(".provenance-journal.jsonl"))
        }
        let summary = try args.get(Opts.summary).map { try SummaryWriter(path: $0, registry: registry) }
        let outcomes: [Attester.Outcome]
        if args[Opts.fromManifest] {
            let outcome = try attester.attest(manifestPaths: args.positionals, dryRun: dryRun)
            report(outcome, json: args[Opts.json], dryRun: dryRun)
            try summary?.add(outcome)
            outcomes = [outcome]
        } else {
            let walk = CopySources.reportingSkips(
                FileWalker.Stream(
                    args.positionals, followSymlinks: args[Opts.followSymlinks], excluding: Manifest.isManifestName))
            // In windows, each walked, hashed, looked up, signed, sent and written before the next is read:
            // memory stays that of one window whatever the archive's size (the file list is never held).
            var done: [Attester.Outcome] = []
            try walk.forEachWindow(of: window) { part in
                let outcome = try attester.attest(paths: part, signer: key, force: args[Opts.force], dryRun: dryRun)
                report(outcome, json: args[Opts.json], dryRun: dryRun)
                try summary?.add(outcome)
                // Only what the end of the run needs is kept: counts and the chain.
                done.append(
                    Attester.Outcome(
                        files: [], batches: [], chainId: outcome.chainId, skippedCount: outcome.skipped,
                        total: outcome.files.count))
            }
            if done.isEmpty {
                throw ProvenanceError.input("no files found in \(args.positionals.joined(separator: " "))")
            }
            outcomes = done
        }
        let skipped = outcomes.reduce(0) { $0 + $1.skipped }
        let total = outcomes.reduce(0) { $0 + max($1.total, $1.files.count) }
        try summary?.finish(chainId: outcomes.last?.chainId ?? 0, skipped: skipped)
        if total > 0 && skipped == total {
            throw ProvenanceError.input("no readable file to attest (\(skipped) skipped)")
        }
        // Skipped files were reported one by one; the rest is done. Exit 2 says some input was bad.
        return skipped > 0 ? .usage : .ok
    }

    /// Files per window of an attest run (a test seam makes it smaller).
    static var window: Int { TestSeam.attestWindow ?? 8192 }

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
                Output.error(reason + (f.remedy.map { "; " + ProvenanceTool.remedyText($0) } ?? "") + " (skipped)")
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

/// `attest --summary FILE`, written as the run goes (a window of files at a time) to a temporary file
/// beside FILE, which replaces FILE only when the run ends: one JSON document, every file with its digest
/// and where it is recorded, and every transaction.
final class SummaryWriter {
    private let path: String
    private let temporary: String
    private let handle: FileHandle
    private var first = true
    private var transactions: [JSON] = []

    init(path: String, registry: Address) throws {
        self.path = path
        temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
            let h = FileHandle(forWritingAtPath: temporary)
        else { throw ProvenanceError.input("cannot write \(temporary)") }
        handle = h
        try write("{\"registry\":\"\(registry.checksummed)\",\n\"files\":[\n")
    }

    private func write(_ text: String) throws {
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ProvenanceError.input("cannot write \(temporary): \(error.localizedDescription)")
        }
    }

    func add(_ o: Attester.Outcome) throws {
        var text = ""
        for f in o.files {
            text += (first ? "" : ",\n") + JSONOutput.summaryFile(f).compact
            first = false
        }
        try write(text)
        transactions += o.batches.map(JSONOutput.summaryTransaction)
    }

    func finish(chainId: UInt64, skipped: Int) throws {
        try write(
            "\n],\n\"transactions\":\(JSON.array(transactions).compact),\n\"chainId\":\(chainId),\"skipped\":\(skipped)}\n"
        )
        do { try handle.synchronize() } catch { throw ProvenanceError.input("cannot sync \(temporary)") }
        try handle.close()
        guard rename(temporary, path) == 0 else { throw ProvenanceError.input("cannot replace \(path)") }
    }
}
