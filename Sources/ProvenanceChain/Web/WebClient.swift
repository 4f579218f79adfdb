import Foundation
import ProvenanceCore

/// HTTP(S) GETs of media, manifests and feeds. A body is either streamed to a handler (nothing is written
/// to disk; memory stays that of the handler) or collected up to a limit. http and https only; up to 5
/// redirects, never from https down to http; certificates always verified; a transfer that stalls (under
/// 1 byte/s for 30 s) fails. A 4xx/5xx answer, a body cut short (fewer bytes than its Content-Length), a
/// bad URL or an unreachable host are input errors: the thing to verify could not be had. The transfer
/// itself is the HTTP client's; this maps its errors to what the user is told.
public final class WebClient: @unchecked Sendable {
    /// A CA bundle to use instead of the system's (default: $PROVENANCE_CA_FILE).
    public var caFile: String?
    public var maxRedirects = 5
    public var stallSeconds = 30

    public init(caFile: String? = HTTPPolicy.environmentCAFile) { self.caFile = caFile }

    /// Whether a command-line argument names a URL rather than a path.
    public static func isURL(_ text: String) -> Bool { HTTPClient.isURL(text) }

    /// A URL as errors and verdicts show it: without user, password, query or fragment (where signed
    /// links and API keys go).
    public static func shown(_ url: String) -> String { HTTPClient.shown(url) }

    /// The whole body, at most `maxBytes` (more is an error, not a truncation).
    public func get(_ url: String, maxBytes: Int, what: String) throws -> [UInt8] {
        do {
            return try HTTPClient.get(url, policy: policy(maxBytes: maxBytes)).body
        } catch let error as HTTPError {
            throw failure(error, url: url, what: what)
        }
    }

    /// Streams the body to `onData` (return false to stop); `onProgress` gets bytes so far and the
    /// announced length when there is one. Returns the byte count.
    @discardableResult
    public func stream(
        _ url: String, onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        onProgress: ((UInt64, UInt64?) -> Void)? = nil
    ) throws -> UInt64 {
        do {
            // A streamed body is not collected: the handler bounds it, so no cap.
            let streaming = policy(maxBytes: 0)
            return try HTTPClient.stream(url, policy: streaming, onData: onData, onProgress: onProgress).bytes
        } catch let error as HTTPError {
            throw failure(error, url: url, what: "body")
        }
    }

    /// Downloads: no total time limit (an hour of audio on a slow link) but a stall limit, and a 4xx/5xx
    /// answer fails before its body is written (an error page must never reach the hasher).
    private func policy(maxBytes: Int) -> HTTPPolicy {
        HTTPPolicy(
            schemes: .httpOrHTTPS, maxRedirects: maxRedirects, maxBytes: maxBytes, connectTimeout: 15, timeout: nil,
            stallSeconds: stallSeconds, failOnHTTPError: true, acceptCompressed: false, caFile: caFile)
    }

    /// The HTTP client's error as an input error naming the URL (scrubbed) and, for sizes, what it was.
    private func failure(_ error: HTTPError, url: String, what: String) -> ProvenanceError {
        let shown = Self.shown(url)
        switch error.kind {
        case .setup:
            return .input(error.message)
        case .tooLarge(let limit):
            return .input("\(shown): \(what) larger than \(HTTPClient.size(limit))")
        case .truncated(let bytes):
            return .input("\(shown): the download ended early, after \(bytes) bytes (truncated)")
        case .stalled(seconds: let seconds, bytes: let bytes):
            return .input("\(shown): the download stalled (no data for \(seconds) s) after \(bytes) bytes")
        case .transport, .status, .tooManyRedirects, .refusedScheme:
            return .input("\(shown): \(error.message)")
        }
    }
}
