import Foundation

/// A perceptual fingerprint of a recording's sound (docs/FORMAT.md §11): what survives re-encoding,
/// resampling and gain changes, so a clip that is not the publisher's bytes can still be matched to the
/// sound the publisher signed. Haitsma–Kalker sub-fingerprints, coarser in time to fit 2 KiB a minute:
///
/// - audio as mono at 5,512 Hz; frames of 2,048 samples (0.37 s), Hann-windowed, every 689 samples
///   (8 frames a second);
/// - the energy of 33 bands spaced logarithmically from 300 to 2,000 Hz (FFT bins summed);
/// - 32 bits a frame: bit m is 1 when E(n, m) − E(n, m+1) − (E(n−1, m) − E(n−1, m+1)) > 0.
///
/// 4 bytes × 8 frames = 32 bytes a second, 1,920 bytes a minute.
public struct AudioFingerprint: Sendable, Equatable {
    public static let algorithm = "pv-hk1"
    public static let sampleRate = 5512
    public static let frameLength = 2048
    public static let hop = 689
    static let bands = 33
    static let lowHz = 300.0
    static let highHz = 2000.0

    /// One 32-bit sub-fingerprint per frame after the first.
    public let frames: [UInt32]

    public init(frames: [UInt32]) { self.frames = frames }

    public static var framesPerSecond: Double { Double(sampleRate) / Double(hop) }

    /// Fingerprints mono samples at 5,512 Hz, starting `phase` samples in (a clip is fingerprinted at
    /// several phases so one of them falls within an eighth of a hop of the original's frames).
    public init(samples: [Float], phase: Int = 0) {
        let analysis = Analysis.shared
        var previous: [Double]?
        var out: [UInt32] = []
        var start = phase
        out.reserveCapacity(max(0, (samples.count - phase - Self.frameLength) / Self.hop + 1))
        while start + Self.frameLength <= samples.count {
            let energies = analysis.bandEnergies(samples, from: start)
            if let previous {
                var word: UInt32 = 0
                for m in 0..<(Self.bands - 1) {
                    let d = energies[m] - energies[m + 1] - (previous[m] - previous[m + 1])
                    if d > 0 { word |= 1 << UInt32(31 - m) }
                }
                out.append(word)
            }
            previous = energies
            start += Self.hop
        }
        frames = out
    }

    /// Big-endian words, as the manifest stores them (base64).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.count * 4)
        for w in frames { out += [UInt8(w >> 24), UInt8(w >> 16 & 0xff), UInt8(w >> 8 & 0xff), UInt8(w & 0xff)] }
        return out
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count % 4 == 0 else { return nil }
        frames = stride(from: 0, to: bytes.count, by: 4).map {
            UInt32(bytes[$0]) << 24 | UInt32(bytes[$0 + 1]) << 16 | UInt32(bytes[$0 + 2]) << 8 | UInt32(bytes[$0 + 3])
        }
    }

    /// What a signature binds (the file's `audioFingerprint` detail): SHA-256 of the algorithm's name,
    /// a zero byte and the fingerprint's bytes.
    public var commitment: [UInt8] { SHA256Hasher.hash(Array(Self.algorithm.utf8) + [0] + bytes) }

    /// Window, FFT tables and band edges, computed once.
    final class Analysis: @unchecked Sendable {
        static let shared = Analysis()
        let window: [Double]
        let cosTable: [Double]
        let sinTable: [Double]
        let bitReverse: [Int]
        /// For each band, the FFT bins it sums: [start, end).
        let bandBins: [(Int, Int)]

        init() {
            let n = AudioFingerprint.frameLength
            window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
            cosTable = (0..<n / 2).map { cos(-2 * Double.pi * Double($0) / Double(n)) }
            sinTable = (0..<n / 2).map { sin(-2 * Double.pi * Double($0) / Double(n)) }
            let bits = n.trailingZeroBitCount
            bitReverse = (0..<n).map { i in
                var r = 0
                var x = i
                for _ in 0..<bits {
                    r = r << 1 | x & 1
                    x >>= 1
                }
                return r
            }
            let binHz = Double(AudioFingerprint.sampleRate) / Double(n)
            var edges: [Int] = []
            for b in 0...AudioFingerprint.bands {
                let hz =
                    AudioFingerprint.lowHz
                    * pow(AudioFingerprint.highHz / AudioFingerprint.lowHz, Double(b) / Double(AudioFingerprint.bands))
                edges.append(Int((hz / binHz).rounded()))
            }
            bandBins = (0..<AudioFingerprint.bands).map { (edges[$0], max(edges[$0] + 1, edges[$0 + 1])) }
        }

        /// Band energies of the frame at `start` (an in-place radix-2 FFT of the windowed samples). Through
        /// unsafe buffers: with array accesses checked, this was 43% of a 60-minute clip's verify.
        func bandEnergies(_ samples: [Float], from start: Int) -> [Double] {
            let n = AudioFingerprint.frameLength
            var re = [Double](repeating: 0, count: n)
            var im = [Double](repeating: 0, count: n)
            re.withUnsafeMutableBufferPointer { re in
                im.withUnsafeMutableBufferPointer { im in
                    samples.withUnsafeBufferPointer { s in
                        window.withUnsafeBufferPointer { w in
                            bitReverse.withUnsafeBufferPointer { r in
                                for i in 0..<n { re[r[i]] = Double(s[start + i]) * w[i] }
                            }
                        }
                    }
                    cosTable.withUnsafeBufferPointer { cosines in
                        sinTable.withUnsafeBufferPointer { sines in
                            Self.butterflies(re, im, n: n, cosines: cosines, sines: sines)
                        }
                    }
                }
            }
            return bandBins.map { range in
                var e = 0.0
                for k in range.0..<range.1 { e += re[k] * re[k] + im[k] * im[k] }
                return e
            }
        }

        private static func butterflies(
            _ re: UnsafeMutableBufferPointer<Double>, _ im: UnsafeMutableBufferPointer<Double>, n: Int,
            cosines: UnsafeBufferPointer<Double>, sines: UnsafeBufferPointer<Double>
        ) {
            var size = 2
            while size <= n {
                let half = size / 2
                let step = n / size
                var base = 0
                while base < n {
                    for k in 0..<half {
                        let c = cosines[k * step]
                        let s = sines[k * step]
                        let a = base + k
                        let b = a + half
                        let tr = re[b] * c - im[b] * s
                        let ti = re[b] * s + im[b] * c
                        re[b] = re[a] - tr
                        im[b] = im[a] - ti
                        re[a] += tr
                        im[a] += ti
                    }
                    base += size
                }
                size *= 2
            }
        }
    }
}
