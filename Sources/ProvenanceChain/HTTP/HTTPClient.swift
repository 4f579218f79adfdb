internal import CCurl
internal import CShim
import Foundation
import ProvenanceCore

/// What one kind of request may do. The RPC transport, the downloads of media, manifests and feeds, and
/// the fetch of a domain's signer list differ only here; everything else about safety (certificates and
/// host names verified, no signals, one user agent, proxies from the environment) is not a choice and is
/// set by HTTPConnection for all of them.
public struct HTTPPolicy: Sendable {
    /// The schemes a URL, and every redirect it leads to, may use.
    public enum Schemes: Sendable {
        /// http and https; a redirect from https never goes down to http.
        case httpOrHTTPS
        /// https only, redirects included (a document whose authenticity rests on TLS).
        case httpsOnly
    }

    public var schemes: Schemes
    /// nil: redirects are not followed (the 3xx reply is the answer). n: up to n are followed, more is
    /// `.tooManyRedirects` (so 0 makes any redirect an error).
    public var maxRedirects: Int?
    /// Most body bytes collected (a hostile server cannot exhaust memory); more is `.tooLarge`. A streamed
    /// body is not collected: its handler bounds what it keeps and stops the transfer when it has enough.
    public var maxBytes: Int
    /// Seconds to connect, TLS included.
    public var connectTimeout: Int
    /// Seconds the whole transfer may take; nil: no limit (long downloads), then `stallSeconds` applies.
    public var timeout: Int?
    /// Seconds the transfer may go under 1 byte/s before it fails as `.stalled`; nil: never checked.
    public var stallSeconds: Int?
    /// A 4xx/5xx reply fails as `.status` before any of its body is written (an error page must never
    /// reach a hasher); false: the status is returned with the body (the RPC client reads 429/503).
    public var failOnHTTPError: Bool
    /// Asks for compressed bodies, which libcurl decodes (JSON-RPC answers shrink tenfold). Off for
    /// downloads, whose bytes and announced lengths must be those of the file itself.
    public var acceptCompressed: Bool
    /// A CA bundle to use instead of the system's; nil: the system's.
    public var caFile: String?

    public init(
        schemes: Schemes = .httpOrHTTPS, maxRedirects: Int? = nil, maxBytes: Int = 32 << 20, connectTimeout: Int = 10,
        timeout: Int? = nil, stallSeconds: Int? = 30, failOnHTTPError: Bool = false, acceptCompressed: Bool = false,
        caFile: String? = HTTPPolicy.environmentCAFile
    ) {
        self.schemes = schemes
        self.maxRedirects = maxRedirects
        self.maxBytes = maxBytes
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.stallSeconds = stallSeconds
        self.failOnHTTPError = failOnHTTPError
        self.acceptCompressed = acceptCompressed
        self.caFile = caFile
    }

    /// $PROVENANCE_CA_FILE (empty counts as unset): the one place the default CA bundle comes from, so
    /// every client (RPC, downloads, signer lists) trusts the same in-house CA.
    public static var environmentCAFile: String? {
        guard let path = ProcessInfo.processInfo.environment["PROVENANCE_CA_FILE"], !path.isEmpty else { return nil }
        return path
    }
}

/// An HTTP reply: its status, its collected body (empty when streamed) and Retry-After when given.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    /// Seconds from a Retry-After header, if any.
    public let retryAfter: Int?

    public init(status: Int, body: [UInt8], retryAfter: Int? = nil) {
        self.status = status
        self.body = body
        self.retryAfter = retryAfter
    }
}

/// Why an HTTP exchange gave no usable reply. The message names no URL at all (URLs carry API keys in
/// their paths and signed links in their queries): callers prefix the form they may show
/// (`HTTPClient.shown`, or an endpoint's scheme and host).
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libcurl could not be set up or refused an option: nothing was sent.
        case setup
        /// The transfer failed; libcurl's CURLcode.
        case transport(Int)
        /// A 4xx/5xx reply (with `failOnHTTPError`).
        case status(Int)
        /// The body passed this many bytes.
        case tooLarge(Int)
        /// The body ended before its announced length, after this many bytes.
        case truncated(UInt64)
        /// No data for `seconds`, after `bytes`.
        case stalled(seconds: Int, bytes: UInt64)
        /// More redirects than this.
        case tooManyRedirects(Int)
        /// The URL, or a redirect, uses a scheme the policy refuses.
        case refusedScheme
    }

    public let kind: Kind
    /// libcurl's CURLcode, -1 when libcurl was not the one to fail.
    public let code: Int
    public let message: String
    /// Worth retrying: the request may not have reached the server, or timed out.
    public let transient: Bool

    init(_ kind: Kind, code: Int, message: String, transient: Bool) {
        self.kind = kind
        self.code = code
        self.message = message
        self.transient = transient
    }

    /// A failure from its parts (scripted transports in tests): a negative code is a set-up failure.
    public init(code: Int, message: String, transient: Bool) {
        self.init(code < 0 ? .setup : .transport(code), code: code, message: message, transient: transient)
    }

    public var description: String { message }

    static func setup(_ what: String) -> HTTPError {
        HTTPError(.setup, code: -1, message: "libcurl could not be set up (\(what))", transient: false)
    }

    /// A refused option stops everything: a protocol restriction or certificate check that did not take
    /// must not go unnoticed.
    static func refused(_ option: String, _ code: CURLcode) -> HTTPError {
        HTTPError(
            .setup, code: Int(code.rawValue),
            message: "libcurl refused \(option): \(String(cString: curl_easy_strerror(code)))", transient: false)
    }
}

/// One-shot requests, and the URL helpers every user of HTTP shares.
public enum HTTPClient {
    public static let userAgent = "provenance/0.1"

    public static func isURL(_ text: String) -> Bool { URLText.isURL(text) }

    /// A URL as errors and verdicts show it (URLText.shown).
    public static func shown(_ url: String) -> String { URLText.shown(url) }

    /// A byte limit as messages say it: MiB from 1 MiB up, else KiB.
    public static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }

    /// GETs a body, collected up to `policy.maxBytes`; throws HTTPError.
    public static func get(_ url: String, policy: HTTPPolicy) throws -> HTTPResponse {
        try HTTPConnection(policy: policy).perform(url, into: HTTPSink(collectingUpTo: policy.maxBytes))
    }

    /// GETs a body chunk by chunk into `onData` (return false to stop: not an error); `onProgress` gets
    /// bytes so far and the announced length when there is one. Returns the status and byte count; throws
    /// HTTPError.
    @discardableResult
    public static func stream(
        _ url: String, policy: HTTPPolicy, onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        onProgress: ((UInt64, UInt64?) -> Void)? = nil
    ) throws -> (status: Int, bytes: UInt64) {
        let sink = HTTPSink(onData: onData, onProgress: onProgress)
        let response = try HTTPConnection(policy: policy).perform(url, into: sink)
        return (response.status, sink.bytes)
    }

    /// Whether `url`'s own scheme is one `schemes` allows (libcurl would guess http for none at all).
    static func allows(_ url: String, _ schemes: HTTPPolicy.Schemes) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("https://") || (schemes == .httpOrHTTPS && lower.hasPrefix("http://"))
    }
}

/// One libcurl easy handle configured once with a policy, used for any number of requests in turn so
/// that libcurl keeps the connection alive between them (the RPC client's many small POSTs). Owns the
/// handle and its header list and frees them in deinit; every libcurl return code is checked. Not
/// thread-safe: one per thread.
final class HTTPConnection {
    let policy: HTTPPolicy
    private let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>?
    /// TCP connections libcurl opened on this handle so far (keep-alive keeps it at 1).
    private(set) var connectionsOpened = 0

    /// Once per process, before any handle, and thread-safe (curl_easy_init would do it lazily, racing).
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// `headers` are sent with every request ("Name: value").
    init(policy: HTTPPolicy, headers: [String] = []) throws {
        guard Self.globalInit == CURLE_OK else { throw HTTPError.setup("curl_global_init") }
        guard let h = curl_easy_init() else { throw HTTPError.setup("curl_easy_init") }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for header in headers {
            guard let longer = curl_slist_append(list, header) else {
                curl_slist_free_all(list)
                curl_easy_cleanup(h)
                throw HTTPError.setup("curl_slist_append")
            }
            list = longer
        }
        self.policy = policy
        handle = h
        self.headers = list
        // Fully initialised: a throw from here on still runs deinit, which frees the handle and list.
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    /// The options that hold for every request on this handle. The first group is the same for every
    /// policy: certificates and host names verified, no signals (threads), one user agent. Proxy options
    /// are left alone, so libcurl keeps reading http_proxy, https_proxy and no_proxy.
    private func configure() throws {
        try set(CURLOPT_SSL_VERIFYPEER, 1, "CURLOPT_SSL_VERIFYPEER")
        try set(CURLOPT_SSL_VERIFYHOST, 2, "CURLOPT_SSL_VERIFYHOST")
        try set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        try set(CURLOPT_TCP_KEEPALIVE, 1, "CURLOPT_TCP_KEEPALIVE")
        try set(CURLOPT_USERAGENT, HTTPClient.userAgent, "CURLOPT_USERAGENT")
        if let headers { try check(pv_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers), "CURLOPT_HTTPHEADER") }
        try check(HTTPSink.installWriteCallback(handle), "CURLOPT_WRITEFUNCTION")

        try set(CURLOPT_PROTOCOLS_STR, policy.schemes == .httpsOnly ? "https" : "http,https", "CURLOPT_PROTOCOLS_STR")
        if let redirects = policy.maxRedirects {
            try set(CURLOPT_FOLLOWLOCATION, 1, "CURLOPT_FOLLOWLOCATION")
            try set(CURLOPT_MAXREDIRS, redirects, "CURLOPT_MAXREDIRS")
        } else {
            try set(CURLOPT_FOLLOWLOCATION, 0, "CURLOPT_FOLLOWLOCATION")
        }
        try set(CURLOPT_CONNECTTIMEOUT, policy.connectTimeout, "CURLOPT_CONNECTTIMEOUT")
        if let timeout = policy.timeout { try set(CURLOPT_TIMEOUT, timeout, "CURLOPT_TIMEOUT") }
        if let stall = policy.stallSeconds {
            try set(CURLOPT_LOW_SPEED_LIMIT, 1, "CURLOPT_LOW_SPEED_LIMIT")
            try set(CURLOPT_LOW_SPEED_TIME, stall, "CURLOPT_LOW_SPEED_TIME")
        }
        if policy.failOnHTTPError { try set(CURLOPT_FAILONERROR, 1, "CURLOPT_FAILONERROR") }
        if policy.acceptCompressed { try set(CURLOPT_ACCEPT_ENCODING, "", "CURLOPT_ACCEPT_ENCODING") }
        if let caFile = policy.caFile { try set(CURLOPT_CAINFO, caFile, "CURLOPT_CAINFO") }
    }

    private func set(_ option: CURLoption, _ value: Int, _ name: String) throws {
        try check(pv_curl_setopt_long(handle, option, value), name)
    }

    private func set(_ option: CURLoption, _ value: String, _ name: String) throws {
        try check(pv_curl_setopt_string(handle, option, value), name)
    }

    private func check(_ code: CURLcode, _ name: String) throws {
        guard code == CURLE_OK else { throw HTTPError.refused(name, code) }
    }

    /// One request: a GET, or a POST of `body`; the reply's body goes to `sink`. Throws HTTPError when
    /// no usable reply came back. A sink whose handler stopped the transfer is not a failure.
    func perform(_ url: String, post body: [UInt8]? = nil, into sink: HTTPSink) throws -> HTTPResponse {
        guard HTTPClient.allows(url, policy.schemes) else {
            let allowed = policy.schemes == .httpsOnly ? "https" : "http and https"
            throw HTTPError(.refusedScheme, code: -1, message: "only \(allowed) URLs", transient: false)
        }
        try set(CURLOPT_URL, url, "CURLOPT_URL")
        // From https, redirects stay on https: a downgrade would drop the certificate check mid-way.
        let secure = url.lowercased().hasPrefix("https://")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, secure ? "https" : "http,https", "CURLOPT_REDIR_PROTOCOLS_STR")
        sink.handle = handle
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        try check(pv_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()), "CURLOPT_WRITEDATA")
        // The handle must not keep a pointer to a sink about to be released (defers run last first).
        defer { _ = pv_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, nil) }
        let started = Date()
        let code = try transfer(body)
        var connects = 0
        if pv_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK { connectionsOpened += connects }
        if let error = failure(code, sink: sink, elapsed: Date().timeIntervalSince(started)) { throw error }
        var status = 0
        try check(pv_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "CURLINFO_RESPONSE_CODE")
        // Older libcurl has no RETRY_AFTER: its absence only means no advice.
        var retryAfter: curl_off_t = 0
        let advised = pv_curl_getinfo_off(handle, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK && retryAfter > 0
        return HTTPResponse(status: status, body: sink.body, retryAfter: advised ? Int(retryAfter) : nil)
    }

    /// Runs the transfer; the POST body's pointer is held by libcurl only inside this call.
    private func transfer(_ body: [UInt8]?) throws -> CURLcode {
        guard let body else {
            try set(CURLOPT_HTTPGET, 1, "CURLOPT_HTTPGET")
            return curl_easy_perform(handle)
        }
        try set(CURLOPT_POST, 1, "CURLOPT_POST")
        // Never a null pointer: with none, libcurl would read the body from stdin.
        let bytes: [UInt8] = body.isEmpty ? [0] : body
        return try bytes.withUnsafeBufferPointer { buf in
            try check(
                pv_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)),
                "CURLOPT_POSTFIELDSIZE_LARGE")
            try check(
                pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buf.baseAddress)),
                "CURLOPT_POSTFIELDS")
            defer { _ = pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil) }
            return curl_easy_perform(handle)
        }
    }

    /// The one mapping of libcurl's outcome to HTTPError; nil when the transfer counts as done.
    private func failure(_ code: CURLcode, sink: HTTPSink, elapsed: Double) -> HTTPError? {
        if sink.overflowed {
            let limit = sink.limit ?? policy.maxBytes
            return HTTPError(
                .tooLarge(limit), code: Int(CURLE_WRITE_ERROR.rawValue),
                message: "response larger than \(HTTPClient.size(limit))", transient: false)
        }
        if sink.stopped || code == CURLE_OK { return nil }
        let curl = Int(code.rawValue)
        let reason = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_HTTP_RETURNED_ERROR:
            var status = 0
            guard pv_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK else {
                return HTTPError(.transport(curl), code: curl, message: reason, transient: false)
            }
            return HTTPError(
                .status(status), code: curl, message: "HTTP \(status)",
                transient: [408, 429, 500, 502, 503, 504].contains(status))
        case CURLE_PARTIAL_FILE:
            return HTTPError(
                .truncated(sink.bytes), code: curl,
                message: "the transfer ended early, after \(sink.bytes) bytes (truncated)", transient: true)
        case CURLE_OPERATION_TIMEDOUT:
            // Both limits set: the total one, when reached, is the one that fired.
            if let stall = policy.stallSeconds, policy.timeout.map({ elapsed < Double($0) }) ?? true {
                return HTTPError(
                    .stalled(seconds: stall, bytes: sink.bytes), code: curl,
                    message: "the transfer stalled (no data for \(stall) s) after \(sink.bytes) bytes", transient: true)
            }
            return HTTPError(.transport(curl), code: curl, message: reason, transient: true)
        case CURLE_TOO_MANY_REDIRECTS:
            let most = policy.maxRedirects ?? 0
            return HTTPError(
                .tooManyRedirects(most), code: curl, message: "more than \(most) redirects", transient: false)
        case CURLE_UNSUPPORTED_PROTOCOL:
            let allowed = policy.schemes == .httpsOnly ? "only https" : "only http, https; never https to http"
            return HTTPError(
                .refusedScheme, code: curl, message: "redirected to a scheme that is refused (\(allowed))",
                transient: false)
        case CURLE_COULDNT_CONNECT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_COULDNT_RESOLVE_HOST:
            return HTTPError(.transport(curl), code: curl, message: reason, transient: true)
        default:
            return HTTPError(.transport(curl), code: curl, message: reason, transient: false)
        }
    }
}
