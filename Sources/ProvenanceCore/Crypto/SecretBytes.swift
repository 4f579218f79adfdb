internal import COpenSSL

/// Secret bytes — a password, a derived key, a private key, RFC 6979's HMAC state — in one
/// allocation of their own, wiped (OPENSSL_cleanse, which the compiler cannot elide) when released.
/// The bytes are reachable only inside `withUnsafeBytes` scopes, so no copy escapes by accident;
/// Swift may still have copied what an `[UInt8]` held before it came here (best effort, said so).
public final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// `count` zero bytes.
    public init(count: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
    }

    /// Takes the bytes of `source` and wipes `source`.
    public convenience init(wiping source: inout [UInt8]) {
        self.init(count: source.count)
        source.withUnsafeBytes { storage.copyMemory(from: $0) }
        wipe(&source)
    }

    public let count: Int
    public var isEmpty: Bool { count == 0 }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A new secret holding bytes `range` of this one.
    public func slice(_ range: Range<Int>) -> SecretBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        let out = SecretBytes(count: range.count)
        out.storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[range]))
        return out
    }

    /// A new secret: these bytes followed by the parts' (built in place, never in an `[UInt8]`).
    public func concatenating(_ parts: [UnsafeRawBufferPointer]) -> SecretBytes {
        let out = SecretBytes(count: count + parts.reduce(0) { $0 + $1.count })
        var offset = count
        out.storage.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
        for part in parts {
            UnsafeMutableRawBufferPointer(rebasing: out.storage[offset..<offset + part.count]).copyMemory(from: part)
            offset += part.count
        }
        return out
    }

    /// A new secret: these bytes followed by another secret's.
    public func concatenatingSecret(_ other: SecretBytes) -> SecretBytes {
        other.withUnsafeBytes { concatenating([$0]) }
    }

    /// Constant-time comparison (for confirming a password twice).
    public func constantTimeEquals(_ other: SecretBytes) -> Bool {
        count == other.count && CRYPTO_memcmp(storage.baseAddress, other.storage.baseAddress, count) == 0
    }

    /// Copies the bytes out — for values that stop being secret (a public derivation) or must leave as
    /// an array (AES key schedule input); the caller wipes the copy.
    public func copyBytes() -> [UInt8] { withUnsafeBytes { Array($0) } }
}

/// Overwrites a byte array in place (best effort: Swift may have made copies earlier).
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
}
