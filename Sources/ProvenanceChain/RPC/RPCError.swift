import ProvenanceCore

/// Everything that can go wrong talking to a chain. Each reaches the user as one line, exit code 3,
/// naming the endpoint only by scheme and host.
public enum RPCError: Error, CustomStringConvertible, Sendable {
    /// No connection, DNS failure, TLS failure, timeout — after retries.
    case unreachable(endpoint: String, reason: String)
    /// The server answered with an HTTP error status — after retries where retrying is right.
    case httpStatus(endpoint: String, status: Int)
    /// The body was not the JSON-RPC response it should be.
    case malformedResponse(endpoint: String, reason: String)
    /// A JSON-RPC error object.
    case rpc(code: Int, message: String, data: String?)
    /// The endpoint serves a different chain than the one required.
    case wrongChain(endpoint: String, expected: UInt64, actual: UInt64)

    public var description: String {
        switch self {
        case let .unreachable(e, reason): return "cannot reach the RPC endpoint \(e): \(reason)"
        case let .httpStatus(e, status): return "the RPC endpoint \(e) answered HTTP \(status)"
        case let .malformedResponse(e, reason): return "the RPC endpoint \(e) sent a malformed response: \(reason)"
        case let .rpc(code, message, data):
            return "JSON-RPC error \(code): \(message.prefix(300))" + (data.map { " (data \($0.prefix(200)))" } ?? "")
        case let .wrongChain(e, expected, actual):
            return "the RPC endpoint \(e) serves chain \(actual), expected chain \(expected)"
        }
    }

    /// The error as the tool reports it: exit code 3.
    public var asProvenanceError: ProvenanceError { ProvenanceError(.chain, description) }
}
