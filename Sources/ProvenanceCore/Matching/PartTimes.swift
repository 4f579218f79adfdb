/// A part of a copy in time: where it lies in the copy (exact: the copy's MP3 frames) and in the original.
public struct TimedPart: Equatable, Sendable {
    public let start: Double
    public let end: Double
    public let originalStart: Double
    public let originalEnd: Double
    /// The original's times are an estimate: reached through bytes of the original no part holds, at the
    /// parts' average byte rate (silence in VBR encodes smaller; a cover image in the original's tag counts).
    public let estimated: Bool
}

extension AuthenticParts {
    /// The copy's time at a byte offset, when the copy is an MP3 (nil otherwise).
    public func copyTime(_ offset: UInt64) -> Double? { timeline?.time(at: offset) }

    /// Each part's times, in copy order, when the copy is an MP3. In the copy they are the frames' times.
    /// In the original they follow from the parts, since a part is the original's frames: a part ends as
    /// long after its start in the original as in the copy, and the original's bytes between two parts (cut
    /// out, or the chunks a splice left unproven) last as long as the parts' bytes do on average. The first
    /// part starts in the original when it starts in the copy, unless the two differ by more than a second
    /// (something was put before it, or the copy is an excerpt): then at its original offset at that average
    /// rate — an estimate that counts the original's own tag as sound (a large cover image shifts it).
    public var partTimes: [TimedPart]? {
        guard let timeline, timeline.isKnown, !parts.isEmpty else { return nil }
        let copy = parts.map { (timeline.time(at: $0.start) ?? 0, timeline.time(at: $0.end) ?? 0) }
        let bytes = parts.reduce(0.0) { $0 + Double($1.end - $1.start) }
        let seconds = copy.reduce(0.0) { $0 + ($1.1 - $1.0) }
        guard seconds > 0 else { return nil }
        let rate = bytes / seconds
        var out: [TimedPart] = []
        for (i, p) in parts.enumerated() {
            let length = copy[i].1 - copy[i].0
            var start: Double
            var estimated = out.last?.estimated ?? false
            if let before = out.last, i > 0, p.originalStart >= parts[i - 1].originalEnd {
                let gap = p.originalStart - parts[i - 1].originalEnd
                start = before.originalEnd + Double(gap) / rate
                estimated = estimated || gap > 0
            } else {
                let byOffset = Double(p.originalStart) / rate
                let same = abs(copy[i].0 - byOffset) <= 1
                start = same ? copy[i].0 : byOffset
                estimated = estimated || !same
            }
            start = max(0, start)
            out.append(
                TimedPart(
                    start: copy[i].0, end: copy[i].1, originalStart: start, originalEnd: start + length,
                    estimated: estimated))
        }
        return out
    }
}
