/// A stretch of a clip that sounds like a stretch of an original (times in seconds).
public struct AudioMatch: Sendable, Equatable {
    public let start: Double
    public let end: Double
    /// Which original of the index (0 for a single manifest).
    public let original: Int
    public let originalStart: Double
    public let originalEnd: Double
    /// The share of fingerprint bits that differ over the stretch (0 same, about 0.5 unrelated).
    public let bitErrorRate: Double
}

/// What of a clip's sound was found in the originals: matched stretches in clip order, and the rest.
public struct AudioComparison: Sendable {
    public let matches: [AudioMatch]
    public let unmatched: [(start: Double, end: Double)]
    public let clipSeconds: Double
}

/// Fingerprints of one or more originals (a manifest, a feed's episodes), indexed by 16-bit halves of
/// their sub-fingerprints: a clip's candidate alignments come from the exact halves it shares with an
/// original (re-encoded speech keeps a few percent of them), and each candidate is then measured over
/// every frame. One index for a whole feed: a clip is compared with all episodes at once.
public final class AudioIndex: @unchecked Sendable {
    public let originals: [AudioFingerprint]
    private let keys: [UInt32]
    private let entries: [(original: Int32, frame: Int32)]

    /// A stretch matches when its bit error rate, averaged over 1 s around each frame, is below this.
    /// Measured (scripts/audio_eval.py): re-encodings of the same speech 0.0–0.1; unrelated speech about 0.5
    /// overall, but one speaker saying the same two or three words elsewhere reaches 0.23–0.33 for a second
    /// or so, which at 0.35 made 8 of 312 unrelated pairs "similar".
    public static let threshold = 0.2
    /// Frames averaged for each frame's decision (8 = 1 s).
    static let smoothing = 8
    /// Shortest stretch reported on its own (2 s): the same two words in the same voice are the same sound,
    /// and unrelated recordings of one speaker share such moments. Next to another stretch, 1 s.
    static let minimumFrames = 16
    static let shortestRun = 8

    public init(_ originals: [AudioFingerprint]) {
        self.originals = originals
        var all: [(UInt32, (Int32, Int32))] = []
        for (o, f) in originals.enumerated() {
            for (j, w) in f.frames.enumerated() {
                all.append((w >> 16, (Int32(o), Int32(j))))
                all.append((1 << 16 | w & 0xffff, (Int32(o), Int32(j))))
            }
        }
        all.sort { $0.0 < $1.0 }
        keys = all.map(\.0)
        entries = all.map { (original: $0.1.0, frame: $0.1.1) }
    }

    private func lookup(_ key: UInt32) -> ArraySlice<(original: Int32, frame: Int32)> {
        entries[equalRange(of: key, in: keys)]
    }

    struct Candidate: Hashable {
        let original: Int
        let offset: Int
        let phase: Int
    }

    /// Where a candidate puts the clip's first sample in the original, in samples.
    private func shift(_ c: Candidate) -> Int { c.offset * AudioFingerprint.hop - c.phase * AudioFingerprint.hop / 4 }

    /// Compares a clip fingerprinted at several phases (AudioFingerprint(samples:phase:) at 0, ¼, ½, ¾ of
    /// a hop) with the originals.
    public func compare(clip phases: [AudioFingerprint], clipSeconds: Double) -> AudioComparison {
        let count = phases.map(\.frames.count).min() ?? 0
        guard count > 0 else {
            return AudioComparison(matches: [], unmatched: [(0, clipSeconds)], clipSeconds: clipSeconds)
        }
        let (best, owner) = measure(candidates(phases, count: count), phases: phases, count: count)
        let runs = Self.stretches(best: best, owner: owner, shift: shift)
        let matches = Self.kept(runs).map { run in
            match(run, phases: phases.count, clipSeconds: clipSeconds)
        }
        let frameSeconds = 1 / AudioFingerprint.framesPerSecond
        var unmatched: [(Double, Double)] = []
        var at = 0.0
        for m in matches {
            if m.start - at > frameSeconds { unmatched.append((at, m.start)) }
            at = max(at, m.end)
        }
        if clipSeconds - at > frameSeconds { unmatched.append((at, clipSeconds)) }
        return AudioComparison(matches: matches, unmatched: unmatched, clipSeconds: clipSeconds)
    }

    /// 1. Votes for alignments from exact 16-bit halves: the best 24 with at least two votes.
    private func candidates(_ phases: [AudioFingerprint], count: Int) -> [Candidate] {
        var votes: [Candidate: Int] = [:]
        for (p, f) in phases.enumerated() {
            for i in 0..<count {
                let w = f.frames[i]
                for key in [w >> 16, 1 << 16 | w & 0xffff] {
                    let hits = lookup(key)
                    if hits.count > 64 { continue }  // a half that is everywhere (silence) says nothing
                    for h in hits {
                        votes[Candidate(original: Int(h.original), offset: Int(h.frame) - i, phase: p), default: 0] += 1
                    }
                }
            }
        }
        // Ties broken by the alignment itself, never by the dictionary's (per-process) order: the same clip
        // gives the same verdict on every run.
        return votes.filter { $0.value >= 2 }.sorted {
            ($1.value, $0.key.original, $0.key.offset, $0.key.phase) < (
                $0.value, $1.key.original, $1.key.offset, $1.key.phase
            )
        }.prefix(24).map(\.key)
    }

    /// 2. Each candidate measured at every frame: bit errors averaged over 1 s; each frame goes to the
    /// candidate with the lowest rate under the threshold.
    private func measure(_ candidates: [Candidate], phases: [AudioFingerprint], count: Int) -> (
        best: [Double], owner: [Candidate?]
    ) {
        var best = [Double](repeating: 1, count: count)
        var owner = [Candidate?](repeating: nil, count: count)
        for c in candidates {
            let original = originals[c.original].frames
            let clip = phases[c.phase].frames
            var errors = [Double](repeating: 1, count: count)
            for i in 0..<count {
                let j = i + c.offset
                if j >= 0 && j < original.count { errors[i] = Double((clip[i] ^ original[j]).nonzeroBitCount) / 32 }
            }
            let half = Self.smoothing / 2
            var sum = 0.0
            var window = 0
            var lo = 0
            var hi = 0
            for i in 0..<count {
                while hi < min(count, i + half + 1) {
                    sum += errors[hi]
                    hi += 1
                    window += 1
                }
                while lo < max(0, i - half) {
                    sum -= errors[lo]
                    lo += 1
                    window -= 1
                }
                let rate = sum / Double(window)
                if rate < Self.threshold && rate < best[i] {
                    best[i] = rate
                    owner[i] = c
                }
            }
        }
        return (best, owner)
    }

    private typealias Run = (first: Int, end: Int, candidate: Candidate, rate: Double)

    /// 3. Stretches of frames owned by one alignment (at least `shortestRun` frames).
    private static func stretches(best: [Double], owner: [Candidate?], shift: (Candidate) -> Int) -> [Run] {
        var runs: [Run] = []
        var i = 0
        while i < owner.count {
            guard let c = owner[i] else {
                i += 1
                continue
            }
            // The four phases of one alignment take turns as the best by a few bits: one run, not many.
            var j = i
            var rate = 0.0
            var frames: [Candidate: Int] = [:]
            while j < owner.count, let o = owner[j], o.original == c.original,
                abs(shift(o) - shift(c)) <= AudioFingerprint.hop / 2
            {
                rate += best[j]
                frames[o, default: 0] += 1
                j += 1
            }
            let main = frames.max { $0.value < $1.value || ($0.value == $1.value && $0.key.phase > $1.key.phase) }!.key
            if j - i >= Self.shortestRun { runs.append((i, j, main, rate / Double(j - i))) }
            i = j
        }
        return runs
    }

    /// A stretch under 1 s is dropped; one under 2 s counts only beside a long one (the edge of an edit),
    /// never beside another short one: two coincidences side by side are still coincidences.
    private static func kept(_ runs: [Run]) -> [Run] {
        func long(_ k: Int) -> Bool { runs[k].end - runs[k].first >= Self.minimumFrames }
        return runs.indices.filter { k in
            if long(k) { return true }
            let before = k > 0 && long(k - 1) && runs[k].first - runs[k - 1].end <= Self.shortestRun
            let after = k + 1 < runs.count && long(k + 1) && runs[k + 1].first - runs[k].end <= Self.shortestRun
            return before || after
        }.map { runs[$0] }
    }

    /// 4. A run in seconds of the clip and of the original.
    private func match(_ run: Run, phases: Int, clipSeconds: Double) -> AudioMatch {
        let frameSeconds = 1 / AudioFingerprint.framesPerSecond
        let window = Double(AudioFingerprint.frameLength) / Double(AudioFingerprint.sampleRate)
        let (first, end, c, rate) = run
        let phaseSeconds = Double(c.phase * AudioFingerprint.hop / phases) / Double(AudioFingerprint.sampleRate)
        let start = Double(first) * frameSeconds + phaseSeconds
        // Sub-fingerprint k compares frames k and k+1: the stretch ends where its last frame's window ends.
        let stop = min(clipSeconds, Double(end) * frameSeconds + phaseSeconds + window)
        let originalStart = Double(first + c.offset) * frameSeconds
        return AudioMatch(
            start: start, end: stop, original: c.original, originalStart: originalStart,
            originalEnd: originalStart + (stop - start), bitErrorRate: rate)
    }
}

extension AudioFingerprint {
    /// The fingerprints of a clip at four phases of a hop, for AudioIndex.compare.
    public static func phases(of audio: PCMAudio) -> [AudioFingerprint] {
        (0..<4).map { AudioFingerprint(samples: audio.samples, phase: $0 * hop / 4) }
    }
}
