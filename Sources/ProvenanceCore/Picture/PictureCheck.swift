/// The comparison of picture a verifier makes beside the sound's, when not one byte of a copy is the
/// original's: the copy's frames are read, placed in time against the originals' picture fingerprints, and
/// compared region by region.
public enum PictureCheck {
    /// Reads a copy's picture (the CLI gives one that runs ffmpeg), and says whether a copy has one at all.
    public struct Reader: Sendable {
        public let decode: @Sendable (String) throws -> PictureClip
        public let hasPicture: @Sendable (String) -> Bool

        public init(
            decode: @escaping @Sendable (String) throws -> PictureClip, hasPicture: @escaping @Sendable (String) -> Bool
        ) {
            self.decode = decode
            self.hasPicture = hasPicture
        }
    }

    /// Originals' picture fingerprints made ready once for every copy of a run: the index over those that have
    /// one (built per copy before, so a feed's episodes were indexed again for each clip), and their numbers.
    public struct Prepared: Sendable {
        let numbers: [Int]
        let index: PictureIndex?

        public init(_ originals: [PictureFingerprint?]) {
            let usable = originals.enumerated().compactMap { i, f in f.map { (i, $0) } }
            numbers = usable.map(\.0)
            index = usable.isEmpty ? nil : PictureIndex(usable.map(\.1))
        }
    }

    /// What was found, against the originals given (indices into `originals`); nil when neither has a picture.
    /// A copy with a picture whose originals have no picture fingerprint is a failure saying so (the picture
    /// was not checked), never silence.
    public static func compare(path: String, originals: [PictureFingerprint?], reader: Reader?) -> Result<
        PictureComparison, ProvenanceError
    >? {
        compare(path: path, prepared: Prepared(originals), reader: reader)
    }

    public static func compare(path: String, prepared: Prepared, reader: Reader?) -> Result<
        PictureComparison, ProvenanceError
    >? {
        guard let reader else {
            return prepared.index == nil ? nil : .failure(.input("the picture was not compared (no decoder)"))
        }
        guard let index = prepared.index else {
            guard reader.hasPicture(path) else { return nil }
            return .failure(.input("the original's manifest has no picture fingerprint"))
        }
        do {
            var result = index.compare(try reader.decode(path))
            // Back to the caller's numbering, and to the original seen longest.
            var seconds: [Int: Double] = [:]
            for m in result.matches { seconds[m.original, default: 0] += m.end - m.start }
            if let top = seconds.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key {
                result.matches = result.matches.filter { $0.original == top }.map {
                    PictureMatch(
                        start: $0.start, end: $0.end, original: prepared.numbers[top], originalStart: $0.originalStart,
                        originalEnd: $0.originalEnd)
                }
                result.unmatched = PictureIndex.gaps(result.matches, seconds: result.clipSeconds)
                let kept = result.matches
                result.regions = result.regions.filter { r in kept.contains { $0.start <= r.start && r.end <= $0.end } }
            }
            return .success(result)
        } catch let e as ProvenanceError {
            return .failure(e)
        } catch {
            return .failure(.input("\(path): \(error)"))
        }
    }
}
