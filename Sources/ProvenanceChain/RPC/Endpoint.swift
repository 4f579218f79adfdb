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
        // Longest first, so a secret inside a longer one does not leave the rest of the longer one behind.
        var secrets = [url, String(url.dropFirst(scheme.count + 3))]
        secrets += [
            components.user, components.password, components.percentEncodedUser, components.percentEncodedPassword,
        ]
        .compactMap { $0 }
        secrets += [components.query, components.percentEncodedQuery].compactMap { $0 }
        secrets += (components.queryItems ?? []).compactMap(\.value)
        let path = components.percentEncodedPath
        if path.count > 1 { secrets += [path, components.path] }
        secrets += path.split(separator: "/").map(String.init) + components.path.split(separator: "/").map(String.init)
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    /// The parts of the URL that may be keys (path, query, user and password, the whole URL).
    private let secrets: [String]

    /// Text from outside (an endpoint's error message, a library's) with every part of this URL that may be
    /// a key cut out: a provider that repeats the URL in its error must not print the key.
    public func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "…", options: .caseInsensitive) }
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
