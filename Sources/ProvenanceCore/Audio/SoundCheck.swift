/// The comparison of sound a verifier makes when not one byte of a copy is the original's: the copy is
/// decoded, fingerprinted at four phases, and compared with the originals' signed fingerprints.
public enum SoundCheck {
    /// Decodes a copy to mono samples at the fingerprint's rate (the CLI gives one that runs ffmpeg).
    public typealias Decode = @Sendable (String) throws -> PCMAudio

    /// Originals' fingerprints made ready once for every copy of a run: the index over those that have one, and
    /// their numbers.
    public struct Prepared: Sendable {
        let numbers: [Int]
        let index: AudioIndex?

        public init(_ originals: [AudioFingerprint?]) {
            let usable = originals.enumerated().compactMap { i, f in f.map { (i, $0) } }
            numbers = usable.map(\.0)
            index = usable.isEmpty ? nil : AudioIndex(usable.map(\.1))
        }
    }

    /// What was found, against the originals given (indices into `originals`); nil when there is nothing
    /// to compare with. A copy whose sound cannot be decoded is a failure saying why.
    public static func compare(path: String, originals: [AudioFingerprint?], decode: Decode?) -> Result<
        AudioComparison, ProvenanceError
    >? {
        compare(path: path, prepared: Prepared(originals), decode: decode)
    }

    public static func compare(path: String, prepared: Prepared, decode: Decode?) -> Result<
        AudioComparison, ProvenanceError
    >? {
        guard let index = prepared.index else { return nil }
        guard let decode else { return .failure(.input("the sound was not compared (no decoder)")) }
        do {
            let audio = try decode(path)
            let result = index.compare(
                clip: AudioFingerprint.phases(of: audio), clipSeconds: audio.seconds)
            // Back to the caller's numbering, and to the original heard longest.
            var seconds: [Int: Double] = [:]
            for m in result.matches { seconds[m.original, default: 0] += m.end - m.start }
            guard let top = seconds.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key
            else { return .success(result) }
            let matches = result.matches.filter { $0.original == top }.map {
                AudioMatch(
                    start: $0.start, end: $0.end, original: prepared.numbers[top], originalStart: $0.originalStart,
                    originalEnd: $0.originalEnd, bitErrorRate: $0.bitErrorRate)
            }
            var unmatched: [(start: Double, end: Double)] = []
            var at = 0.0
            for m in matches {
                if m.start - at > 0.2 { unmatched.append((at, m.start)) }
                at = max(at, m.end)
            }
            if audio.seconds - at > 0.2 { unmatched.append((at, audio.seconds)) }
            return .success(AudioComparison(matches: matches, unmatched: unmatched, clipSeconds: audio.seconds))
        } catch let e as ProvenanceError {
            return .failure(e)
        } catch {
            return .failure(.input("\(path): \(error)"))
        }
    }
}
