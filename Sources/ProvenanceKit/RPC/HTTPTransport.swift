import CCurl
import CShim
import Foundation

/// HTTP POST over one libcurl easy handle, reused for every request so the connection stays alive.
/// Certificate verification is always on; proxies come from the usual environment variables
/// (libcurl reads them). Owns the CURL pointer and frees it in deinit. Not thread-safe: one per thread.
public final class HTTPTransport {
    public struct Response {
        public let status: Int
        public let body: [UInt8]
        /// Seconds from a Retry-After header, if any.
        public let retryAfter: Int?
    }

    public struct Failure: Error {
        public let code: Int
        public let message: String
        /// Worth retrying: the request may not have reached the server, or timed out.
        public let transient: Bool
    }

    private let handle: UnsafeMutableRawPointer
    private var headers: UnsafeMutablePointer<curl_slist>?
    public let connectTimeout: Int
    public let timeout: Int
    /// Responses larger than this are cut off and reported malformed (a hostile endpoint cannot exhaust memory).
    public static let maxResponseBytes = 256 << 20

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(connectTimeout: Int = 10, timeout: Int = 60) {
        _ = Self.globalInit
        guard let h = curl_easy_init() else { fatalError("libcurl: curl_easy_init failed") }
        handle = h
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        headers = curl_slist_append(nil, "Content-Type: application/json")
        headers = curl_slist_append(headers, "Accept: application/json")
        pv_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        pv_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, connectTimeout)
        pv_curl_setopt_long(h, CURLOPT_TIMEOUT, timeout)
        pv_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        pv_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        pv_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        pv_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https")
        pv_curl_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "")
        pv_curl_setopt_string(h, CURLOPT_USERAGENT, "provenance/0.1")
        pv_curl_setopt_write_callback(h) { ptr, size, count, userdata in
            let n = size * count
            let box = Unmanaged<ResponseBox>.fromOpaque(userdata!).takeUnretainedValue()
            if box.bytes.count + n > HTTPTransport.maxResponseBytes {
                box.truncated = true
                return 0
            }
            ptr!.withMemoryRebound(to: UInt8.self, capacity: n) {
                box.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
            }
            return n
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
    }

    /// Number of TCP connections libcurl opened on this handle so far (keep-alive keeps it at 1).
    public private(set) var connectionsOpened = 0

    public func post(url: String, body: [UInt8]) throws -> Response {
        let box = ResponseBox()
        let boxPointer = Unmanaged.passRetained(box)
        defer { boxPointer.release() }
        pv_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, boxPointer.toOpaque())
        pv_curl_setopt_string(handle, CURLOPT_URL, url)
        pv_curl_setopt_long(handle, CURLOPT_POST, 1)
        let code: CURLcode = body.withUnsafeBufferPointer { buf in
            pv_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buf.count))
            pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buf.baseAddress))
            return curl_easy_perform(handle)
        }
        pv_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
        var connects = 0
        if pv_curl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK { connectionsOpened += connects }
        if box.truncated {
            throw Failure(
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
            throw Failure(
                code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)), transient: transient)
        }
        var status = 0
        pv_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var retryAfter: curl_off_t = 0
        let hasRetryAfter = pv_curl_getinfo_off(handle, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK && retryAfter > 0
        return Response(status: status, body: box.bytes, retryAfter: hasRetryAfter ? Int(retryAfter) : nil)
    }
}

private final class ResponseBox {
    var bytes: [UInt8] = []
    var truncated = false
}
