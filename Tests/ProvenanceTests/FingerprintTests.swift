import Foundation
import Testing

@testable import ProvenanceCore

/// The fingerprint's arithmetic against its definition (docs/FORMAT.md §11) computed the slow way: each
/// band's energy from a direct DFT of one Hann-windowed frame, no FFT.
@Suite(.tags(.unit)) struct FingerprintTests {
    /// Speech-like test sound: a few tones gliding, with deterministic noise.
    static func sound(seconds: Double) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<Int(seconds * Double(AudioFingerprint.sampleRate))).map { i in
            let t = Double(i) / Double(AudioFingerprint.sampleRate)
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(state >> 40) / Double(1 << 24) - 0.5
            let tones = sin(2 * .pi * (400 + 300 * sin(t)) * t) + 0.5 * sin(2 * .pi * 1300 * t * (1 + 0.1 * t))
            return Float(0.3 * tones * (0.6 + 0.4 * sin(3 * t)) + 0.05 * noise)
        }
    }

    /// Band energies of the frame at `start` by the definition.
    static func reference(_ s: [Float], start: Int) -> [Double] {
        let n = AudioFingerprint.frameLength
        let analysis = AudioFingerprint.Analysis.shared
        return analysis.bandBins.map { bins in
            var e = 0.0
            for k in bins.0..<bins.1 {
                var (re, im) = (0.0, 0.0)
                for i in 0..<n {
                    let x = Double(s[start + i]) * (0.5 - 0.5 * cos(2 * .pi * Double(i) / Double(n)))
                    re += x * cos(-2 * .pi * Double(k * i) / Double(n))
                    im += x * sin(-2 * .pi * Double(k * i) / Double(n))
                }
                e += re * re + im * im
            }
            return e
        }
    }

    /// Every bit as the definition gives it, at a phase: a bit may differ only where its difference of energies
    /// is within rounding of zero.
    @Test func halfLengthTransformsGiveTheDefinitionsBits() {
        let hop = AudioFingerprint.hop
        let phase = hop / 4
        let frames = 7
        let samples = Self.sound(seconds: Double(phase + (frames - 1) * hop + AudioFingerprint.frameLength + 10) / 5512)
        let fast = AudioFingerprint(samples: samples, phase: phase)
        #expect(fast.frames.count == frames - 1)
        let energies = (0..<frames).map { Self.reference(samples, start: phase + $0 * hop) }
        var bits = 0
        for f in 1..<frames {
            for m in 0..<(AudioFingerprint.bands - 1) {
                let e = energies[f]
                let p = energies[f - 1]
                let d = e[m] - e[m + 1] - (p[m] - p[m + 1])
                let bit = fast.frames[f - 1] >> UInt32(31 - m) & 1 == 1
                let scale = max(abs(e[m]), abs(p[m]), 1e-12)
                if abs(d) > 1e-9 * scale { #expect(bit == (d > 0), "frame \(f) band \(m)") }
                bits += 1
            }
        }
        #expect(bits == (frames - 1) * 32)
    }

    /// Equal frames have equal energies, so their words are 0, beside sound: digital silence, and a constant
    /// (DC-offset) stretch, which a transform shared with another frame turned into bits of rounding noise.
    @Test(arguments: [Float(0), Float(0.27)]) func constantStretchesAreSilentBesideSound(level: Float) {
        let hop = AudioFingerprint.hop
        var samples = Self.sound(seconds: Double(9 * hop + AudioFingerprint.frameLength) / 5512)
        // Frames 3 to 5 wholly constant.
        for i in (3 * hop)..<(5 * hop + AudioFingerprint.frameLength) { samples[i] = level }
        let words = AudioFingerprint(samples: samples).frames
        #expect(words.count == 9)
        // Word f compares frame f+1 with frame f: frames 4 and 5 are equal to frames 3 and 4.
        #expect(words[3] == 0 && words[4] == 0)
        #expect(words[2] != 0)
    }

    /// Runs on all cores give the fingerprint of one run: a long sound is cut into runs of frames.
    @Test func longSoundsAreTheSameInRuns() {
        let samples = Self.sound(seconds: 700)
        let whole = AudioFingerprint(samples: samples)
        let head = AudioFingerprint(samples: Array(samples[0..<(AudioFingerprint.hop * 3000)]))
        #expect(whole.frames.count == (samples.count - AudioFingerprint.frameLength) / AudioFingerprint.hop)
        #expect(Array(whole.frames.prefix(head.frames.count)) == head.frames)
        #expect(AudioFingerprint(samples: [Float](repeating: 0, count: 100)).frames.isEmpty)
    }
}

extension FingerprintTests {
    /// The tabulated resampler against the kernel evaluated tap by tap from its definition (FORMAT §11 step 1),
    /// on noise at 44.1 and 48 kHz: the same samples to within 1/2,000 of full scale, edges included.
    @Test func theResamplerIsItsDefinition() {
        var rng = SystemRandomNumberGenerator()
        for rate in [44_100, 48_000, 8_000] {
            let input = (0..<(rate / 4)).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
            let out = PCMAudio(samples: input, sampleRate: rate).resampled(to: 5512).samples
            let ratio = Double(rate) / 5512
            let cutoff = 0.9 * min(1.0, 5512 / Double(rate)) / 2
            let taps = Int((16 * max(1.0, ratio)).rounded(.up))
            #expect(out.count == Int(Double(input.count) / ratio))
            var worst: Double = 0
            for k in stride(from: 0, to: out.count, by: 7) {
                let t = Double(k) * ratio
                let center = Int(t)
                var (acc, norm) = (0.0, 0.0)
                for j in max(0, center - taps + 1)...min(input.count - 1, center + taps) {
                    let d = Double(j) - t
                    let w = 0.5 + 0.5 * cos(Double.pi * d / Double(taps + 1))
                    let s = d == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * d) / (Double.pi * d)
                    acc += Double(input[j]) * s * w
                    norm += s * w
                }
                worst = max(worst, abs(acc / norm - Double(out[k])))
            }
            #expect(worst < 5e-4, "\(rate) Hz: \(worst)")
        }
    }
}
