/// MPEG audio (MP3) frame headers, read natively (ISO/IEC 11172-3 and 13818-3, layer III): enough to walk a
/// file frame by frame, give a byte offset's time, and say whether a frame starts at a given byte. Nothing is
/// decoded; ffmpeg stays optional.
public enum MP3Frame {
    /// A frame header's length and duration, or nil when these 4 bytes are not a layer III header.
    public struct Header: Equatable, Sendable {
        public let length: Int
        public let samples: Int
        public let sampleRate: Int
    }

    private static let bitrates: [[Int]] = [
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0],  // MPEG-1
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],  // MPEG-2 and 2.5
    ]
    private static let rates: [[Int]] = [
        [44_100, 48_000, 32_000], [22_050, 24_000, 16_000], [11_025, 12_000, 8_000],
    ]

    public static func header(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> Header? {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0, (b1 >> 1) & 3 == 1 else { return nil }  // sync, layer III
        let version = (b1 >> 3) & 3  // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
        guard version != 1 else { return nil }
        let bitrateIndex = Int(b2 >> 4)
        let rateIndex = Int((b2 >> 2) & 3)
        guard bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let mpeg1 = version == 3
        let rate = rates[mpeg1 ? 0 : version == 2 ? 1 : 2][rateIndex]
        let kbps = bitrates[mpeg1 ? 0 : 1][bitrateIndex]
        let samples = mpeg1 ? 1152 : 576
        let length = samples / 8 * kbps * 1000 / rate + Int((b2 >> 1) & 1)
        return Header(length: length, samples: samples, sampleRate: rate)
    }

    /// The header at `p` of `bytes`, if the 4 bytes there are one.
    public static func header(at p: Int, in bytes: UnsafeRawBufferPointer) -> Header? {
        guard p >= 0, p + 4 <= bytes.count else { return nil }
        return header(bytes[p], bytes[p + 1], bytes[p + 2])
    }

    /// Whether a frame or an ID3v2 tag (a whole ad file stitched in) starts at `p`.
    public static func startsFrameOrTag(at p: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        if p >= 0, p + 3 <= bytes.count, bytes[p] == 0x49, bytes[p + 1] == 0x44, bytes[p + 2] == 0x33 { return true }
        return starts(at: p, in: bytes)
    }

    /// Whether a frame starts at `p`: a header there and, where the buffer reaches, another right after it.
    public static func starts(at p: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard let h = header(at: p, in: bytes) else { return false }
        return p + h.length + 4 > bytes.count || header(at: p + h.length, in: bytes) != nil
    }
}

/// The times of a copy's MP3 frames, fed the copy in pieces as it is read or downloaded: where each frame
/// starts and the time it starts at (an ID3v2 tag is skipped; a first frame holding a Xing, Info or VBRI
/// header is the encoder's notes, which players skip, so it takes no time). nil times for a copy that is not
/// an MP3.
public final class MP3Timeline: @unchecked Sendable {
    /// Frame starts (copy offsets) and their times, ascending.
    public private(set) var offsets: [UInt64] = []
    public private(set) var times: [Double] = []
    private var pending: [UInt8] = []
    private var pendingStart: UInt64 = 0
    /// The next offset where a frame (or the tag) is expected.
    private var next: UInt64 = 0
    private var time = 0.0
    private var lost = false
    private var first = true

    /// 2^22 frames: 30 hours of 44.1 kHz MP3, 64 MiB of timeline; past it, no times (the verdict stays in bytes).
    static let maxFrames = 1 << 22

    public init() {}

    /// Whether the copy read so far is an MP3 (frames back to back from its start or its ID3v2 tag).
    public var isMP3: Bool { !lost && offsets.count >= 2 }

    public func add(_ data: UnsafeRawBufferPointer) {
        guard !lost else { return }
        pending += data
        pending.withUnsafeBytes { walk($0) }
    }

    private func walk(_ bytes: UnsafeRawBufferPointer) {
        var p = Int(next - pendingStart)
        while !lost && p + 10 <= bytes.count {
            // An ID3v2 tag: at the start, or mid-stream where a server stitched a whole ad file in.
            if bytes[p] == 0x49 && bytes[p + 1] == 0x44 && bytes[p + 2] == 0x33 {  // "ID3"
                let size = (6...9).reduce(0) { $0 << 7 | Int(bytes[p + $1] & 0x7F) }
                p += 10 + size + (bytes[p + 5] & 0x10 != 0 ? 10 : 0)
                first = true
                continue
            }
            guard let h = MP3Frame.header(at: p, in: bytes) else {
                lost = offsets.count < 2 || !trailer(bytes, from: p)
                break
            }
            // 16 bytes a frame: a copy of tiny frames (24 bytes each) would hold 2/3 of its size here.
            guard offsets.count < Self.maxFrames else {
                (lost, offsets, times) = (true, [], [])
                break
            }
            offsets.append(pendingStart + UInt64(p))
            times.append(time)
            if !first || !Self.isInfoFrame(bytes, at: p, length: h.length) {
                time += Double(h.samples) / Double(h.sampleRate)
            }
            first = false
            p += h.length
        }
        next = pendingStart + UInt64(p)
        // Keep only what the next frame needs.
        let keep = max(0, min(bytes.count, p))
        pending.removeFirst(keep)
        pendingStart += UInt64(keep)
    }

    static func isInfoFrame(_ bytes: UnsafeRawBufferPointer, at p: Int, length: Int) -> Bool {
        let end = min(bytes.count, p + min(length, 64))
        guard end - p >= 8 else { return false }
        for q in (p + 4)..<(end - 4) {
            let tag = (bytes[q], bytes[q + 1], bytes[q + 2], bytes[q + 3])
            if tag == (0x58, 0x69, 0x6E, 0x67) || tag == (0x49, 0x6E, 0x66, 0x6F) || tag == (0x56, 0x42, 0x52, 0x49) {
                return true
            }
        }
        return false
    }

    /// After the last frame a file may end with tags (ID3v1 "TAG", APE): the timeline ends there.
    private func trailer(_ bytes: UnsafeRawBufferPointer, from p: Int) -> Bool {
        let t = (bytes[p], bytes[p + 1], bytes[p + 2])
        if t == (0x54, 0x41, 0x47) || t == (0x41, 0x50, 0x45) || t == (0x4C, 0x59, 0x52) { return true }
        return false
    }

    /// The copy's length, once read: closes the last frame.
    public func finish(size: UInt64) {
        guard isMP3 else { return }
        offsets.append(min(size, next))
        times.append(time)
    }

    /// The time at a copy offset (inside a frame: in proportion), nil if the copy is not an MP3.
    public func time(at offset: UInt64) -> Double? {
        guard isMP3 else { return nil }
        return Timeline.time(at: offset, offsets: offsets, times: times)
    }
}

/// A copy's timeline, whichever kind it is: MP3 frames or an MP4's sound samples (nil times: neither).
public final class MediaTimeline: @unchecked Sendable {
    public let mp3 = MP3Timeline()
    public let mp4 = MP4Timeline()

    public init() {}

    public func add(_ data: UnsafeRawBufferPointer) {
        mp3.add(data)
        mp4.add(data)
    }

    public func finish(size: UInt64) {
        mp3.finish(size: size)
        mp4.finish(size: size)
    }

    /// Whether the copy's times are known.
    public var isKnown: Bool { mp3.isMP3 || mp4.isMP4 }

    public func time(at offset: UInt64) -> Double? { mp3.isMP3 ? mp3.time(at: offset) : mp4.time(at: offset) }
}
