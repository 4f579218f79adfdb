import Foundation

/// A 20-byte Ethereum address; prints in EIP-55 mixed-case checksum form.
public struct Address: Hashable, Sendable, CustomStringConvertible, Codable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 20, "an address is 20 bytes")
        self.bytes = bytes
    }

    /// The address of an uncompressed public key (0x04 ‖ X ‖ Y): the last 20 bytes of keccak(X ‖ Y).
    public init(publicKey: [UInt8]) {
        precondition(publicKey.count == 65 && publicKey[0] == 0x04, "uncompressed public key expected")
        bytes = Array(Keccak256.hash(publicKey[1...]).suffix(20))
    }

    /// Parses `0x` + 40 hex digits. All-lowercase or all-uppercase text carries no checksum and is
    /// accepted; mixed case must match EIP-55 exactly, since a wrong checksum usually means a typo.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X"), trimmed.utf8.count == 42,
            let raw = Hex.decode(trimmed, count: 20)
        else {
            throw ProvenanceError.input("not an Ethereum address (0x and 40 hex digits): \"\(text.prefix(60))\"")
        }
        // Bytes, not Characters: every manifest holds addresses, and Character case tests were most of
        // the cost of reading one (hex digits are ASCII once decoded above).
        let body = trimmed.utf8.dropFirst(2)
        let hasLower = body.contains { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        let hasUpper = body.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
        self.bytes = raw
        if hasLower && hasUpper && !self.checksummed.utf8.dropFirst(2).elementsEqual(body) {
            throw ProvenanceError.input("address \(trimmed) has a bad EIP-55 checksum (expected \(self.checksummed))")
        }
    }

    /// EIP-55: a hex letter is uppercase where the matching nibble of keccak(lowercase hex) is ≥ 8.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let hash = Keccak256.hash(lower)
        var out = Array("0x".utf8)
        out.reserveCapacity(42)
        for (i, c) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f
            out.append(nibble >= 8 && c >= UInt8(ascii: "a") ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(checksummed)
    }
}
