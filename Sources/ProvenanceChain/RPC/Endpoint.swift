import Foundation
import ProvenanceCore

/// A JSON-RPC endpoint. URLs often carry API keys in their path or query, so only `redacted`
/// (scheme, host and port) ever appears in messages, logs or JSON output.
public struct Endpoint: Sendable, CustomStringConvertible {
    public let url: String
    public let redacted: String

    public static let defaultURL = "http://127.0.0.1:8545"

    public init(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            // Do not echo the text: it may be a URL with a key in it.
            throw ProvenanceError.usage("the RPC URL must be http:// or https:// with a host")
        }
        self.url = url
        redacted = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// --rpc URL, else $ETH_RPC_URL (Foundry's convention), else the local devnet's default.
    public static func select(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> Endpoint
    {
        if let flag { return try Endpoint(flag) }
        return try selectAll(flags: [], environment: environment)[0]
    }

    /// Every --rpc given, else $ETH_RPC_URL (a comma-separated list), else the local devnet's default.
    public static func selectAll(
        flags: [String], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> [Endpoint] {
        if !flags.isEmpty { return try flags.map { try Endpoint($0) } }
        let listed = (environment["ETH_RPC_URL"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        return listed.isEmpty ? [try Endpoint(defaultURL)] : try listed.map { try Endpoint($0) }
    }

    public var description: String { redacted }
}
