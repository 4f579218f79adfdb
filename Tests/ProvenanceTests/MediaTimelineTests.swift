import Foundation
import Testing

@testable import ProvenanceCore

/// Times of a copy read from its own structure: MP3 frame headers and MP4 sample tables, on files built here
/// byte by byte (the real-media cases are in AuthenticMediaTests), hostile tables included.
@Suite(.tags(.unit)) struct MediaTimelineTests {
    static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }

    static func box(_ type: String, _ body: [UInt8]) -> [UInt8] {
        be32(UInt32(8 + body.count)) + Array(type.utf8) + body
    }

    /// A full box: version 0, flags 0, then the body.
    static func full(_ type: String, _ body: [UInt8]) -> [UInt8] { box(type, [0, 0, 0, 0] + body) }

    /// An M4A: ftyp, mdat with `sizes.count` samples of those sizes, moov after it (as ffmpeg writes), one
    /// sound track at 1,000 ticks a second, each sample 1,024 ticks, all samples in one chunk.
    static func m4a(sizes: [UInt32], fixed: UInt32 = 0, count: UInt32? = nil) -> (bytes: [UInt8], mdat: Int) {
        let ftyp = box("ftyp", Array("M4A ".utf8) + be32(0))
        let payload = sizes.flatMap { [UInt8](repeating: 0xAA, count: Int($0)) }
        let mdatAt = ftyp.count + 8
        let stsz = full(
            "stsz", be32(fixed) + be32(count ?? UInt32(sizes.count)) + (fixed == 0 ? sizes.flatMap(be32) : []))
        let stsc = full("stsc", be32(1) + be32(1) + be32(count ?? UInt32(sizes.count)) + be32(1))
        let stts = full("stts", be32(1) + be32(count ?? UInt32(sizes.count)) + be32(1024))
        let stco = full("stco", be32(1) + be32(UInt32(mdatAt)))
        let hdlr = full("hdlr", be32(0) + Array("soun".utf8) + [UInt8](repeating: 0, count: 12))
        let mdhd = full("mdhd", be32(0) + be32(0) + be32(1000) + be32(0) + be32(0))
        let trak = box("trak", box("mdia", mdhd + hdlr + box("minf", box("stbl", stsz + stsc + stts + stco))))
        return (ftyp + box("mdat", payload) + box("moov", trak), mdatAt)
    }

    static func read(_ bytes: [UInt8], piece: Int) -> MediaTimeline {
        let t = MediaTimeline()
        var at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + piece)
            bytes[at..<end].withUnsafeBytes { t.add($0) }
            at = end
        }
        t.finish(size: UInt64(bytes.count))
        return t
    }

    @Test func mp4SampleTablesGiveTimes() {
        let (bytes, mdat) = Self.m4a(sizes: [100, 200, 300, 400])
        for piece in [1, 7, 1 << 20] {
            let t = Self.read(bytes, piece: piece)
            #expect(t.isKnown, "piece \(piece)")
            // Sample 2 starts 300 bytes into mdat, at 2 × 1.024 s; halfway through it, half a sample later.
            #expect(t.time(at: UInt64(mdat + 300)) == 2.048)
            #expect(abs((t.time(at: UInt64(mdat + 450)) ?? 0) - 2.56) < 1e-9)
            #expect(t.time(at: UInt64(bytes.count)) == 4.096)
        }
    }

    /// One 4-byte count may claim 2^32 samples of a fixed size: refused at once (no times), never allocated.
    @Test func hostileSampleCountsAreRefused() {
        let (bytes, _) = Self.m4a(sizes: [], fixed: 100, count: .max)
        let t = Self.read(bytes, piece: 1 << 20)
        #expect(!t.isKnown)
        // Not an MP4 at all (no ftyp first): no times either.
        #expect(!Self.read(Array("RIFF....WAVE".utf8) + [UInt8](repeating: 0, count: 100), piece: 64).isKnown)
    }

    /// MP3: an ID3v2 tag, a Xing frame that takes no time, frames of 1,152 samples at 44.1 kHz; an ID3v2 tag in
    /// mid-stream (a whole ad file stitched in) is skipped.
    @Test func mp3FramesGiveTimes() {
        func frame(_ body: UInt8) -> [UInt8] { [0xFF, 0xFB, 0x90, 0x00] + [UInt8](repeating: body, count: 413) }
        let tag: [UInt8] = Array("ID3".utf8) + [3, 0, 0, 0, 0, 0, 10] + [UInt8](repeating: 0, count: 10)
        var xing = frame(0)
        xing.replaceSubrange(36..<40, with: Array("Xing".utf8))
        let bytes = tag + xing + frame(1) + frame(2) + tag + frame(3) + frame(4)
        let t = Self.read(bytes, piece: 100)
        #expect(t.isKnown)
        let second = 1152.0 / 44100
        // frame(2) starts one frame of sound in (the Xing frame takes none); frame(3), after the second tag, two.
        let frame2 = UInt64(tag.count + 2 * 417)
        #expect(abs((t.time(at: frame2) ?? 0) - second) < 1e-9, "\(String(describing: t.time(at: frame2)))")
        let frame3 = UInt64(2 * tag.count + 3 * 417)
        #expect(abs((t.time(at: frame3) ?? 0) - 2 * second) < 1e-9)
        #expect(abs((t.time(at: UInt64(bytes.count)) ?? 0) - 4 * second) < 1e-9)
    }
}
