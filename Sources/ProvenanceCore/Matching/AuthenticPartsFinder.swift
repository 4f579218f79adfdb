internal import CSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A byte range of a copy that is byte-identical to a range of a signed original, proven by the
/// original's signed chunk digests. Offsets are half-open: [start, end).
public struct AuthenticPart: Equatable, Sendable {
    public let start: UInt64
    public let end: UInt64
    /// Which original of the index (0 for a single manifest).
    public let original: Int
    public let originalStart: UInt64
    public let originalEnd: UInt64

    public init(start: UInt64, end: UInt64, original: Int, originalStart: UInt64, originalEnd: UInt64) {
        self.start = start
        self.end = end
        self.original = original
        self.originalStart = originalStart
        self.originalEnd = originalEnd
    }
}

/// Finds the chunks of signed originals in a copy at any offset (docs/FORMAT.md §2b), as rsync finds
/// blocks: a window key rolled over every byte, and a SHA-256 where the key names a chunk. Fed the copy
/// in pieces (a file read, a download), it keeps a bounded buffer: 4 MiB, or four of the longest chunk.
///
/// Seed and extend: a key whose candidates once failed their SHA-256 is weak — repeated content (an MP3's
/// digital silence repeats one frame; its windows recur at every frame) — and seeds no match again; a match
/// found elsewhere extends over such chunks instead, forward (the next chunk of the original where the
/// match ends) and backward (the chunks before it, over the quarter of the buffer kept behind the search).
/// Measured by scripts/dai_study.py: before, a 128 kbps stereo episode with silences had its search cut
/// short (budget spent on silence) and 78.0% of the publisher's bytes found beside one ad, 0.0% beside a
/// pre-roll.
public final class AuthenticPartsFinder {
    private let index: ChunkIndex
    private let buffer: UnsafeMutableRawBufferPointer
    /// Valid bytes in the buffer, the copy offset of its first byte, and the search position in it.
    private var count = 0
    private var base: UInt64 = 0
    private var position = 0
    /// The rolling hash of the 32 bytes at `position`, when `rolling` says it is current.
    private var hash: UInt64 = 0
    private var rolling = false
    private var parts: [AuthenticPart] = []
    private var lastChunk: (original: Int, chunk: Int)?
    /// SHA-256 work spent on candidates that were not chunks: a copy crafted so that every offset looks
    /// like a chunk would cost a SHA-256 of a chunk per byte. Past the budget candidates are skipped.
    private(set) var wastedBytes: UInt64 = 0
    public private(set) var skippedCandidates = 0
    private let hasher = SHA256Hasher()
    /// A run of one repeated byte known in the copy (copy offsets, end exclusive): digital silence or
    /// padding matches every chunk that starts and ends in it at every offset, and its SHA-256 is the same
    /// at all of them, so it is computed once per byte value and length.
    private var run: (byte: UInt8, start: UInt64, end: UInt64) = (0, 0, 0)
    private var runDigests: [Int: [UInt8]] = [:]
    /// Head keys whose candidates failed their SHA-256 once: they seed no match again (see above).
    private var weakKeys = Set<UInt32>()
    /// Insertions whose place was not found at an MP3 frame start: tried at an MP4's samples after the search.
    private(set) var splices: [Splice] = []
    /// The copy offset where extending the last part forward was last tried (each end is tried once).
    private var triedForward: UInt64?
    /// Bytes kept behind the search position for extending a match backward.
    private let lookBehind: Int

    public init(index: ChunkIndex) {
        self.index = index
        buffer = .allocate(byteCount: max(4 << 20, 4 * index.longestChunk), alignment: 64)
        lookBehind = buffer.count / 4
    }

    deinit { buffer.deallocate() }

    public func add(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < data.count {
            if count == buffer.count {
                search(final: false)
                compact()
            }
            let take = min(buffer.count - count, data.count - offset)
            (buffer.baseAddress! + count).copyMemory(from: data.baseAddress! + offset, byteCount: take)
            count += take
            offset += take
        }
        search(final: false)
    }

    /// Ends the copy: searches what is left and returns the parts found, in copy order, adjacent chunks
    /// of one original merged.
    public func finish() -> [AuthenticPart] {
        search(final: true)
        matchEnd()
        return parts
    }

    /// The copy's end against the original's last chunk: a search that realigned on repeated content
    /// (silence, a constant region) can leave the last bytes off its grid although they are the original's
    /// end. The buffer still holds the longest chunk's length of the copy's end.
    private func matchEnd() {
        guard let last = parts.last, last.end < bytesSeen else { return }
        let list = index.originals[last.original]
        let chunk = list.digests.count - 1
        let length = list.length(of: chunk)
        guard length >= WindowKey.width, length <= count, UInt64(length) <= bytesSeen else { return }
        let start = count - length
        // Apart from the last part, repeated content (a post-roll ad's closing silence) says nothing of where
        // it comes from, as with any seed.
        let bytes = UnsafeRawBufferPointer(buffer)
        guard
            base + UInt64(start) <= last.end || !recurs(at: start, within: length, in: bytes)
        else { return }
        hasher.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<count]))
        guard hasher.finalize() == list.digests[chunk] else { return }
        // Only the bytes after the last part are new; the chunk proves every byte of itself.
        let copyStart = max(base + UInt64(start), last.end)
        let skip = copyStart - (base + UInt64(start))
        parts.append(
            AuthenticPart(
                start: copyStart, end: bytesSeen, original: last.original,
                originalStart: list.offset(of: chunk) + skip, originalEnd: list.size))
    }

    /// The copy's length so far.
    public var bytesSeen: UInt64 { base + UInt64(count) }

    /// Drops what lies more than `lookBehind` behind the search (the search leaves at most the longest chunk,
    /// a quarter of the buffer, unsearched, so this always frees room).
    private func compact() {
        let drop = position - lookBehind
        guard drop > 0 else { return }
        let keep = count - drop
        if keep > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + drop, byteCount: keep) }
        base += UInt64(drop)
        count = keep
        position -= drop
    }

    /// The SHA-256 spent on candidates that failed is over its budget (twice the bytes read, plus 4 MiB).
    private var overBudget: Bool { wastedBytes > 2 * bytesSeen + (4 << 20) }
    /// What is left of the budget.
    var budgetLeft: UInt64 { overBudget ? 0 : 2 * bytesSeen + (4 << 20) - wastedBytes }

    /// Whether the chunk `c` of original `o` is the `length` bytes at `p` (the tail key first).
    private func holds(_ o: Int, _ c: Int, at p: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        let list = index.originals[o]
        let length = list.length(of: c)
        guard length >= WindowKey.width, p >= 0, p + length <= count else { return false }
        let tail = WindowKey.key(UnsafeRawBufferPointer(rebasing: bytes[(p + length - WindowKey.width)..<(p + length)]))
        guard tail == UInt32(truncatingIfNeeded: list.windows[c]) else { return false }
        if let same = constantDigest(at: p, length: length, in: bytes) { return same == list.digests[c] }
        guard !overBudget else { return false }
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[p..<p + length]))
        guard hasher.finalize() == list.digests[c] else {
            wastedBytes += UInt64(length)
            return false
        }
        return true
    }

    /// At the end of the last part: the original's next chunk, wherever its key is weak. Its length, if it is there.
    private func extendForward(at p: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        let at = base + UInt64(p)
        guard let last = parts.last, last.end == at, triedForward != at, let chunk = lastChunk else { return nil }
        triedForward = at
        let next = chunk.chunk + 1
        guard next < index.originals[chunk.original].digests.count, holds(chunk.original, next, at: p, in: bytes)
        else { return nil }
        let length = index.originals[chunk.original].length(of: next)
        record(copyStart: at, chunk.original, next, length)
        return length
    }

    /// An insertion between the last part and a match at `b` (chunk `c` of original `o`), as a DAI server
    /// stitches an ad between two MP3 frames: the original's bytes between the two parts (at most two chunks,
    /// the ones the splice cut) must be the copy's bytes before the insertion and after it. The insertion's
    /// length is known from the two parts; where it starts is tried at every frame start of the copy, and a
    /// split whose bytes hash to the cut chunks' signed digests proves those bytes and the insertion's exact
    /// place. Its SHA-256 on failures counts against the budget.
    private func repairSplice(before b: Int, original o: Int, chunk c: Int, in bytes: UnsafeRawBufferPointer) {
        guard let last = parts.last, last.original == o, let chunk = lastChunk, chunk.original == o else { return }
        let list = index.originals[o]
        let (oa, ob) = (list.offset(of: chunk.chunk + 1), list.offset(of: c))
        let a = Int(clamping: Int64(last.end) - Int64(base))
        guard last.originalEnd == oa, ob > oa, ob - oa <= 2 * UInt64(list.chunkSize), a >= 0 else { return }
        let missing = Int(ob - oa)
        let inserted = b - a - missing
        guard inserted > 0 else { return }
        let window = UnsafeRawBufferPointer(rebasing: bytes[a..<b])
        let splice = Splice(
            copyStart: last.end, copyEnd: base + UInt64(b), original: o, chunks: (chunk.chunk + 1)..<c,
            originalStart: oa, originalEnd: ob)
        for z in a...(a + missing)
        where MP3Frame.startsFrameOrTag(at: z, in: bytes) && MP3Frame.starts(at: z + inserted, in: bytes) {
            guard !overBudget else { return }
            guard splice.rebuilds(window, splitAt: z - a, list: list, hasher: hasher) else {
                wastedBytes += UInt64(missing)
                continue
            }
            for part in splice.parts(splitAt: z - a) { append(part) }
            return
        }
        // Not at an MP3 frame: an MP4's samples are known once its sample tables are read (often at the end).
        if splices.count < Splice.maxRepaired { splices.append(splice) }
    }

    /// Adds a part, merged into the last one when it continues it in both copy and original.
    private func append(_ part: AuthenticPart) {
        guard part.end > part.start else { return }
        if let last = parts.last, let joined = last.joined(part) {
            parts[parts.count - 1] = joined
        } else {
            parts.append(part)
        }
    }

    /// Before a match of chunk `c` at `p` that continues nothing: how many chunks before it are there too, back
    /// to the last part's end or what the buffer keeps. Their copy start.
    private func extendBackward(_ o: Int, _ c: Int, at p: Int, in bytes: UnsafeRawBufferPointer) -> (Int, Int) {
        let floor = parts.last.map { Int(clamping: Int64($0.end) - Int64(base)) } ?? 0
        var (chunk, start) = (c, p)
        while chunk > 0 {
            let previous = start - index.originals[o].length(of: chunk - 1)
            guard previous >= max(floor, 0), holds(o, chunk - 1, at: previous, in: bytes) else { break }
            (chunk, start) = (chunk - 1, previous)
        }
        return (chunk, start)
    }

    /// Searches the positions whose chunk-length look-ahead is in the buffer (all of them when final).
    private func search(final: Bool) {
        guard !index.isEmpty else { return }
        let bytes = UnsafeRawBufferPointer(buffer)
        let width = WindowKey.width
        while true {
            // Last position that can be searched now: a window must fit, and (until the end) the longest
            // chunk too, so a match is never missed for lack of look-ahead.
            let last = final ? count - width : count - max(width, index.longestChunk)
            guard position <= last else { return }
            if let length = extendForward(at: position, in: bytes) {
                position += length
                rolling = false
                continue
            }
            if !rolling {
                hash = WindowKey.hash(UnsafeRawBufferPointer(rebasing: bytes[position..<position + width]))
                rolling = true
            }
            // The hot loop: roll until the filter lets a key through.
            var h = hash
            var p = position
            while !index.mayHold(WindowKey.key(ofHash: h)) && p < last {
                h = WindowKey.roll(h, out: bytes[p], next: bytes[p + width])
                p += 1
            }
            hash = h
            position = p
            if index.mayHold(WindowKey.key(ofHash: h)), let length = match(at: p, in: bytes) {
                position += length
                rolling = false
                continue
            }
            if let next = pastConstantRun(at: p, before: last, in: bytes) {
                position = next
                rolling = false
                continue
            }
            guard p < last else {
                // The end of what can be searched now: step past it so the next call resumes after it.
                if p + width < count {
                    hash = WindowKey.roll(h, out: bytes[p], next: bytes[p + width])
                } else {
                    rolling = false
                }
                position = p + 1
                return
            }
            hash = WindowKey.roll(h, out: bytes[p], next: bytes[p + width])
            position = p + 1
        }
    }

    /// Checks the chunks whose key is at `p`; records and returns the length of the one found there.
    /// What was computed at one position for one chunk length: its tail key, and its SHA-256 once needed.
    private struct Probe {
        let length: Int
        let tail: UInt32
        var digest: [UInt8]?
    }
    /// Reused at every position (no allocation in the search's inner steps).
    private var probes: [Probe] = []

    private func match(at p: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        let key = WindowKey.key(ofHash: hash)
        guard let candidates = seeds(key, at: p, in: bytes) else { return nil }
        let copyStart = base + UInt64(p)
        let continuing = parts.last.map { $0.end == copyStart } ?? false
        probes.removeAll(keepingCapacity: true)
        var hashed = 0
        var found: (original: Int, chunk: Int, length: Int, rank: (Int, Int, Int))?
        for entry in candidates {
            let (o, c) = (Int(entry.original), Int(entry.chunk))
            let list = index.originals[o]
            let length = list.length(of: c)
            guard p + length <= count else { continue }
            // The tail key first: 32 multiply-adds instead of a SHA-256 of the chunk.
            var k = probes.firstIndex { $0.length == length } ?? -1
            if k < 0 {
                let tail = WindowKey.key(
                    UnsafeRawBufferPointer(rebasing: bytes[(p + length - WindowKey.width)..<(p + length)]))
                probes.append(Probe(length: length, tail: tail, digest: nil))
                k = probes.count - 1
            }
            guard probes[k].tail == UInt32(truncatingIfNeeded: list.windows[c]) else { continue }
            if probes[k].digest == nil {
                if let same = constantDigest(at: p, length: length, in: bytes) {
                    probes[k].digest = same
                } else {
                    if overBudget {
                        skippedCandidates += 1
                        return nil
                    }
                    hasher.update(UnsafeRawBufferPointer(rebasing: bytes[p..<p + length]))
                    probes[k].digest = hasher.finalize()
                    hashed += length
                }
            }
            guard probes[k].digest == list.digests[c] else { continue }
            // Identical chunks (silence, a repeated jingle): the one that continues the last match wins,
            // else the first after the last match in the same original (the copy in order), else the first.
            let rank: (Int, Int, Int)
            if let last = lastChunk, last.original == o, c > last.chunk {
                rank = (continuing && c == last.chunk + 1 ? 0 : 1, c, 0)
            } else {
                rank = (2, o, c)
            }
            if found == nil || rank < found!.rank { found = (o, c, length, rank) }
        }
        guard let found else {
            wastedBytes += UInt64(hashed)
            if hashed > 0 { weakKeys.insert(key) }
            return nil
        }
        let continues = found.rank.0 == 0
        let (first, start) =
            continues ? (found.chunk, p) : extendBackward(found.original, found.chunk, at: p, in: bytes)
        if !continues { repairSplice(before: start, original: found.original, chunk: first, in: bytes) }
        var at = start
        for c in first...found.chunk {
            let length = index.originals[found.original].length(of: c)
            record(copyStart: base + UInt64(at), found.original, c, length)
            at += length
        }
        return found.length
    }

    /// The chunks that may seed a match at `p`, or nil where content repeats: repeated content seeds nothing (a
    /// match beside it extends over it) — a key that failed before, or a window that recurs in the chunk's
    /// length after it (an ad's silence is byte for byte the episode's, and would be called the publisher's at
    /// some arbitrary place of the original; a run of one byte value, PCM's digital silence, is the same).
    /// The search for a recurrence costs a quarter of a chunk's SHA-256 against the budget (a copy of chunk
    /// heads cycled past a chunk's length never turns a key weak; uncharged, it cost 23 times openssl).
    private func seeds(_ key: UInt32, at p: Int, in bytes: UnsafeRawBufferPointer) -> ArraySlice<ChunkIndex.Entry>? {
        let candidates = index.candidates(key)
        guard !candidates.isEmpty, !weakKeys.contains(key), !overBudget else {
            if !candidates.isEmpty && overBudget { skippedCandidates += 1 }
            return nil
        }
        wastedBytes += UInt64(index.longestChunk / 4)
        // The window after it too: an MP3's silence repeats its frame body, but a frame without padding (one in
        // about 25 at 128 kbps) has a header that recurs only 10 KB later; a chunk starting there seeded, and
        // matched inside an ad's silence (a 128 kbps pre-roll split in three, scripts/dai_study.py).
        if recurs(at: p, within: index.longestChunk, in: bytes)
            || recurs(at: p + WindowKey.width, within: index.longestChunk, in: bytes)
        {
            // Weak from now on: the next time costs a set lookup, not a search of the chunk's length.
            weakKeys.insert(key)
            return nil
        }
        return candidates
    }

    /// Where a run of one byte value whose window failed to seed ends (its last window), when `p` is in one:
    /// each of its windows is the same, has the same key, and fails the same way, so they are not tried one by
    /// one (32 MiB of zeros in a WAV cost 1.2 s a byte at a time, 36 times openssl).
    private func pastConstantRun(at p: Int, before last: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        let width = WindowKey.width
        let value = bytes[p]
        guard weakKeys.contains(WindowKey.key(ofHash: hash)) || !index.mayHold(WindowKey.key(ofHash: hash)),
            bytes[p + width - 1] == value
        else { return nil }
        var e = p + 1
        while e < p + width && bytes[e] == value { e += 1 }
        guard e == p + width else { return nil }
        while e < last + width && bytes[e] == value { e += 1 }
        // e is past the run (or the end of what can be searched): the last window wholly inside it starts here.
        let next = e - width + 1
        return next > p + 1 ? next : nil
    }

    /// Whether the window at `p` occurs again in the `length` bytes after it (what the buffer holds of them).
    private func recurs(at p: Int, within length: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        let end = min(count, p + length)
        guard end - p > 2 * WindowKey.width else { return false }
        return pv_memmem(bytes.baseAddress! + p + 1, end - p - 1, bytes.baseAddress! + p, WindowKey.width) != nil
    }

    /// The digest of `length` bytes at `p` when they are all one byte value (from the cache), else nil.
    /// The run is extended as the search moves on, so each byte of the copy is compared about once.
    private func constantDigest(at p: Int, length: Int, in bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        let at = base + UInt64(p)
        let value = bytes[p]
        if !(run.byte == value && run.start <= at && run.end > at) { run = (value, at, at + 1) }
        var e = Int(run.end - base)
        while e < p + length && bytes[e] == value { e += 1 }
        run.end = base + UInt64(e)
        guard e >= p + length else { return nil }
        let key = length << 8 | Int(value)
        if let known = runDigests[key] { return known }
        let digest = SHA256Hasher.hash([UInt8](repeating: value, count: length))
        runDigests[key] = digest
        return digest
    }

    private func record(copyStart: UInt64, _ original: Int, _ chunk: Int, _ length: Int) {
        let originalStart = index.originals[original].offset(of: chunk)
        append(
            AuthenticPart(
                start: copyStart, end: copyStart + UInt64(length), original: original, originalStart: originalStart,
                originalEnd: originalStart + UInt64(length)))
        lastChunk = (original, chunk)
    }

    /// Searches a file, read in 1 MiB pieces (memory stays bounded whatever its size).
    public static func search(path: String, index: ChunkIndex) throws -> (
        parts: [AuthenticPart], size: UInt64, skipped: Int, timeline: MediaTimeline
    ) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProvenanceError.input("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let finder = AuthenticPartsFinder(index: index)
        let timeline = MediaTimeline()
        let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { piece.deallocate() }
        while true {
            let n = read(fd, piece.baseAddress!, piece.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw ProvenanceError.input("\(path): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(piece)[0..<n])
            finder.add(data)
            timeline.add(data)
        }
        timeline.finish(size: finder.bytesSeen)
        var parts = finder.finish()
        if timeline.mp4.isMP4 {
            parts = Splice.repair(
                parts, finder.splices, at: timeline.mp4.offsets, index: index, budget: finder.budgetLeft,
                read: { offset, count in
                    var bytes = [UInt8](repeating: 0, count: count)
                    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
                    return n == count ? bytes : nil
                })
        }
        return (parts, finder.bytesSeen, finder.skippedCandidates, timeline)
    }
}

extension AuthenticParts {
    /// Searches a file for the chunks of the index's originals; the parts of the original it holds most of.
    public static func find(in path: String, index: ChunkIndex) throws -> AuthenticParts? {
        let (parts, size, skipped, timeline) = try AuthenticPartsFinder.search(path: path, index: index)
        return best(of: parts, copySize: size, index: index, skipped: skipped, timeline: timeline)
    }
}

/// A copy read once as a stream (a download): its content digest, and the parts found in it while it
/// went by when there was an index to search (nothing of it is kept).
public struct StreamedCopy: Sendable {
    public let digest: FileDigest
    public let parts: [AuthenticPart]?
    public let skippedCandidates: Int
    /// The copy's MP3 frame times, read as it went by.
    public var timeline: MediaTimeline?

    public init(digest: FileDigest, parts: [AuthenticPart]?, skippedCandidates: Int = 0) {
        self.digest = digest
        self.parts = parts
        self.skippedCandidates = skippedCandidates
    }

    /// Feeds the stream's pieces to a SHA-256 and, with an index, to the search.
    public final class Builder {
        private let whole = try! StreamHasher(chunkSize: nil)
        private let finder: AuthenticPartsFinder?
        private let timeline = MediaTimeline()

        public init(index: ChunkIndex?) {
            finder = index.flatMap { $0.isEmpty ? nil : AuthenticPartsFinder(index: $0) }
        }

        public func add(_ data: UnsafeRawBufferPointer) {
            whole.add(data)
            if let finder {
                finder.add(data)
                timeline.add(data)
            }
        }

        public func finish() -> StreamedCopy {
            let digest = whole.finish()
            timeline.finish(size: digest.size)
            var copy = StreamedCopy(
                digest: digest, parts: finder?.finish(), skippedCandidates: finder?.skippedCandidates ?? 0)
            copy.timeline = finder == nil ? nil : timeline
            return copy
        }
    }
}
