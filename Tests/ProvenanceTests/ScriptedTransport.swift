import Foundation

@testable import ProvenanceChain
@testable import ProvenanceCore

/// A JSON-RPC endpoint in memory for unit tests of policies (nonces, fee bumps, hostile numbers):
/// answers each method from a table or a closure, and records every call. Integration tests use the
/// real transport against the devnet; this stands in only for a unit of logic.
final class ScriptedTransport: RPCTransport {
    /// Fixed answers by method.
    var answers: [String: JSON]
    /// Answers computed from the call (checked before `answers`); return nil to fall through.
    var handler: ((String, [JSON]) -> Result<JSON, RPCError>?)?
    private(set) var calls: [(method: String, params: [JSON])] = []
    let connectionsOpened = 1

    init(answers: [String: JSON] = [:]) { self.answers = answers }

    func client() -> EthClient {
        EthClient(rpc: RPCClient(endpoint: try! Endpoint("http://127.0.0.1:1"), transport: self))
    }

    func post(url: String, body: [UInt8]) throws -> HTTPResponse {
        let request = try JSON.parse(body)
        let items = request.arrayValue ?? [request]
        let replies = items.map { item -> JSON in
            let method = item["method"]?.stringValue ?? ""
            let params = item["params"]?.arrayValue ?? []
            calls.append((method, params))
            let id = item["id"] ?? .null
            let outcome = handler?(method, params) ?? answers[method].map { .success($0) }
            switch outcome {
            case .success(let value)?:
                return .object([("jsonrpc", .string("2.0")), ("id", id), ("result", value)])
            case .failure(.rpc(let code, let message, _))?:
                return .object([
                    ("jsonrpc", .string("2.0")), ("id", id),
                    ("error", .object([("code", .int(code)), ("message", .string(message))])),
                ])
            default:
                return .object([
                    ("jsonrpc", .string("2.0")), ("id", id),
                    ("error", .object([("code", .int(-32601)), ("message", .string("no answer for \(method)"))])),
                ])
            }
        }
        let reply = request.arrayValue == nil ? replies[0] : .array(replies)
        return HTTPResponse(status: 200, body: Array(reply.compact.utf8))
    }
}
