/// The feed's index of pictures: every original frame under a 16-bit key, the signs of its coarse 4×4 summary
/// (each region brighter or darker than the frame). A clip's frames look their keys up, and the weakest three
/// of their bits either way (8 keys a frame: a re-encoding moves a region near the frame's mean across it); the
/// offsets most of a window's frames agree on are the candidates measured. A clip is placed among a feed's
/// episodes in time that grows with the frames sharing its keys, not with the feed's length.
struct PictureKeys: Sendable {
    private let keys: [UInt32]
    private let entries: [(original: Int32, frame: Int32)]
    /// A key this common says nothing of where a frame is (a black screen, a still held for minutes).
    static let commonest = 4096
    /// Bits tried either way.
    static let probedBits = 3
    /// Coarse regions this close to the frame's mean (standard deviations) are all of a flat frame.
    static let flat = 0.25

    init(_ coarse: [[[Double]]]) {
        var all: [(UInt32, (Int32, Int32))] = []
        for (o, frames) in coarse.enumerated() {
            for (j, c) in frames.enumerated() {
                guard let key = Self.key(c) else { continue }
                all.append((key, (Int32(o), Int32(j))))
            }
        }
        all.sort { $0.0 < $1.0 || ($0.0 == $1.0 && ($0.1.0, $0.1.1) < ($1.1.0, $1.1.1)) }
        keys = all.map(\.0)
        entries = all.map { (original: $0.1.0, frame: $0.1.1) }
    }

    /// The signs of a frame's 16 coarse regions; nil for a flat frame.
    static func key(_ c: [Double]) -> UInt32? {
        guard c.contains(where: { abs($0) > flat }) else { return nil }
        var key: UInt32 = 0
        for (q, v) in c.enumerated() where v > 0 { key |= 1 << UInt32(q) }
        return key
    }

    /// The key and those with any of its weakest bits flipped.
    static func probes(_ c: [Double]) -> [UInt32] {
        guard let key = key(c) else { return [] }
        let weakest = c.indices.sorted { abs(c[$0]) < abs(c[$1]) }.prefix(probedBits)
        var out: [UInt32] = [key]
        for q in weakest { out += out.map { $0 ^ (1 << UInt32(q)) } }
        return out
    }

    /// Offsets (original, k: original frame j is clip frame 2j − k) that two or more of the window's frames
    /// vote for, most votes first, at most `limit`.
    func votes(_ clip: [[Double]], _ window: Range<Int>, limit: Int) -> [(original: Int, offset: Int)] {
        var votes: [Int64: Int] = [:]
        for i in window {
            for p in Self.probes(clip[i]) {
                let range = equalRange(of: p, in: keys)
                guard range.count <= Self.commonest else { continue }
                for e in entries[range] {
                    votes[Int64(e.original) << 32 | Int64(UInt32(bitPattern: 2 * e.frame - Int32(i))), default: 0] += 1
                }
            }
        }
        return votes.filter { $0.value >= 2 }.sorted {
            $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key)
        }
        .prefix(limit).map { (Int($0.key >> 32), Int(Int32(bitPattern: UInt32(truncatingIfNeeded: $0.key)))) }
    }
}
