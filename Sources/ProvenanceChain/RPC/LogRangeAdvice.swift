import ProvenanceCore

/// What a provider's refusal of an eth_getLogs range says about the range it would accept. Providers
/// word this differently (fixtures of each in devnet/faultproxy.py):
/// - Alchemy: −32600 "…up to a 500 block range. …this block range should work: [0x…, 0x…]"
/// - Infura: −32005 "query returned more than 10000 results. Try with this block range [0x…, 0x…]."
///   and −32602 "range N exceeds limit of 10000"
/// - reth: "query exceeds max block range 100000" and "query exceeds max results 20000, retry with the range A-B"
/// - publicnode: "exceed maximum block range: 50000"
/// A refusal that names nothing still means "ask for less": the range is then halved.
public struct LogRangeAdvice: Equatable, Sendable {
    /// A range the provider said would work.
    public let suggested: ClosedRange<UInt64>?
    /// The widest range, in blocks, the provider said it serves.
    public let limit: UInt64?

    /// nil when the error is not a range or result limit.
    public init?(_ error: RPCError) {
        guard case .rpc(let code, let message, _) = error else { return nil }
        let m = message.lowercased()
        guard
            code == -32005 || m.contains("range") || m.contains("limit") || m.contains("too many")
                || m.contains("exceed") || m.contains("response size") || m.contains("results")
        else { return nil }
        var suggested: ClosedRange<UInt64>?
        if let match = m.firstMatch(of: /\[\s*0x([0-9a-f]{1,16})\s*,\s*0x([0-9a-f]{1,16})\s*\]/),
            let a = UInt64(match.1, radix: 16), let b = UInt64(match.2, radix: 16), a <= b
        {
            suggested = a...b
        } else if let match = m.firstMatch(of: /range\s+(\d{1,19})\s*-\s*(\d{1,19})/), let a = UInt64(match.1),
            let b = UInt64(match.2), a <= b
        {
            suggested = a...b
        }
        self.suggested = suggested
        if let match = m.firstMatch(
            of: /(?:limit of|max block range|maximum block range:?|up to a)\s*(\d{1,3}(?:,\d{3})+|\d{1,19})/)
        {
            limit = UInt64(match.1.filter { $0 != "," }).flatMap { $0 > 0 ? $0 : nil }
        } else {
            limit = nil
        }
    }

    /// The span to try next for a refused window of `width` blocks starting at `from`: what the provider
    /// named (its suggested range's width when it starts there, or its limit), else half; always less
    /// than `width`, so a provider that keeps refusing cannot keep a scan going round.
    public func nextSpan(refusedWidth width: UInt64, from: UInt64) -> UInt64 {
        var span = width / 2
        if let suggested, suggested.lowerBound == from {
            span = suggested.upperBound - suggested.lowerBound + 1
        } else if let limit {
            span = limit
        }
        return max(1, min(span, width - 1))
    }
}
