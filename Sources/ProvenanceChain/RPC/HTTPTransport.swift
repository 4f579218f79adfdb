import Foundation
import ProvenanceCore

/// What the RPC layer calls a failed HTTP exchange (no reply, timeout, TLS failure, oversized reply):
/// the one HTTP error, under the name RPCClient and scripted transports catch and build.
public typealias HTTPFailure = HTTPError

/// What the JSON-RPC client sends its requests through: libcurl in the tool, a scripted fake in the
/// unit tests of sending policies (integration tests use the real transport against the devnet).
public protocol RPCTransport: AnyObject {
    /// POSTs a JSON body; throws HTTPFailure when no HTTP reply came back.
    func post(url: String, body: [UInt8]) throws -> HTTPResponse
    /// TCP connections opened so far (keep-alive keeps it at 1).
    var connectionsOpened: Int { get }
}

/// JSON-RPC POSTs over one HTTPConnection, reused for every request so the connection stays alive.
/// Certificates, proxies, the CA bundle ($PROVENANCE_CA_FILE) and the user agent are the HTTP client's
/// defaults; what is the RPC's own: no redirects (a POST must not wander), compressed replies, the
/// status returned rather than failed (429/503 are retried with Retry-After). Not thread-safe: one per
/// thread.
public final class HTTPTransport: RPCTransport {
    private let connection: HTTPConnection
    public let connectTimeout: Int
    public let timeout: Int
    /// Responses larger than this are cut off and reported malformed (a hostile endpoint cannot exhaust
    /// memory). The largest honest answers (10,000 logs of a 500-block range) are a few MiB.
    public static let maxResponseBytes = 32 << 20

    public init(connectTimeout: Int = 10, timeout: Int = 60) throws {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        // No stall limit: a node may think for most of `timeout` before its first byte (eth_getLogs).
        let policy = HTTPPolicy(
            schemes: .httpOrHTTPS, maxRedirects: nil, maxBytes: Self.maxResponseBytes, connectTimeout: connectTimeout,
            timeout: timeout, stallSeconds: nil, failOnHTTPError: false, acceptCompressed: true)
        connection = try HTTPConnection(
            policy: policy, headers: ["Content-Type: application/json", "Accept: application/json"])
    }

    /// Number of TCP connections libcurl opened on this handle so far (keep-alive keeps it at 1).
    public var connectionsOpened: Int { connection.connectionsOpened }

    public func post(url: String, body: [UInt8]) throws -> HTTPResponse {
        try connection.perform(url, post: body, into: HTTPSink(collectingUpTo: Self.maxResponseBytes))
    }
}
