/// A stretch of a clip whose picture is an original's (clip seconds, and the original's).
public struct PictureMatch: Sendable, Equatable {
    public let start: Double
    public let end: Double
    public let original: Int
    public let originalStart: Double
    public let originalEnd: Double
}

/// A part of the frame that differs from the original's while the rest matches: clip seconds, and x, y, w, h
/// as fractions of the clip's frame.
public struct PictureRegion: Sendable, Equatable {
    public let start: Double
    public let end: Double
    public let x: Double
    public let y: Double
    public let w: Double
    public let h: Double

    /// The share of the frame it covers.
    public var area: Double { w * h }
}

/// What a clip's picture showed against one or more originals' picture fingerprints.
public struct PictureComparison: Sendable {
    public var matches: [PictureMatch]
    public var unmatched: [(start: Double, end: Double)]
    public var regions: [PictureRegion]
    public let clipSeconds: Double
    /// The crop the copy was found to be of the original (none when not cropped).
    public var crop: PictureCrop
}

/// A clip's picture as the verifier reads it: frames sampled 4 a second (twice the fingerprint's rate, so that
/// one of each two falls within an eighth of a second of an original's frame), 64×64 grey.
public struct PictureClip: Sendable {
    public static let framesPerSecond = 4
    /// The frames back to back (4 KiB a frame: 58 MiB an hour, where summed-area tables would take 8 times that).
    let pixels: [UInt8]
    public let frameCount: Int

    /// Raw grey frames, `side`×`side` bytes each, back to back.
    public init(raw: [UInt8]) {
        let size = PictureFingerprint.side * PictureFingerprint.side
        frameCount = raw.count / size
        pixels = Array(raw.prefix(frameCount * size))
    }

    public var seconds: Double { Double(frameCount) / Double(Self.framesPerSecond) }

    /// Each frame's cell means under a crop.
    func means(crop: PictureCrop) -> [[Double?]] {
        let size = PictureFingerprint.side * PictureFingerprint.side
        return pixels.withUnsafeBufferPointer { all in
            (0..<frameCount).map {
                PictureCells(pixels: UnsafeBufferPointer(rebasing: all[($0 * size)..<(($0 + 1) * size)])).means(
                    crop: crop)
            }
        }
    }
}
