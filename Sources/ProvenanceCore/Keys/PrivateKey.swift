internal import COpenSSL
import Foundation

/// A secp256k1 private key. The 32 bytes live in one allocation that is wiped (OPENSSL_cleanse)
/// when the key is released; the key never prints itself.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible {
    private let storage: UnsafeMutableRawBufferPointer
    public let address: Address
    public let publicKey: [UInt8]

    /// Takes 32 raw bytes (1 ≤ d < n).
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw ProvenanceError.input("a private key is 32 bytes, got \(bytes.count)") }
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 8)
        storage.copyBytes(from: bytes)
        do {
            publicKey = try Secp256k1.shared.publicKey(privateKey: UnsafeRawBufferPointer(storage))
        } catch {
            OPENSSL_cleanse(storage.baseAddress, 32)
            storage.deallocate()
            throw ProvenanceError.input("not a valid secp256k1 private key (must be 1 … n−1)")
        }
        address = Address(publicKey: publicKey)
    }

    /// Parses hex (with or without 0x, surrounding whitespace ignored). The message never echoes the text.
    public convenience init(hex text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var raw = Hex.decode(trimmed), raw.count == 32 else {
            throw ProvenanceError.input("private key must be 64 hex digits (optionally 0x-prefixed)")
        }
        defer { wipe(&raw) }
        try self.init(bytes: raw)
    }

    /// A new key from OpenSSL's CSPRNG.
    public static func generate() throws -> PrivateKey {
        while true {
            var raw = [UInt8](repeating: 0, count: 32)
            defer { wipe(&raw) }
            guard RAND_priv_bytes(&raw, 32) == 1 else { throw CryptoFailure(function: "RAND_priv_bytes") }
            if let key = try? PrivateKey(bytes: raw) { return key }
        }
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, 32)
        storage.deallocate()
    }

    /// Scoped access to the raw key bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// Deterministic, low-s, recoverable signature of a 32-byte digest.
    public func sign(digest: [UInt8]) throws -> RecoverableSignature {
        try withUnsafeBytes { try Secp256k1.shared.sign(digest: digest, privateKey: $0) }
    }

    /// A key for one purpose derived from this key (HMAC-SHA256 keyed by the private key), e.g. to
    /// authenticate a journal that only this key's holder can have written.
    public func derivedKey(purpose: String) -> [UInt8] {
        withUnsafeBytes { HMACSHA256.mac(key: Array($0), data: Array("provenance derived key: \(purpose)".utf8)) }
    }

    public var description: String { "PrivateKey(\(address))" }
}

/// Overwrites a byte array in place (best effort: Swift may have made copies earlier).
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
}

/// Signature recovery and checking against addresses.
public enum ECRecover {
    /// The address that signed `digest`, rejecting malformed or non-canonical (high-s) signatures.
    public static func address(digest: [UInt8], signature: RecoverableSignature) throws -> Address {
        Address(publicKey: try Secp256k1.shared.recoverPublicKey(digest: digest, signature: signature))
    }
}
