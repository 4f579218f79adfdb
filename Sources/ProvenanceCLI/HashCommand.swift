import ProvenanceChain
import ProvenanceCore

struct HashCommand: Command {
    static let name = "hash"
    static let summary = "Print the SHA-256 content ID of each file (the same as sha256sum), with per-chunk digests."
    static let usage = "hash [--chunk-size BYTES] [--follow-symlinks] [--json] [--progress] PATH|URL..."
    static let discussion = """
        Text output is sha256sum's line format, so `sha256sum -c` accepts it. "-" reads standard input; an
        http(s) URL is downloaded through the hasher (nothing is written to disk).
        --json prints one object per file with the chunk digests and their Merkle root.
        """
    static let options: [Option] = [
        Opts.chunkSize.option,
        Opts.followSymlinks.help(
            "Follow symbolic links inside directories (as sign and attest do when asked)."
        ).option,
        Opts.json.help(
            "One JSON object per line: path, size, sha256, chunkSize, chunkStart and chunkEnd (media: where the sound starts and ends), chunkRoot, chunks."
        ).option,
        Opts.progress.option,
    ]

    static func run(_ args: Arguments) throws -> ExitCode {
        let chunkSize = try args.get(Opts.chunkSize)
        guard !args.positionals.isEmpty else { throw UsageError("no files given", usage: usage) }
        let follow = args[Opts.followSymlinks]
        let walk = CopySources.reportingSkips(CopySources.walk(args.positionals, followSymlinks: follow))
        var exit = ExitCode.ok
        // All files on all cores; results printed in argument order. sha256sum's format has no chunk
        // digests, so without --json each file is one SHA-256 pass.
        let withChunks = args[Opts.json]
        let progress = try HashingProgress(
            inputs: CopySources.walk(args.positionals, followSymlinks: follow), forced: args[Opts.progress])
        // In windows of the walk, printed as each is done: memory is that of one window's digests and names
        // (all 1,000,000 digests of an archive at once peaked at 387 MiB, the list of names at 163 MiB).
        let total = try walk.forEachWindow(of: VerifyCommand.offlineWindow) { window in
            let files = window.filter { !WebClient.isURL($0) }
            var hashed = ParallelHasher.hash(
                files.map { ParallelHasher.Item(path: $0, chunkSize: chunkSize, chunks: withChunks) },
                onFile: progress.callback(for: window)
            ).makeIterator()
            progress.finish()
            let results = try window.map { path -> Result<FileDigest, ProvenanceError> in
                guard WebClient.isURL(path) else { return hashed.next()! }
                let hasher = try StreamHasher(
                    chunkSize: withChunks ? chunkSize ?? FileHasher.defaultChunkSize(forSize: nil) : nil)
                return CopySources.download(path, into: hasher.add, progress: progress).map { hasher.finish() }
            }
            for (path, result) in zip(window, results) {
                switch result {
                case .success(let d):
                    Output.line(
                        args[Opts.json] ? JSONOutput.hashed(path, d).compact : Output.sumLine(d.sha256, path))
                case .failure(let error):
                    Output.error(error.message)
                    exit = .usage
                }
            }
        }
        if total == 0 { throw ProvenanceError.input("no files found in \(args.positionals.joined(separator: " "))") }
        return exit
    }
}
