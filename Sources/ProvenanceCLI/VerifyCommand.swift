import Foundation
import ProvenanceChain
import ProvenanceCore

struct VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check whether files are exactly what a publisher attested on chain (or signed, --offline)."
    static let usage =
        "verify [--rpc URL] [--signer ADDR|ENS|DOMAIN]... [--signers FILE] [--any-signer] [--registry ADDR] [--confirmations N] [--require-finalized] [--manifest FILE|URL | --feed URL|FILE] [--offline] [--check] [--follow-symlinks] [--json] PATH|URL..."
    static let discussion = """
        Works with nothing but the file: its SHA-256 is looked up in the registry's events. Verdicts:
        verified (by a signer you trust: signer, chain, block, UTC time, tx; every attestation listed),
        signed-by-untrusted (records exist, none by a signer you trust), revoked (only by a key revoked before
        the record), not-attested (no record of this exact content by those looked for), modified (a
        manifest beside the file is authentic, but this copy differs from the signed original: the byte
        ranges that are the original's, found at any offset by its signed chunk digests, and those that are
        not), error. Directories are walked; an http(s) URL is downloaded through the hasher, never to disk.
        The original's manifest is the one beside each file, --manifest (a file or URL), or, with --feed, the
        manifest of every episode of a podcast feed (its <podcast:txt purpose="provenance"> URL, else the
        enclosure URL + .provenance.json): a copy is matched against all of them and the episode named.
        Nothing is trusted implicitly: the signers trusted are those of --signer and --signers (an address, an
        ENS name such as show.eth, or a domain such as example.com whose
        https://example.com/.well-known/provenance.json lists its signers), else your trust list
        (provenance trust add …). ENS names resolve on --ens-rpc (default: the verifying endpoint).
        --offline checks the manifest's proof and signature instead of the chain.
        With trusted signers, the registry's index of their batches is read, so a lookup costs a few calls
        whatever the chain's age; with none, or --any-signer, the registry's history is scanned (and the scan
        remembered) to find who, if anyone, attested the file.
        Exit 0: all verified; 1: some not verified; 2: usage or input error; 3: chain unreachable or untrustworthy.
        """
    static let options: [Option] =
        ChainOptions.connection(severalEndpoints: true) + [
            Opts.offline.option, Opts.check.option,
            Opts.followSymlinks.help(
                "Follow symbolic links inside directories (as sign and attest do when asked)."
            ).option,
            Opts.progress.help(
                "Show hashing progress on standard error even when it is not a terminal (after 1 s)."
            ).option,
            Opts.signer.option, Opts.signers.option, Opts.anySigner.option, Opts.ensRPC.option,
            Opts.manifest.option, Opts.feed.option, Opts.feedItems.option, Opts.registry.option,
            Opts.confirmations.help(
                "Blocks an attestation needs on top of it, its own included, to count (default 1)."
            ).option,
            Opts.requireFinalized.option, Opts.noCache.option,
            Opts.json.help(
                "One JSON object per file: path, sha256, status, attestations, detail; when modified, authentic, "
                    + "originalCoverage, differingRanges."
            ).option,
        ]

    static func run(_ args: Arguments) throws -> ExitCode {
        let paths = args.positionals
        guard !paths.isEmpty else { throw UsageError("no files given", usage: usage) }
        let follow = args[Opts.followSymlinks]
        // The walk is made a window at a time (never the whole list of names); URLs among the arguments are
        // downloaded first.
        let walk = CopySources.reportingSkips(CopySources.walk(paths, followSymlinks: follow))
        let urls = paths.filter(WebClient.isURL)
        let progress = try HashingProgress(
            inputs: CopySources.walk(paths, followSymlinks: follow), forced: args[Opts.progress])
        guard args[Opts.offline] else { return try online(args, walk: walk, urls: urls, progress: progress) }
        // Offline, only addresses can be trusted: ENS names and domains need the network to resolve.
        let entries = try trustEntries(args)
        for entry in entries {
            if case .address = entry { continue }
            Output.error("\(entry) cannot be resolved offline: it is not trusted in this run")
        }
        var verifier = OfflineVerifier(
            trustedSigners: Set(
                entries.compactMap {
                    if case .address(let a) = $0 { return a }
                    return nil
                }))
        if let registry = try args.get(Opts.registry) { verifier.registry = registry }
        verifier.decodeAudio = CopySources.decodeAudio(progress)
        verifier.pictures = CopySources.pictures(progress)
        let trusted = verifier.trustedSigners
        let originals = try CopySources.originals(
            args, verifier: verifier, trusted: { trusted.contains($0) })

        let streamed = CopySources.stream(urls, originals: originals, progress: progress)
        let signers = RecoveredSigners()
        let report = VerdictPrinter(json: args[Opts.json], registry: verifier.registry)
        // In windows, printed as each is done: memory stays that of one window whatever the archive's size
        // (measured before: 519 MiB for 200,000 small files at once).
        let total = try walk.forEachWindow(of: offlineWindow) { window in
            for part in originals.parts(of: window) {
                verifier.onHashed = progress.callback(for: part)
                let verdicts = verifier.verify(paths: part, originals: originals, signers: signers, streamed: streamed)
                progress.finish()
                for v in verdicts { report.add(v, identities: [:]) }
            }
        }
        let all = total + (args[Opts.check] ? try VerifyCheck.report(paths, followSymlinks: follow, into: report) : 0)
        try requireSome(all, paths)
        report.summary(total: all, chainId: nil)
        return report.worst
    }

    /// A walk that found nothing is an input error, not a silent success.
    static func requireSome(_ total: Int, _ paths: [String]) throws {
        if total == 0 { throw ProvenanceError.input("no files found in \(paths.joined(separator: " "))") }
    }

    /// Files per window of an offline run: enough to keep both cores busy, small enough that manifests
    /// and verdicts of one window take a few MiB.
    static let offlineWindow = 4096
    /// Files per window on chain: a few HTTP requests each. Measured on 200,000 small files attested in
    /// batches of 8,192: windows of 16,384 peaked at 165 MiB (the logs, and each batch's receipt with all
    /// its logs, parsed at once), windows of 4,096 at 89 MiB in about the same time (602 s against 582 s).
    static let onlineWindow = 4096

    static func online(_ args: Arguments, walk: FileWalker.Stream, urls: [String], progress: HashingProgress) throws
        -> ExitCode
    {
        var verifier = OnChainVerifier()
        verifier.decodeAudio = CopySources.decodeAudio(progress)
        verifier.pictures = CopySources.pictures(progress)
        let ens = try ensResolver(args)
        verifier.trust = try TrustResolver(ens: ens, wellKnown: wellKnown()).resolve(try trustEntries(args))
        verifier.anySigner = args[Opts.anySigner]
        if let r = try args.get(Opts.registry) { verifier.registry = r }
        if let n = try args.get(Opts.confirmations) { verifier.confirmations = n }
        verifier.policy.requireFinalized = args[Opts.requireFinalized]
        verifier.expectedChainId = try args.get(Opts.chainId)
        let trusted = verifier.trust.addresses
        let originals = try CopySources.originals(
            args, verifier: OfflineVerifier(registry: verifier.registry), trusted: { trusted.contains($0) })
        let streamed = CopySources.stream(urls, originals: originals, progress: progress)
        let clients = try ChainOptions.clients(args)
        // Several endpoints: each is scanned in full, never from what one of them answered before.
        verifier.scanCache = clients.count > 1 ? nil : ChainOptions.scanCache(args)
        verifier.onScanProgress = { progress.scanned($0, of: $1) }
        let signers = RecoveredSigners()
        let report = VerdictPrinter(json: args[Opts.json], registry: verifier.registry)
        var chainId: UInt64?
        // In windows of 4,096 files: one lookup (a few HTTP requests) per window, memory that of one
        // window whatever the archive's size.
        let total = try walk.forEachWindow(of: onlineWindow) { window in
            for part in originals.parts(of: window) {
                verifier.onHashed = progress.callback(for: part)
                let verified: OnChainVerifier.Report
                do {
                    verified = try verifier.verify(
                        paths: part, originals: originals, clients: clients, signers: signers, streamed: streamed)
                    progress.finish()
                } catch {
                    progress.finish()  // an error line must not continue the progress line
                    throw error
                }
                chainId = verified.chainId
                let names = identities(of: verified.verdicts, trust: verifier.trust, ens: ens)
                for v in verified.verdicts { report.add(v, identities: names) }
            }
        }
        let checked =
            args[Opts.check]
            ? try VerifyCheck.report(args.positionals, followSymlinks: args[Opts.followSymlinks], into: report) : 0
        try requireSome(total + checked, args.positionals)
        report.summary(total: total + checked, chainId: chainId)
        return report.worst
    }

    /// ENS names and domains of the signers in these verdicts: why each trusted one is trusted, and
    /// otherwise its ENS primary name where that resolves back to it (never shown unchecked).
    static func identities(of verdicts: [Verdict], trust: TrustedSigners, ens: ENSResolver?) -> [Address: Identity] {
        var out: [Address: Identity] = [:]
        let signers = Set(verdicts.flatMap { $0.attestations.map(\.signer) + $0.originalAttestations.map(\.signer) })
        for s in signers { if let id = trust.identities[s], !id.name.isEmpty { out[s] = id } }
        let unnamed = signers.filter { out[$0] == nil }.sorted { $0.checksummed < $1.checksummed }
        // A name is a courtesy, never a condition: an ENS endpoint that fails leaves addresses bare.
        if let ens, !unnamed.isEmpty, let names = try? ens.primaryNames(of: unnamed) {
            for (a, name) in names { out[a] = Identity(name: name, check: .ensReverse) }
        }
        return out
    }

    /// Whom to trust: --signer and --signers, else the trust list. Never anyone implicitly.
    static func trustEntries(_ args: Arguments) throws -> [TrustEntry] {
        var entries = try args.all(Opts.signer)
        if let file = try args.get(Opts.signers) {
            let listed = try TrustList.read(file)
            if listed.isEmpty { throw ProvenanceError.input("signers file \(file) lists no signers") }
            entries += listed.map(\.entry)
        }
        return entries.isEmpty ? try TrustList.load().map(\.entry) : entries
    }

    /// The endpoint ENS names resolve on: --ens-rpc, $PROVENANCE_ENS_RPC, else the verifying endpoint.
    static func ensResolver(_ args: Arguments) throws -> ENSResolver? {
        let url = try args.get(Opts.ensRPC) ?? ProcessInfo.processInfo.environment["PROVENANCE_ENS_RPC"]
        if let url, !url.isEmpty { return ENSResolver(client: EthClient(endpoint: try Endpoint(url))) }
        // Every --rpc is asked, as for records: one lying endpoint must not name a trusted signer.
        return ENSResolver(clients: try ChainOptions.clients(args))
    }

    /// Fetches domains' signer lists ($PROVENANCE_CA_FILE, an in-house CA, through the HTTP client's default).
    static func wellKnown() -> WellKnownFetcher { WellKnownFetcher() }
}
