/// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B).
/// The decoder is strict: it accepts only the canonical encoding of a value and nothing after it,
/// so a decoded transaction re-encodes to the same bytes.
public indirect enum RLP: Equatable, Sendable {
    case bytes([UInt8])
    case list([RLP])

    /// A non-negative integer as minimal big-endian bytes (zero is the empty string, 0x80).
    public static func uint(_ value: UInt64) -> RLP {
        var bytes: [UInt8] = []
        var v = value
        while v > 0 {
            bytes.insert(UInt8(v & 0xff), at: 0)
            v >>= 8
        }
        return .bytes(bytes)
    }

    /// A big-endian unsigned integer of any width, leading zeros stripped.
    public static func uint(bigEndian bytes: [UInt8]) -> RLP { .bytes(Array(bytes.drop { $0 == 0 })) }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    private func append(to out: inout [UInt8]) {
        switch self {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 {
                out.append(b[0])
                return
            }
            Self.appendHeader(length: b.count, short: 0x80, long: 0xb7, to: &out)
            out.append(contentsOf: b)
        case .list(let items):
            var payload: [UInt8] = []
            for item in items { item.append(to: &payload) }
            Self.appendHeader(length: payload.count, short: 0xc0, long: 0xf7, to: &out)
            out.append(contentsOf: payload)
        }
    }

    private static func appendHeader(length: Int, short: UInt8, long: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(short + UInt8(length))
            return
        }
        var lengthBytes: [UInt8] = []
        var n = length
        while n > 0 {
            lengthBytes.insert(UInt8(n & 0xff), at: 0)
            n >>= 8
        }
        out.append(long + UInt8(lengthBytes.count))
        out.append(contentsOf: lengthBytes)
    }

    // MARK: decoding

    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid RLP: \(reason)" }
    }

    /// Nesting bound: transactions nest 3 deep; anything near this is hostile.
    static let maxDepth = 32

    public static func decode(_ data: [UInt8]) throws -> RLP {
        var pos = 0
        let item = try decodeItem(data, &pos, end: data.count, depth: 0)
        guard pos == data.count else { throw DecodeError(reason: "\(data.count - pos) bytes after the value") }
        return item
    }

    private static func decodeItem(_ d: [UInt8], _ pos: inout Int, end: Int, depth: Int) throws -> RLP {
        guard depth < maxDepth else { throw DecodeError(reason: "nested deeper than \(maxDepth)") }
        guard pos < end else { throw DecodeError(reason: "unexpected end") }
        let prefix = d[pos]
        pos += 1
        switch prefix {
        case 0x00...0x7f:
            return .bytes([prefix])
        case 0x80...0xbf:
            let length = try readLength(d, &pos, end: end, prefix: prefix, short: 0x80, long: 0xb7)
            let bytes = Array(d[pos..<pos + length])
            if length == 1 && bytes[0] < 0x80 {
                throw DecodeError(reason: "single byte below 0x80 must encode as itself")
            }
            pos += length
            return .bytes(bytes)
        default:
            let length = try readLength(d, &pos, end: end, prefix: prefix, short: 0xc0, long: 0xf7)
            let listEnd = pos + length
            var items: [RLP] = []
            while pos < listEnd { items.append(try decodeItem(d, &pos, end: listEnd, depth: depth + 1)) }
            return .list(items)
        }
    }

    /// Reads the payload length after a prefix byte and checks it fits before `end`.
    private static func readLength(_ d: [UInt8], _ pos: inout Int, end: Int, prefix: UInt8, short: UInt8, long: UInt8)
        throws -> Int
    {
        var length: Int
        if prefix <= long {
            length = Int(prefix - short)
        } else {
            let lengthOfLength = Int(prefix - long)
            guard lengthOfLength <= 4 else {
                throw DecodeError(reason: "length field of \(lengthOfLength) bytes is absurd")
            }
            guard pos + lengthOfLength <= end else { throw DecodeError(reason: "truncated length") }
            guard d[pos] != 0 else { throw DecodeError(reason: "length with leading zero") }
            length = 0
            for _ in 0..<lengthOfLength {
                length = length << 8 | Int(d[pos])
                pos += 1
            }
            guard length >= 56 else { throw DecodeError(reason: "long form used for a length below 56") }
        }
        guard length <= end - pos else { throw DecodeError(reason: "length \(length) runs past the end") }
        return length
    }

    // MARK: access

    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }
    public var listValue: [RLP]? {
        if case .list(let l) = self { return l }
        return nil
    }
}
