internal import COpenSSL

/// An OpenSSL BIGNUM owned by Swift: allocated in init, cleared and freed in deinit (BN_clear_free,
/// since values may be secret: private keys, nonces). The pointer is reachable only inside
/// `withUnsafeBignumPointer`; every OpenSSL return code is checked and a failure throws.
final class BigNum {
    private let pointer: OpaquePointer

    init() throws {
        guard let p = BN_new() else { throw CryptoFailure(function: "BN_new") }
        pointer = p
    }

    /// Big-endian unsigned bytes.
    convenience init(_ bytes: UnsafeRawBufferPointer) throws {
        try self.init()
        let p = pointer
        guard BN_bin2bn(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), p) != nil else {
            throw CryptoFailure(function: "BN_bin2bn")
        }
    }

    convenience init(_ bytes: [UInt8]) throws {
        try self.init()
        try bytes.withUnsafeBytes { raw in
            guard BN_bin2bn(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(raw.count), pointer) != nil
            else { throw CryptoFailure(function: "BN_bin2bn") }
        }
    }

    /// A compile-time constant in hex (trusted input, so a failure is a programming error).
    convenience init(hexConstant: String) {
        // swift-format-ignore: NeverUseForceTry
        try! self.init(Hex.decode(hexConstant)!)
    }

    deinit { BN_clear_free(pointer) }

    func withUnsafeBignumPointer<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R { try body(pointer) }

    var isZero: Bool { BN_is_zero(pointer) == 1 }
    var isOdd: Bool { BN_is_odd(pointer) == 1 }

    /// Marks the value secret: OpenSSL then uses its constant-time code paths on it.
    func setConstantTime() { BN_set_flags(pointer, BN_FLG_CONSTTIME) }

    /// Big-endian, left-padded to `count` bytes.
    func bytes(count: Int = 32) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard BN_bn2binpad(pointer, &out, Int32(count)) == Int32(count) else {
            throw CryptoFailure(function: "BN_bn2binpad (value wider than \(count) bytes)")
        }
        return out
    }

    static func < (a: BigNum, b: BigNum) -> Bool { BN_cmp(a.pointer, b.pointer) < 0 }
    static func == (a: BigNum, b: BigNum) -> Bool { BN_cmp(a.pointer, b.pointer) == 0 }

    // MARK: arithmetic: each returns a new value and checks OpenSSL's answer

    private static func result(_ function: String, _ body: (OpaquePointer) -> Int32) throws -> BigNum {
        let out = try BigNum()
        guard body(out.pointer) == 1 else { throw CryptoFailure(function: function) }
        return out
    }

    func copy() throws -> BigNum { try Self.result("BN_copy") { BN_copy($0, pointer) == nil ? 0 : 1 } }
    func adding(_ b: BigNum) throws -> BigNum { try Self.result("BN_add") { BN_add($0, pointer, b.pointer) } }
    func subtracting(_ b: BigNum) throws -> BigNum { try Self.result("BN_sub") { BN_sub($0, pointer, b.pointer) } }
    func subtracting(word: UInt) throws -> BigNum {
        let out = try copy()
        guard BN_sub_word(out.pointer, numericCast(word)) == 1 else { throw CryptoFailure(function: "BN_sub_word") }
        return out
    }
    func halved() throws -> BigNum { try Self.result("BN_rshift1") { BN_rshift1($0, pointer) } }

    func multiplied(by b: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_mul") { r in ctx.withUnsafeContext { BN_mul(r, pointer, b.pointer, $0) } }
    }

    /// ⌊self / d⌋.
    func divided(by d: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_div") { q in ctx.withUnsafeContext { BN_div(q, nil, pointer, d.pointer, $0) } }
    }

    /// self mod m, in [0, m).
    func reduced(mod m: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_nnmod") { r in ctx.withUnsafeContext { BN_nnmod(r, pointer, m.pointer, $0) } }
    }

    func modMultiplied(by b: BigNum, mod m: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_mod_mul") { r in ctx.withUnsafeContext { BN_mod_mul(r, pointer, b.pointer, m.pointer, $0) }
        }
    }

    func modSubtracted(_ b: BigNum, mod m: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_mod_sub") { r in ctx.withUnsafeContext { BN_mod_sub(r, pointer, b.pointer, m.pointer, $0) }
        }
    }

    /// self⁻¹ mod m, or nil when there is none (public values only: not constant-time).
    func modInverse(_ m: BigNum, _ ctx: BigNumContext) throws -> BigNum? {
        let out = try BigNum()
        let found = ctx.withUnsafeContext { BN_mod_inverse(out.pointer, pointer, m.pointer, $0) != nil }
        if !found { ERR_clear_error() }
        return found ? out : nil
    }

    /// self^e mod m in constant time (Montgomery ladder): for secret bases such as a nonce.
    func modPowerConstantTime(_ e: BigNum, mod m: BigNum, _ ctx: BigNumContext) throws -> BigNum {
        try Self.result("BN_mod_exp_mont_consttime") { r in
            ctx.withUnsafeContext { BN_mod_exp_mont_consttime(r, pointer, e.pointer, m.pointer, $0, nil) }
        }
    }
}

/// A BN_CTX scratch area. Not thread-safe: create one per operation or per thread.
final class BigNumContext {
    private let pointer: OpaquePointer

    init() throws {
        guard let p = BN_CTX_secure_new() ?? BN_CTX_new() else { throw CryptoFailure(function: "BN_CTX_new") }
        pointer = p
    }

    deinit { BN_CTX_free(pointer) }

    func withUnsafeContext<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R { try body(pointer) }
}
