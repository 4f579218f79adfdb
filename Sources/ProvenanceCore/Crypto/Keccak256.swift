/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 … 0x80), not FIPS 202 SHA3-256
/// (0x06 … 0x80). OpenSSL 3.0 has no Keccak, so this is the one primitive implemented here.
public struct Keccak256: Sendable {
    private static let rate = 136  // bytes: 1600-bit state minus 2×256-bit capacity

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8]()

    public init() { buffer.reserveCapacity(Self.rate) }

    /// One-shot Keccak-256.
    public static func hash<D: Sequence>(_ data: D) -> [UInt8] where D.Element == UInt8 {
        var k = Keccak256()
        k.update(data)
        return k.finalize()
    }

    /// Keccak-256 of three byte strings one after another, together shorter than one block (136 bytes):
    /// one permutation on a state on the stack (a Merkle node: 96 bytes).
    public static func hash(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8]) -> [UInt8] {
        precondition(a.count + b.count + c.count < rate, "one block only")
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { lanes in
            lanes.initialize(repeating: 0)
            let block = UnsafeMutableRawBufferPointer(lanes)
            var at = 0
            for part in [a, b, c] {
                for byte in part {
                    block[at] ^= byte
                    at += 1
                }
            }
            // pad10*1 with the Keccak domain bit (little-endian lanes: byte i of the block is byte i here).
            block[at] ^= 0x01
            block[rate - 1] ^= 0x80
            for i in 0..<25 { lanes[i] = UInt64(littleEndian: lanes[i]) }
            permute(lanes)
            var out = [UInt8](repeating: 0, count: 32)
            for i in 0..<4 {
                withUnsafeBytes(of: lanes[i].littleEndian) { for j in 0..<8 { out[i * 8 + j] = $0[j] } }
            }
            return out
        }
    }

    public mutating func update<D: Sequence>(_ data: D) where D.Element == UInt8 {
        // Contiguous bytes (arrays, slices: nearly every caller) take the block path.
        if let done = data.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) { return done }
        for byte in data {
            buffer.append(byte)
            if buffer.count == Self.rate { absorbBuffer() }
        }
    }

    /// Whole 136-byte blocks are absorbed straight from the input; only a tail is buffered.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        if !buffer.isEmpty {
            let take = min(Self.rate - buffer.count, rest.count)
            buffer.append(contentsOf: rest.prefix(take))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            if buffer.count == Self.rate { absorbBuffer() }
        }
        while rest.count >= Self.rate {
            absorb(UnsafeRawBufferPointer(rebasing: rest.prefix(Self.rate)))
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(Self.rate))
        }
        buffer.append(contentsOf: rest)
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
        buffer.withUnsafeBytes { absorb($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// XORs one 136-byte block into the state (little-endian lanes) and permutes.
    private mutating func absorb(_ block: UnsafeRawBufferPointer) {
        state.withUnsafeMutableBufferPointer { a in
            for lane in 0..<(Self.rate / 8) {
                a[lane] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: lane * 8, as: UInt64.self))
            }
            Self.permute(a)
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota, on the 25 lanes held in locals (an array
    /// indexed per step measured 0.86 µs per permutation; locals let the compiler keep lanes in registers).
    static func permute(_ s: UnsafeMutableBufferPointer<UInt64>) {
        var (a00, a01, a02, a03, a04) = (s[0], s[1], s[2], s[3], s[4])
        var (a05, a06, a07, a08, a09) = (s[5], s[6], s[7], s[8], s[9])
        var (a10, a11, a12, a13, a14) = (s[10], s[11], s[12], s[13], s[14])
        var (a15, a16, a17, a18, a19) = (s[15], s[16], s[17], s[18], s[19])
        var (a20, a21, a22, a23, a24) = (s[20], s[21], s[22], s[23], s[24])
        for round in 0..<24 {
            // theta
            let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
            let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
            let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
            let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
            let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            // rho and pi: b[pi(x, y)] = rotl(a[x, y] ^ d[x], r[x, y])
            let b00 = a00 ^ d0
            let b10 = rotl(a01 ^ d1, 1)
            let b20 = rotl(a02 ^ d2, 62)
            let b05 = rotl(a03 ^ d3, 28)
            let b15 = rotl(a04 ^ d4, 27)
            let b16 = rotl(a05 ^ d0, 36)
            let b01 = rotl(a06 ^ d1, 44)
            let b11 = rotl(a07 ^ d2, 6)
            let b21 = rotl(a08 ^ d3, 55)
            let b06 = rotl(a09 ^ d4, 20)
            let b07 = rotl(a10 ^ d0, 3)
            let b17 = rotl(a11 ^ d1, 10)
            let b02 = rotl(a12 ^ d2, 43)
            let b12 = rotl(a13 ^ d3, 25)
            let b22 = rotl(a14 ^ d4, 39)
            let b23 = rotl(a15 ^ d0, 41)
            let b08 = rotl(a16 ^ d1, 45)
            let b18 = rotl(a17 ^ d2, 15)
            let b03 = rotl(a18 ^ d3, 21)
            let b13 = rotl(a19 ^ d4, 8)
            let b14 = rotl(a20 ^ d0, 18)
            let b24 = rotl(a21 ^ d1, 2)
            let b09 = rotl(a22 ^ d2, 61)
            let b19 = rotl(a23 ^ d3, 56)
            let b04 = rotl(a24 ^ d4, 14)
            // chi and iota
            a00 = b00 ^ (~b01 & b02) ^ roundConstant(round)
            a01 = b01 ^ (~b02 & b03)
            a02 = b02 ^ (~b03 & b04)
            a03 = b03 ^ (~b04 & b00)
            a04 = b04 ^ (~b00 & b01)
            a05 = b05 ^ (~b06 & b07)
            a06 = b06 ^ (~b07 & b08)
            a07 = b07 ^ (~b08 & b09)
            a08 = b08 ^ (~b09 & b05)
            a09 = b09 ^ (~b05 & b06)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
        }
        (s[0], s[1], s[2], s[3], s[4]) = (a00, a01, a02, a03, a04)
        (s[5], s[6], s[7], s[8], s[9]) = (a05, a06, a07, a08, a09)
        (s[10], s[11], s[12], s[13], s[14]) = (a10, a11, a12, a13, a14)
        (s[15], s[16], s[17], s[18], s[19]) = (a15, a16, a17, a18, a19)
        (s[20], s[21], s[22], s[23], s[24]) = (a20, a21, a22, a23, a24)
    }

    @inline(__always) private static func roundConstant(_ round: Int) -> UInt64 {
        switch round {
        case 0: return 0x0000000000000001
        case 1: return 0x0000000000008082
        case 2: return 0x800000000000808A
        case 3: return 0x8000000080008000
        case 4: return 0x000000000000808B
        case 5: return 0x0000000080000001
        case 6: return 0x8000000080008081
        case 7: return 0x8000000000008009
        case 8: return 0x000000000000008A
        case 9: return 0x0000000000000088
        case 10: return 0x0000000080008009
        case 11: return 0x000000008000000A
        case 12: return 0x000000008000808B
        case 13: return 0x800000000000008B
        case 14: return 0x8000000000008089
        case 15: return 0x8000000000008003
        case 16: return 0x8000000000008002
        case 17: return 0x8000000000000080
        case 18: return 0x000000000000800A
        case 19: return 0x800000008000000A
        case 20: return 0x8000000080008081
        case 21: return 0x8000000000008080
        case 22: return 0x0000000080000001
        default: return 0x8000000080008008
        }
    }
}
