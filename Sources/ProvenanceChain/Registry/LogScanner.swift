import ProvenanceCore

/// Fetches the logs of a block range from providers that cap eth_getLogs. It asks for the whole range
/// first; when a provider refuses, it takes the span the refusal names (LogRangeAdvice), or half, and
/// from then on asks for windows of that span, many windows to one HTTP request. The span it learns
/// is kept for the next scan through the same scanner (and in the scan cache, for the next run).
final class LogScanner {
    let client: EthClient
    /// Widest window to ask for; nil until a provider refused one.
    var span: UInt64?
    /// Windows per HTTP request (a JSON-RPC batch).
    var windowsPerRequest = 50
    /// Told of blocks scanned so far out of the total, after each HTTP request.
    var onProgress: (_ scanned: UInt64, _ total: UInt64) -> Void = { _, _ in }
    /// eth_getLogs calls made (each window, refused ones included).
    private(set) var queries = 0

    init(client: EthClient, span: UInt64? = nil) {
        self.client = client
        self.span = span
    }

    private func split(_ from: UInt64, _ to: UInt64) -> [ClosedRange<UInt64>] {
        guard let span else { return [from...to] }
        var out: [ClosedRange<UInt64>] = []
        var lo = from
        while true {
            let (end, overflow) = lo.addingReportingOverflow(span - 1)
            let hi = overflow ? to : min(end, to)
            out.append(lo...hi)
            if hi == to { return out }
            lo = hi + 1
        }
    }

    /// Every log the filters select in [from, to] (the filters' own ranges are ignored). All filters
    /// share the windows, and the queries of several windows and filters share an HTTP request.
    func scan(_ filters: [EthClient.LogFilter], from: UInt64, to: UInt64) throws -> [EthClient.Log] {
        guard from <= to, !filters.isEmpty else { return [] }
        let blocks = to - from + 1
        var pending = split(from, to).flatMap { w in filters.indices.map { (filter: $0, window: w) } }
        var logs: [EthClient.Log] = []
        var scanned: UInt64 = 0
        while !pending.isEmpty {
            let take = Array(pending.prefix(windowsPerRequest))
            pending.removeFirst(take.count)
            queries += take.count
            let answers = try client.batch(
                take.map { .logs(filters[$0.filter].range($0.window.lowerBound, $0.window.upperBound)) })
            var again: [(filter: Int, window: ClosedRange<UInt64>)] = []
            for (unit, answer) in zip(take, answers) {
                let width = unit.window.upperBound - unit.window.lowerBound + 1
                switch answer {
                case .success(.logs(let found)):
                    logs += found
                    scanned += width
                case .failure(let error):
                    guard let advice = LogRangeAdvice(error), width > 1 else { throw error }
                    let next = advice.nextSpan(refusedWidth: width, from: unit.window.lowerBound)
                    span = min(span ?? next, next)
                    again += split(unit.window.lowerBound, unit.window.upperBound).map { (unit.filter, $0) }
                default:
                    throw RPCError.malformedResponse(
                        endpoint: client.endpoint.redacted, reason: "eth_getLogs answered with something else")
                }
            }
            // Windows not yet asked for are cut to the span just learned.
            pending =
                again
                + pending.flatMap { unit in
                    split(unit.window.lowerBound, unit.window.upperBound).map { (unit.filter, $0) }
                }
            onProgress(min(blocks, scanned / UInt64(filters.count)), blocks)
        }
        return logs
    }
}
