import Foundation
import ProvenanceChain
import ProvenanceCore

struct SignCommand: Command {
    static let name = "sign"
    static let summary = "Sign files offline: write FILE.provenance.json beside each, one signature for the whole set."
    static let usage = "sign [KEY OPTIONS] [--chunk-size BYTES] [--follow-symlinks] [--force] [--json] PATH..."
    static let discussion = """
        All files given are signed together: one EIP-712 signature over the Merkle root of their SHA-256
        digests (one per 16,384 files, the registry's batch limit); each manifest carries its file's
        inclusion proof. Directories are walked as attest and verify walk them. Needs no network.
        """
    static let options: [Option] =
        KeyOptions.options + [
            Opts.chunkSize.option, Opts.force.option, Opts.followSymlinks.option,
            Opts.json.help("One JSON object per file: path, sha256, signer, manifest.").option,
            Opts.noFingerprint.option,
        ]

    /// The fingerprinter, its progress told (none with --no-fingerprint).
    static func fingerprinter(_ args: Arguments) -> Fingerprinter? {
        guard !args[Opts.noFingerprint] else { return nil }
        var fingerprinter = Fingerprinter()
        fingerprinter.progress = Fingerprinter.throttled(ProgressReporter.fingerprint(json: args[Opts.json]))
        return fingerprinter
    }

    static func run(_ args: Arguments) throws -> ExitCode {
        let chunkSize = try args.get(Opts.chunkSize)
        guard !args.positionals.isEmpty else { throw UsageError("no files given", usage: usage) }
        func walk() -> FileWalker.Stream {
            FileWalker.Stream(
                args.positionals, followSymlinks: args[Opts.followSymlinks], excluding: Manifest.isManifestName)
        }
        // A first walk checks the whole run before any work, so that nothing is half done; it holds no
        // names (1,000,000 of them were ~80 MiB), and the second walk signs a batch at a time.
        let found = try walk().forEachWindow(of: AttestationMessage.maxFileCount) { part in
            if part.contains("-") {
                throw UsageError(
                    "sign needs files (a manifest is written beside each), not standard input", usage: usage)
            }
            for p in part { try FileHasher.requireRegularFile(p) }
            if !args[Opts.force],
                let existing = part.first(where: { FSPath.exists(Manifest.path(for: $0)).exists })
            {
                throw ProvenanceError.input("\(Manifest.path(for: existing)) exists; use --force to replace it")
            }
        }
        guard found > 0 else {
            throw ProvenanceError.input("no files found in \(args.positionals.joined(separator: " "))")
        }
        let key = try KeyOptions.source(args).load()
        // One signature per batch of at most the registry's limit, so every batch can be anchored as it is.
        // Each batch is signed, written and printed before the next is hashed: memory is one batch's.
        var count = 0
        var signatures = 0
        let fingerprinter = fingerprinter(args)
        var failed = 0
        try CopySources.reportingSkips(walk()).forEachWindow(of: AttestationMessage.maxFileCount) { window in
            // A file that cannot be hashed, or whose manifest's name the file system would refuse, is told and
            // left out: one bad name among 10,000 files must not leave the other 9,999 unsigned.
            var batch: [String] = []
            var digests: [FileDigest] = []
            let candidates = window.filter { path in
                guard let why = Manifest.nameProblem(forFile: path) else { return true }
                Output.error(why)
                return false
            }
            let hashed = ParallelHasher.hash(candidates.map { ParallelHasher.Item(path: $0, chunkSize: chunkSize) })
            for (path, result) in zip(candidates, hashed) {
                switch result {
                case .success(let d):
                    batch.append(path)
                    digests.append(d)
                case .failure(let e): Output.error(e.message)
                }
            }
            failed += window.count - batch.count
            guard !batch.isEmpty else { return }
            if let fingerprinter {
                let (withAudio, notes) = fingerprinter.apply(paths: batch, digests: digests)
                digests = withAudio
                notes.forEach { Output.error($0) }
            }
            let signed = try BatchSigner.sign(
                paths: batch, digests: digests, key: key, registry: RegistryAddress.canonical)
            try Manifest.writeAll(signed.map { ($0.manifestPath, $0.manifest) })
            for item in signed {
                if args[Opts.json] {
                    Output.line(JSONOutput.signed(item).compact)
                } else {
                    Output.line(
                        "signed  \(Display.safe(item.path))  sha256 \(Hex.encode(item.manifest.sha256))  → \(Display.safe(item.manifestPath))"
                    )
                }
            }
            count += signed.count
            signatures += 1
        }
        if !args[Opts.json] {
            Output.line(
                "signer \(key.address), \(count) file\(count == 1 ? "" : "s") in \(signatures == 1 ? "one signature" : "\(signatures) signatures")"
            )
        }
        if failed > 0 { Output.error("\(failed) file\(failed == 1 ? "" : "s") not signed (see above)") }
        return failed > 0 ? .usage : .ok
    }
}
