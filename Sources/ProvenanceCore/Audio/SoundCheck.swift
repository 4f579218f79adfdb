/// The comparison of sound a verifier makes when not one byte of a copy is the original's: the copy is
/// decoded, fingerprinted at four phases, and compared with the originals' signed fingerprints.
public enum SoundCheck {
    /// Decodes a copy to mono samples at the fingerprint's rate (the CLI gives one that runs ffmpeg).
    public typealias Decode = @Sendable (String) throws -> PCMAudio

    /// What was found, against the originals given (indices into `originals`); nil when there is nothing
    /// to compare with. A copy whose sound cannot be decoded is a failure saying why.
    public static func compare(path: String, originals: [AudioFingerprint?], decode: Decode?) -> Result<
        AudioComparison, ProvenanceError
    >? {
        let usable = originals.enumerated().compactMap { i, f in f.map { (i, $0) } }
        guard !usable.isEmpty else { return nil }
        guard let decode else { return .failure(.input("the sound was not compared (no decoder)")) }
        do {
            let audio = try decode(path)
            let result = AudioIndex(usable.map(\.1)).compare(
                clip: AudioFingerprint.phases(of: audio), clipSeconds: audio.seconds)
            // Back to the caller's numbering, and to the original heard longest.
            var seconds: [Int: Double] = [:]
            for m in result.matches { seconds[m.original, default: 0] += m.end - m.start }
            guard let top = seconds.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key
            else { return .success(result) }
            let matches = result.matches.filter { $0.original == top }.map {
                AudioMatch(
                    start: $0.start, end: $0.end, original: usable[top].0, originalStart: $0.originalStart,
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
