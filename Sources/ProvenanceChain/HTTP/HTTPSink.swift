internal import CCurl
internal import CShim

/// Where libcurl's write callback puts a reply's body, for every user of HTTP: collected up to a cap (a
/// hostile server cannot exhaust memory: past it the transfer stops), or handed chunk by chunk to a
/// handler that keeps what it needs (a hasher: nothing written to disk) and may stop the transfer.
/// libcurl gets it as CURLOPT_WRITEDATA through Unmanaged; HTTPConnection retains it for one transfer.
/// Used on that transfer's thread only.
final class HTTPSink {
    /// Most bytes collected; nil when streaming (the handler bounds what it keeps).
    let limit: Int?
    private let onData: ((UnsafeRawBufferPointer) -> Bool)?
    private let onProgress: ((UInt64, UInt64?) -> Void)?
    /// The collected body (empty when streaming).
    private(set) var body: [UInt8] = []
    /// Bytes accepted so far.
    private(set) var bytes: UInt64 = 0
    /// The body passed `limit`: the transfer was stopped, and this, not libcurl's write error, is why.
    private(set) var overflowed = false
    /// The handler asked to stop: the transfer ended by choice, not by failure.
    private(set) var stopped = false
    /// The handle of the transfer, for the announced length the progress handler is told.
    var handle: UnsafeMutableRawPointer?

    init(collectingUpTo limit: Int, onProgress: ((UInt64, UInt64?) -> Void)? = nil) {
        self.limit = limit
        onData = nil
        self.onProgress = onProgress
    }

    init(onData: @escaping (UnsafeRawBufferPointer) -> Bool, onProgress: ((UInt64, UInt64?) -> Void)? = nil) {
        limit = nil
        self.onData = onData
        self.onProgress = onProgress
    }

    /// Takes one chunk; false stops the transfer (libcurl then reports a write error, which the flags
    /// above explain).
    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let onData {
            guard onData(chunk) else {
                stopped = true
                return false
            }
        } else {
            if let limit, body.count + chunk.count > limit {
                overflowed = true
                return false
            }
            body.append(contentsOf: chunk)
        }
        bytes += UInt64(chunk.count)
        if let onProgress {
            // An unknown length is normal (chunked replies): the progress handler is told nil.
            var length: curl_off_t = -1
            var known = false
            if let handle {
                known = pv_curl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK
            }
            onProgress(bytes, known && length >= 0 ? UInt64(length) : nil)
        }
        return true
    }

    /// Installs the callback that hands each chunk to the sink passed as CURLOPT_WRITEDATA.
    static func installWriteCallback(_ handle: UnsafeMutableRawPointer) -> CURLcode {
        pv_curl_setopt_write_callback(handle) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let (n, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { return 0 }
            let sink = Unmanaged<HTTPSink>.fromOpaque(userdata).takeUnretainedValue()
            return sink.receive(UnsafeRawBufferPointer(start: ptr, count: n)) ? n : 0
        }
    }
}
