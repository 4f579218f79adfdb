import ProvenanceCore

extension VerdictText {
    /// Reasons the summary of a similar or altered copy already tells (not repeated as sentences).
    static let told: Set<Reason.Code> = [
        .soundMatches, .pictureMatches, .soundUnmatched, .pictureUnmatched, .pictureRegionDiffers,
    ]

    /// What matched, sound first: "0:00–0:30 sounds like 0:10–0:40 of “Town hall” (signed by …)", or the
    /// picture's words when only the picture matched.
    static func tracksSummary(_ v: Verdict, signer: Address?, names: Names) -> String {
        if let audio = v.audio, !audio.matches.isEmpty {
            // Where the picture matches, a stretch of sound that does not is an alteration, told as one; the rest
            // of the sound's gaps (an insertion neither track matches, gaps under a second) are told here.
            let pictured = v.picture.map { !$0.matches.isEmpty } ?? false
            let told = v.reasons.compactMap { r -> (Double, Double)? in
                if case .soundUnmatched(let s, let e) = r { return (s, e) }
                return nil
            }
            var line = soundSummary(audio, original: v.original, signer: signer, names: names, told: told)
            if pictured && v.status == .similar {
                line += "; its picture matches too"
            } else if let picture = v.picture, pictured {
                line +=
                    " and its picture matches " + list(picture.matches.map { "\(clock($0.start))–\(clock($0.end))" })
            }
            return line
        }
        guard let picture = v.picture, !picture.matches.isEmpty else { return "no stretch of it matches" }
        let episode = v.original?.title.map { "“\(Display.safe($0))”" } ?? "the original"
        var line = list(picture.matches.map { "\(clock($0.start))–\(clock($0.end))" })
        line += picture.matches.count == 1 ? " looks like " : " look like "
        line += list(picture.matches.map { "\(clock($0.originalStart))–\(clock($0.originalEnd))" }) + " of \(episode)"
        if let signer { line += " (signed by \(names.describe(signer)))" }
        return line
    }

    /// ", but the picture does not match from 0:10 to 0:20 (…)": each alteration, in the copy's time.
    static func alterations(_ v: Verdict) -> String {
        var parts: [String] = []
        for r in v.reasons {
            switch r {
            case .pictureUnmatched(let start, let end):
                parts.append("the picture does not match from \(clock(start)) to \(clock(end))")
            case .soundUnmatched(let start, let end):
                parts.append("the sound does not match from \(clock(start)) to \(clock(end))")
            case .pictureRegionDiffers(let region):
                parts.append(
                    "a region of the picture differs from \(clock(region.start)) to \(clock(region.end)) (\(place(region)))"
                )
            default: continue
            }
        }
        return parts.isEmpty ? "" : ", but " + list(parts)
    }

    /// "at the centre-left, 12% of the frame".
    static func place(_ r: PictureRegion) -> String {
        let (cx, cy) = (r.x + r.w / 2, r.y + r.h / 2)
        let column = cx < 1.0 / 3 ? "left" : cx > 2.0 / 3 ? "right" : "centre"
        let row = cy < 1.0 / 3 ? "top" : cy > 2.0 / 3 ? "bottom" : "centre"
        let at = row == column ? "the centre" : row == "centre" ? "the \(row)-\(column)" : "the \(row) \(column)"
        return "at \(at), \(Int((r.area * 100).rounded()))% of the frame"
    }

    static func pictureSentence(_ r: Reason, _ names: Names) -> String? {
        switch r {
        case .pictureMatches(let s):
            return
                "its bytes are not the original's, but its picture matches the original signed by \(names.describe(s))"
        case .pictureDiffers: return "its picture does not match the original's"
        case .pictureNotCompared(let message): return "the picture was not checked: \(message)"
        case .soundUnmatched(let start, let end):
            return "the sound does not match from \(clock(start)) to \(clock(end)), where the picture does"
        case .pictureUnmatched(let start, let end):
            return "the picture does not match from \(clock(start)) to \(clock(end)), where the sound does"
        case .pictureRegionDiffers(let region):
            return
                "a region of the picture differs from \(clock(region.start)) to \(clock(region.end)) (\(place(region)))"
        default: return nil
        }
    }
}

extension JSONOutput {
    static func seconds(_ s: Double) -> JSON { .number(String(format: "%.2f", s)) }
    static func fraction(_ f: Double) -> JSON { .number(String(format: "%.3f", f)) }

    static func pictureRegion(_ r: PictureRegion) -> [(String, JSON)] {
        [
            ("start", seconds(r.start)), ("end", seconds(r.end)), ("x", fraction(r.x)), ("y", fraction(r.y)),
            ("w", fraction(r.w)), ("h", fraction(r.h)),
        ]
    }

    /// `picture` (for a similar or altered video: matched stretches in the clip's seconds with the original's,
    /// unmatched ones, and the regions that differ) and `pictureNote` (why the picture said nothing).
    static func picture(_ picture: PictureComparison?, note: String?) -> [(String, JSON)] {
        var out: [(String, JSON)] = []
        if let picture {
            let matches = picture.matches.map {
                JSON.object([
                    ("start", seconds($0.start)), ("end", seconds($0.end)),
                    ("originalStart", seconds($0.originalStart)),
                    ("originalEnd", seconds($0.originalEnd)),
                ])
            }
            let unmatched = picture.unmatched.map {
                JSON.object([("start", seconds($0.start)), ("end", seconds($0.end))])
            }
            out.append(
                (
                    "picture",
                    .object([
                        ("matches", .array(matches)), ("unmatched", .array(unmatched)),
                        ("regions", .array(picture.regions.map { .object(pictureRegion($0)) })),
                    ])
                ))
        }
        if let note { out.append(("pictureNote", .string(note))) }
        return out
    }
}

extension VerdictText {
    /// What the picture comparison said when it said nothing of a match, as `--json` gives it in `pictureNote`.
    static func pictureNote(_ v: Verdict) -> String? {
        let notes = v.reasons.filter { [.pictureDiffers, .pictureNotCompared].contains($0.code) }
        return notes.isEmpty ? nil : sentences(notes, Names(identities: [:])).joined(separator: "; ")
    }
}
