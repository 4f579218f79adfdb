/// What a copy's sound and picture say together when not one byte of it is the original's: `similar` only
/// where every track both have matches; `altered` where, over a second or more, one matches and the other does
/// not, or a region of a matching picture differs. A track the copy or the original lacks is not held against it,
/// but is named (never silence).
enum Tracks {
    struct Judgement {
        let status: Verdict.Status
        let reasons: [Reason]
        let audio: AudioComparison?
        let picture: PictureComparison?
    }

    /// Shortest stretch where one track matches and the other not that makes a copy altered.
    static let shortestMismatch = 1.0

    /// nil when neither track matches anything.
    static func judge(_ e: Evidence, signer: Address) -> Judgement? {
        var sound: AudioComparison?
        var picture: PictureComparison?
        if case .success(let c)? = e.sound { sound = c }
        if case .success(let c)? = e.picture { picture = c }
        let heard = sound.map { $0.matches.map { ($0.start, $0.end) } } ?? []
        let seen = picture.map { $0.matches.map { ($0.start, $0.end) } } ?? []
        guard !heard.isEmpty || !seen.isEmpty else { return nil }
        var reasons: [Reason] = []
        if !heard.isEmpty { reasons.append(.soundMatches(signer: signer)) }
        if !seen.isEmpty { reasons.append(.pictureMatches(signer: signer)) }
        var altered: [Reason] = []
        if let sound, !seen.isEmpty {
            let silent = overlap(seen, sound.unmatched.map { ($0.start, $0.end) })
            altered += silent.map { Reason.soundUnmatched(start: $0.0, end: $0.1) }
        }
        if let picture, !heard.isEmpty {
            let unseen = overlap(heard, picture.unmatched.map { ($0.start, $0.end) })
            altered += unseen.map { Reason.pictureUnmatched(start: $0.0, end: $0.1) }
        }
        altered += (picture?.regions ?? []).map(Reason.pictureRegionDiffers)
        reasons += altered
        if case .failure(let f)? = e.sound { reasons.append(.soundNotCompared(message: f.message)) }
        if case .failure(let f)? = e.picture { reasons.append(.pictureNotCompared(message: f.message)) }
        return Judgement(
            status: altered.isEmpty ? .similar : .altered, reasons: reasons, audio: sound, picture: picture)
    }

    /// The stretches of `a` that are also in `b`, each at least `shortestMismatch` long.
    static func overlap(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for x in a {
            for y in b {
                let (s, t) = (max(x.0, y.0), min(x.1, y.1))
                if t - s >= shortestMismatch { out.append((s, t)) }
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// What the picture comparison said when no track matched (beside the sound's note).
    static func pictureNote(_ picture: Result<PictureComparison, ProvenanceError>?) -> [Reason] {
        switch picture {
        case .success?: return [.pictureDiffers]
        case .failure(let e)?: return [.pictureNotCompared(message: e.message)]
        case nil: return []
        }
    }
}
