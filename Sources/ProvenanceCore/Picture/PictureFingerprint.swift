import Foundation

/// A perceptual fingerprint of a video's picture (docs/FORMAT.md §12): what survives scaling, re-encoding and
/// a change of frame rate, kept per region so that a face or a caption replaced in one part of the frame is
/// seen, not averaged away.
///
/// - frames sampled 2 a second (ffmpeg's `fps=2`), each scaled to 64×64 grey pixels (area filter);
/// - an 8×8 grid of cells of 8×8 pixels; each cell's mean brightness;
/// - per frame: the mean and the standard deviation of the 64 cell means (one byte each, rounded and capped
///   at 255), then each cell's level, `clamp(floor((m − μ) / σ × 4) + 8, 0, 15)` (8 for every cell when
///   σ < 1), two cells a byte, the first in the high nibble, row by row from the top left.
///
/// 34 bytes × 2 frames = 68 bytes a second, 3.98 KiB a minute. A whole-frame comparison uses all 64 cells;
/// a region's comparison its own.
public struct PictureFingerprint: Sendable, Equatable {
    public static let algorithm = "pv-grid1"
    public static let framesPerSecond = 2
    /// Frames are read as `side`×`side` grey pixels.
    public static let side = 64
    public static let grid = 8
    static let cells = grid * grid
    public static let frameBytes = 2 + cells / 2
    /// Levels a standard deviation.
    static let levelsPerSigma = 4.0

    public struct Frame: Sendable, Equatable {
        public let mean: UInt8
        public let spread: UInt8
        /// 64 levels, 0 … 15.
        public let levels: [UInt8]

        /// The frame of `side`×`side` grey pixels.
        public init(pixels: UnsafeBufferPointer<UInt8>) {
            let means = PictureCells(pixels: pixels).means(crop: .none).map { $0! }
            let mu = means.reduce(0, +) / Double(means.count)
            let sigma = (means.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(means.count)).squareRoot()
            mean = UInt8(min(255, max(0, mu.rounded())))
            spread = UInt8(min(255, sigma.rounded()))
            levels = means.map { m in
                guard sigma >= 1 else { return 8 }
                return UInt8(
                    min(15, max(0, Int(((m - mu) / sigma * PictureFingerprint.levelsPerSigma).rounded(.down)) + 8)))
            }
        }

        init(mean: UInt8, spread: UInt8, levels: [UInt8]) {
            self.mean = mean
            self.spread = spread
            self.levels = levels
        }

        /// Each cell's level back in standard deviations from the frame's mean (a level's centre).
        var zValues: [Double] { levels.map { (Double($0) + 0.5 - 8) / PictureFingerprint.levelsPerSigma } }
    }

    public let frames: [Frame]

    public init(frames: [Frame]) { self.frames = frames }

    /// The fingerprint of raw grey frames, `side`×`side` bytes each, back to back (what ffmpeg writes).
    public init(raw: [UInt8]) {
        let size = Self.side * Self.side
        frames = raw.withUnsafeBufferPointer { all in
            stride(from: 0, to: all.count - size + 1, by: size).map {
                Frame(pixels: UnsafeBufferPointer(rebasing: all[$0..<$0 + size]))
            }
        }
    }

    public var seconds: Double { Double(frames.count) / Double(Self.framesPerSecond) }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.count * Self.frameBytes)
        for f in frames {
            out += [f.mean, f.spread]
            for c in stride(from: 0, to: Self.cells, by: 2) { out.append(f.levels[c] << 4 | f.levels[c + 1]) }
        }
        return out
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count % Self.frameBytes == 0 else { return nil }
        frames = stride(from: 0, to: bytes.count, by: Self.frameBytes).map { at in
            var levels: [UInt8] = []
            levels.reserveCapacity(Self.cells)
            for b in bytes[(at + 2)..<(at + Self.frameBytes)] { levels += [b >> 4, b & 15] }
            return Frame(mean: bytes[at], spread: bytes[at + 1], levels: levels)
        }
    }

    /// What a signature binds (the file's `pictureFingerprint` detail): SHA-256 of the algorithm's name, a zero
    /// byte and the fingerprint's bytes.
    public var commitment: [UInt8] { SHA256Hasher.hash(Array(Self.algorithm.utf8) + [0] + bytes) }
}

/// The part of a frame a copy shows of the original: fractions cut from each side (a copy cropped by 5% on the
/// left shows the original from x = 0.05).
public struct PictureCrop: Sendable, Equatable {
    public var left = 0.0
    public var right = 0.0
    public var top = 0.0
    public var bottom = 0.0

    public static let none = PictureCrop()

    /// Where a point of the original (fractions of its frame) lies in the copy's frame.
    func x(_ u: Double) -> Double { (u - left) / (1 - left - right) }
    func y(_ v: Double) -> Double { (v - top) / (1 - top - bottom) }
}

/// A frame's cell means under a crop, from its summed-area table.
struct PictureCells {
    private let sums: [Int]
    private static let side = PictureFingerprint.side

    init(pixels: UnsafeBufferPointer<UInt8>) {
        let n = Self.side
        var sums = [Int](repeating: 0, count: (n + 1) * (n + 1))
        for y in 0..<n {
            var row = 0
            for x in 0..<n {
                row += Int(pixels[y * n + x])
                sums[(y + 1) * (n + 1) + x + 1] = sums[y * (n + 1) + x + 1] + row
            }
        }
        self.sums = sums
    }

    /// The mean of each cell of the original's grid as this frame shows it (nil: less than three quarters of the cell
    /// is in this frame).
    func means(crop: PictureCrop) -> [Double?] {
        let n = Self.side
        let g = PictureFingerprint.grid
        var out: [Double?] = []
        out.reserveCapacity(g * g)
        for row in 0..<g {
            let (y0, y1) = (crop.y(Double(row) / Double(g)), crop.y(Double(row + 1) / Double(g)))
            for col in 0..<g {
                let (x0, x1) = (crop.x(Double(col) / Double(g)), crop.x(Double(col + 1) / Double(g)))
                let (a, b) = (Self.pixel(x0), Self.pixel(x1))
                let (c, d) = (Self.pixel(y0), Self.pixel(y1))
                let shown = Double((b - a) * (d - c)) / ((x1 - x0) * (y1 - y0) * Double(n * n))
                guard b > a, d > c, shown >= 0.75 else {
                    out.append(nil)
                    continue
                }
                let w = n + 1
                let total = sums[d * w + b] - sums[c * w + b] - sums[d * w + a] + sums[c * w + a]
                out.append(Double(total) / Double((b - a) * (d - c)))
            }
        }
        return out
    }

    private static func pixel(_ f: Double) -> Int { min(side, max(0, Int((f * Double(side)).rounded()))) }
}
