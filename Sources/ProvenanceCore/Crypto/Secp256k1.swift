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
/// Every OpenSSL return code is checked: a failure throws (CryptoFailure for the library's own faults,
/// SignatureError for bad signatures), and signing gives up after a bounded number of nonces.
public final class Secp256k1: @unchecked Sendable {
    /// Shared, read-only after construction: EC_GROUP operations with a caller-owned BN_CTX are thread-safe.
    public static let shared: Secp256k1 = {
        do { return try Secp256k1() } catch { fatalError("OpenSSL cannot set up secp256k1: \(error)") }
    }()

    private let group: OpaquePointer
    let order: BigNum
    let halfOrder: BigNum
    let fieldPrime: BigNum
    private let glv: GLV

    private init() throws {
        guard let g = EC_GROUP_new_by_curve_name(NID_secp256k1) else {
            throw CryptoFailure(function: "EC_GROUP_new_by_curve_name(secp256k1)")
        }
        group = g
        let ctx = try BigNumContext()
        let order = try BigNum()
        let fieldPrime = try BigNum()
        let ok = ctx.withUnsafeContext { c in
            order.withUnsafeBignumPointer { o in EC_GROUP_get_order(g, o, c) } == 1
                && fieldPrime.withUnsafeBignumPointer { p in EC_GROUP_get_curve(g, p, nil, nil, c) } == 1
                // Fixed-base table for G: speeds up u1·G in recovery/verification (public data only).
                && EC_GROUP_precompute_mult(g, c) == 1
        }
        guard ok else {
            EC_GROUP_free(g)
            throw CryptoFailure(function: "EC_GROUP_get_order/get_curve/precompute_mult")
        }
        self.order = order
        self.fieldPrime = fieldPrime
        halfOrder = try order.halved()
        glv = try GLV(group: g, order: order, fieldPrime: fieldPrime)
    }

    deinit { EC_GROUP_free(group) }

    // MARK: keys

    /// Checks 1 ≤ d < n.
    func isValidPrivateKey(_ d: UnsafeRawBufferPointer) -> Bool {
        guard d.count == 32, let k = try? BigNum(d) else { return false }
        return !k.isZero && k < order
    }

    /// Uncompressed public key (0x04 ‖ X ‖ Y) of a private key.
    func publicKey(privateKey d: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard isValidPrivateKey(d) else { throw SignatureError.invalidPrivateKey }
        let ctx = try BigNumContext()
        let k = try BigNum(d)
        k.setConstantTime()
        let point = try ECPoint(group)
        try point.setToGeneratorMultiple(k, ctx)
        return try point.uncompressed(ctx)
    }

    // MARK: signing

    /// Nonces tried before giving up: each retry has probability ~2^-127 (R.x ≥ n, r = 0 or s = 0),
    /// so reaching this bound means OpenSSL is failing, not bad luck.
    static let maxSigningAttempts = 8

    /// Deterministic (RFC 6979, HMAC-SHA256), low-s, recoverable signature of a 32-byte digest.
    /// Byte-identical to libsecp256k1 / eth-account for the same key and digest.
    func sign(digest: [UInt8], privateKey d: UnsafeRawBufferPointer) throws -> RecoverableSignature {
        precondition(digest.count == 32, "digest must be 32 bytes")
        guard isValidPrivateKey(d) else { throw SignatureError.invalidPrivateKey }
        let ctx = try BigNumContext()
        let ecKey = try makeOwnedECKey(privateKey: d)
        defer { EC_KEY_free(ecKey) }
        let exponent = try order.subtracting(word: 2)

        var nonces = try RFC6979(privateKey: d, digest: digest, order: order)
        for _ in 0..<Self.maxSigningAttempts {
            let k = try nonces.next()
            k.setConstantTime()
            let R = try ECPoint(group)
            try R.setToGeneratorMultiple(k, ctx)
            let (x, y) = try R.affine(ctx)
            let r = try x.reduced(mod: order, ctx)
            // A recovery id ≥ 2 (R.x ≥ n) cannot be expressed in Ethereum's v; r = 0 is invalid. Next nonce.
            if r.isZero || !(x < order) { continue }
            var recid: UInt8 = y.isOdd ? 1 : 0
            // k⁻¹ = k^(n−2) mod n (Fermat), constant-time in k.
            let kinv = try k.modPowerConstantTime(exponent, mod: order, ctx)
            ERR_clear_error()
            let signature = digest.withUnsafeBufferPointer { z in
                kinv.withUnsafeBignumPointer { ki in
                    r.withUnsafeBignumPointer { rp in ECDSA_do_sign_ex(z.baseAddress, 32, ki, rp, ecKey) }
                }
            }
            guard let sig = signature else {
                // NULL with an error queued is a failure; with none, s = 0 and OpenSSL asks for another nonce.
                if ERR_peek_error() != 0 {
                    ERR_clear_error()
                    throw CryptoFailure(function: "ECDSA_do_sign_ex")
                }
                continue
            }
            defer { ECDSA_SIG_free(sig) }
            guard let sPointer = ECDSA_SIG_get0_s(sig) else { throw CryptoFailure(function: "ECDSA_SIG_get0_s") }
            let raw = try BigNum()
            guard raw.withUnsafeBignumPointer({ BN_copy($0, sPointer) }) != nil else {
                throw CryptoFailure(function: "BN_copy")
            }
            var s = raw
            if halfOrder < s {
                s = try order.subtracting(s)
                recid ^= 1
            }
            return RecoverableSignature(r: try r.bytes(), s: try s.bytes(), recoveryID: recid)
        }
        throw CryptoFailure(function: "ECDSA signing (no usable nonce in \(Self.maxSigningAttempts) attempts)")
    }

    /// An EC_KEY holding `d`; the caller owns it and frees it with EC_KEY_free.
    private func makeOwnedECKey(privateKey d: UnsafeRawBufferPointer) throws -> OpaquePointer {
        guard let key = EC_KEY_new() else { throw CryptoFailure(function: "EC_KEY_new") }
        let priv = try BigNum(d)
        priv.setConstantTime()
        guard EC_KEY_set_group(key, group) == 1,
            priv.withUnsafeBignumPointer({ EC_KEY_set_private_key(key, $0) }) == 1
        else {
            EC_KEY_free(key)
            throw CryptoFailure(function: "EC_KEY_set_private_key")
        }
        return key
    }

    // MARK: recovery and verification (public data only)

    /// Range checks shared by recovery and verification: 0 < r < n, 0 < s < n, and s ≤ n/2 unless allowed.
    private func checkedScalars(r rBytes: [UInt8], s sBytes: [UInt8], allowHighS: Bool) throws -> (BigNum, BigNum) {
        guard rBytes.count == 32, sBytes.count == 32 else { throw SignatureError.rOutOfRange }
        let r = try BigNum(rBytes)
        let s = try BigNum(sBytes)
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
        let ctx = try BigNumContext()
        // recid < 2 means R.x = r (r < n < p always holds then).
        let R = try ECPoint(group)
        try R.setCompressed(x: r, odd: signature.recoveryID == 1, ctx)
        let z = try BigNum(digest).reduced(mod: order, ctx)
        guard let rInv = try r.modInverse(order, ctx) else { throw SignatureError.rOutOfRange }
        // Q = r⁻¹(s·R − z·G) = u1·G + u2·R with u1 = −z·r⁻¹, u2 = s·r⁻¹ (mod n).
        let zr = try z.modMultiplied(by: rInv, mod: order, ctx)
        let u1 = try order.modSubtracted(zr, mod: order, ctx)
        let u2 = try s.modMultiplied(by: rInv, mod: order, ctx)
        let Q = try glv.multiply(g: u1, point: R, scalar: u2, ctx: ctx)
        guard !Q.isAtInfinity else { throw SignatureError.pointAtInfinity }
        return try Q.uncompressed(ctx)
    }

    /// Plain ECDSA verification of (r, s) over a 32-byte digest against an uncompressed public key.
    /// With `allowHighS: false` it enforces the low-s rule (EIP-2, BIP-62).
    public func verify(
        digest: [UInt8], r rBytes: [UInt8], s sBytes: [UInt8], publicKey: [UInt8], allowHighS: Bool = false
    ) -> Bool {
        guard digest.count == 32, let (r, s) = try? checkedScalars(r: rBytes, s: sBytes, allowHighS: allowHighS),
            let ctx = try? BigNumContext(), let Q = try? ECPoint(group, encoded: publicKey, ctx)
        else { return false }
        do {
            let z = try BigNum(digest).reduced(mod: order, ctx)
            guard let sInv = try s.modInverse(order, ctx) else { return false }
            let u1 = try z.modMultiplied(by: sInv, mod: order, ctx)
            let u2 = try r.modMultiplied(by: sInv, mod: order, ctx)
            let X = try ECPoint(group)
            try X.setToLinearCombination(g: u1, point: Q, scalar: u2, ctx)
            guard !X.isAtInfinity else { return false }
            let (x, _) = try X.affine(ctx)
            return try x.reduced(mod: order, ctx) == r
        } catch {
            return false
        }
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

    init(group: OpaquePointer, order: BigNum, fieldPrime: BigNum) throws {
        self.group = group
        self.order = order
        self.fieldPrime = fieldPrime
        halfOrder = try order.halved()
    }

    /// round(a·k / n) for non-negative a, k.
    private func roundedQuotient(_ a: BigNum, _ k: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try a.multiplied(by: k, ctx).adding(halfOrder).divided(by: order, ctx)
    }

    func multiply(g u1: BigNum, point R: ECPoint, scalar k: BigNum, ctx: BigNumContext) throws -> ECPoint {
        // c1 = round(b2·k/n) with b2 = a1; c2 = round(−b1·k/n)
        let c1 = try roundedQuotient(a1, k, ctx)
        let c2 = try roundedQuotient(minusB1, k, ctx)
        // k1 = k − c1·a1 − c2·a2
        let k1 = try k.subtracting(c1.multiplied(by: a1, ctx)).subtracting(c2.multiplied(by: a2, ctx))
        // k2 = −c1·b1 − c2·b2 = c1·(−b1) − c2·a1
        let k2 = try c1.multiplied(by: minusB1, ctx).subtracting(c2.multiplied(by: a1, ctx))
        // λR = (β·x mod p, y)
        let (x, y) = try R.affine(ctx)
        let lambdaR = try ECPoint(group)
        try lambdaR.setAffine(x: try x.modMultiplied(by: beta, mod: fieldPrime, ctx), y: y, ctx)
        let Q = try ECPoint(group)
        try Q.setToCombination(g: u1, R, k1, lambdaR, k2, ctx)
        return Q
    }
}

/// An EC_POINT on secp256k1, freed in deinit; its pointer is used only inside this type's methods,
/// each of which checks OpenSSL's answer.
final class ECPoint {
    private let pointer: OpaquePointer
    private let group: OpaquePointer

    init(_ group: OpaquePointer) throws {
        guard let p = EC_POINT_new(group) else { throw CryptoFailure(function: "EC_POINT_new") }
        self.group = group
        pointer = p
    }

    /// Decodes an SEC1 point (compressed or uncompressed); OpenSSL checks that it lies on the curve.
    convenience init(_ group: OpaquePointer, encoded: [UInt8], _ ctx: BigNumContext) throws {
        try self.init(group)
        let decoded = ctx.withUnsafeContext { c in
            !encoded.isEmpty && encoded[0] != 0 && EC_POINT_oct2point(group, pointer, encoded, encoded.count, c) == 1
        }
        guard decoded, !isAtInfinity else {
            ERR_clear_error()
            throw SignatureError.invalidPublicKey
        }
    }

    deinit { EC_POINT_free(pointer) }

    var isAtInfinity: Bool { EC_POINT_is_at_infinity(group, pointer) == 1 }

    /// self = k·G (OpenSSL's constant-time ladder when k is flagged constant-time).
    func setToGeneratorMultiple(_ k: BigNum, _ ctx: BigNumContext) throws {
        let ok = k.withUnsafeBignumPointer { kp in
            ctx.withUnsafeContext { EC_POINT_mul(group, pointer, kp, nil, nil, $0) }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINT_mul") }
    }

    /// self = u1·G + u2·P.
    func setToLinearCombination(g u1: BigNum, point P: ECPoint, scalar u2: BigNum, _ ctx: BigNumContext) throws {
        let ok = u1.withUnsafeBignumPointer { a in
            u2.withUnsafeBignumPointer { b in
                ctx.withUnsafeContext { EC_POINT_mul(group, pointer, a, P.pointer, b, $0) }
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINT_mul") }
    }

    /// self = u1·G + k1·P1 + k2·P2 (interleaved wNAF; negative scalars allowed).
    func setToCombination(
        g u1: BigNum, _ p1: ECPoint, _ k1: BigNum, _ p2: ECPoint, _ k2: BigNum, _ ctx: BigNumContext
    ) throws {
        let ok = k1.withUnsafeBignumPointer { s1 in
            k2.withUnsafeBignumPointer { s2 in
                u1.withUnsafeBignumPointer { g in
                    ctx.withUnsafeContext { c in
                        var points: [OpaquePointer?] = [p1.pointer, p2.pointer]
                        var scalars: [OpaquePointer?] = [s1, s2]
                        return points.withUnsafeMutableBufferPointer { p in
                            scalars.withUnsafeMutableBufferPointer { s in
                                EC_POINTs_mul(group, pointer, g, 2, p.baseAddress, s.baseAddress, c)
                            }
                        }
                    }
                }
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINTs_mul") }
    }

    /// self = the point with x-coordinate x and the given parity of y; a bad x is an invalid signature.
    func setCompressed(x: BigNum, odd: Bool, _ ctx: BigNumContext) throws {
        let ok = x.withUnsafeBignumPointer { xp in
            ctx.withUnsafeContext { EC_POINT_set_compressed_coordinates(group, pointer, xp, odd ? 1 : 0, $0) }
        }
        guard ok == 1 else {
            ERR_clear_error()
            throw SignatureError.notOnCurve
        }
    }

    func setAffine(x: BigNum, y: BigNum, _ ctx: BigNumContext) throws {
        let ok = x.withUnsafeBignumPointer { xp in
            y.withUnsafeBignumPointer { yp in
                ctx.withUnsafeContext { EC_POINT_set_affine_coordinates(group, pointer, xp, yp, $0) }
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINT_set_affine_coordinates") }
    }

    func affine(_ ctx: BigNumContext) throws -> (BigNum, BigNum) {
        let x = try BigNum()
        let y = try BigNum()
        let ok = x.withUnsafeBignumPointer { xp in
            y.withUnsafeBignumPointer { yp in
                ctx.withUnsafeContext { EC_POINT_get_affine_coordinates(group, pointer, xp, yp, $0) }
            }
        }
        guard ok == 1 else { throw CryptoFailure(function: "EC_POINT_get_affine_coordinates") }
        return (x, y)
    }

    func uncompressed(_ ctx: BigNumContext) throws -> [UInt8] {
        let (x, y) = try affine(ctx)
        return [0x04] + (try x.bytes()) + (try y.bytes())
    }
}

/// RFC 6979 §3.2 deterministic nonces for secp256k1 with HMAC-SHA256, applied to the 32-byte
/// digest itself (as libsecp256k1 and eth-account do). `next()` continues the generator when a
/// candidate is rejected (k ∉ [1, n−1], or an unusable signature). K and V, from which the nonces
/// (and so the key) follow, live in SecretBytes.
struct RFC6979 {
    private var K: SecretBytes
    private var V: SecretBytes
    private let order: BigNum
    private var first = true

    init(privateKey x: UnsafeRawBufferPointer, digest: [UInt8], order: BigNum) throws {
        self.order = order
        // bits2octets(h1): the digest reduced mod n.
        let ctx = try BigNumContext()
        let h1 = try BigNum(digest).reduced(mod: order, ctx).bytes()
        K = SecretBytes(count: 32)
        var initialV = [UInt8](repeating: 0x01, count: 32)
        V = SecretBytes(wiping: &initialV)
        for separator: UInt8 in [0x00, 0x01] {
            // K = HMAC_K(V ‖ sep ‖ x ‖ h1), built in a secret buffer; V = HMAC_K(V).
            let input = try h1.withUnsafeBytes { h in
                try [separator].withUnsafeBytes { sep in try V.concatenating([sep, x, h]) }
            }
            K = try HMACSHA256.mac(key: K, data: input)
            V = try HMACSHA256.mac(key: K, data: V)
        }
    }

    /// The next candidate k with 1 ≤ k < n.
    mutating func next() throws -> BigNum {
        while true {
            if !first {
                let input = try [UInt8(0)].withUnsafeBytes { try V.concatenating([$0]) }
                K = try HMACSHA256.mac(key: K, data: input)
                V = try HMACSHA256.mac(key: K, data: V)
            }
            first = false
            V = try HMACSHA256.mac(key: K, data: V)
            let k = try V.withUnsafeBytes { try BigNum($0) }
            if !k.isZero && k < order { return k }
        }
    }

    /// The first nonce, for tests against published RFC 6979 values.
    static func firstNonce(privateKey: [UInt8], digest: [UInt8]) throws -> [UInt8] {
        try privateKey.withUnsafeBytes { d in
            var gen = try RFC6979(privateKey: d, digest: digest, order: Secp256k1.shared.order)
            return try gen.next().bytes()
        }
    }
}
