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
        let room = samples.count - phase - Self.frameLength
        let starts = room < 0 || phase < 0 ? 0 : room / Self.hop + 1
        guard starts > 1 else {
            frames = []
            return
        }
        // Real FFTs of half the length, in runs on all cores: 60 minutes at four phases took 3.1 s beyond
        // decoding with a full-length complex FFT per frame on one core (scripts/dai_long.py).
        let runs = min(starts / 2048 + 1, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let per = (starts + runs - 1) / runs
        let energies = ParallelMap.map(runs) { r -> [Double] in
            let range = min(starts, r * per)..<min(starts, (r + 1) * per)
            return Analysis.shared.bandEnergies(samples, starts: range.map { phase + $0 * Self.hop })
        }.flatMap { $0 }
        let b = Self.bands
        var out = [UInt32](repeating: 0, count: starts - 1)
        energies.withUnsafeBufferPointer { e in
            for f in 1..<starts {
                let (now, before) = (f * b, (f - 1) * b)
                var word: UInt32 = 0
                for m in 0..<(b - 1) where e[now + m] - e[now + m + 1] - (e[before + m] - e[before + m + 1]) > 0 {
                    word |= 1 << UInt32(31 - m)
                }
                out[f - 1] = word
            }
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
            // The half-size complex transform's order (see bandEnergies).
            let bits = (n / 2).trailingZeroBitCount
            bitReverse = (0..<n / 2).map { i in
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

        /// Band energies of the frames at `starts`, `bands` per frame in order. Each frame's real FFT is one
        /// complex FFT of half the length (even samples as the real part, odd ones as the imaginary part, then
        /// split by conjugate symmetry), in place, through unsafe buffers: with array accesses checked, this
        /// was 43% of a 60-minute clip's verify. Every frame goes through the same arithmetic whatever frame
        /// is beside it, so two equal frames have equal energies (a pairing of two frames in one transform
        /// turned DC-offset silence into bits of rounding noise).
        func bandEnergies(_ samples: [Float], starts: [Int]) -> [Double] {
            let half = AudioFingerprint.frameLength / 2
            var out = [Double](repeating: 0, count: starts.count * AudioFingerprint.bands)
            var re = [Double](repeating: 0, count: half)
            var im = [Double](repeating: 0, count: half)
            re.withUnsafeMutableBufferPointer { re in
                im.withUnsafeMutableBufferPointer { im in
                    out.withUnsafeMutableBufferPointer { out in
                        samples.withUnsafeBufferPointer { s in
                            for (f, start) in starts.enumerated() {
                                transform(s, start, re, im)
                                energies(re, im, into: out, at: f)
                            }
                        }
                    }
                }
            }
            return out
        }

        /// The half-length complex FFT of the windowed frame at `start` (z[m] = x[2m] + i·x[2m+1]).
        private func transform(
            _ s: UnsafeBufferPointer<Float>, _ start: Int, _ re: UnsafeMutableBufferPointer<Double>,
            _ im: UnsafeMutableBufferPointer<Double>
        ) {
            let half = AudioFingerprint.frameLength / 2
            window.withUnsafeBufferPointer { w in
                bitReverse.withUnsafeBufferPointer { r in
                    for m in 0..<half {
                        re[r[m]] = Double(s[start + 2 * m]) * w[2 * m]
                        im[r[m]] = Double(s[start + 2 * m + 1]) * w[2 * m + 1]
                    }
                }
            }
            cosTable.withUnsafeBufferPointer { cosines in
                sinTable.withUnsafeBufferPointer { sines in
                    Self.butterflies(re, im, n: half, cosines: cosines, sines: sines, stride: 2)
                }
            }
        }

        /// Each band's energy from the half-length spectrum Z: X[k] = E[k] + W^k·O[k], where
        /// E[k] = (Z[k] + conj Z[N/2−k]) / 2, O[k] = (Z[k] − conj Z[N/2−k]) / 2i and W = e^(−2πi/N).
        private func energies(
            _ re: UnsafeMutableBufferPointer<Double>, _ im: UnsafeMutableBufferPointer<Double>,
            into out: UnsafeMutableBufferPointer<Double>, at frame: Int
        ) {
            let half = AudioFingerprint.frameLength / 2
            let bands = AudioFingerprint.bands
            cosTable.withUnsafeBufferPointer { cosines in
                sinTable.withUnsafeBufferPointer { sines in
                    for (band, range) in bandBins.enumerated() {
                        var e = 0.0
                        for k in range.0..<range.1 {
                            let m = (half - k) & (half - 1)
                            let (er, ei) = (0.5 * (re[k] + re[m]), 0.5 * (im[k] - im[m]))
                            let (or, oi) = (0.5 * (im[k] + im[m]), -0.5 * (re[k] - re[m]))
                            let (wr, wi) = (cosines[k], sines[k])
                            let (xr, xi) = (er + wr * or - wi * oi, ei + wr * oi + wi * or)
                            e += xr * xr + xi * xi
                        }
                        out[frame * bands + band] = e
                    }
                }
            }
        }

        /// A radix-2 FFT of `n` points in bit-reversed order; the tables are of `n × stride` points.
        private static func butterflies(
            _ re: UnsafeMutableBufferPointer<Double>, _ im: UnsafeMutableBufferPointer<Double>, n: Int,
            cosines: UnsafeBufferPointer<Double>, sines: UnsafeBufferPointer<Double>, stride: Int
        ) {
            var size = 2
            while size <= n {
                let half = size / 2
                let step = n / size * stride
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
