extension PictureIndex {
    /// Compares a clip's picture with the originals: where it matches (in time), where not, and the regions of
    /// matching frames that differ.
    public func compare(_ clip: PictureClip) -> PictureComparison {
        let empty = PictureComparison(
            matches: [], unmatched: clip.seconds > 0 ? [(0, clip.seconds)] : [], regions: [],
            clipSeconds: clip.seconds, crop: .none)
        guard clip.frameCount >= Self.shortestRun, originals.contains(where: { !$0.frames.isEmpty }) else {
            return empty
        }
        var means = clip.means(crop: .none)
        let candidates = candidates(means.map { Self.coarse(of: Self.zScores($0)) })
        guard !candidates.isEmpty else { return empty }
        var placed = place(means, candidates: candidates)
        let crop = estimateCrop(clip, placed)
        if crop != .none {
            means = clip.means(crop: crop)
            placed = place(means, candidates: candidates)
        }
        let runs = Self.runs(placed)
        guard !runs.isEmpty else { return empty }
        let fps = Double(PictureClip.framesPerSecond)
        let matches = runs.map { r in
            PictureMatch(
                start: Double(r.first) / fps, end: Double(r.last + 1) / fps, original: r.original,
                originalStart: Double(r.first + r.offset) / fps, originalEnd: Double(r.last + 1 + r.offset) / fps)
        }
        let unmatched = Self.gaps(matches, seconds: clip.seconds)
        let regions = runs.flatMap { Self.regions(in: $0, placed, crop: crop) }
        return PictureComparison(
            matches: matches, unmatched: unmatched, regions: regions, clipSeconds: clip.seconds, crop: crop)
    }

    /// The stretches of a clip of `seconds` outside the matches, half a second or longer.
    static func gaps(_ matches: [PictureMatch], seconds: Double) -> [(start: Double, end: Double)] {
        var out: [(start: Double, end: Double)] = []
        var at = 0.0
        for m in matches.sorted(by: { $0.start < $1.start }) {
            if m.start - at >= 0.5 { out.append((at, m.start)) }
            at = max(at, m.end)
        }
        if seconds - at >= 0.5 { out.append((at, seconds)) }
        return out
    }

    struct Run {
        let original: Int
        let offset: Int
        let first: Int
        let last: Int
    }

    /// Frames that match, in runs of one original at one offset (each within half a second of the last: a still
    /// picture matches a quarter second either way), at least 2 s long; a
    /// frame between two of a run that does not match is let through (motion blur, a scene cut's frame).
    static func runs(_ placed: [Placement?]) -> [Run] {
        let matched = placed.map { p in p.flatMap { $0.matched ? $0 : nil } }
        var out: [Run] = []
        var start: Int?
        var original = 0
        var offsets: [Int] = []
        var lastMatched = -1
        func close() {
            if let s = start, lastMatched - s + 1 >= shortestRun {
                let offset = offsets.sorted()[offsets.count / 2]
                out.append(Run(original: original, offset: offset, first: s, last: lastMatched))
            }
            start = nil
            offsets = []
        }
        for i in matched.indices {
            guard let p = matched[i] else {
                if start != nil && i - lastMatched > 2 { close() }
                continue
            }
            if start != nil && (p.original != original || abs(p.offset - offsets.last!) > 2) { close() }
            if start == nil { (start, original) = (i, p.original) }
            offsets.append(p.offset)
            lastMatched = i
        }
        close()
        return out
    }

    /// The crop (0 … 5% a side, in steps of 1.25%) under which the matched frames match best, if it beats no
    /// crop by a tenth. Searched with the offset (within a second of where no crop put the frames): a zoom in the
    /// picture looks like a crop a moment later.
    func estimateCrop(_ clip: PictureClip, _ placed: [Placement?]) -> PictureCrop {
        let matched = placed.indices.filter { placed[$0].map { $0.distance < Self.frameThreshold * 2 } ?? false }
        guard matched.count >= 4 else { return .none }
        let sample = stride(from: 0, to: matched.count, by: max(1, matched.count / 16)).map { matched[$0] }
        let size = PictureFingerprint.side * PictureFingerprint.side
        let frames = clip.pixels.withUnsafeBufferPointer { all in
            sample.map { PictureCells(pixels: UnsafeBufferPointer(rebasing: all[($0 * size)..<(($0 + 1) * size)])) }
        }
        func cost(_ crop: PictureCrop, _ shift: Int) -> Double {
            var (total, count) = (0.0, 0)
            for (n, i) in sample.enumerated() {
                let p = placed[i]!
                let j = (i + p.offset + shift) / 2
                guard (i + p.offset + shift) >= 0, j < originals[p.original].frames.count else { continue }
                total +=
                    Self.compare(
                        Self.inner(frames[n].means(crop: crop)), originals[p.original].frames[j],
                        cells[p.original][j]
                    ).0
                count += 1
            }
            return count == 0 ? 9 : total / Double(count)
        }
        let plain = cost(.none, 0)
        var best = (plain, PictureCrop.none, 0)
        for shift in stride(from: -4, through: 4, by: 2) {
            for crop in Self.crops([0, 0.025, 0.05]) {
                let c = cost(crop, shift)
                if c < best.0 { best = (c, crop, shift) }
            }
        }
        let around = best.1
        let steps = { (v: Double) in [v - 0.0125, v, v + 0.0125].filter { $0 >= 0 && $0 <= 0.05 } }
        for crop in Self.crops(steps(around.left), steps(around.right), steps(around.top), steps(around.bottom)) {
            let c = cost(crop, best.2)
            if c < best.0 { best = (c, crop, best.2) }
        }
        return best.0 < plain * 0.9 ? best.1 : .none
    }

    /// The cells off the grid's edge only: every crop of up to 5% a side shows all of them, so crops are compared
    /// on the same cells (with the edges, a crop that hid a logo's cell looked better than none).
    static func inner(_ means: [Double?]) -> [Double?] {
        let g = PictureFingerprint.grid
        return means.indices.map { c in
            let (r, col) = (c / g, c % g)
            return r == 0 || r == g - 1 || col == 0 || col == g - 1 ? nil : means[c]
        }
    }

    /// Every crop with the left, right, top and bottom cuts given (the same list for all four when one).
    static func crops(_ l: [Double], _ r: [Double]? = nil, _ t: [Double]? = nil, _ b: [Double]? = nil) -> [PictureCrop]
    {
        var out: [PictureCrop] = []
        for x0 in l {
            for x1 in r ?? l {
                for y0 in t ?? l {
                    for y1 in b ?? l { out.append(PictureCrop(left: x0, right: x1, top: y0, bottom: y1)) }
                }
            }
        }
        return out
    }

    /// Neighbouring cells that each differ in at least 3 of 8 frames (2 s, sliding by ½ s), one or the other
    /// in at least 6, are a region, with groups at most two cells apart joined; windows in a row whose groups
    /// touch are one region. Measured (scripts/video_eval.py): an edit's content moves, so a 4% edit's two
    /// cells differed in 5 and 3 of a window's frames each but one or the other in all 8; a 15% edit showed
    /// as two groups two cells apart (the cells between happened to match); of honest copies' neighbouring
    /// cells, none differed in 2 frames of a window each (a 3% crop: one cell in 6 beside one in 1).
    static func regions(in run: Run, _ placed: [Placement?], crop: PictureCrop) -> [PictureRegion] {
        var out: [PictureRegion] = []
        var open: (start: Int, end: Int, box: Box)?
        func flush() {
            if let o = open { out.append(region(o.start, o.end, o.box, crop: crop)) }
            open = nil
        }
        var w = run.first
        while w + shortestRun <= run.last + 1 {
            let boxes = components(differing(in: run, placed, from: w))
            if let o = open, let box = boxes.first(where: { overlaps(o.box, $0) }) {
                open = (o.start, w + shortestRun, union(o.box, box))
            } else if let box = boxes.first {
                flush()
                open = (w, w + shortestRun, box)
            } else if let o = open, w >= o.end - shortestRun / 2 {
                // Two windows (½ s) in a row without it.
                flush()
            }
            w += 2
        }
        flush()
        return out
    }

    /// The cells of the window from `w` that differ with a neighbour (of the run's original, at its offset).
    static func differing(in run: Run, _ placed: [Placement?], from w: Int) -> Set<Int> {
        let g = PictureFingerprint.grid
        let frames = (w..<(w + shortestRun)).compactMap { i -> [Bool]? in
            guard let p = placed[i], p.original == run.original, abs(p.offset - run.offset) <= 2 else { return nil }
            return p.errors.map { ($0 ?? 0) > cellThreshold }
        }
        let counts = (0..<(g * g)).map { c in frames.filter { $0[c] }.count }
        var out = Set<Int>()
        for a in counts.indices where counts[a] >= 3 {
            let (r, col) = (a / g, a % g)
            for (dr, dc) in [(0, 1), (1, -1), (1, 0), (1, 1)] {
                let (r2, c2) = (r + dr, col + dc)
                guard r2 < g, c2 >= 0, c2 < g else { continue }
                let b = r2 * g + c2
                guard counts[b] >= 3, frames.filter({ $0[a] || $0[b] }).count >= 6 else { continue }
                out.insert(a)
                out.insert(b)
            }
        }
        return out
    }

    /// A box of cells in fractions of the copy's frame.
    static func region(_ start: Int, _ end: Int, _ box: Box, crop: PictureCrop) -> PictureRegion {
        let g = Double(PictureFingerprint.grid)
        let fps = Double(PictureClip.framesPerSecond)
        let (x0, x1) = (max(0, crop.x(Double(box.0) / g)), min(1, crop.x(Double(box.2 + 1) / g)))
        let (y0, y1) = (max(0, crop.y(Double(box.1) / g)), min(1, crop.y(Double(box.3 + 1) / g)))
        return PictureRegion(
            start: Double(start) / fps, end: Double(end) / fps, x: x0, y: y0, w: x1 - x0, h: y1 - y0)
    }

    /// (col0, row0, col1, row1).
    typealias Box = (Int, Int, Int, Int)

    /// Bounding boxes of 8-connected groups of cells, those at most two cells apart joined, largest first.
    static func components(_ cells: Set<Int>) -> [Box] {
        let g = PictureFingerprint.grid
        var seen = Set<Int>()
        var groups: [(size: Int, box: Box)] = []
        for start in cells.sorted() where !seen.contains(start) {
            var stack = [start]
            seen.insert(start)
            var (size, box) = (0, (start % g, start / g, start % g, start / g))
            while let c = stack.popLast() {
                size += 1
                box = union(box, (c % g, c / g, c % g, c / g))
                for dr in -1...1 {
                    for dc in -1...1 {
                        let (r, col) = (c / g + dr, c % g + dc)
                        let n = r * g + col
                        guard r >= 0, r < g, col >= 0, col < g, cells.contains(n), !seen.contains(n) else { continue }
                        seen.insert(n)
                        stack.append(n)
                    }
                }
            }
            groups.append((size, box))
        }
        var joined: [(size: Int, box: Box)] = []
        for group in groups.sorted(by: { $0.size > $1.size }) {
            if let k = joined.firstIndex(where: { near($0.box, group.box) }) {
                joined[k] = (joined[k].size + group.size, union(joined[k].box, group.box))
            } else {
                joined.append(group)
            }
        }
        return joined.sorted { $0.size > $1.size }.map(\.box)
    }

    /// Boxes with at most two cells between them.
    static func near(_ a: Box, _ b: Box) -> Bool {
        a.0 <= b.2 + 3 && b.0 <= a.2 + 3 && a.1 <= b.3 + 3 && b.1 <= a.3 + 3
    }

    static func overlaps(_ a: (Int, Int, Int, Int), _ b: (Int, Int, Int, Int)) -> Bool {
        a.0 <= b.2 + 1 && b.0 <= a.2 + 1 && a.1 <= b.3 + 1 && b.1 <= a.3 + 1
    }

    static func union(_ a: (Int, Int, Int, Int), _ b: (Int, Int, Int, Int)) -> (Int, Int, Int, Int) {
        (min(a.0, b.0), min(a.1, b.1), max(a.2, b.2), max(a.3, b.3))
    }
}
