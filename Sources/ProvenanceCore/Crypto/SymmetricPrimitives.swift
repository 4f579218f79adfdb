internal import COpenSSL

/// Key derivation and AES-CTR through OpenSSL, for keystores.
enum KDF {
    /// Largest scrypt working set accepted (128·r·N bytes): geth's default needs 256 MiB.
    static let maxScryptMemory: UInt64 = 1 << 30

    static let maxPBKDF2Iterations = 100_000_000

    /// Most scrypt work accepted, N·r·p (each unit one 128-byte BlockMix): geth's standard keystore is
    /// 2^18·8·1 = 2^21 (about a second here); 2^26 is ~30 s, a generous bound for slow, careful keystores.
    static let maxScryptWork: UInt64 = 1 << 26

    /// Refuses scrypt parameters that are invalid, absurd or unsupported, before any allocation.
    static func checkScrypt(n: UInt64, r: UInt64, p: UInt64) throws {
        guard n > 1, n & (n - 1) == 0, r >= 1, p >= 1, r <= 1024, p <= 1024 else {
            throw ProvenanceError.input("keystore has invalid scrypt parameters (n=\(n), r=\(r), p=\(p))")
        }
        // Refuse before allocating: a hostile keystore could otherwise ask for terabytes.
        let (memory, overflow) = n.multipliedReportingOverflow(by: 128 * r)
        guard !overflow, memory <= maxScryptMemory else {
            throw ProvenanceError.input(
                "keystore asks for \(overflow ? "more than 2^64" : "\(memory >> 20) MiB of") scrypt memory (n=\(n), r=\(r)); refusing more than \(maxScryptMemory >> 20) MiB"
            )
        }
        // Memory alone does not bound the time: p multiplies the work without adding memory.
        let (work, workOverflow) = n.multipliedReportingOverflow(by: r * p)
        guard !workOverflow, work <= maxScryptWork else {
            throw ProvenanceError.input(
                "keystore asks for scrypt work n·r·p = \(workOverflow ? "more than 2^64" : String(work)) (n=\(n), r=\(r), p=\(p)); refusing more than 2^26"
            )
        }
        // RFC 7914 requires N < 2^(128·r/8); OpenSSL enforces it and some old keystores break it.
        if r < 4 && n >= (UInt64(1) << (16 * r)) {
            throw ProvenanceError.input(
                "keystore scrypt parameters n=\(n), r=\(r), p=\(p) break RFC 7914 (n must be below 2^(16·r)); OpenSSL refuses them — re-encrypt the key with standard parameters"
            )
        }
    }

    static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws -> [UInt8]
    {
        try checkScrypt(n: n, r: r, p: p)
        let memory = n * 128 * r
        var out = [UInt8](repeating: 0, count: length)
        let maxmem = memory + 128 * r * p + (1 << 20)
        guard
            EVP_PBE_scrypt(
                password.map { CChar(bitPattern: $0) }, password.count, salt, salt.count, n, r, p, maxmem, &out, length)
                == 1
        else {
            ERR_clear_error()
            throw ProvenanceError.input("scrypt key derivation failed for n=\(n), r=\(r), p=\(p)")
        }
        return out
    }

    static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws -> [UInt8] {
        guard iterations >= 1, iterations <= maxPBKDF2Iterations else {
            throw ProvenanceError.input("keystore has an unreasonable pbkdf2 iteration count (\(iterations))")
        }
        var out = [UInt8](repeating: 0, count: length)
        guard
            PKCS5_PBKDF2_HMAC(
                password.map { CChar(bitPattern: $0) }, Int32(password.count), salt, Int32(salt.count),
                Int32(iterations), EVP_sha256(), Int32(length), &out) == 1
        else {
            throw CryptoFailure(function: "PKCS5_PBKDF2_HMAC")
        }
        return out
    }
}

enum AES128CTR {
    /// Encryption and decryption are the same operation in counter mode.
    static func apply(key: [UInt8], iv: [UInt8], data: [UInt8]) throws -> [UInt8] {
        guard key.count == 16, iv.count == 16 else {
            throw ProvenanceError.input("aes-128-ctr needs a 16-byte key and iv")
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoFailure(function: "EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: data.count + 16)
        var len: Int32 = 0
        var tail: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nil, key, iv) == 1,
            EVP_EncryptUpdate(ctx, &out, &len, data, Int32(data.count)) == 1,
            out.withUnsafeMutableBufferPointer({ EVP_EncryptFinal_ex(ctx, $0.baseAddress! + Int(len), &tail) }) == 1
        else {
            throw CryptoFailure(function: "EVP_EncryptUpdate(aes-128-ctr)")
        }
        return Array(out[0..<Int(len + tail)])
    }
}

public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw CryptoFailure(function: "RAND_bytes") }
        return out
    }
}

/// Constant-time equality for MACs.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && CRYPTO_memcmp(a, b, a.count) == 0
}
