internal import COpenSSL
import Foundation

/// A secp256k1 private key. The 32 bytes live in SecretBytes (one allocation, wiped when the key is
/// released); the key never prints itself.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible {
    private let secret: SecretBytes
    public let address: Address
    public let publicKey: [UInt8]

    /// Takes 32 secret bytes (1 ≤ d < n).
    public init(secret: SecretBytes) throws {
        guard secret.count == 32 else { throw ProvenanceError.input("a private key is 32 bytes, got \(secret.count)") }
        self.secret = secret
        do {
            publicKey = try secret.withUnsafeBytes { try Secp256k1.shared.publicKey(privateKey: $0) }
        } catch SignatureError.invalidPrivateKey {
            throw ProvenanceError.input("not a valid secp256k1 private key (must be 1 … n−1)")
        }
        address = Address(publicKey: publicKey)
    }

    /// Takes 32 raw bytes (1 ≤ d < n); the caller's array is not wiped (prefer `init(secret:)`).
    public convenience init(bytes: [UInt8]) throws {
        var copy = bytes
        try self.init(secret: SecretBytes(wiping: &copy))
    }

    /// Parses hex (with or without 0x, surrounding whitespace ignored). The message never echoes the text.
    public convenience init(hex text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var raw = Hex.decode(trimmed), raw.count == 32 else {
            throw ProvenanceError.input("private key must be 64 hex digits (optionally 0x-prefixed)")
        }
        try self.init(secret: SecretBytes(wiping: &raw))
    }

    /// Parses hex text held in secret bytes (a key file's contents): surrounding whitespace and an
    /// optional 0x are ignored; the digits are decoded straight into a secret buffer.
    public convenience init(hexText: SecretBytes) throws {
        let key = SecretBytes(count: 32)
        let valid = hexText.withUnsafeBytes { text -> Bool in
            var digits = text[...]
            let space: Set<UInt8> = [0x20, 0x09, 0x0a, 0x0d]
            while let c = digits.first, space.contains(c) { digits = digits.dropFirst() }
            while let c = digits.last, space.contains(c) { digits = digits.dropLast() }
            if digits.count >= 2, digits[digits.startIndex] == 0x30, digits[digits.startIndex + 1] | 0x20 == 0x78 {
                digits = digits.dropFirst(2)
            }
            guard digits.count == 64 else { return false }
            return key.withUnsafeMutableBytes { out in
                for i in 0..<32 {
                    guard let hi = Hex.nibble(digits[digits.startIndex + 2 * i]),
                        let lo = Hex.nibble(digits[digits.startIndex + 2 * i + 1])
                    else { return false }
                    out[i] = hi << 4 | lo
                }
                return true
            }
        }
        guard valid else { throw ProvenanceError.input("private key must be 64 hex digits (optionally 0x-prefixed)") }
        try self.init(secret: key)
    }

    /// A new key from OpenSSL's CSPRNG.
    public static func generate() throws -> PrivateKey {
        for _ in 0..<16 {
            let candidate = SecretBytes(count: 32)
            let ok = candidate.withUnsafeMutableBytes {
                RAND_priv_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), 32)
            }
            guard ok == 1 else { throw CryptoFailure(function: "RAND_priv_bytes") }
            // Out of range (0 or ≥ n) has probability ~2^-128: draw again.
            if let key = try? PrivateKey(secret: candidate) { return key }
        }
        throw CryptoFailure(function: "RAND_priv_bytes (no valid key in 16 draws)")
    }

    /// Scoped access to the raw key bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try secret.withUnsafeBytes(body)
    }

    /// The key as SecretBytes (for encrypting it into a keystore).
    var secretBytes: SecretBytes { secret }

    /// Deterministic, low-s, recoverable signature of a 32-byte digest.
    public func sign(digest: [UInt8]) throws -> RecoverableSignature {
        try withUnsafeBytes { try Secp256k1.shared.sign(digest: digest, privateKey: $0) }
    }

    /// A key for one purpose derived from this key (HMAC-SHA256 keyed by the private key), e.g. to
    /// authenticate a journal that only this key's holder can have written.
    public func derivedKey(purpose: String) -> [UInt8] {
        var label = Array("provenance derived key: \(purpose)".utf8)
        let derived = try? HMACSHA256.mac(key: secret, data: SecretBytes(wiping: &label))
        // HMAC fails only when OpenSSL is broken; then nothing may be authenticated with it.
        guard let derived else { fatalError("OpenSSL HMAC-SHA256 failed") }
        return derived.copyBytes()
    }

    public var description: String { "PrivateKey(\(address))" }
}

/// Signature recovery and checking against addresses.
public enum ECRecover {
    /// The address that signed `digest`, rejecting malformed or non-canonical (high-s) signatures.
    public static func address(digest: [UInt8], signature: RecoverableSignature) throws -> Address {
        Address(publicKey: try Secp256k1.shared.recoverPublicKey(digest: digest, signature: signature))
    }
}
