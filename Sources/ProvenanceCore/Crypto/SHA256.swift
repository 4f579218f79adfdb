internal import COpenSSL

/// Streaming SHA-256 through OpenSSL's EVP interface (SHA-NI where the CPU has it).
/// Owns its EVP_MD_CTX and frees it in deinit. OpenSSL's answers are checked: SHA-256 fails only on
/// a broken library or exhausted memory, and then the process stops rather than return a wrong digest
/// (a digest feeds signatures; there is no safe way to go on).
public final class SHA256Hasher {
    private let ctx: OpaquePointer

    /// SHA-256 fetched from the provider once: EVP_sha256() is looked up again (under a lock) by every
    /// EVP_DigestInit_ex, and a file's 8 KiB chunks are each a message.
    nonisolated(unsafe) private static let sha256: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA-256") }
        return md
    }()

    public init() {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("OpenSSL EVP_MD_CTX_new failed (out of memory)") }
        guard EVP_DigestInit_ex2(ctx, Self.sha256, nil) == 1 else { fatalError("OpenSSL cannot initialise SHA-256") }
        self.ctx = ctx
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) == 1 else {
            fatalError("OpenSSL SHA-256 update failed")
        }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the digest and resets the context for the next message.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        guard EVP_DigestFinal_ex(ctx, &out, &len) == 1, len == 32, EVP_DigestInit_ex2(ctx, nil, nil) == 1 else {
            fatalError("OpenSSL SHA-256 finalisation failed")
        }
        return out
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        let h = SHA256Hasher()
        h.update(bytes)
        return h.finalize()
    }
}

/// HMAC-SHA256 through OpenSSL (RFC 6979 nonces, derived keys).
public enum HMACSHA256 {
    /// HMAC of public data under a key that is not secret on its own (or whose caller wipes it).
    public static func mac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in out.withUnsafeMutableBytes { mac(key: k, data: d, into: $0) } }
        }
        guard ok else { fatalError("OpenSSL HMAC-SHA256 failed") }
        return out
    }

    /// HMAC with the key, the data and the result all secret: nothing passes through an array.
    static func mac(key: SecretBytes, data: SecretBytes) throws -> SecretBytes {
        let out = SecretBytes(count: 32)
        let ok = key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in out.withUnsafeMutableBytes { mac(key: k, data: d, into: $0) } }
        }
        guard ok else { throw CryptoFailure(function: "EVP_Q_mac(HMAC-SHA256)") }
        return out
    }

    /// One HMAC into a 32-byte buffer; false when OpenSSL fails.
    private static func mac(
        key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer
    ) -> Bool {
        var length = 0
        let result = EVP_Q_mac(
            nil, "HMAC", nil, "SHA256", nil, key.baseAddress, key.count, data.baseAddress, data.count,
            out.baseAddress, out.count, &length)
        return result != nil && length == 32
    }
}
