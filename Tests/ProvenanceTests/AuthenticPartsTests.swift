import Foundation
import Testing

@testable import ProvenanceCore

/// The search for an original's signed chunks in a copy, on synthetic bytes (the real-media cases are in
/// AuthenticMediaTests).
@Suite(.tags(.unit)) struct AuthenticPartsTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            s ^= s << 13
            s ^= s >> 7
            s ^= s << 17
            return UInt8(truncatingIfNeeded: s)
        }
    }

    /// Hashes `bytes` as a file of the given chunk size and returns its chunk list.
    static func chunkList(_ bytes: [UInt8], chunkSize: Int) -> ChunkList {
        var acc = ChunkAccumulator(chunkSize: chunkSize)
        bytes.withUnsafeBytes { acc.add($0) }
        let chunked = acc.finish()
        return ChunkList(
            size: UInt64(bytes.count), chunkSize: chunkSize, digests: chunked.chunks, windows: chunked.windows)
    }

    /// Feeds the copy in pieces of `piece` bytes, as a download or a read does.
    static func find(_ copy: [UInt8], in lists: [ChunkList], piece: Int = 1 << 20) -> [AuthenticPart] {
        let finder = AuthenticPartsFinder(index: ChunkIndex(lists))
        var at = 0
        while at < copy.count {
            let end = min(copy.count, at + piece)
            copy[at..<end].withUnsafeBytes { finder.add($0) }
            at = end
        }
        return finder.finish()
    }

    @Test func findsAnInsertionAtAnyOffset() {
        let original = Self.bytes(3_000_000, seed: 1)
        let ad = Self.bytes(90_001, seed: 2)
        let cut = 958_500  // not on a chunk boundary
        let copy = Array(original[..<cut]) + ad + Array(original[cut...])
        // Fed whole, in 4 KiB reads, and in odd-sized pieces: the same answer.
        for piece in [1 << 20, 4096, 65_537] {
            let parts = Self.find(copy, in: [Self.chunkList(original, chunkSize: 8192)], piece: piece)
            // Before the ad: the chunks before the one the cut falls in. After it: from the next boundary.
            let resume = UInt64((cut / 8192 + 1) * 8192)
            #expect(
                parts == [
                    AuthenticPart(start: 0, end: 958_464, original: 0, originalStart: 0, originalEnd: 958_464),
                    AuthenticPart(
                        start: resume + 90_001, end: UInt64(copy.count), original: 0, originalStart: resume,
                        originalEnd: 3_000_000),
                ], "piece \(piece)")
            let report = AuthenticParts(
                parts: parts, copySize: UInt64(copy.count), originalSize: 3_000_000, original: 0)
            #expect(report.inOrder)
            #expect(report.unmatched == [ByteRange(start: 958_464, end: resume + 90_001)])
            #expect(abs(report.originalCoverage - Double(3_000_000 - (resume - 958_464)) / 3_000_000) < 1e-9)
        }
    }

    /// An excerpt (shorter than the original, starting anywhere) is located at its place in the original.
    @Test func locatesAnExcerpt() {
        let original = Self.bytes(2_000_000, seed: 3)
        let list = Self.chunkList(original, chunkSize: 8192)
        let excerpt = Array(original[1_234_567..<1_314_567])  // 80,000 bytes, like 10 s of 64 kbps MP3
        let parts = Self.find(excerpt, in: [list])
        let firstChunk = UInt64((1_234_567 / 8192 + 1) * 8192)
        #expect(parts.count == 1)
        #expect(parts.first?.originalStart == firstChunk)
        #expect(parts.first?.start == firstChunk - 1_234_567)
        let found = parts.reduce(0) { $0 + $1.end - $1.start }
        #expect(found >= 80_000 - 2 * 8192)
    }

    /// Parts moved around: each is found where it is, and the order is reported broken.
    @Test func reorderedPartsAreFoundAndFlagged() throws {
        let original = Self.bytes(400_000, seed: 4)
        let copy = Array(original[200_000...]) + Array(original[..<200_000])
        let parts = Self.find(copy, in: [Self.chunkList(original, chunkSize: 8192)])
        let report = try #require(
            AuthenticParts.best(
                of: parts, copySize: UInt64(copy.count), index: ChunkIndex([Self.chunkList(original, chunkSize: 8192)]))
        )
        #expect(!report.inOrder)
        #expect(report.originalCoverage > 0.9)
    }

    /// Bytes that are nobody's: nothing found; an empty index finds nothing either.
    @Test func unrelatedBytesMatchNothing() {
        let original = Self.bytes(500_000, seed: 5)
        #expect(Self.find(Self.bytes(500_000, seed: 6), in: [Self.chunkList(original, chunkSize: 8192)]).isEmpty)
        #expect(Self.find(original, in: []).isEmpty)
    }

    /// Several originals in one index (a feed): the copy is attributed to the one it holds most of.
    @Test func oneIndexForManyOriginals() throws {
        let episodes = (0..<5).map { Self.bytes(300_000, seed: 10 + UInt64($0)) }
        let lists = episodes.map { Self.chunkList($0, chunkSize: 8192) }
        let index = ChunkIndex(lists)
        let copy = Array(episodes[3][50_000..<250_000]) + Self.bytes(20_000, seed: 99)
        let parts = Self.find(copy, in: lists)
        let best = try #require(AuthenticParts.best(of: parts, copySize: UInt64(copy.count), index: index))
        #expect(best.original == 3)
        #expect(best.parts.allSatisfy { $0.original == 3 })
    }

    /// A one-byte change in constant data (PCM's digital silence) between unique stretches: a run of one byte
    /// value seeds nothing (it would match anywhere: an ad's silence), the unique stretch after it seeds, and
    /// the match extends back over the silence to the changed chunk; everything else is found, in order.
    @Test func constantDataRealignsInOrder() {
        var original =
            Self.bytes(65_536, seed: 5) + [UInt8](repeating: 7, count: 1 << 20) + Self.bytes(65_536, seed: 6)
            + [UInt8](repeating: 0, count: 1 << 19) + Self.bytes(65_536, seed: 8)
        let list = Self.chunkList(original, chunkSize: 8192)
        original[65_536 + (1 << 19) + 5] = 8
        let parts = Self.find(original, in: [list])
        let report = AuthenticParts(
            parts: parts, copySize: UInt64(original.count), originalSize: UInt64(original.count), original: 0)
        #expect(
            report.unmatched == [ByteRange(start: UInt64(65_536 + (1 << 19)), end: UInt64(65_536 + (1 << 19) + 8192))])
        #expect(report.inOrder)
    }

    /// Repeated content — zeros but for one byte every 4 KiB, passing a chunk's window keys at nearly every
    /// offset (a chunk that starts and ends like the copy but differs inside) — seeds nothing: its windows
    /// recur, and it costs no SHA-256 (before issue 28 it spent the whole budget and was cut short).
    @Test func repeatedContentCostsNothing() {
        var chunk = [UInt8](repeating: 0, count: 8192)
        for i in 32..<(8192 - 32) { chunk[i] = UInt8(truncatingIfNeeded: i) }
        let list = Self.chunkList(chunk, chunkSize: 8192)
        var copy = [UInt8](repeating: 0, count: 1 << 20)
        for i in stride(from: 4000, to: copy.count, by: 4096) { copy[i] = 1 }
        let finder = AuthenticPartsFinder(index: ChunkIndex([list]))
        copy.withUnsafeBytes { finder.add($0) }
        #expect(finder.finish().isEmpty)
        // One search for a recurrence (charged a quarter chunk), then the key is weak: no SHA-256 at all.
        #expect(finder.skippedCandidates == 0 && finder.wastedBytes <= 2048, "\(finder.wastedBytes)")
    }

    /// A copy crafted so that every 64th offset passes both window keys of another chunk (16,384 chunks whose
    /// keys are the copy's there but whose digests match nothing; repeated keys would be weak at once): the
    /// SHA-256 spent on false candidates is bounded, and the skip is reported.
    @Test func falseCandidatesAreBounded() {
        let n = 16_384
        var copy = [UInt8](repeating: 0, count: 64 * n + 8192)
        var windows: [UInt64] = []
        for i in 0..<n {
            let head = Self.bytes(32, seed: UInt64(2 * i + 1))
            let tail = Self.bytes(32, seed: UInt64(2 * i + 2))
            // Heads fill the first half of each 64-byte slot; a chunk's tail (8,160 = 64·127 + 32 on) the second.
            copy.replaceSubrange((64 * i)..<(64 * i + 32), with: head)
            copy.replaceSubrange((64 * i + 8160)..<(64 * i + 8192), with: tail)
            windows.append(UInt64(WindowKey.key(head)) << 32 | UInt64(WindowKey.key(tail)))
        }
        let list = ChunkList(
            size: UInt64(n) * 8192, chunkSize: 8192,
            digests: Array(repeating: [UInt8](repeating: 0xee, count: 32), count: n),
            windows: windows)
        let finder = AuthenticPartsFinder(index: ChunkIndex([list]))
        copy.withUnsafeBytes { finder.add($0) }
        #expect(finder.finish().isEmpty)
        #expect(finder.skippedCandidates > 0)
        // Without the budget: a SHA-256 of 8 KiB at every 64th offset (128 MiB). With it: at most twice the
        // bytes read and 4 MiB, plus one chunk.
        #expect(finder.wastedBytes <= 2 * UInt64(copy.count) + (4 << 20) + 8192, "\(finder.wastedBytes)")
    }

    /// Seed and extend: an episode of "speech" (unique bytes) and "silence" (one frame repeated, every fifth
    /// a byte shorter, like an MP3's padding), with an ad whose own silence is byte for byte the episode's
    /// stitched in on a frame boundary inside a silence. Every byte of the episode is found but the chunks
    /// the splice cuts, in order; no part lies inside the ad; nothing is cut short.
    @Test func silenceBesideAnAdIsFoundByExtension() {
        let frame = Self.bytes(418, seed: 99)
        func silence(_ frames: Int) -> [UInt8] {
            (0..<frames).flatMap { i in i % 5 == 4 ? Array(frame.prefix(417)) : frame }
        }
        var original: [UInt8] = []
        for k in 0..<40 { original += Self.bytes(30_000, seed: UInt64(1000 + k)) + silence(60) }
        let list = Self.chunkList(original, chunkSize: 8192)
        let cut = 10 * (30_000 + 60 * 418 - 12) + 30_000 + 20 * 418 - 4  // 20 frames into the 11th silence
        let ad = silence(10) + Self.bytes(100_000, seed: 7) + silence(10)
        let copy = Array(original[..<cut]) + ad + Array(original[cut...])
        let finder = AuthenticPartsFinder(index: ChunkIndex([list]))
        copy.withUnsafeBytes { finder.add($0) }
        let parts = finder.finish()
        let report = AuthenticParts(
            parts: parts, copySize: UInt64(copy.count), originalSize: UInt64(original.count), original: 0)
        let found = parts.reduce(0) { $0 + $1.end - $1.start }
        #expect(report.inOrder && finder.skippedCandidates == 0)
        #expect(found >= UInt64(original.count - 2 * 8192), "\(found) of \(original.count)")
        let adSpeech = UInt64(cut + 10 * 418)..<UInt64(cut + 10 * 418 + 100_000)
        #expect(parts.allSatisfy { $0.end <= adSpeech.lowerBound || $0.start >= adSpeech.upperBound }, "\(parts)")
        for p in parts {
            #expect(
                Array(copy[Int(p.start)..<Int(p.end)]) == Array(original[Int(p.originalStart)..<Int(p.originalEnd)]))
        }
    }
}
