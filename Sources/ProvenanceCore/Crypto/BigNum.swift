internal import COpenSSL

/// An OpenSSL BIGNUM owned by Swift: allocated in init, cleared and freed in deinit.
/// Values that may be secret (private keys, nonces) are freed with BN_clear_free.
final class BigNum {
    let pointer: OpaquePointer

    init() {
        guard let p = BN_new() else { fatalError("OpenSSL BN_new failed") }
        pointer = p
    }

    /// Big-endian unsigned bytes.
    convenience init(_ bytes: [UInt8]) {
        self.init()
        bytes.withUnsafeBufferPointer { _ = BN_bin2bn($0.baseAddress, Int32($0.count), pointer) }
    }

    convenience init(_ bytes: UnsafeRawBufferPointer) {
        self.init()
        _ = BN_bin2bn(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), pointer)
    }

    /// A compile-time constant in hex (trusted input).
    convenience init(hexConstant: String) {
        self.init(Hex.decode(hexConstant)!)
    }

    convenience init(word: UInt) {
        self.init()
        BN_set_word(pointer, numericCast(word))
    }

    deinit { BN_clear_free(pointer) }

    var isZero: Bool { BN_is_zero(pointer) == 1 }
    var isOdd: Bool { BN_is_odd(pointer) == 1 }

    /// Big-endian, left-padded to `count` bytes (the value must fit).
    func bytes(count: Int = 32) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = BN_bn2binpad(pointer, &out, Int32(count))
        precondition(n == Int32(count), "BIGNUM does not fit in \(count) bytes")
        return out
    }

    static func < (a: BigNum, b: BigNum) -> Bool { BN_cmp(a.pointer, b.pointer) < 0 }
    static func <= (a: BigNum, b: BigNum) -> Bool { BN_cmp(a.pointer, b.pointer) <= 0 }
}

/// A BN_CTX scratch area. Not thread-safe: create one per operation or per thread.
final class BigNumContext {
    let pointer: OpaquePointer
    init() {
        guard let p = BN_CTX_secure_new() ?? BN_CTX_new() else { fatalError("OpenSSL BN_CTX_new failed") }
        pointer = p
    }
    deinit { BN_CTX_free(pointer) }
}
