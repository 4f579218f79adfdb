import Foundation
import ProvenanceChain
import ProvenanceCore

/// Options every command that talks to a chain shares.
enum ChainOptions {
    static let connection: [Option] = connection(severalEndpoints: false)

    /// verify takes several endpoints and believes only what they agree on; commands that send take one.
    static func connection(severalEndpoints: Bool) -> [Option] {
        [
            .value(
                "--rpc", "URL",
                severalEndpoints
                    ? "JSON-RPC endpoint (else $ETH_RPC_URL, else http://127.0.0.1:8545); repeat it (or list several in $ETH_RPC_URL, comma-separated) to believe only what they agree on. Only hosts are ever printed."
                    : "JSON-RPC endpoint (else $ETH_RPC_URL, else http://127.0.0.1:8545). Only its host is ever printed.",
                repeatable: severalEndpoints, aliases: ["--rpc-url", "-r"]),
            .value("--chain-id", "ID", "Refuse to work unless the endpoint serves this chain."),
            .flag(
                "--verbose",
                "One line per JSON-RPC call on standard error (method, host, time, size, retries); twice (-vv): bodies too.",
                repeatable: true, aliases: ["-v"]),
            .value(
                "--rpc-timeout", "SECONDS",
                "Give up on one RPC request after this long (default 60; retried when transient)."),
        ]
    }
    static let sending: [Option] = [
        .value("--max-fee", "GWEI", "Max fee per gas (gas price with --legacy); default 2 × base fee + tip."),
        .value("--priority-fee", "GWEI", "Priority fee per gas; default the recent median."),
        .flag("--legacy", "Send a legacy (EIP-155) transaction, for chains without EIP-1559."),
        .value("--confirmations", "N", "Blocks that must include the transaction (default 1)."),
        .value("--timeout", "SECONDS", "Stop waiting for the receipt after this long (default 300)."),
        .value(
            "--stuck-after", "SECONDS",
            "A transaction unmined this long is broadcast again, then replaced with fees 12.5 % higher, up to 3 times (default 60)."
        ),
    ]

    /// Where scans by content alone are remembered: $PROVENANCE_CACHE_DIR, else $XDG_CACHE_HOME/provenance,
    /// else ~/.cache/provenance; nil with --no-cache.
    static func scanCache(_ args: Arguments) -> ScanCache? {
        guard !args.flag("--no-cache") else { return nil }
        let env = ProcessInfo.processInfo.environment
        if let dir = env["PROVENANCE_CACHE_DIR"], !dir.isEmpty { return ScanCache(directory: dir) }
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return ScanCache(directory: xdg + "/provenance") }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return ScanCache(directory: home + "/.cache/provenance")
    }

    /// One client per endpoint: every --rpc, else each URL of a comma-separated $ETH_RPC_URL.
    static func clients(_ args: Arguments) throws -> [EthClient] {
        try Endpoint.selectAll(flags: args.all("--rpc")).map { try client(args, endpoint: $0) }
    }

    static func client(_ args: Arguments) throws -> EthClient {
        try client(args, endpoint: try Endpoint.select(flag: args.value("--rpc")))
    }

    private static func client(_ args: Arguments, endpoint: Endpoint) throws -> EthClient {
        var timeout = 60
        if let text = args.value("--rpc-timeout") {
            guard let t = Int(text), t >= 1, t <= 3600 else {
                throw ProvenanceError.usage("--rpc-timeout needs a number of seconds (1 … 3600)")
            }
            timeout = t
        }
        let verbosity = args.count("--verbose")
        var observer: (@Sendable (RPCExchange) -> Void)? = nil
        if verbosity > 0 {
            let bodies = verbosity > 1
            observer = { exchange in Output.stderr(trace(exchange, bodies: bodies)) }
        }
        return EthClient(
            endpoint: endpoint, connectTimeout: min(10, timeout),
            timeout: timeout, observer: observer)
    }

    /// Longest body shown by -vv: enough for a call and its answer, never megabytes of logs.
    static let maxTracedBody = 1000

    /// The -v line (and with -vv the bodies) for one exchange. The endpoint is scheme and host only;
    /// bodies are cut to a bounded length and escaped, since they are the endpoint's text.
    static func trace(_ e: RPCExchange, bodies: Bool) -> String {
        let ms = Int((e.seconds * 1000).rounded())
        var line = "provenance: rpc \(e.what) \(e.endpoint) \(ms) ms \(e.responseBytes) bytes"
        if e.attempts > 1 { line += ", \(e.attempts) attempts" }
        if e.outcome != "ok" { line += ", " + e.outcome }
        line = Display.safe(line) + "\n"
        guard bodies else { return line }
        func cut(_ b: [UInt8]) -> String {
            let text = String(decoding: b.prefix(maxTracedBody), as: UTF8.self)
            return Display.safe(text) + (b.count > maxTracedBody ? " … (\(b.count) bytes)" : "")
        }
        return line + "  > " + cut(e.request) + "\n  < " + cut(e.response) + "\n"
    }

    static func expectedChainId(_ args: Arguments, usage: String) throws -> UInt64? {
        guard let text = args.value("--chain-id") else { return nil }
        guard let id = UInt64(text) else { throw UsageError("--chain-id needs a number", usage: usage) }
        return id
    }

    static func fees(_ args: Arguments, usage: String) throws -> FeeOptions {
        func gwei(_ name: String) throws -> Wei? {
            guard let text = args.value(name) else { return nil }
            guard let v = Units.parseGwei(text) else {
                throw UsageError("\(name) needs an amount of gwei such as 1.5", usage: usage)
            }
            return v
        }
        let cap = try gwei("--max-fee")
        let tip = try gwei("--priority-fee")
        if let cap, let tip, cap < tip { throw UsageError("--max-fee must be at least --priority-fee", usage: usage) }
        return FeeOptions(maxFeePerGas: cap, priorityFeePerGas: tip, legacy: args.flag("--legacy"))
    }

    static func sendOptions(_ args: Arguments, usage: String) throws -> SendOptions {
        var o = SendOptions()
        if let n = try args.int("--confirmations", usage: usage) {
            guard n >= 1 else { throw UsageError("--confirmations must be at least 1", usage: usage) }
            o.confirmations = UInt64(n)
        }
        if let t = try args.int("--stuck-after", usage: usage) {
            guard t >= 1 else { throw UsageError("--stuck-after must be at least 1 second", usage: usage) }
            o.stuckAfter = Double(t)
        }
        if let t = try args.int("--timeout", usage: usage) {
            guard t >= 1 else { throw UsageError("--timeout must be at least 1 second", usage: usage) }
            o.timeout = Double(t)
        }
        return o
    }

    /// Prints each transaction hash to stderr the moment it is sent, so it is never lost.
    static func announce(_ what: String) -> (SignedTransaction) -> Void {
        { tx in FileHandle.standardError.write(Data("provenance: sending \(what) \(tx.hashHex)\n".utf8)) }
    }
}
