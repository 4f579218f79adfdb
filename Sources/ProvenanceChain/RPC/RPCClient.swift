import Foundation
import ProvenanceCore

/// JSON-RPC 2.0 over one transport: single calls and batches (responses matched by id, each
/// item's error kept apart), with retries, exponential backoff and jitter on connection failures
/// and HTTP 429/502/503/504 (honouring Retry-After). Not thread-safe: one client per thread.
/// Internal to the chain layer: everything else goes through EthClient's typed calls.
final class RPCClient {
    struct Call {
        let method: String
        let params: [JSON]
        init(_ method: String, _ params: [JSON] = []) {
            self.method = method
            self.params = params
        }
    }

    let endpoint: Endpoint
    /// Made on first use, so a libcurl set-up failure surfaces as an RPC error, not at construction.
    private var transport: (any RPCTransport)?
    private let makeTransport: () throws -> any RPCTransport
    var maxAttempts = 5
    var baseDelay = 0.25
    var maxDelay = 8.0
    /// Longest Retry-After honoured; a server asking for more is treated as unavailable.
    var maxRetryAfter = 60
    /// Calls per HTTP request in a batch (providers limit batches; 100 is accepted widely).
    var maxBatchSize = 100
    /// HTTP requests sent so far, retries included (for measuring round trips).
    private(set) var requestCount = 0
    private var nextID = 1

    init(endpoint: Endpoint, connectTimeout: Int = 10, timeout: Int = 60) {
        self.endpoint = endpoint
        makeTransport = { try HTTPTransport(connectTimeout: connectTimeout, timeout: timeout) }
    }

    /// A client over a given transport (unit tests of the sending policies).
    init(endpoint: Endpoint, transport: any RPCTransport) {
        self.endpoint = endpoint
        self.transport = transport
        makeTransport = { transport }
    }

    var connectionsOpened: Int { transport?.connectionsOpened ?? 0 }

    /// One call; a JSON-RPC error is thrown as `.rpc`.
    func call(_ method: String, _ params: [JSON] = []) throws -> JSON {
        let id = takeID()
        let response = try send(request(Call(method, params), id: id), describing: method)
        return try result(of: response, id: id).get()
    }

    /// Many calls in as few HTTP requests as the batch size allows; results in the order of `calls`.
    func batch(_ calls: [Call]) throws -> [Result<JSON, RPCError>] {
        var results: [Result<JSON, RPCError>] = []
        results.reserveCapacity(calls.count)
        var start = 0
        while start < calls.count {
            let part = Array(calls[start..<min(start + maxBatchSize, calls.count)])
            let ids = part.map { _ in takeID() }
            let response = try send(
                .array(zip(part, ids).map { request($0, id: $1) }), describing: Self.describe(part.map(\.method)))
            guard let items = response.arrayValue else {
                // Some servers answer a whole batch with one error object.
                if let e = response["error"] { throw rpcError(e) }
                throw RPCError.malformedResponse(
                    endpoint: endpoint.redacted, reason: "a batch request got a non-array reply")
            }
            var byID: [Int: JSON] = [:]
            for item in items { if let id = item["id"]?.intValue { byID[id] = item } }
            for id in ids {
                guard let item = byID[id] else {
                    throw RPCError.malformedResponse(
                        endpoint: endpoint.redacted, reason: "batch reply lacks the answer to request id \(id)")
                }
                results.append(result(of: item, id: id))
            }
            start += part.count
        }
        return results
    }

    // MARK: internals

    /// "batch of 3: eth_chainId, eth_blockNumber, eth_getCode" (methods counted when repeated).
    static func describe(_ methods: [String]) -> String {
        var counts: [(String, Int)] = []
        for m in methods {
            if let i = counts.firstIndex(where: { $0.0 == m }) { counts[i].1 += 1 } else { counts.append((m, 1)) }
        }
        let list = counts.map { $0.1 > 1 ? "\($0.0) ×\($0.1)" : $0.0 }.joined(separator: ", ")
        return "batch of \(methods.count): \(list)"
    }

    private func takeID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    private func request(_ call: Call, id: Int) -> JSON {
        .object([
            ("jsonrpc", .string("2.0")), ("id", .int(id)), ("method", .string(call.method)),
            ("params", .array(call.params)),
        ])
    }

    private func rpcError(_ e: JSON) -> RPCError {
        let data: String?
        switch e["data"] {
        case .string(let s)?: data = endpoint.scrub(s)
        case nil, .null?: data = nil
        case let other?: data = endpoint.scrub(other.compact)
        }
        return .rpc(
            code: e["code"]?.intValue ?? 0, message: endpoint.scrub(e["message"]?.stringValue ?? "(no message)"),
            data: data)
    }

    private func result(of response: JSON, id: Int) -> Result<JSON, RPCError> {
        guard response.objectValue != nil else {
            return .failure(.malformedResponse(endpoint: endpoint.redacted, reason: "reply is not an object"))
        }
        guard response["id"]?.intValue == id else {
            return .failure(
                .malformedResponse(endpoint: endpoint.redacted, reason: "reply id does not match request id \(id)"))
        }
        if let e = response["error"], !e.isNull { return .failure(rpcError(e)) }
        guard let r = response["result"] else {
            return .failure(
                .malformedResponse(endpoint: endpoint.redacted, reason: "reply has neither result nor error"))
        }
        return .success(r)
    }

    /// Told of every exchange (tool's -v): what was asked, of which host, how long it took, what came back.
    var observer: (@Sendable (RPCExchange) -> Void)?

    /// POSTs a request body, retrying transient failures; returns the parsed JSON reply.
    private func send(_ body: JSON, describing what: String) throws -> JSON {
        let bytes = Array(body.compact.utf8)
        var attempt = 0
        let started = Date()
        var last: HTTPResponse?
        var outcome = "ok"
        defer {
            observer?(
                RPCExchange(
                    what: what, endpoint: endpoint.redacted, seconds: Date().timeIntervalSince(started),
                    attempts: attempt,
                    responseBytes: last?.body.count ?? 0, outcome: outcome, request: bytes, response: last?.body ?? []))
        }
        while true {
            attempt += 1
            requestCount += 1
            var wait: Double
            do {
                let transport = try self.transport ?? makeTransport()
                self.transport = transport
                let response = try transport.post(url: endpoint.url, body: bytes)
                last = response
                outcome = response.status == 200 ? "ok" : "HTTP \(response.status)"
                switch response.status {
                case 200:
                    do { return try JSON.parse(response.body) } catch {
                        throw RPCError.malformedResponse(
                            endpoint: endpoint.redacted, reason: "the body is not JSON (\(response.body.count) bytes)")
                    }
                case 429, 502, 503, 504:
                    guard attempt < maxAttempts else {
                        throw RPCError.httpStatus(endpoint: endpoint.redacted, status: response.status)
                    }
                    if let seconds = response.retryAfter {
                        guard seconds <= maxRetryAfter else {
                            throw RPCError.httpStatus(endpoint: endpoint.redacted, status: response.status)
                        }
                        wait = Double(seconds)
                    } else {
                        wait = backoff(attempt)
                    }
                default:
                    throw RPCError.httpStatus(endpoint: endpoint.redacted, status: response.status)
                }
            } catch let failure as HTTPFailure {
                outcome = failure.message
                guard failure.transient, attempt < maxAttempts else {
                    throw RPCError.unreachable(
                        endpoint: endpoint.redacted,
                        reason: endpoint.scrub(failure.message) + (attempt > 1 ? " (after \(attempt) attempts)" : ""))
                }
                wait = backoff(attempt)
            }
            Thread.sleep(forTimeInterval: wait)
        }
    }

    /// Exponential backoff with full jitter in [0.5, 1.5) × base·2^(attempt−1), capped.
    private func backoff(_ attempt: Int) -> Double {
        min(maxDelay, baseDelay * pow(2, Double(attempt - 1))) * Double.random(in: 0.5..<1.5)
    }
}

/// One JSON-RPC exchange as the tool's -v shows it. The endpoint is only scheme, host and port; the
/// bodies are what was sent and received (no secret travels in them: keys never leave this machine).
public struct RPCExchange: Sendable {
    /// The method, or "batch of N: …".
    public let what: String
    public let endpoint: String
    public let seconds: Double
    /// HTTP requests sent for it (1 unless retried).
    public let attempts: Int
    public let responseBytes: Int
    /// "ok", "HTTP 503", or the transport's failure.
    public let outcome: String
    public let request: [UInt8]
    public let response: [UInt8]
}
