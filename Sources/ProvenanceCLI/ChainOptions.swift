import Foundation
import ProvenanceChain
import ProvenanceCore

/// Options every command that talks to a chain shares.
enum ChainOptions {
    static let connection: [Option] = connection(severalEndpoints: false)

    /// verify takes several endpoints and believes only what they agree on; commands that send take one.
    static func connection(severalEndpoints: Bool) -> [Option] {
        [
            (severalEndpoints ? Opts.rpcAgreeing : Opts.rpc).option, Opts.chainId.option, Opts.verbose.option,
            Opts.rpcTimeout.option,
        ]
    }
    static let sending: [Option] = [
        Opts.maxFee.option, Opts.priorityFee.option, Opts.legacy.option, Opts.confirmations.option,
        Opts.timeout.option, Opts.stuckAfter.option,
    ]

    /// Where scans by content alone are remembered: $PROVENANCE_CACHE_DIR, else $XDG_CACHE_HOME/provenance,
    /// else ~/.cache/provenance; nil with --no-cache.
    static func scanCache(_ args: Arguments) -> ScanCache? {
        guard !args[Opts.noCache] else { return nil }
        let env = ProcessInfo.processInfo.environment
        if let dir = env["PROVENANCE_CACHE_DIR"], !dir.isEmpty { return ScanCache(directory: dir) }
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return ScanCache(directory: xdg + "/provenance") }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return ScanCache(directory: home + "/.cache/provenance")
    }

    /// One client per endpoint: every --rpc, else each URL of a comma-separated $ETH_RPC_URL.
    static func clients(_ args: Arguments) throws -> [EthClient] {
        try Endpoint.selectAll(flags: args.all(Opts.rpcAgreeing)).map { try client(args, endpoint: $0) }
    }

    static func client(_ args: Arguments) throws -> EthClient {
        try client(args, endpoint: try Endpoint.select(flag: args.get(Opts.rpc)))
    }

    private static func client(_ args: Arguments, endpoint: Endpoint) throws -> EthClient {
        let timeout = try args.get(Opts.rpcTimeout) ?? 60
        let verbosity = args.count(Opts.verbose)
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

    static func fees(_ args: Arguments) throws -> FeeOptions {
        let cap = try args.get(Opts.maxFee)
        let tip = try args.get(Opts.priorityFee)
        if let cap, let tip, cap < tip {
            throw UsageError("--max-fee must be at least --priority-fee", usage: args.usage)
        }
        return FeeOptions(maxFeePerGas: cap, priorityFeePerGas: tip, legacy: args[Opts.legacy])
    }

    /// Each value is checked where it is declared (Opts): at least one confirmation, at least a second.
    static func sendOptions(_ args: Arguments) throws -> SendOptions {
        var o = SendOptions()
        if let n = try args.get(Opts.confirmations) { o.confirmations = n }
        if let t = try args.get(Opts.stuckAfter) { o.stuckAfter = Double(t) }
        if let t = try args.get(Opts.timeout) { o.timeout = Double(t) }
        return o
    }

    /// Prints each transaction hash to stderr the moment it is sent, so it is never lost.
    static func announce(_ what: String) -> (SignedTransaction) -> Void {
        { tx in FileHandle.standardError.write(Data("provenance: sending \(what) \(tx.hashHex)\n".utf8)) }
    }
}
