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
        guard trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X"), trimmed.count == 42,
            let raw = Hex.decode(trimmed, count: 20)
        else {
            throw ProvenanceError.input("not an Ethereum address (0x and 40 hex digits): \"\(text.prefix(60))\"")
        }
        let body = trimmed.dropFirst(2)
        let hasLower = body.contains { $0.isLowercase }
        let hasUpper = body.contains { $0.isUppercase }
        self.bytes = raw
        if hasLower && hasUpper && self.checksummed != "0x" + body {
            throw ProvenanceError.input("address \(trimmed) has a bad EIP-55 checksum (expected \(self.checksummed))")
        }
    }

    /// EIP-55: a hex letter is uppercase where the matching nibble of keccak(lowercase hex) is ≥ 8.
    public var checksummed: String {
        let lower = Hex.encode(bytes)
        let hash = Keccak256.hash(Array(lower.utf8))
        var out = "0x"
        for (i, c) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0f
            out.append(nibble >= 8 ? Character(c.uppercased()) : c)
        }
        return out
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
