/// The times of an MP4/M4A copy's audio samples, from its sample tables (ISO/IEC 14496-12): where each sample
/// of the first sound track lies in the file and when it plays. Fed the copy in pieces, it keeps only the
/// `moov` box (at most 64 MiB; the media data is skipped), wherever it is, and reads it at the end.
public final class MP4Timeline: @unchecked Sendable {
    public private(set) var offsets: [UInt64] = []
    public private(set) var times: [Double] = []
    /// Where the next top-level box starts, its header as it arrives, and the `moov` box's body.
    private var next: UInt64 = 0
    private var seen: UInt64 = 0
    private var header: [UInt8] = []
    private var moov: [UInt8]?
    private var moovEnd: UInt64 = 0
    private var moovLength = 0
    private var lost = false
    private static let maxMoov: UInt64 = 64 << 20

    public init() {}

    public var isMP4: Bool { !lost && offsets.count >= 2 }

    public func add(_ data: UnsafeRawBufferPointer) {
        var i = 0
        while !lost && i < data.count {
            let at = seen + UInt64(i)
            if moov != nil && at < moovEnd {  // inside moov: kept
                let take = min(data.count - i, Int(min(moovEnd - at, UInt64(Int.max))))
                moov! += UnsafeRawBufferPointer(rebasing: data[i..<i + take])
                i += take
            } else if at < next {  // inside another box: skipped
                i += Int(min(UInt64(data.count - i), next - at))
            } else {
                header.append(data[i])
                i += 1
                let size = header.prefix(4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                if header.count == 8 && size != 1 { open(size: size, headerLength: 8) }
                if header.count == 16 {
                    open(size: header[8..<16].reduce(0) { $0 << 8 | UInt64($1) }, headerLength: 16)
                }
            }
        }
        seen += UInt64(data.count)
    }

    /// A top-level box's header read: where the box ends; `moov` is kept (an MP4 starts with `ftyp`).
    private func open(size: UInt64, headerLength: UInt64) {
        let type = String(decoding: header[4..<8], as: UTF8.self)
        let boxStart = next
        header = []
        let (end, overflow) = boxStart.addingReportingOverflow(size)
        guard !(boxStart == 0 && type != "ftyp"), size == 0 || (size >= headerLength && !overflow) else {
            lost = true
            return
        }
        next = size == 0 ? .max : end
        if type == "moov", moov == nil, size != 0, size - headerLength <= Self.maxMoov {
            moov = []
            moovEnd = end
            moovLength = Int(size - headerLength)
        }
    }

    /// The copy's length, once read: reads the sample tables.
    public func finish(size: UInt64) {
        guard !lost, let moov, moov.count == moovLength, let track = MP4Boxes.soundTrack(in: moov) else { return }
        offsets = track.offsets + [min(size, track.end)]
        times = track.times + [track.duration]
    }

    public func time(at offset: UInt64) -> Double? {
        guard isMP4 else { return nil }
        return Timeline.time(at: offset, offsets: offsets, times: times)
    }
}

/// Reading `moov`'s boxes: the first track whose handler is `soun`, its timescale and sample tables.
enum MP4Boxes {
    typealias Box = (type: String, body: ArraySlice<UInt8>)

    static func children(_ b: ArraySlice<UInt8>) -> [Box] {
        var out: [Box] = []
        var p = b.startIndex
        while p + 8 <= b.endIndex {
            var size = Int(u32(b, p))
            var header = 8
            if size == 1, p + 16 <= b.endIndex {
                size = Int(clamping: u64(b, p + 8))
                header = 16
            }
            if size == 0 { size = b.endIndex - p }
            guard size >= header, p + size <= b.endIndex else { break }
            out.append((String(decoding: b[(p + 4)..<(p + 8)], as: UTF8.self), b[(p + header)..<(p + size)]))
            p += size
        }
        return out
    }

    static func u32(_ b: ArraySlice<UInt8>, _ p: Int) -> UInt32 {
        b[p..<p + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    static func u64(_ b: ArraySlice<UInt8>, _ p: Int) -> UInt64 {
        b[p..<p + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    static func child(_ b: ArraySlice<UInt8>, _ path: [String]) -> ArraySlice<UInt8>? {
        var at = b
        for name in path {
            guard let c = children(at).first(where: { $0.type == name }) else { return nil }
            at = c.body
        }
        return at
    }

    /// A full box's entries after version, flags and count: (count, start of the entries), bounds-checked.
    static func table(_ b: ArraySlice<UInt8>, entrySize: Int, skip: Int = 0) -> (Int, Int)? {
        let p = b.startIndex + 4 + skip
        guard p + 4 <= b.endIndex else { return nil }
        let n = Int(u32(b, p))
        guard n <= (b.endIndex - p - 4) / max(entrySize, 1) else { return nil }
        return (n, p + 4)
    }

    /// Each sample's file offset and start time, the end of the last sample, and the track's duration.
    static func soundTrack(in moov: [UInt8]) -> (offsets: [UInt64], times: [Double], end: UInt64, duration: Double)? {
        for trak in children(moov[...]) where trak.type == "trak" {
            guard let mdia = child(trak.body, ["mdia"]), let hdlr = child(mdia, ["hdlr"]), hdlr.count >= 12,
                String(decoding: hdlr[(hdlr.startIndex + 8)..<(hdlr.startIndex + 12)], as: UTF8.self) == "soun",
                let mdhd = child(mdia, ["mdhd"]), let stbl = child(mdia, ["minf", "stbl"])
            else { continue }
            let v1 = mdhd.first == 1
            let scaleAt = mdhd.startIndex + (v1 ? 20 : 12)
            guard scaleAt + 4 <= mdhd.endIndex else { return nil }
            let timescale = Double(u32(mdhd, scaleAt))
            guard timescale > 0 else { return nil }
            return samples(stbl, timescale: timescale)
        }
        return nil
    }

    private static func samples(_ stbl: ArraySlice<UInt8>, timescale: Double) -> (
        offsets: [UInt64], times: [Double], end: UInt64, duration: Double
    )? {
        guard let stsz = child(stbl, ["stsz"]), let stsc = child(stbl, ["stsc"]), let stts = child(stbl, ["stts"]),
            stsz.count >= 12
        else { return nil }
        let fixed = Int(u32(stsz, stsz.startIndex + 4))
        // A count is bounded by its table's bytes, and a fixed sample size's count by the timeline's cap (one
        // 4-byte field could otherwise ask for 2^32 samples: 64 GiB of timeline).
        guard let (count, sizesAt) = table(stsz, entrySize: fixed == 0 ? 4 : 0, skip: 4), count <= MP3Timeline.maxFrames
        else { return nil }
        let sizes = (0..<count).map { fixed != 0 ? UInt64(fixed) : UInt64(u32(stsz, sizesAt + 4 * $0)) }
        var chunkOffsets: [UInt64] = []
        if let stco = child(stbl, ["stco"]), let (n, at) = table(stco, entrySize: 4) {
            chunkOffsets = (0..<n).map { UInt64(u32(stco, at + 4 * $0)) }
        } else if let co64 = child(stbl, ["co64"]), let (n, at) = table(co64, entrySize: 8) {
            chunkOffsets = (0..<n).map { u64(co64, at + 8 * $0) }
        }
        guard let (runs, runsAt) = table(stsc, entrySize: 12), let (deltas, deltasAt) = table(stts, entrySize: 8),
            !chunkOffsets.isEmpty
        else { return nil }
        // Samples per chunk, run by run (stsc: first chunk, samples per chunk, description).
        var offsets: [UInt64] = []
        offsets.reserveCapacity(count)
        var sample = 0
        for r in 0..<runs where sample < count {
            let first = Int(u32(stsc, runsAt + 12 * r)) - 1
            let perChunk = Int(u32(stsc, runsAt + 12 * r + 4))
            let last = r + 1 < runs ? Int(u32(stsc, runsAt + 12 * (r + 1))) - 1 : chunkOffsets.count
            guard first >= 0, first <= last, last <= chunkOffsets.count else { return nil }
            for c in first..<last {
                var at = chunkOffsets[c]
                for _ in 0..<min(perChunk, count - sample) {
                    offsets.append(at)
                    at += sizes[sample]
                    sample += 1
                }
            }
        }
        guard sample == count, count > 0 else { return nil }
        var times: [Double] = []
        times.reserveCapacity(count)
        var t: UInt64 = 0
        for d in 0..<deltas {
            let n = Int(u32(stts, deltasAt + 8 * d))
            let delta = UInt64(u32(stts, deltasAt + 8 * d + 4))
            for _ in 0..<min(n, count - times.count) {
                times.append(Double(t) / timescale)
                t += delta
            }
        }
        guard times.count == count else { return nil }
        // Samples out of file order (interleaved tracks are fine; a table that goes back is not read).
        guard zip(offsets, offsets.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
        return (offsets, times, offsets[count - 1] + sizes[count - 1], Double(t) / timescale)
    }
}

/// The time at a byte offset, given frame or sample starts and their times (inside one: in proportion).
enum Timeline {
    static func time(at offset: UInt64, offsets: [UInt64], times: [Double]) -> Double? {
        guard let last = offsets.last else { return nil }
        if offset >= last { return times.last }
        if offset <= offsets[0] { return times[0] }
        var lo = 0
        var hi = offsets.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if offsets[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        guard lo + 1 < offsets.count else { return times[lo] }
        let span = Double(offsets[lo + 1] - offsets[lo])
        return times[lo] + (times[lo + 1] - times[lo]) * Double(offset - offsets[lo]) / max(span, 1)
    }
}
