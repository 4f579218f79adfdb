internal import CCurl
internal import CShim
import Foundation
import ProvenanceCore

/// HTTP(S) GETs of media, manifests and feeds through libcurl. A body is either streamed to a handler
/// (nothing is written to disk; memory stays that of the handler) or collected up to a limit. http and
/// https only; up to 5 redirects, never from https down to http; certificates always verified; a
/// transfer that stalls (under 1 byte/s for 30 s) fails. A 4xx/5xx answer, a body cut short (fewer bytes
/// than its Content-Length), a bad URL or an unreachable host are input errors: the thing to verify could
/// not be had.
public final class WebClient: @unchecked Sendable {
    /// A CA bundle to use instead of the system's ($PROVENANCE_CA_FILE).
    public var caFile: String?
    public var maxRedirects = 5
    public var stallSeconds = 30

    public init(caFile: String? = nil) { self.caFile = caFile }

    /// Whether a command-line argument names a URL rather than a path.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }

    /// The whole body, at most `maxBytes` (more is an error, not a truncation).
    public func get(_ url: String, maxBytes: Int, what: String) throws -> [UInt8] {
        var body: [UInt8] = []
        var tooBig = false
        _ = try stream(url) { data in
            guard body.count + data.count <= maxBytes else {
                tooBig = true
                return false
            }
            body.append(contentsOf: data)
            return true
        }
        if tooBig { throw ProvenanceError.input("\(Self.shown(url)): \(what) larger than \(Self.size(maxBytes))") }
        return body
    }

    /// Streams the body to `onData` (return false to stop); `onProgress` gets bytes so far and the
    /// announced length when there is one. Returns the byte count.
    @discardableResult
    public func stream(
        _ url: String, onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        onProgress: ((UInt64, UInt64?) -> Void)? = nil
    ) throws -> UInt64 {
        guard Self.isURL(url) else { throw ProvenanceError.input("\(Self.shown(url)): only http and https URLs") }
        guard let h = curl_easy_init() else { throw ProvenanceError.input("libcurl could not be set up") }
        defer { curl_easy_cleanup(h) }
        func set(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else { throw ProvenanceError.input("libcurl refused \(what)") }
        }
        let secure = url.lowercased().hasPrefix("https://")
        try set(pv_curl_setopt_string(h, CURLOPT_URL, url), "CURLOPT_URL")
        try set(pv_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try set(
            pv_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, secure ? "https" : "http,https"),
            "CURLOPT_REDIR_PROTOCOLS_STR")
        try set(pv_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1), "CURLOPT_FOLLOWLOCATION")
        try set(pv_curl_setopt_long(h, CURLOPT_MAXREDIRS, maxRedirects), "CURLOPT_MAXREDIRS")
        try set(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try set(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try set(pv_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, 15), "CURLOPT_CONNECTTIMEOUT")
        try set(pv_curl_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, 1), "CURLOPT_LOW_SPEED_LIMIT")
        try set(pv_curl_setopt_long(h, CURLOPT_LOW_SPEED_TIME, stallSeconds), "CURLOPT_LOW_SPEED_TIME")
        try set(pv_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        // A 4xx/5xx body must never reach the hasher: libcurl fails before writing it.
        try set(pv_curl_setopt_long(h, CURLOPT_FAILONERROR, 1), "CURLOPT_FAILONERROR")
        try set(pv_curl_setopt_string(h, CURLOPT_USERAGENT, "provenance/0.1"), "CURLOPT_USERAGENT")
        if let caFile { try set(pv_curl_setopt_string(h, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO") }
        let sink = StreamSink(handle: h, onData: onData, onProgress: onProgress)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        try set(pv_curl_setopt_pointer(h, CURLOPT_WRITEDATA, sinkPointer.toOpaque()), "CURLOPT_WRITEDATA")
        try set(StreamSink.installWriteCallback(h), "CURLOPT_WRITEFUNCTION")
        let code = curl_easy_perform(h)
        if sink.stopped { return sink.bytes }
        guard code == CURLE_OK else {
            var status = 0
            _ = pv_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
            let shown = Self.shown(url)
            switch code {
            case CURLE_HTTP_RETURNED_ERROR: throw ProvenanceError.input("\(shown): HTTP \(status)")
            case CURLE_PARTIAL_FILE:
                throw ProvenanceError.input("\(shown): the download ended early, after \(sink.bytes) bytes (truncated)")
            case CURLE_OPERATION_TIMEDOUT:
                throw ProvenanceError.input(
                    "\(shown): the download stalled (no data for \(stallSeconds) s) after \(sink.bytes) bytes")
            case CURLE_TOO_MANY_REDIRECTS: throw ProvenanceError.input("\(shown): more than \(maxRedirects) redirects")
            case CURLE_UNSUPPORTED_PROTOCOL:
                throw ProvenanceError.input(
                    "\(shown): redirected to a scheme that is refused (only http, https; never https to http)")
            default:
                throw ProvenanceError.input("\(shown): \(String(cString: curl_easy_strerror(code)))")
            }
        }
        return sink.bytes
    }

    /// A URL as errors and verdicts show it: without user, password, query or fragment (where signed
    /// links and API keys go).
    public static func shown(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.scheme != nil else { return "(a URL)" }
        c.user = nil
        c.password = nil
        c.query = nil
        c.fragment = nil
        return c.string ?? "(a URL)"
    }

    static func size(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB" }
}

/// Where libcurl's write callback sends a streamed body.
private final class StreamSink {
    let handle: UnsafeMutableRawPointer
    let onData: (UnsafeRawBufferPointer) -> Bool
    let onProgress: ((UInt64, UInt64?) -> Void)?
    var bytes: UInt64 = 0
    var stopped = false

    init(
        handle: UnsafeMutableRawPointer, onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        onProgress: ((UInt64, UInt64?) -> Void)?
    ) {
        self.handle = handle
        self.onData = onData
        self.onProgress = onProgress
    }

    static func installWriteCallback(_ handle: UnsafeMutableRawPointer) -> CURLcode {
        pv_curl_setopt_write_callback(handle) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let (n, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { return 0 }
            let sink = Unmanaged<StreamSink>.fromOpaque(userdata).takeUnretainedValue()
            guard sink.onData(UnsafeRawBufferPointer(start: ptr, count: n)) else {
                sink.stopped = true
                return 0
            }
            sink.bytes += UInt64(n)
            if let progress = sink.onProgress {
                var length: curl_off_t = -1
                let known = pv_curl_getinfo_off(sink.handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK
                progress(sink.bytes, known && length >= 0 ? UInt64(length) : nil)
            }
            return n
        }
    }
}
