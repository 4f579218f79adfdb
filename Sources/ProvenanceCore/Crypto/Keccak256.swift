/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 … 0x80), not FIPS 202 SHA3-256
/// (0x06 … 0x80). OpenSSL 3.0 has no Keccak, so this is the one primitive implemented here.
public struct Keccak256: Sendable {
    private static let rate = 136  // bytes: 1600-bit state minus 2×256-bit capacity
    private static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    // Rotation offsets and lane permutation of the combined rho+pi step, in pi's visiting order.
    private static let rotations: [UInt64] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ]
    private static let piLanes: [Int] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ]

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8]()

    public init() { buffer.reserveCapacity(Self.rate) }

    /// One-shot Keccak-256.
    public static func hash<D: Sequence>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        var k = Keccak256()
        k.update(data)
        return k.finalize()
    }

    public mutating func update<D: Sequence>(_ data: D) where D.Element == UInt8 {
        for byte in data {
            buffer.append(byte)
            if buffer.count == Self.rate { absorbBuffer() }
        }
    }

    public consuming func finalize() -> [UInt8] {
        // pad10*1 with the Keccak domain bit: 0x01 first, 0x80 last (the same byte when one is left).
        buffer.append(0x01)
        while buffer.count < Self.rate { buffer.append(0) }
        buffer[Self.rate - 1] |= 0x80
        absorbBuffer()
        var out = [UInt8]()
        out.reserveCapacity(32)
        for lane in 0..<4 {
            var v = state[lane]
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: v))
                v >>= 8
            }
        }
        return out
    }

    private mutating func absorbBuffer() {
        buffer.withUnsafeBufferPointer { b in
            for lane in 0..<(Self.rate / 8) {
                var v: UInt64 = 0
                for i in (0..<8).reversed() { v = v << 8 | UInt64(b[lane * 8 + i]) }
                state[lane] ^= v
            }
        }
        buffer.removeAll(keepingCapacity: true)
        state.withUnsafeMutableBufferPointer { Self.permute($0) }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota.
    private static func permute(_ a: UnsafeMutableBufferPointer<UInt64>) {
        var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        for round in 0..<24 {
            // theta
            c.0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20]
            c.1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21]
            c.2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22]
            c.3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23]
            c.4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24]
            let d0 = c.4 ^ rotl(c.1, 1)
            let d1 = c.0 ^ rotl(c.2, 1)
            let d2 = c.1 ^ rotl(c.3, 1)
            let d3 = c.2 ^ rotl(c.4, 1)
            let d4 = c.3 ^ rotl(c.0, 1)
            for y in stride(from: 0, to: 25, by: 5) {
                a[y] ^= d0
                a[y + 1] ^= d1
                a[y + 2] ^= d2
                a[y + 3] ^= d3
                a[y + 4] ^= d4
            }
            // rho and pi
            var carried = a[1]
            for i in 0..<24 {
                let j = piLanes[i]
                let next = a[j]
                a[j] = rotl(carried, rotations[i])
                carried = next
            }
            // chi
            for y in stride(from: 0, to: 25, by: 5) {
                let t0 = a[y]
                let t1 = a[y + 1]
                let t2 = a[y + 2]
                let t3 = a[y + 3]
                let t4 = a[y + 4]
                a[y] = t0 ^ (~t1 & t2)
                a[y + 1] = t1 ^ (~t2 & t3)
                a[y + 2] = t2 ^ (~t3 & t4)
                a[y + 3] = t3 ^ (~t4 & t0)
                a[y + 4] = t4 ^ (~t0 & t1)
            }
            // iota
            a[0] ^= roundConstants[round]
        }
    }
}
