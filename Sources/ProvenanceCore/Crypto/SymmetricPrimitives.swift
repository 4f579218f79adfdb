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

    /// scrypt into a secret buffer; the password is read in place.
    static func scrypt(password: SecretBytes, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws
        -> SecretBytes
    {
        try checkScrypt(n: n, r: r, p: p)
        let out = SecretBytes(count: length)
        let maxmem = n * 128 * r + 128 * r * p + (1 << 20)
        let ok = password.withUnsafeBytes { pw in
            out.withUnsafeMutableBytes { o in
                EVP_PBE_scrypt(
                    pw.baseAddress?.assumingMemoryBound(to: CChar.self), pw.count, salt, salt.count, n, r, p, maxmem,
                    o.baseAddress?.assumingMemoryBound(to: UInt8.self), length)
            }
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw ProvenanceError.input("scrypt key derivation failed for n=\(n), r=\(r), p=\(p)")
        }
        return out
    }

    static func pbkdf2SHA256(password: SecretBytes, salt: [UInt8], iterations: Int, length: Int) throws -> SecretBytes {
        guard iterations >= 1, iterations <= maxPBKDF2Iterations else {
            throw ProvenanceError.input("keystore has an unreasonable pbkdf2 iteration count (\(iterations))")
        }
        let out = SecretBytes(count: length)
        let ok = password.withUnsafeBytes { pw in
            out.withUnsafeMutableBytes { o in
                PKCS5_PBKDF2_HMAC(
                    pw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(pw.count), salt, Int32(salt.count),
                    Int32(iterations), EVP_sha256(), Int32(length), o.baseAddress?.assumingMemoryBound(to: UInt8.self))
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "PKCS5_PBKDF2_HMAC") }
        return out
    }
}

enum AES128CTR {
    /// Encryption and decryption are the same operation in counter mode. The key and the plaintext side
    /// are secret, so both stay in SecretBytes; the ciphertext side is public.
    static func encrypt(key: SecretBytes, iv: [UInt8], plaintext: SecretBytes) throws -> [UInt8] {
        let out = try apply(key: key, iv: iv, count: plaintext.count) { body in try plaintext.withUnsafeBytes(body) }
        return out.copyBytes()
    }

    static func decrypt(key: SecretBytes, iv: [UInt8], ciphertext: [UInt8]) throws -> SecretBytes {
        try apply(key: key, iv: iv, count: ciphertext.count) { body in try ciphertext.withUnsafeBytes(body) }
    }

    private static func apply(
        key: SecretBytes, iv: [UInt8], count: Int,
        input: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> SecretBytes {
        guard key.count == 16, iv.count == 16 else {
            throw ProvenanceError.input("aes-128-ctr needs a 16-byte key and iv")
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoFailure(function: "EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        let out = SecretBytes(count: count + 16)
        var len: Int32 = 0
        var tail: Int32 = 0
        var ok = false
        try input { data in
            ok = key.withUnsafeBytes { k in
                out.withUnsafeMutableBytes { o in
                    let op = o.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    return EVP_EncryptInit_ex(
                        ctx, EVP_aes_128_ctr(), nil, k.baseAddress?.assumingMemoryBound(to: UInt8.self), iv) == 1
                        && EVP_EncryptUpdate(
                            ctx, op, &len, data.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(data.count))
                            == 1
                        && EVP_EncryptFinal_ex(ctx, op + Int(len), &tail) == 1
                }
            }
        }
        guard ok, Int(len + tail) == count else { throw CryptoFailure(function: "EVP_EncryptUpdate(aes-128-ctr)") }
        return out.slice(0..<count)
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
