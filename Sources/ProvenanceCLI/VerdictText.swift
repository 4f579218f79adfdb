import ProvenanceCore

/// The one place verdicts are put into words, offline and on chain: a headline (the status code, in capitals
/// when it warns of an alteration or a lie), then the reasons, worded here from their codes and fields.
enum VerdictText {
    /// The status as printed: its code, capitalised for the statuses that say a copy is not what it claims
    /// or an endpoint lied — the same words `--json` prints, so text and JSON never drift apart.
    static func headline(_ s: Verdict.Status) -> String {
        switch s {
        case .modified, .similar, .altered, .revoked, .forgedRecord, .endpointsDisagree, .invalidSignature, .missing:
            return s.rawValue.uppercased()
        default: return s.rawValue
        }
    }

    /// `hint`: whether to add the `trust add` hint (a run of many files gives it once per signer).
    static func line(_ v: Verdict, identities: [Address: Identity] = [:], hint: Bool = true) -> String {
        let names = Names(identities: identities)
        // Warnings go on lines of their own, after the verdict.
        let reasons = v.reasons.filter { $0.code != .endpointHidRecord }
        var line = "\(Display.safe(v.path)): \(headline(v.status)) — "
        switch v.status {
        case .verified:
            if let title = v.original?.title { line += "episode “\(Display.safe(title))”, " }
            if let first = v.attestations.first {
                line += names.record(first)
                let final = v.isFinal(first).map { $0 ? "; finalized" : "; not yet finalized" } ?? ""
                // "agree" only when every endpoint reported the record: one that hid it is warned of below.
                let hid = Set(
                    v.reasons.compactMap { r -> String? in
                        if case .endpointHidRecord(let e, _, _) = r { return e }
                        return nil
                    })
                line +=
                    v.endpoints.count == 1
                    ? " (1 endpoint; proven here\(final))"
                    : hid.isEmpty
                        ? " (\(v.endpoints.count) endpoints agree; proven here\(final))"
                        : " (\(v.endpoints.count - hid.count) of \(v.endpoints.count) endpoints reported it; proven here\(final))"
                line += sentences(reasons.filter { $0.code == .recordForged }, names).map { "; " + $0 }.joined()
            } else {
                line += sentences(reasons, names).joined(separator: "; ")
            }
            for a in v.attestations.dropFirst() { line += "\n  also: \(names.record(a))" }
        case .modified:
            if let parts = v.authentic { line += authenticSummary(parts, original: v.original) + "; " }
            line += sentences(reasons, names).joined(separator: "; ")
        case .similar, .altered:
            // The signer whose fingerprint matched (on chain, the one whose own record anchors the original).
            var signer = v.signer
            if case .soundMatches(let s)? = v.reason(.soundMatches) { signer = s }
            if case .pictureMatches(let s)? = v.reason(.pictureMatches) { signer = s }
            line += tracksSummary(v, signer: signer, names: names) + alterations(v) + "; "
            line += sentences(reasons.filter { !Self.told.contains($0.code) }, names).joined(separator: "; ")
        case .signedByUntrusted where !v.attestations.isEmpty:
            line += sentences(reasons, names).joined(separator: "; ")
            line += v.attestations.map { "\n  record: \(names.record($0))" }.joined()
            if hint { line += "\n  hint: " + trustHint(v.attestations[0].signer) }
        default:
            line += sentences(reasons, names).joined(separator: "; ")
        }
        for case .endpointHidRecord(let endpoint, let tx, let block) in v.reasons {
            line += "\n  warning: " + Display.safe(hidden(endpoint, tx, block))
        }
        return line
    }

    static func trustHint(_ signer: Address) -> String {
        "if you know this key is the publisher's, trust it: provenance trust add \(signer.checksummed)"
    }

    /// The detail of a verdict as `--json` gives it: the reasons in words, one sentence each.
    static func detail(_ v: Verdict) -> String {
        sentences(v.reasons, Names(identities: [:])).joined(separator: "; ")
    }

    /// What the sound comparison said, as `--json` gives it in `soundNote`.
    static func soundNote(_ v: Verdict) -> String? {
        let notes = v.reasons.filter { [.soundDiffers, .soundNotCompared, .soundOriginalUntrusted].contains($0.code) }
        return notes.isEmpty ? nil : sentences(notes, Names(identities: [:])).joined(separator: "; ")
    }

    /// The reasons in words; fetched originals set aside are told in one sentence, the first three named.
    static func sentences(_ reasons: [Reason], _ names: Names) -> [String] {
        var out: [String] = []
        var setAside: [String] = []
        for r in reasons {
            if case .originalSetAside(let entry) = r {
                setAside.append(entry)
            } else if let s = sentence(r, names) {
                out.append(s)
            }
        }
        if !setAside.isEmpty {
            var s = "set aside: " + setAside.prefix(3).joined(separator: "; ")
            if setAside.count > 3 { s += " and \(setAside.count - 3) more" }
            out.append(s)
        }
        return out.map(Display.safe)
    }
}

/// Prints a run's verdicts as they come (text lines or JSON lines), counts them, and ends with a summary.
final class VerdictPrinter {
    let json: Bool
    let registry: Address
    private(set) var worst = ExitCode.ok
    private var counts: [Verdict.Status: Int] = [:]
    /// Files signed by each untrusted key with a record: the `trust add` hint is given with the first only,
    /// and the summary counts the rest (a folder of 503 files printed it 503 times).
    private var untrusted: [(signer: Address, files: Int)] = []
    /// `verify --check`: the files of the directories given with no manifest beside them.
    var extra = (count: 0, first: [String]())

    init(json: Bool, registry: Address) {
        self.json = json
        self.registry = registry
    }

    func add(_ v: Verdict, identities: [Address: Identity]) {
        if json {
            Output.line(JSONOutput.verdict(v, registry: registry, identities: identities).compact)
        } else {
            let signer = v.status == .signedByUntrusted ? v.attestations.first?.signer : nil
            let seen = signer.flatMap { s in untrusted.firstIndex { $0.signer == s } }
            Output.line(VerdictText.line(v, identities: identities, hint: seen == nil))
            if let seen { untrusted[seen].files += 1 } else if let signer { untrusted.append((signer, 1)) }
        }
        counts[v.status, default: 0] += 1
        worst = worst.worse(v.exitCode)
    }

    /// "summary (chain 31337): 5 files — 4 verified, 1 modified": each status that occurred, in the order of
    /// `Verdict.Status`, with the same words as the verdict lines. Text only, for more than one file.
    func summary(total: Int, chainId: UInt64?) {
        guard !json, total > 1 else { return }
        let parts = Verdict.Status.allCases.compactMap { s in counts[s].map { "\($0) \(s.rawValue)" } }
        Output.line(
            "summary\(chainId.map { " (chain \($0))" } ?? ""): \(total) files — " + parts.joined(separator: ", "))
        for (signer, files) in untrusted where files > 1 {
            Output.line("  \(files) files signed by \(signer.checksummed): " + VerdictText.trustHint(signer))
        }
        if extra.count > 0 {
            let named = extra.first.map(Display.safe).joined(separator: ", ")
            Output.line(
                "  \(extra.count) file\(extra.count == 1 ? " has" : "s have") no manifest beside \(extra.count == 1 ? "it" : "them") "
                    + "(extra): \(named)\(extra.count > 3 ? " and \(extra.count - 3) more" : "")")
        }
    }
}
