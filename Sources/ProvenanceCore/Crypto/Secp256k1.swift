internal import COpenSSL

/// A 65-byte recoverable ECDSA signature as Ethereum writes it: r (32) ‖ s (32) ‖ v (27 or 28).
public struct RecoverableSignature: Hashable, Sendable {
    public let r: [UInt8]
    public let s: [UInt8]
    /// Recovery id, 0 or 1 (the parity of R.y); v = 27 + recoveryID.
    public let recoveryID: UInt8

    public init(r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// Parses `r‖s‖v` with v ∈ {27, 28}, or also the raw recovery ids 0 and 1 unless `vMustBe27Or28`
    /// (manifests, whose format says 27 or 28). Range checks happen on use.
    public init(bytes: [UInt8], vMustBe27Or28: Bool = false) throws {
        guard bytes.count == 65 else {
            throw ProvenanceError.input("signature must be 65 bytes (r‖s‖v), got \(bytes.count)")
        }
        let v = bytes[64]
        guard v == 27 || v == 28 || (!vMustBe27Or28 && (v == 0 || v == 1)) else {
            throw ProvenanceError.input("signature v must be 27 or 28, got \(v)")
        }
        r = Array(bytes[0..<32])
        s = Array(bytes[32..<64])
        recoveryID = v >= 27 ? v - 27 : v
    }

    public var bytes: [UInt8] { r + s + [27 + recoveryID] }
    public var v: UInt8 { 27 + recoveryID }
}

public enum SignatureError: Error, Equatable, CustomStringConvertible {
    case rOutOfRange, sOutOfRange, highS, invalidRecoveryID, notOnCurve, pointAtInfinity, invalidPublicKey,
        invalidPrivateKey

    public var description: String {
        switch self {
        case .rOutOfRange: return "signature r is out of range"
        case .sOutOfRange: return "signature s is out of range"
        case .highS: return "signature s is in the upper half of the curve order (not EIP-2 canonical)"
        case .invalidRecoveryID: return "signature recovery id is invalid"
        case .notOnCurve: return "signature r is not the x coordinate of a curve point"
        case .pointAtInfinity: return "signature recovers to the point at infinity"
        case .invalidPublicKey: return "public key is not a valid secp256k1 point"
        case .invalidPrivateKey: return "private key must be in the range 1 … n−1"
        }
    }
}

/// secp256k1 on OpenSSL's generic EC code. OpenSSL 3.0 has no deterministic ECDSA, no recovery id
/// and no low-s rule, so those are built here on its primitives:
/// - signing computes the RFC 6979 nonce k, R = k·G with OpenSSL's constant-time ladder,
///   k⁻¹ by constant-time exponentiation, and lets ECDSA_do_sign_ex compute s with OpenSSL's
///   constant-time, blinded field code; then s is normalised to the low half (EIP-2);
/// - recovery and verification handle only public data and use wNAF multiplication with a
///   precomputed table for G (EC_GROUP_precompute_mult).
public final class Secp256k1: @unchecked Sendable {
    /// Shared, read-only after construction: EC_GROUP operations with a caller-owned BN_CTX are thread-safe.
    public static let shared = Secp256k1()

    let group: OpaquePointer
    let order: BigNum
    let halfOrder: BigNum
    let fieldPrime: BigNum
    private var glv: GLV!

    private init() {
        guard let g = EC_GROUP_new_by_curve_name(NID_secp256k1) else { fatalError("OpenSSL lacks secp256k1") }
        group = g
        let ctx = BigNumContext()
        order = BigNum()
        EC_GROUP_get_order(g, order.pointer, ctx.pointer)
        halfOrder = BigNum()
        BN_rshift1(halfOrder.pointer, order.pointer)
        fieldPrime = BigNum()
        EC_GROUP_get_curve(g, fieldPrime.pointer, nil, nil, ctx.pointer)
        // Fixed-base table for G: speeds up u1·G in recovery/verification (public data only).
        EC_GROUP_precompute_mult(g, ctx.pointer)
        glv = GLV(group: g, order: order, fieldPrime: fieldPrime)
    }

    deinit { EC_GROUP_free(group) }

    // MARK: keys

    /// Checks 1 ≤ d < n.
    func isValidPrivateKey(_ d: UnsafeRawBufferPointer) -> Bool {
        guard d.count == 32 else { return false }
        let k = BigNum(d)
        return !k.isZero && k < order
    }

    /// Uncompressed public key (0x04 ‖ X ‖ Y) of a private key.
    func publicKey(privateKey d: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard isValidPrivateKey(d) else { throw SignatureError.invalidPrivateKey }
        let ctx = BigNumContext()
        let k = BigNum(d)
        BN_set_flags(k.pointer, BN_FLG_CONSTTIME)
        let point = ECPoint(group)
        guard EC_POINT_mul(group, point.pointer, k.pointer, nil, nil, ctx.pointer) == 1 else {
            throw CryptoFailure(function: "EC_POINT_mul")
        }
        return try point.uncompressed(ctx)
    }

    // MARK: signing

    /// Deterministic (RFC 6979, HMAC-SHA256), low-s, recoverable signature of a 32-byte digest.
    /// Byte-identical to libsecp256k1 / eth-account for the same key and digest.
    func sign(digest: [UInt8], privateKey d: UnsafeRawBufferPointer) throws -> RecoverableSignature {
        precondition(digest.count == 32, "digest must be 32 bytes")
        guard isValidPrivateKey(d) else { throw SignatureError.invalidPrivateKey }
        let ctx = BigNumContext()
        let ecKey = try makeECKey(privateKey: d)
        defer { EC_KEY_free(ecKey) }

        var nonces = RFC6979(privateKey: d, digest: digest, order: order)
        while true {
            let k = nonces.next()
            BN_set_flags(k.pointer, BN_FLG_CONSTTIME)
            let R = ECPoint(group)
            guard EC_POINT_mul(group, R.pointer, k.pointer, nil, nil, ctx.pointer) == 1 else {
                throw CryptoFailure(function: "EC_POINT_mul")
            }
            let (x, y) = try R.affine(ctx)
            let r = BigNum()
            BN_nnmod(r.pointer, x.pointer, order.pointer, ctx.pointer)
            // A recovery id ≥ 2 (R.x ≥ n) cannot be expressed in Ethereum's v; r = 0 is invalid. Next nonce.
            if r.isZero || !(x < order) { continue }
            var recid: UInt8 = y.isOdd ? 1 : 0

            // k⁻¹ = k^(n−2) mod n (Fermat), constant-time in k.
            let kinv = BigNum()
            let exponent = BigNum()
            BN_copy(exponent.pointer, order.pointer)
            BN_sub_word(exponent.pointer, 2)
            guard
                BN_mod_exp_mont_consttime(kinv.pointer, k.pointer, exponent.pointer, order.pointer, ctx.pointer, nil)
                    == 1
            else {
                throw CryptoFailure(function: "BN_mod_exp_mont_consttime")
            }
            guard
                let sig = digest.withUnsafeBufferPointer({
                    ECDSA_do_sign_ex($0.baseAddress, 32, kinv.pointer, r.pointer, ecKey)
                })
            else { continue }  // s = 0: OpenSSL asks for new setup values
            defer { ECDSA_SIG_free(sig) }
            let s = BigNum()
            BN_copy(s.pointer, ECDSA_SIG_get0_s(sig))
            if halfOrder < s {
                BN_sub(s.pointer, order.pointer, s.pointer)
                recid ^= 1
            }
            return RecoverableSignature(r: r.bytes(), s: s.bytes(), recoveryID: recid)
        }
    }

    private func makeECKey(privateKey d: UnsafeRawBufferPointer) throws -> OpaquePointer {
        guard let key = EC_KEY_new() else { throw CryptoFailure(function: "EC_KEY_new") }
        let priv = BigNum(d)
        BN_set_flags(priv.pointer, BN_FLG_CONSTTIME)
        guard EC_KEY_set_group(key, group) == 1, EC_KEY_set_private_key(key, priv.pointer) == 1 else {
            EC_KEY_free(key)
            throw CryptoFailure(function: "EC_KEY_set_private_key")
        }
        return key
    }

    // MARK: recovery and verification (public data only)

    /// Range checks shared by recovery and verification: 0 < r < n, 0 < s < n, and s ≤ n/2 unless allowed.
    private func checkedScalars(r rBytes: [UInt8], s sBytes: [UInt8], allowHighS: Bool) throws -> (BigNum, BigNum) {
        guard rBytes.count == 32, sBytes.count == 32 else { throw SignatureError.rOutOfRange }
        let r = BigNum(rBytes)
        let s = BigNum(sBytes)
        guard !r.isZero, r < order else { throw SignatureError.rOutOfRange }
        guard !s.isZero, s < order else { throw SignatureError.sOutOfRange }
        if !allowHighS && halfOrder < s { throw SignatureError.highS }
        return (r, s)
    }

    /// ecrecover: the uncompressed public key that produced `signature` over `digest`.
    /// Rejects r or s out of range and high s (EIP-2) — stricter than the EVM precompile.
    func recoverPublicKey(digest: [UInt8], signature: RecoverableSignature) throws -> [UInt8] {
        precondition(digest.count == 32, "digest must be 32 bytes")
        guard signature.recoveryID <= 1 else { throw SignatureError.invalidRecoveryID }
        let (r, s) = try checkedScalars(r: signature.r, s: signature.s, allowHighS: false)
        let ctx = BigNumContext()
        // recid < 2 means R.x = r (r < n < p always holds then).
        let R = ECPoint(group)
        guard
            EC_POINT_set_compressed_coordinates(group, R.pointer, r.pointer, Int32(signature.recoveryID), ctx.pointer)
                == 1
        else {
            ERR_clear_error()
            throw SignatureError.notOnCurve
        }
        let z = BigNum(digest)
        BN_nnmod(z.pointer, z.pointer, order.pointer, ctx.pointer)
        let rInv = BigNum()
        guard BN_mod_inverse(rInv.pointer, r.pointer, order.pointer, ctx.pointer) != nil else {
            throw SignatureError.rOutOfRange
        }
        // Q = r⁻¹(s·R − z·G) = u1·G + u2·R with u1 = −z·r⁻¹, u2 = s·r⁻¹ (mod n).
        let u1 = BigNum()
        let u2 = BigNum()
        BN_mod_mul(u1.pointer, z.pointer, rInv.pointer, order.pointer, ctx.pointer)
        BN_mod_sub(u1.pointer, order.pointer, u1.pointer, order.pointer, ctx.pointer)
        BN_mod_mul(u2.pointer, s.pointer, rInv.pointer, order.pointer, ctx.pointer)
        let Q = try glv.multiply(g: u1, point: R, scalar: u2, ctx: ctx)
        guard EC_POINT_is_at_infinity(group, Q.pointer) == 0 else { throw SignatureError.pointAtInfinity }
        return try Q.uncompressed(ctx)
    }

    /// Plain ECDSA verification of (r, s) over a 32-byte digest against an uncompressed public key.
    /// With `allowHighS: false` it enforces the low-s rule (EIP-2, BIP-62).
    public func verify(
        digest: [UInt8], r rBytes: [UInt8], s sBytes: [UInt8], publicKey: [UInt8], allowHighS: Bool = false
    ) -> Bool {
        guard digest.count == 32,
            let (r, s) = try? checkedScalars(r: rBytes, s: sBytes, allowHighS: allowHighS)
        else { return false }
        let ctx = BigNumContext()
        guard let Q = try? ECPoint(group, encoded: publicKey, ctx) else { return false }
        let z = BigNum(digest)
        BN_nnmod(z.pointer, z.pointer, order.pointer, ctx.pointer)
        let sInv = BigNum()
        guard BN_mod_inverse(sInv.pointer, s.pointer, order.pointer, ctx.pointer) != nil else { return false }
        let u1 = BigNum()
        let u2 = BigNum()
        BN_mod_mul(u1.pointer, z.pointer, sInv.pointer, order.pointer, ctx.pointer)
        BN_mod_mul(u2.pointer, r.pointer, sInv.pointer, order.pointer, ctx.pointer)
        let X = ECPoint(group)
        guard EC_POINT_mul(group, X.pointer, u1.pointer, Q.pointer, u2.pointer, ctx.pointer) == 1,
            EC_POINT_is_at_infinity(group, X.pointer) == 0,
            let (x, _) = try? X.affine(ctx)
        else { return false }
        BN_nnmod(x.pointer, x.pointer, order.pointer, ctx.pointer)
        return BN_cmp(x.pointer, r.pointer) == 0
    }
}

/// u1·G + u2·R for public scalars, with secp256k1's GLV endomorphism: λ·(x, y) = (β·x, y), so
/// u2 = k1 + k2·λ (mod n) with |k1|, |k2| ≈ 2^128 gives u2·R = k1·R + k2·(λR). OpenSSL's
/// interleaved wNAF (EC_POINTs_mul; negative scalars allowed) then needs 128 doublings instead of
/// 256, while G uses the precomputed table. Only for public data: this path is not constant-time.
struct GLV {
    let group: OpaquePointer
    let order: BigNum
    let fieldPrime: BigNum
    // Constants of the standard decomposition (Gallant–Lambert–Vanstone; as in libsecp256k1).
    let beta = BigNum(hexConstant: "7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee")
    let a1 = BigNum(hexConstant: "3086d221a7d46bcde86c90e49284eb15")
    let minusB1 = BigNum(hexConstant: "e4437ed6010e88286f547fa90abfe4c3")
    let a2 = BigNum(hexConstant: "0114ca50f7a8e2f3f657c1108d9d44cfd8")
    let halfOrder: BigNum

    init(group: OpaquePointer, order: BigNum, fieldPrime: BigNum) {
        self.group = group
        self.order = order
        self.fieldPrime = fieldPrime
        halfOrder = BigNum()
        BN_rshift1(halfOrder.pointer, order.pointer)
    }

    /// round(a·k / n) for non-negative a, k.
    private func roundedQuotient(_ a: BigNum, _ k: BigNum, _ ctx: BigNumContext) -> BigNum {
        let product = BigNum()
        let q = BigNum()
        BN_mul(product.pointer, a.pointer, k.pointer, ctx.pointer)
        BN_add(product.pointer, product.pointer, halfOrder.pointer)
        BN_div(q.pointer, nil, product.pointer, order.pointer, ctx.pointer)
        return q
    }

    func multiply(g u1: BigNum, point R: ECPoint, scalar k: BigNum, ctx: BigNumContext) throws -> ECPoint {
        // c1 = round(b2·k/n) with b2 = a1; c2 = round(−b1·k/n)
        let c1 = roundedQuotient(a1, k, ctx)
        let c2 = roundedQuotient(minusB1, k, ctx)
        let k1 = BigNum()
        let k2 = BigNum()
        let t = BigNum()
        // k1 = k − c1·a1 − c2·a2
        BN_copy(k1.pointer, k.pointer)
        BN_mul(t.pointer, c1.pointer, a1.pointer, ctx.pointer)
        BN_sub(k1.pointer, k1.pointer, t.pointer)
        BN_mul(t.pointer, c2.pointer, a2.pointer, ctx.pointer)
        BN_sub(k1.pointer, k1.pointer, t.pointer)
        // k2 = −c1·b1 − c2·b2 = c1·(−b1) − c2·a1
        BN_mul(k2.pointer, c1.pointer, minusB1.pointer, ctx.pointer)
        BN_mul(t.pointer, c2.pointer, a1.pointer, ctx.pointer)
        BN_sub(k2.pointer, k2.pointer, t.pointer)

        // λR = (β·x mod p, y)
        let (x, y) = try R.affine(ctx)
        BN_mod_mul(x.pointer, x.pointer, beta.pointer, fieldPrime.pointer, ctx.pointer)
        let lambdaR = ECPoint(group)
        guard EC_POINT_set_affine_coordinates(group, lambdaR.pointer, x.pointer, y.pointer, ctx.pointer) == 1 else {
            throw CryptoFailure(function: "EC_POINT_set_affine_coordinates")
        }
        let Q = ECPoint(group)
        var points: [OpaquePointer?] = [R.pointer, lambdaR.pointer]
        var scalars: [OpaquePointer?] = [k1.pointer, k2.pointer]
        let ok = points.withUnsafeMutableBufferPointer { p in
            scalars.withUnsafeMutableBufferPointer { s in
                EC_POINTs_mul(group, Q.pointer, u1.pointer, 2, p.baseAddress, s.baseAddress, ctx.pointer)
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINTs_mul") }
        return Q
    }
}

/// An EC_POINT on secp256k1, freed in deinit.
final class ECPoint {
    let pointer: OpaquePointer
    private let group: OpaquePointer

    init(_ group: OpaquePointer) {
        guard let p = EC_POINT_new(group) else { fatalError("OpenSSL EC_POINT_new failed") }
        self.group = group
        pointer = p
    }

    /// Decodes an SEC1 point (compressed or uncompressed); OpenSSL checks that it lies on the curve.
    convenience init(_ group: OpaquePointer, encoded: [UInt8], _ ctx: BigNumContext) throws {
        self.init(group)
        guard !encoded.isEmpty, encoded[0] != 0,
            EC_POINT_oct2point(group, pointer, encoded, encoded.count, ctx.pointer) == 1,
            EC_POINT_is_at_infinity(group, pointer) == 0
        else {
            ERR_clear_error()
            throw SignatureError.invalidPublicKey
        }
    }

    deinit { EC_POINT_free(pointer) }

    func affine(_ ctx: BigNumContext) throws -> (BigNum, BigNum) {
        let x = BigNum()
        let y = BigNum()
        guard EC_POINT_get_affine_coordinates(group, pointer, x.pointer, y.pointer, ctx.pointer) == 1 else {
            throw CryptoFailure(function: "EC_POINT_get_affine_coordinates")
        }
        return (x, y)
    }

    func uncompressed(_ ctx: BigNumContext) throws -> [UInt8] {
        let (x, y) = try affine(ctx)
        return [0x04] + x.bytes() + y.bytes()
    }
}

/// RFC 6979 §3.2 deterministic nonces for secp256k1 with HMAC-SHA256, applied to the 32-byte
/// digest itself (as libsecp256k1 and eth-account do). `next()` continues the generator when a
/// candidate is rejected (k ∉ [1, n−1], or an unusable signature).
struct RFC6979 {
    private var K: [UInt8]
    private var V: [UInt8]
    private let order: BigNum
    private var first = true

    init(privateKey x: UnsafeRawBufferPointer, digest: [UInt8], order: BigNum) {
        self.order = order
        // bits2octets(h1): the digest reduced mod n.
        let ctx = BigNumContext()
        let h = BigNum(digest)
        BN_nnmod(h.pointer, h.pointer, order.pointer, ctx.pointer)
        let h1 = h.bytes()
        var key = Array(x)
        V = [UInt8](repeating: 0x01, count: 32)
        K = [UInt8](repeating: 0x00, count: 32)
        var input = V + [0x00] + key + h1
        K = HMACSHA256.mac(key: K, data: input)
        V = HMACSHA256.mac(key: K, data: V)
        wipe(&input)
        input = V + [0x01] + key + h1
        K = HMACSHA256.mac(key: K, data: input)
        V = HMACSHA256.mac(key: K, data: V)
        wipe(&input)
        wipe(&key)
    }

    /// The next candidate k with 1 ≤ k < n.
    mutating func next() -> BigNum {
        while true {
            if !first {
                K = HMACSHA256.mac(key: K, data: V + [0x00])
                V = HMACSHA256.mac(key: K, data: V)
            }
            first = false
            V = HMACSHA256.mac(key: K, data: V)
            let k = BigNum(V)
            if !k.isZero && k < order { return k }
        }
    }

    /// The first nonce, for tests against published RFC 6979 values.
    static func firstNonce(privateKey: [UInt8], digest: [UInt8]) -> [UInt8] {
        privateKey.withUnsafeBytes { d in
            var gen = RFC6979(privateKey: d, digest: digest, order: Secp256k1.shared.order)
            return gen.next().bytes()
        }
    }
}
