internal import COpenSSL
internal import CSHA256
import Foundation

/// Streaming SHA-256: on this project's SHA-NI kernel (CSHA256) where the CPU has the instructions, else
/// through OpenSSL's EVP interface, which is also the reference the kernel is tested against. Two hashers
/// can be fed at once (`update(_:_:_:_:)`): the kernel interleaves their rounds on one core, which costs
/// little more than one stream (SHA-NI rounds are latency-bound). OpenSSL's answers are checked: SHA-256
/// fails only on a broken library or exhausted memory, and then the process stops rather than return a
/// wrong digest (a digest feeds signatures; there is no safe way to go on).
public final class SHA256Hasher {
    /// The kernel is used when CPUID reports SHA-NI, unless PROVENANCE_SHA256=openssl (the tests and the
    /// bench force OpenSSL with it, to compare and to measure the fallback).
    public static let usesKernel: Bool =
        ProcessInfo.processInfo.environment["PROVENANCE_SHA256"] != "openssl" && pv_sha256_available() == 1

    private let evp: OpaquePointer?
    private var kernel = pv_sha256()

    /// SHA-256 fetched from the provider once: EVP_sha256() is looked up again (under a lock) by every
    /// EVP_DigestInit_ex, and a file's 8 KiB chunks are each a message.
    nonisolated(unsafe) private static let sha256: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA-256") }
        return md
    }()

    public init() {
        evp = Self.usesKernel ? nil : Self.openSSLContext()
        pv_sha256_init(&kernel)
    }

    /// Always OpenSSL, whatever the CPU: the reference the kernel is compared with.
    public init(openSSL: Void) { self.evp = Self.openSSLContext() }

    private static func openSSLContext() -> OpaquePointer {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("OpenSSL EVP_MD_CTX_new failed (out of memory)") }
        guard EVP_DigestInit_ex2(ctx, sha256, nil) == 1 else { fatalError("OpenSSL cannot initialise SHA-256") }
        return ctx
    }

    deinit { if let evp { EVP_MD_CTX_free(evp) } }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard let evp else {
            pv_sha256_update(&kernel, bytes.baseAddress, bytes.count)
            return
        }
        guard EVP_DigestUpdate(evp, bytes.baseAddress, bytes.count) == 1 else {
            fatalError("OpenSSL SHA-256 update failed")
        }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Two messages' next bytes at once, the same count for each (the same bytes may be given twice: a
    /// file's content ID and the digest of the chunk those bytes belong to).
    public static func update(
        _ a: SHA256Hasher, _ bytesA: UnsafeRawBufferPointer, _ b: SHA256Hasher, _ bytesB: UnsafeRawBufferPointer
    ) {
        precondition(bytesA.count == bytesB.count && a !== b)
        guard bytesA.count > 0 else { return }
        guard a.evp == nil, b.evp == nil else {
            a.update(bytesA)
            b.update(bytesB)
            return
        }
        pv_sha256_update2(&a.kernel, bytesA.baseAddress, &b.kernel, bytesB.baseAddress, bytesA.count)
    }

    /// Returns the digest and resets the context for the next message.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard let evp else {
            pv_sha256_final(&kernel, &out)
            return out
        }
        var len: UInt32 = 0
        guard EVP_DigestFinal_ex(evp, &out, &len) == 1, len == 32, EVP_DigestInit_ex2(evp, nil, nil) == 1 else {
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
