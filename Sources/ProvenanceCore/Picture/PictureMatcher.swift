/// Originals' picture fingerprints (a manifest, a feed's episodes), against which a clip's picture is placed in
/// time and compared region by region. A clip is placed by a coarse 4×4 summary of each frame, window by window
/// (8 s), over every offset of every original in quarter seconds; the best offsets are then measured on every
/// frame's 64 cells, and the copy's crop is estimated from the frames that matched.
public final class PictureIndex: @unchecked Sendable {
    public let originals: [PictureFingerprint]
    /// Per original and frame: the 64 cells in standard deviations, and the coarse summary.
    let cells: [[[Double]]]
    private let coarse: [[[Double]]]
    private let keys: PictureKeys

    /// A frame matches when the mean of its 48 closest cells' errors (in standard deviations) is below this.
    /// Measured (scripts/video_eval.py): honest copies' stretches have a median of 0.05 (360p, CRF 35, VP9, a
    /// logo, crops), unrelated videos on one template 0.16-0.26; at 0.35, 20 of 110 unrelated pairs matched.
    static let frameThreshold = 0.15
    /// A cell differs when its error is above this.
    static let cellThreshold = 0.8
    /// A window's offset is worth measuring when the coarse summaries are this close.
    static let coarseThreshold = 0.45
    /// Shortest stretch reported (clip frames: 2 s).
    static let shortestRun = 8
    static let window = 32
    /// Offsets of each window measured, of those most of its frames' keys vote for.
    static let votedOffsets = 32

    public init(_ originals: [PictureFingerprint]) {
        self.originals = originals
        cells = originals.map { $0.frames.map(\.zValues) }
        coarse = cells.map { $0.map { Self.coarse(of: $0) } }
        keys = PictureKeys(coarse)
    }

    /// 4×4 averages of the 8×8 cells.
    static func coarse(of z: [Double]) -> [Double] {
        let g = PictureFingerprint.grid
        return (0..<16).map { q in
            let (r, c) = (q / 4 * 2, q % 4 * 2)
            return (z[r * g + c] + z[r * g + c + 1] + z[(r + 1) * g + c] + z[(r + 1) * g + c + 1]) / 4
        }
    }

    /// One frame of the clip against one of an original: the distance (a trimmed mean of cell errors, 9 when
    /// nothing compares) and each cell's error (nil where the clip does not show the cell). The clip's cells are
    /// fitted to the original's (gain and offset, by least squares over the 48 closest), so that a replaced region
    /// does not bend the rest; a frame whose brightness or contrast is another's does not compare.
    static func compare(_ clip: [Double?], _ frame: PictureFingerprint.Frame, _ z: [Double]) -> (Double, [Double?]) {
        let known = clip.indices.filter { clip[$0] != nil }
        let none = (9.0, [Double?](repeating: nil, count: clip.count))
        guard known.count >= clip.count / 2 || known.count >= 32 else { return none }
        let values = known.map { clip[$0]! }
        let (mean, sd) = meanAndDeviation(values)
        let spread = Double(frame.spread)
        if frame.spread < 3 {
            // A flat original frame (black, a fade): only its brightness says anything.
            let same = sd < 6 && abs(mean - Double(frame.mean)) < 24
            return same ? (0, clip.map { $0 == nil ? nil : 0 }) : none
        }
        let original = known.map { z[$0] }
        // The original's brightness over the cells shown, from its mean, spread and levels.
        let shown = Double(frame.mean) + spread * (original.reduce(0, +) / Double(original.count))
        guard sd >= 3, sd > 0.6 * spread, sd < 1.6 * spread, abs(mean - shown) <= max(16, 0.5 * spread) else {
            return none
        }
        let clipZ = values.map { min(2, max(-2, ($0 - mean) / sd)) }
        var errors = zip(clipZ, original).map { abs($0 - $1) }
        let inliers = errors.indices.sorted { errors[$0] < errors[$1] }.prefix(errors.count * 3 / 4)
        let (gain, offset) = fit(inliers.map { clipZ[$0] }, inliers.map { original[$0] })
        errors = zip(clipZ, original).map { abs(gain * $0 + offset - $1) }
        var out = [Double?](repeating: nil, count: clip.count)
        for (n, c) in known.enumerated() { out[c] = errors[n] }
        let kept = errors.sorted().prefix(errors.count * 3 / 4)
        return (kept.reduce(0, +) / Double(kept.count), out)
    }

    /// y ≈ gain·x + offset by least squares (gain 1 when x does not vary); gains beyond [0.5, 2] are held there.
    static func fit(_ x: [Double], _ y: [Double]) -> (Double, Double) {
        let (mx, sx) = meanAndDeviation(x)
        let my = y.reduce(0, +) / Double(y.count)
        guard sx > 1e-6 else { return (1, my - mx) }
        let covariance = zip(x, y).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / Double(x.count)
        let gain = min(2, max(0.5, covariance / (sx * sx)))
        return (gain, my - gain * mx)
    }

    static func meanAndDeviation(_ v: [Double]) -> (Double, Double) {
        let mean = v.reduce(0, +) / Double(v.count)
        return (mean, (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot())
    }

    /// The clip's frames in standard deviations from their means (all cells shown: no crop).
    static func zScores(_ means: [Double?]) -> [Double] {
        let values = means.map { $0 ?? 0 }
        let (mean, sd) = meanAndDeviation(values)
        guard sd >= 3 else { return values.map { _ in 0 } }
        return values.map { min(2, max(-2, ($0 - mean) / sd)) }
    }

    /// Offsets worth measuring, (original, offset in quarter seconds: original frame j is clip frame 2j − offset),
    /// the best two of every window and original among those the index votes for, with their neighbours.
    func candidates(_ clipCoarse: [[Double]]) -> Set<[Int]> {
        var out = Set<[Int]>()
        for w0 in stride(from: 0, to: clipCoarse.count, by: Self.window) {
            let w1 = min(clipCoarse.count, w0 + Self.window)
            guard w1 - w0 >= Self.shortestRun || w0 == 0 else { continue }
            var scored: [Int: [(Double, Int)]] = [:]
            for (o, k) in keys.votes(clipCoarse, w0..<w1, limit: Self.votedOffsets) {
                guard let score = score(clipCoarse, w0..<w1, original: o, offset: k), score < Self.coarseThreshold
                else { continue }
                scored[o, default: []].append((score, k))
            }
            for (o, list) in scored {
                for (_, k) in list.sorted(by: { $0 < $1 }).prefix(2) {
                    for d in -1...1 { out.insert([o, k + d]) }
                }
            }
        }
        return out
    }

    /// The mean coarse distance of a window's frames from an original's under an offset; nil when too few of
    /// them fall within the original.
    func score(_ clipCoarse: [[Double]], _ window: Range<Int>, original o: Int, offset k: Int) -> Double? {
        var (sum, count) = (0.0, 0)
        let m = coarse[o].count
        var i = window.lowerBound + ((window.lowerBound + k) & 1)
        while i < window.upperBound {
            let j = (i + k) / 2
            if j >= 0 && j < m {
                sum += Self.distance(clipCoarse[i], coarse[o][j])
                count += 1
            }
            i += 2
        }
        return count >= max(2, window.count / 4) ? sum / Double(count) : nil
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += abs(a[i] - b[i]) }
        return s / Double(a.count)
    }

    /// For each clip frame, the best measured (original, offset, distance, cell errors) among the candidates.
    struct Placement {
        let original: Int
        let offset: Int
        let distance: Double
        let errors: [Double?]
        /// Below the threshold.
        let matched: Bool
    }

    /// Each frame's placement: among the candidates under which it matches, the one that continues the previous
    /// frame's (within a quarter second), else the closest. A still picture matches at many offsets equally well:
    /// the closest alone jumped between them and cut honest stretches into pieces.
    func place(_ means: [[Double?]], candidates: Set<[Int]>) -> [Placement?] {
        var options = [[(original: Int, offset: Int, distance: Double)]](repeating: [], count: means.count)
        for candidate in candidates.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let (o, k) = (candidate[0], candidate[1])
            let frames = originals[o].frames
            var i = max(0, -k)
            if (i + k) & 1 != 0 { i += 1 }
            while i < means.count {
                let j = (i + k) / 2
                guard j < frames.count else { break }
                let d = Self.compare(means[i], frames[j], cells[o][j]).0
                if d < 9 { options[i].append((o, k, d)) }
                i += 2
            }
        }
        var out = [Placement?](repeating: nil, count: means.count)
        var previous: (original: Int, offset: Int)?
        for i in means.indices {
            let matching = options[i].filter { $0.distance < Self.frameThreshold }
            let continuing = matching.filter { o in
                previous.map { o.original == $0.original && abs(o.offset - $0.offset) <= 1 } ?? false
            }
            guard
                let best = (continuing.isEmpty ? matching : continuing).min(by: { $0.distance < $1.distance })
                    ?? options[i].min(by: { $0.distance < $1.distance })
            else { continue }
            let j = (i + best.offset) / 2
            let (d, errors) = Self.compare(means[i], originals[best.original].frames[j], cells[best.original][j])
            let matched = best.distance < Self.frameThreshold
            out[i] = Placement(
                original: best.original, offset: best.offset, distance: d, errors: errors, matched: matched)
            previous = matched ? (best.original, best.offset) : nil
        }
        return out
    }
}
