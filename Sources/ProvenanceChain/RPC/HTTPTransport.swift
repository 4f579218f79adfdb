internal import CCurl
internal import CShim
import Foundation
import ProvenanceCore

/// An HTTP reply as the RPC client needs it.
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

/// A failed HTTP exchange (no reply, timeout, TLS failure, oversized reply).
public struct HTTPFailure: Error, Sendable {
    public let code: Int
    public let message: String
    /// Worth retrying: the request may not have reached the server, or timed out.
    public let transient: Bool

    public init(code: Int, message: String, transient: Bool) {
        self.code = code
        self.message = message
        self.transient = transient
    }
}

/// What the JSON-RPC client sends its requests through: libcurl in the tool, a scripted fake in the
/// unit tests of sending policies (integration tests use the real transport against the devnet).
public protocol RPCTransport: AnyObject {
    /// POSTs a JSON body; throws HTTPFailure when no HTTP reply came back.
    func post(url: String, body: [UInt8]) throws -> HTTPResponse
    /// TCP connections opened so far (keep-alive keeps it at 1).
    var connectionsOpened: Int { get }
}

/// HTTP POST over one libcurl easy handle, reused for every request so the connection stays alive.
/// Certificate verification is always on; proxies come from the usual environment variables
/// (libcurl reads them). Owns the CURL pointer and frees it in deinit; every libcurl return code is
/// checked. Not thread-safe: one per thread.
public final class HTTPTransport: RPCTransport {
    private let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>
    public let connectTimeout: Int
    public let timeout: Int
    /// Responses larger than this are cut off and reported malformed (a hostile endpoint cannot exhaust
    /// memory). The largest honest answers (10,000 logs of a 500-block range) are a few MiB.
    public static let maxResponseBytes = 32 << 20

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init(connectTimeout: Int = 10, timeout: Int = 60) throws {
        guard Self.globalInit == CURLE_OK else { throw Self.setupFailure("curl_global_init") }
        guard let h = curl_easy_init() else { throw Self.setupFailure("curl_easy_init") }
        guard let list = curl_slist_append(nil, "Content-Type: application/json"),
            let both = curl_slist_append(list, "Accept: application/json")
        else {
            curl_easy_cleanup(h)
            throw Self.setupFailure("curl_slist_append")
        }
        handle = h
        headers = both
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        // Every option matters to safety or to the run (a failed protocol restriction or certificate
        // check must not go unnoticed), so any refusal stops here.
        try check(pv_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headers), "CURLOPT_HTTPHEADER")
        try check(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try check(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try check(pv_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, connectTimeout), "CURLOPT_CONNECTTIMEOUT")
        try check(pv_curl_setopt_long(h, CURLOPT_TIMEOUT, timeout), "CURLOPT_TIMEOUT")
        try check(pv_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(pv_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1), "CURLOPT_TCP_KEEPALIVE")
        try check(pv_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(pv_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try check(pv_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, ""), "CURLOPT_ACCEPT_ENCODING")
        try check(pv_curl_setopt_string(h, CURLOPT_USERAGENT, "provenance/0.1"), "CURLOPT_USERAGENT")
        try check(pv_curl_setopt_long(h, CURLOPT_POST, 1), "CURLOPT_POST")
        try check(ResponseBox.installWriteCallback(h), "CURLOPT_WRITEFUNCTION")
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    private static func setupFailure(_ what: String) -> HTTPFailure {
        HTTPFailure(code: -1, message: "libcurl could not be set up (\(what))", transient: false)
    }

    private func check(_ code: CURLcode, _ option: String) throws {
        guard code == CURLE_OK else {
            throw HTTPFailure(
                code: Int(code.rawValue),
                message: "libcurl refused \(option): \(String(cString: curl_easy_strerror(code)))", transient: false)
        }
    }

    /// Number of TCP connections libcurl opened on this handle so far (keep-alive keeps it at 1).
    public private(set) var connectionsOpened = 0

    public func post(url: String, body: [UInt8]) throws -> HTTPResponse {
        let box = ResponseBox(limit: Self.maxResponseBytes)
        let boxPointer = Unmanaged.passRetained(box)
        defer { boxPointer.release() }
        try check(pv_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, boxPointer.toOpaque()), "CURLOPT_WRITEDATA")
        try check(pv_curl_setopt_string(handle, CURLOPT_URL, url), "CURLOPT_URL")
        let code: CURLcode = try body.withUnsafeBufferPointer { buf in
            try check(pv_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buf.count)), "POSTFIELDSIZE")
            // libcurl keeps this pointer only until curl_easy_perform returns, inside this scope.
            try check(
                pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buf.baseAddress)),
                "CURLOPT_POSTFIELDS")
            defer { _ = pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil) }
            return curl_easy_perform(handle)
        }
        var connects = 0
        if pv_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK { connectionsOpened += connects }
        if box.truncated {
            throw HTTPFailure(
                code: Int(CURLE_WRITE_ERROR.rawValue),
                message: "response larger than \(Self.maxResponseBytes >> 20) MiB", transient: false)
        }
        guard code == CURLE_OK else {
            let transient: Bool
            switch code {
            case CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
                CURLE_COULDNT_RESOLVE_HOST, CURLE_PARTIAL_FILE:
                transient = true
            default: transient = false
            }
            throw HTTPFailure(
                code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), transient: transient)
        }
        var status = 0
        try check(pv_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status), "CURLINFO_RESPONSE_CODE")
        var retryAfter: curl_off_t = 0
        let hasRetryAfter = pv_curl_getinfo_off(handle, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK && retryAfter > 0
        return HTTPResponse(status: status, body: box.bytes, retryAfter: hasRetryAfter ? Int(retryAfter) : nil)
    }
}

/// Where libcurl's write callback puts a reply: at most `limit` bytes, then `truncated` and the
/// transfer stops (a hostile server cannot exhaust memory).
final class ResponseBox {
    let limit: Int
    var bytes: [UInt8] = []
    var truncated = false

    init(limit: Int) { self.limit = limit }

    /// Installs the callback that appends to the box passed as CURLOPT_WRITEDATA.
    static func installWriteCallback(_ handle: UnsafeMutableRawPointer) -> CURLcode {
        pv_curl_setopt_write_callback(handle) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let (n, overflow) = size.multipliedReportingOverflow(by: count)
            let box = Unmanaged<ResponseBox>.fromOpaque(userdata).takeUnretainedValue()
            if overflow || box.bytes.count + n > box.limit {
                box.truncated = true
                return 0
            }
            ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
                box.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
            }
            return n
        }
    }
}
