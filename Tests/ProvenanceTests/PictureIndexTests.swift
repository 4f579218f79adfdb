import Foundation
import Testing

@testable import ProvenanceCore

/// The picture matcher on synthetic pictures (moving bright and dark blobs, each episode its own): a clip is
/// placed among a feed's episodes through the index, an unrelated one is not, and a replaced region is found
/// where and when it was made. The real-media proof is VideoTests and scripts/video_eval.py.
@Suite(.tags(.unit)) struct PictureIndexTests {
    /// Episode `seed`'s frame at `t` seconds, 64×64 grey; `patch` paints cells 2-3 of rows 2-3 with another
    /// episode's content.
    static func frame(_ seed: Int, _ t: Double, patch: Int? = nil) -> [UInt8] {
        let side = PictureFingerprint.side
        var out = [UInt8](repeating: 0, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let inPatch = patch != nil && (16..<32).contains(x) && (16..<32).contains(y)
                out[y * side + x] = value(inPatch ? patch! : seed, t, Double(x), Double(y))
            }
        }
        return out
    }

    static func value(_ seed: Int, _ t: Double, _ x: Double, _ y: Double) -> UInt8 {
        var v = 128.0
        for b in 0..<4 {
            let s = Double(seed * 7 + b)
            // Each blob's own periods (a hash of the seed), so that no episode is another's shifted in time.
            let (p, q) = (1.2 + 3 * fraction(sin(s * 12.9898) * 43758.5), 1.2 + 3 * fraction(sin(s * 78.233) * 12345.6))
            let (cx, cy) = (32 + 24 * sin(t / p + s), 32 + 24 * cos(t / q + 2 * s))
            let d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy)
            v += (b % 2 == 0 ? 90 : -90) * exp(-d2 / (120 + 40 * sin(s)))
        }
        return UInt8(min(255, max(0, v)))
    }

    static func fraction(_ v: Double) -> Double { v - v.rounded(.down) }

    static func original(_ seed: Int, seconds: Int) -> PictureFingerprint {
        PictureFingerprint(raw: (0..<(seconds * 2)).flatMap { frame(seed, Double($0) / 2) })
    }

    static func clip(_ seed: Int, from start: Double, seconds: Double, patch: (Int, Range<Double>)? = nil)
        -> PictureClip
    {
        let frames = Int(seconds * 4)
        return PictureClip(
            raw: (0..<frames).flatMap { i -> [UInt8] in
                let t = Double(i) / 4
                return frame(seed, start + t, patch: patch.flatMap { $0.1.contains(t) ? $0.0 : nil })
            })
    }

    @Test func aClipIsPlacedAmongAFeedsEpisodes() {
        let index = PictureIndex((0..<24).map { Self.original(100 + $0, seconds: 60) })
        let c = index.compare(Self.clip(117, from: 20, seconds: 15))
        let matched = c.matches.reduce(0) { $0 + $1.end - $1.start }
        #expect(c.matches.allSatisfy { $0.original == 17 }, "\(c.matches)")
        #expect(matched >= 14, "\(c.matches)")
        #expect(c.matches.allSatisfy { abs($0.originalStart - $0.start - 20) <= 0.5 }, "\(c.matches)")
        #expect(c.regions.isEmpty, "\(c.regions)")
        let unrelated = index.compare(Self.clip(999, from: 20, seconds: 15))
        // Runs shorter than 2 s are never reported, so an unrelated clip has no match at all.
        #expect(unrelated.matches.isEmpty, "\(unrelated.matches)")
    }

    @Test func aReplacedRegionIsFoundWhereAndWhenItWasMade() {
        let index = PictureIndex([Self.original(5, seconds: 40)])
        let c = index.compare(Self.clip(5, from: 10, seconds: 15, patch: (77, 4..<7)))
        #expect(!c.matches.isEmpty)
        let found = c.regions.filter { r in
            abs(r.start - 4) <= 1 && abs(r.end - 7) <= 1 && r.x <= 0.375 && 0.375 <= r.x + r.w && r.y <= 0.375
                && 0.375 <= r.y + r.h
        }
        #expect(found.count == 1, "\(c.regions)")
        #expect(c.regions.allSatisfy { $0.area <= 0.25 }, "\(c.regions)")
    }
}
