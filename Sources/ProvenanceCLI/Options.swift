import Foundation
import ProvenanceChain
import ProvenanceCore

/// A flag, declared once and read by this key (`args[Opts.json]`), so that a misspelt option is a
/// compile error rather than a flag that is silently never set.
struct Flag: Sendable {
    let option: Option

    init(_ name: String, _ help: String, repeatable: Bool = false, aliases: [String] = []) {
        option = .flag(name, help, repeatable: repeatable, aliases: aliases)
    }

    private init(option: Option) { self.option = option }

    /// The same flag with another help text, for a command that means something narrower by it: the key
    /// (its name) is unchanged, so it is read the same way.
    func help(_ text: String) -> Flag { Flag(option: option.with(help: text)) }
}

/// Why a value is refused, worded to follow the option's name: "needs a whole number, got \"x\"".
/// Arguments turns it into a UsageError carrying the command's usage.
struct InvalidValue: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// An option with a value, declared once with its parser and validation, so that every command reading it
/// gets the same type, the same checks and the same error messages.
struct Value<T>: Sendable {
    let option: Option
    /// Throws InvalidValue for a refused value; any other error (an address's checksum) passes unchanged.
    let parse: @Sendable (String) throws -> T

    init(
        _ name: String, _ placeholder: String, _ help: String, repeatable: Bool = false, aliases: [String] = [],
        parse: @escaping @Sendable (String) throws -> T
    ) {
        option = .value(name, placeholder, help, repeatable: repeatable, aliases: aliases)
        self.parse = parse
    }

    private init(option: Option, parse: @escaping @Sendable (String) throws -> T) {
        self.option = option
        self.parse = parse
    }

    /// The same option with another help text (the key, its name and parser, unchanged).
    func help(_ text: String) -> Value<T> { Value(option: option.with(help: text), parse: parse) }

    /// The same option, given any number of times, with another help text.
    func repeated(help text: String) -> Value<T> {
        Value(option: option.with(help: text, repeatable: true), parse: parse)
    }
}

extension Value where T == String {
    /// A value taken as given (a path, a URL, a name).
    init(_ name: String, _ placeholder: String, _ help: String, repeatable: Bool = false, aliases: [String] = []) {
        self.init(name, placeholder, help, repeatable: repeatable, aliases: aliases, parse: { $0 })
    }
}

/// Every option of every command, each declared once. Commands list them in `options` (help, completions
/// and the man page are generated from those lists) and read them through Arguments' typed accessors.
enum Opts {
    // MARK: Output and walking

    static let json = Flag("--json", "Print a JSON object.")
    static let followSymlinks = Flag("--follow-symlinks", "Follow symbolic links inside directories.")
    static let progress = Flag(
        "--progress", "Show progress on standard error even when it is not a terminal (after 1 s).")
    static let quiet = Flag(
        "--quiet", "No progress on standard error (transaction hashes are still printed as they are sent).")
    static let force = Flag("--force", "Replace manifests that already exist.")
    static let dryRun = Flag("--dry-run", "Print the signed raw transaction; send nothing.")
    static let noFingerprint = Flag(
        "--no-fingerprint", "Do not fingerprint the sound of media files (ffmpeg decodes all but WAV).")
    static let chunkSize = Value<Int>(
        "--chunk-size", "BYTES",
        "Chunk size for per-chunk digests: power of two, K/M/G suffix allowed (default 8K; above 128 MiB the smallest that keeps 16,384 chunks at most, as a 211 MB file gets 16K)."
    ) { try ChunkOption.bytes($0) }

    // MARK: Keys

    static let keystore = Value<String>(
        "--keystore", "FILE", "Keystore v3 file (geth, Foundry, eth-account) holding the signing key.")
    static let account = Value<String>(
        "--account", "NAME", "Keystore NAME in ~/.provenance/keystores, then ~/.foundry/keystores.")
    static let passwordFile = Value<String>(
        "--password-file", "FILE",
        "Keystore password: first line of FILE (else $PROVENANCE_PASSWORD, else a prompt).")
    static let privateKeyFile = Value<String>(
        "--private-key-file", "FILE", "Hex private key in FILE, mode 0600 (else $PROVENANCE_PRIVATE_KEY).")
    static let lightKDF = Flag(
        "--light-kdf", "Use geth's light scrypt parameters (n=4096): fast, weaker; for tests.")

    // MARK: Connection

    static let rpc = Value<String>(
        "--rpc", "URL",
        "JSON-RPC endpoint (else $ETH_RPC_URL, else http://127.0.0.1:8545). Only its host is ever printed.",
        aliases: ["--rpc-url", "-r"])
    /// verify's --rpc: several endpoints, believed only where they agree.
    static let rpcAgreeing = rpc.repeated(
        help: "JSON-RPC endpoint (else $ETH_RPC_URL, else http://127.0.0.1:8545); repeat it (or list several in "
            + "$ETH_RPC_URL, comma-separated) to believe only what they agree on. Only hosts are ever printed.")
    static let chainId = Value<UInt64>(
        "--chain-id", "ID", "Refuse to work unless the endpoint serves this chain."
    ) { text in
        guard let id = UInt64(text) else { throw InvalidValue("needs a number") }
        return id
    }
    static let verbose = Flag(
        "--verbose",
        "One line per JSON-RPC call on standard error (method, host, time, size, retries); twice (-vv): bodies too.",
        repeatable: true, aliases: ["-v"])
    static let rpcTimeout = Value<Int>(
        "--rpc-timeout", "SECONDS", "Give up on one RPC request after this long (default 60; retried when transient)."
    ) { text in
        guard let t = Int(text), (1...3600).contains(t) else {
            throw InvalidValue("needs a number of seconds (1 … 3600)")
        }
        return t
    }
    static let registry = Value<Address>(
        "--registry", "ADDR", "Registry address (default: the canonical CREATE2 address)."
    ) { try Address($0) }

    // MARK: Sending

    static let maxFee = Value<Wei>(
        "--max-fee", "GWEI", "Max fee per gas (gas price with --legacy); default 2 × base fee + tip."
    ) { try Opts.gwei($0) }
    static let priorityFee = Value<Wei>(
        "--priority-fee", "GWEI", "Priority fee per gas; default the recent median."
    ) { try Opts.gwei($0) }
    static let legacy = Flag("--legacy", "Send a legacy (EIP-155) transaction, for chains without EIP-1559.")
    static let confirmations = Value<UInt64>(
        "--confirmations", "N", "Blocks that must include the transaction (default 1)."
    ) { UInt64(try Opts.whole($0, in: 1...Int.max, otherwise: "must be at least 1")) }
    static let timeout = Value<Int>(
        "--timeout", "SECONDS", "Stop waiting for the receipt after this long (default 300)."
    ) { try Opts.whole($0, in: 1...Int.max, otherwise: "must be at least 1 second") }
    static let stuckAfter = Value<Int>(
        "--stuck-after", "SECONDS",
        "A transaction unmined this long is broadcast again, then replaced with fees 12.5 % higher, up to 3 times "
            + "(default 60)."
    ) { try Opts.whole($0, in: 1...Int.max, otherwise: "must be at least 1 second") }

    // MARK: attest

    static let fromManifest = Flag(
        "--from-manifest", "The arguments are manifests to anchor; the key pays, it need not be the signer.")
    static let maxPerTx = Value<Int>(
        "--max-per-tx", "N", "At most N files per transaction (default: as many as the block gas limit allows)."
    ) { text in
        let most = RegistryContract.maxBatch
        return try Opts.whole(text, in: 1...most, otherwise: "must be 1 … \(most)")
    }
    static let summary = Value<String>(
        "--summary", "FILE", "Write one JSON summary of the run: every file, digest, transaction and block.")
    static let journal = Value<String>(
        "--journal", "FILE",
        "Journal to resume from and append to (default: .provenance-journal.jsonl in the first path's directory).")

    // MARK: revoke

    static let yes = Flag("--yes", "Send it: a revocation cannot be undone.")
    static let output = Value<String>(
        "--output", "FILE", "Write the signed revocation to FILE for someone else to relay; send nothing.")
    static let relay = Value<String>(
        "--relay", "FILE", "Send a revocation signed elsewhere (--output); the key given only pays.")

    // MARK: verify

    static let check = Flag(
        "--check",
        "Treat each directory as a set, as sha256sum -c does a list: a manifest whose file is gone is missing (exit 1), and files with no manifest are counted as extra."
    )
    static let offline = Flag("--offline", "Verify against the manifest beside each file, without a chain.")
    static let signer = Value<TrustEntry>(
        "--signer", "WHO", "Trust this signer: address, ENS name or domain (repeatable; else the trust list).",
        repeatable: true
    ) { try TrustEntry($0) }
    static let signers = Value<String>(
        "--signers", "FILE", "Trust the signers in FILE (one per line: address, ENS name or domain).")
    static let requireFinalized = Flag(
        "--require-finalized", "Count a record only in a block every endpoint calls finalized (else not-yet-final).")
    static let anySigner = Flag(
        "--any-signer", "Also find records by signers you do not trust (scans the registry's history).")
    static let ensRPC = Value<String>(
        "--ens-rpc", "URL", "Endpoint to resolve ENS names on (else $PROVENANCE_ENS_RPC, else --rpc).")
    static let manifest = Value<String>(
        "--manifest", "FILE|URL", "The original's manifest, for every copy given (a file or an http(s) URL).")
    static let feed = Value<String>(
        "--feed", "URL|FILE",
        "Podcast feed (an http(s) URL or a local file) whose episodes' manifests the copies are matched against."
    ) { text in
        // A local path, or http(s): any other scheme (file://, ftp://) is refused, as for every fetch.
        guard WebClient.isURL(text) || !text.contains("://") else {
            throw InvalidValue("needs an http(s) URL or a file")
        }
        return text
    }
    static let feedItems = Value<Int>(
        "--feed-items", "N",
        "Compare with the feed's first N items only (default 500; their manifests at most 256 MiB together)."
    ) { try Opts.whole($0, in: 1...Int.max, otherwise: "must be at least 1") }
    static let noCache = Flag(
        "--no-cache",
        "Scan the chain's whole history when no signer is named, ignoring the scan cache in $PROVENANCE_CACHE_DIR "
            + "(default ~/.cache/provenance).")

    // MARK: feed, trust

    /// Said both of a refused --base-url and of a missing one.
    static let baseURLNeeds = "needs an http(s) URL without query or fragment"
    static let baseURL = Value<String>(
        "--base-url", "URL", "Where the manifests are hosted (http or https), e.g. https://cdn.example/show/."
    ) { text in
        guard WebClient.isURL(text), !text.contains("?"), !text.contains("#") else {
            throw InvalidValue(Opts.baseURLNeeds)
        }
        return text
    }
    static let note = Value<String>(
        "--note", "TEXT", "A note kept beside the entry (e.g. the show's name)."
    ) { text in
        guard !text.contains("\n") else { throw InvalidValue("must be one line") }
        return text
    }

    // MARK: Parsers

    /// A whole number within `range`; `otherwise` is what is said of one outside it.
    static func whole(_ text: String, in range: ClosedRange<Int>, otherwise: String) throws -> Int {
        guard let n = Int(text) else { throw InvalidValue("needs a whole number, got \"\(text)\"") }
        guard range.contains(n) else { throw InvalidValue(otherwise) }
        return n
    }

    static func gwei(_ text: String) throws -> Wei {
        guard let v = Units.parseGwei(text) else { throw InvalidValue("needs an amount of gwei such as 1.5") }
        return v
    }
}

/// The key options every signing command shares.
enum KeyOptions {
    static let options: [Option] = [
        Opts.keystore.option, Opts.account.option, Opts.passwordFile.option, Opts.privateKeyFile.option,
    ]

    static func source(_ args: Arguments) throws -> KeySource {
        KeySource(
            keystore: try args.get(Opts.keystore), account: try args.get(Opts.account),
            privateKeyFile: try args.get(Opts.privateKeyFile), passwordFile: try args.get(Opts.passwordFile))
    }
}

/// --chunk-size's parser: a power of two is checked by the hasher, which knows the limits.
enum ChunkOption {
    /// Bytes, with an optional K, M or G suffix.
    static func bytes(_ text: String) throws -> Int {
        var multiplier = 1
        var digits = Substring(text)
        switch text.last {
        case "K", "k":
            multiplier = 1 << 10
            digits = digits.dropLast()
        case "M", "m":
            multiplier = 1 << 20
            digits = digits.dropLast()
        case "G", "g":
            multiplier = 1 << 30
            digits = digits.dropLast()
        default: break
        }
        guard let n = Int(digits), n > 0 else {
            throw InvalidValue("needs a size such as 1M or 65536, got \"\(text)\"")
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: multiplier)
        // The same rule the hasher enforces, said here, before any file is read.
        guard !overflow, bytes >= 1024, bytes <= 1 << 30, bytes & (bytes - 1) == 0 else {
            throw InvalidValue("must be a power of two between 1 KiB and 1 GiB, got \"\(text)\"")
        }
        return bytes
    }
}
