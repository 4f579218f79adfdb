import Foundation
import ProvenanceCore

extension VerdictText {
    /// Signers as the text shows them: with the name they are trusted under, or their checked ENS name.
    struct Names {
        let identities: [Address: Identity]

        func describe(_ a: Address) -> String {
            guard let id = identities[a] else { return a.checksummed }
            let how: String
            switch id.check {
            case .address: return a.checksummed
            case .ensForward: how = "ENS name you trust"
            case .domain: how = "listed by the domain you trust"
            case .ensReverse: how = "ENS primary name, checked both ways"
            }
            return "\(Display.safe(id.name)) (\(a.checksummed), \(how))"
        }

        func record(_ a: OnChainAttestation) -> String {
            "\(describe(a.signer)), chain \(a.chainId), block \(a.blockNumber) at \(Timestamp.utc(a.blockTime)), "
                + "tx \(Hex.encode(a.txHash, prefix: true))"
        }
    }

    /// One reason in words (nil for those told elsewhere in the line).
    static func sentence(_ r: Reason, _ names: Names) -> String? {
        switch r {
        case .fileUnreadable(let message): return message ?? "it could not be read"
        case .manifestMissing(let at):
            return "no manifest\(at.map { " at \($0)" } ?? ""): if this is a copy of a published episode, --feed URL "
                + "(the show's feed) or --manifest FILE finds which parts of it are the original's"
        case .fileMissing(let manifest): return "its manifest \(manifest) is here, but the file is not"
        case .manifestMalformed(let at, let message):
            // Parse errors name the manifest already; a chunk list that fails its root does not.
            return "manifest rejected: " + (message.contains(at) ? message : "\(at): \(message)")
        case .manifestInauthentic(let at, let problem): return "manifest rejected: \(at): \(problem)"
        case .signatureValid(let s): return "signed by \(names.describe(s))"
        case .signerUntrusted(let s): return "signed by \(s), whom you do not trust"
        case .contentMismatch(let s, let size, let originalSize):
            return "content differs from the original signed by \(names.describe(s))"
                + (size == originalSize ? "" : " (size \(size), original \(originalSize))")
        case .recordProven(let chain, _):
            return "attested on chain \(chain); proven here from the transaction, receipt and signature"
        case .recordForged(let endpoint, let tx, let check):
            return "\(endpoint) reported a record of this content that does not check out here (tx "
                + "\(Hex.encode(tx, prefix: true)): \(proof(check))): do not trust this endpoint"
        case .recordUnprovable(_, let tx, let check):
            return "a record exists that cannot be proven here (tx \(Hex.encode(tx, prefix: true)): \(proof(check)))"
        case .recordRevoked(let s, let chain, let block, let revokedAt, let time):
            return "attested on chain \(chain) by \(names.describe(s)) in block \(block), but that key was revoked in "
                + "block \(revokedAt) (\(Timestamp.utc(time))): attestations from then on are void"
        case .recordUntrustedSigner(let chain, let signers):
            return "attested on chain \(chain) by \(signers.map(\.checksummed).joined(separator: ", ")), "
                + "whom you do not trust"
        case .recordNotFound(let chain, let registry, let lookedFor):
            let whose: String
            switch lookedFor {
            case .anyone: whose = "by anyone"
            case .signers(let n): whose = "by the \(n) signer(s) you trust (--any-signer also looks for others)"
            }
            return "no record of this exact content on chain \(chain) (registry \(registry)) \(whose)"
        default: return originalSentence(r, names) ?? soundSentence(r, names) ?? pictureSentence(r, names)
        }
    }

    private static func originalSentence(_ r: Reason, _ names: Names) -> String? {
        switch r {
        case .originalAttested(let chain, let block):
            return "the original is attested on chain \(chain) in block \(block)"
        case .originalUntrustedSigner(let chain):
            return "the original is attested on chain \(chain), but by no signer you trust"
        case .originalNotAttested(let chain): return "the original is not attested on chain \(chain)"
        case .originalRevoked(let chain):
            return "the original is attested on chain \(chain) only after its signer's key was revoked"
        case .originalDetailsDiffer(let chain, let block):
            return "the manifest's chunk list and fingerprint are not the ones anchored on chain \(chain) in block "
                + "\(block): no part of this copy is called authentic from them"
        case .detailsSignedOnly:
            return "checked offline: the chunk list and fingerprint are signed, but not checked against the chain"
        case .originalNotFound(let n): return "nothing of it found in the \(n) signed original(s) given"
        case .originalSetAside(let entry): return "set aside: \(entry)"
        case .originalsNotCompared(let n): return "\(n) more item(s) of the feed not compared (--feed-items)"
        case .detailsNotAnchored(let s, let chain):
            return "its manifest is signed by \(names.describe(s)) but not anchored on chain \(chain)"
        case .manifestUntrustedSigner(let s): return "its manifest is signed by \(s), whom you do not trust"
        case .endpointHidRecord(let endpoint, let tx, let block): return hidden(endpoint, tx, block)
        case .recordNotFinal(let block, let finalized):
            return "its record is in block \(block), not yet final ("
                + (finalized.map { "the endpoints call blocks up to \($0) finalized" }
                    ?? "an endpoint names no finalized block")
                + "; --require-finalized)"
        case .endpointsDisagree(let conflicts):
            return "the endpoints disagree: " + conflicts.map(conflict).joined(separator: "; ")
        default: return nil
        }
    }

    private static func soundSentence(_ r: Reason, _ names: Names) -> String? {
        switch r {
        case .soundMatches(let s):
            return "its bytes are not the original's, but its sound matches the original signed by \(names.describe(s))"
        case .soundDiffers: return "its sound does not match the original's either"
        case .soundNotCompared(let message): return "the sound was not compared: \(message)"
        case .soundOriginalUntrusted:
            return "its sound matches, but the original is not attested here by a signer you trust"
        default: return nil
        }
    }

    /// "host did not report tx 0x… in block N, a block it agrees is canonical": a warning, said once here.
    static func hidden(_ endpoint: String, _ tx: [UInt8], _ block: UInt64) -> String {
        "\(endpoint) did not report tx \(Hex.encode(tx, prefix: true)) in block \(block), a block it agrees is canonical"
    }

    /// The failed step of a record's local proof.
    static func proof(_ c: ProofCheck) -> String {
        switch c {
        case .transactionHash: return "its transaction's reported fields do not hash to its hash"
        case .notToRegistry: return "its transaction does not call the registry itself"
        case .receipt: return "its transaction has no successful receipt"
        case .receiptBlock: return "its receipt names a block the chain does not have"
        case .calldata: return "its calldata is not a batch whose signature and root check out"
        case .logBlock(let log, let receipt): return "its log names block \(log), its receipt block \(receipt)"
        case .batchSigner(let batch, let log): return "its batch is signed by \(batch), not by \(log)"
        case .contentNotInBatch: return "its batch does not hold this content"
        case .logNotInReceipt: return "its receipt holds no such log"
        case .unchecked: return "its transaction was not checked"
        case .headerHash: return "its block's fields do not hash to the block's hash"
        case .transactionsRoot: return "its block's transactions do not rebuild the header's transactions root"
        case .receiptsRoot: return "its block's receipts do not rebuild the header's receipts root"
        case .transactionNotInBlock: return "its transaction is not in the block it names"
        case .blockEncoding: return "its block holds a transaction or receipt of a kind this tool cannot encode"
        case .chainId(let signed, let named):
            return "its transaction was signed for chain \(signed), not chain \(named) the endpoint names"
        case .notConfirmedAt(let endpoint, let head):
            return "its block is past \(endpoint)'s confirmed head \(head): not yet confirmed at every endpoint"
        }
    }

    static func conflict(_ c: EndpointConflict) -> String {
        switch c {
        case .forged(let endpoint, let tx, let check):
            return "\(endpoint) reported a record that failed the local proof (tx \(Hex.encode(tx, prefix: true)): "
                + "\(proof(check)))"
        case .blockDiffers(let reporting, let tx, let block, let hash, let other, let theirs):
            return
                "\(reporting.joined(separator: ", ")) report(s) tx \(Hex.encode(tx, prefix: true)) in block \(block) "
                + "\(Hex.encode(hash.prefix(8), prefix: true))…, \(other) has "
                + (theirs.map { "block \(Hex.encode($0.prefix(8), prefix: true))… there" } ?? "no such block")
        case .revocationDiffers(let signer, let endpoints, let revokedAt):
            return "the endpoints disagree on whether \(signer) revoked its key: "
                + zip(endpoints, revokedAt).map { "\($0) says " + ($1.map { "in block \($0)" } ?? "never") }
                .joined(separator: ", ")
        }
    }

    /// "0:00–0:10 and 0:16–0:30 sound like 1:05–1:15 and 1:21–1:35 of “episode 42” (signed by …);
    /// 0:10–0:16 does not match the original".
    /// `told`: stretches of unmatched sound the verdict's alterations tell already (where the picture matches);
    /// the rest of each unmatched stretch is told here.
    static func soundSummary(
        _ audio: AudioComparison?, original: Original?, signer: Address?, names: Names,
        told: [(Double, Double)] = []
    ) -> String {
        guard let audio, !audio.matches.isEmpty else { return "no stretch of its sound matches" }
        let episode = original?.title.map { "“\(Display.safe($0))”" } ?? "the original"
        var line = list(audio.matches.map { "\(clock($0.start))–\(clock($0.end))" })
        line += audio.matches.count == 1 ? " sounds like " : " sound like "
        line += list(audio.matches.map { "\(clock($0.originalStart))–\(clock($0.originalEnd))" }) + " of \(episode)"
        if let signer { line += " (signed by \(names.describe(signer)))" }
        let rest = audio.unmatched.flatMap { minus(($0.start, $0.end), told) }
        if !rest.isEmpty {
            let gaps = list(rest.map { "\(clock($0.0))–\(clock($0.1))" })
            line += "; \(gaps) \(rest.count == 1 ? "does" : "do") not match the original"
        }
        return line
    }

    /// The parts of `gap` outside every stretch of `cut`, longer than 0.2 s (the sound's own least gap).
    static func minus(_ gap: (Double, Double), _ cut: [(Double, Double)]) -> [(Double, Double)] {
        var pieces = [gap]
        for c in cut {
            pieces = pieces.flatMap { p -> [(Double, Double)] in
                guard c.0 < p.1 && p.0 < c.1 else { return [p] }
                return [(p.0, c.0), (c.1, p.1)].filter { $0.1 > $0.0 }
            }
        }
        return pieces.filter { $0.1 - $0.0 > 0.2 }
    }

    /// "4:26" or "1:00:02", whole seconds.
    static func clock(_ s: Double) -> String { clock(seconds: Int(s.rounded())) }

    private static func clock(seconds t: Int) -> String {
        t >= 3600
            ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    /// A copy's time to a tenth of a second ("1:00.2"): where an insertion starts and ends is exact to a frame.
    static func fine(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return clock(seconds: tenths / 10) + ".\(tenths % 10)"
    }

    static func list(_ xs: [String]) -> String {
        xs.count <= 1 ? xs.joined() : xs.dropLast().joined(separator: ", ") + " and " + xs.last!
    }

    /// "96.0% of this copy is the publisher's, in order: 0:00–1:00 and 1:00–4:26 of the original (99.8% of the
    /// original found); 1:00–1:12 of this copy is not the publisher's (an insertion of 11.6 s)" for an MP3 copy;
    /// for other files the same with byte ranges. The share is of the copy (a clean excerpt reads as one).
    static func authenticSummary(_ parts: AuthenticParts, original: Original?) -> String {
        let episode = original?.title.map { " (episode “\(Display.safe($0))”)" } ?? ""
        if parts.parts.isEmpty {
            var line =
                "nothing of the original\(episode) found intact; no byte of this copy is shown to be the publisher's"
            if parts.skippedCandidates > 0 { line += cutShort(parts) }
            return line
        }
        let copyShare = String(format: "%.1f", parts.copyCoverage * 100)
        let originalShare = String(format: "%.1f", parts.originalCoverage * 100)
        var line = "\(copyShare)% of this copy is the publisher's, \(parts.inOrder ? "in order" : "out of order")"
        if let times = parts.partTimes {
            let stretches = times.map {
                "\($0.estimated ? "about " : "")\(clock($0.originalStart))–\(clock($0.originalEnd))"
            }
            line += ": " + list(stretches) + " of the original"
        }
        line += "\(episode) (\(originalShare)% of the original found)"
        if let times = parts.partTimes { return line + timedRanges(parts, times) + cutShort(parts) }
        let foreign = parts.unmatched
        if foreign.count == 1 && foreign[0].start == 0 && foreign[0].end == parts.copySize {
            line += "; no byte of this copy is shown to be the publisher's"
        } else if !foreign.isEmpty {
            let shown = foreign.prefix(8).map { "\(grouped($0.start))–\(grouped($0.end))" }.joined(separator: ", ")
            let more = foreign.count > 8 ? " and \(foreign.count - 8) more ranges" : ""
            line += "; bytes \(shown)\(more) of this copy are not from the publisher (no signed chunk matches them)"
        } else {
            line += "; every byte of this copy is the publisher's"
        }
        return line + cutShort(parts)
    }

    private static func cutShort(_ parts: AuthenticParts) -> String {
        parts.skippedCandidates > 0
            ? " (search cut short: \(parts.skippedCandidates) positions skipped after too many false candidates)" : ""
    }

    /// "; 1:00–1:12 of this copy is not the publisher's (an insertion of 11.6 s)": each range between parts,
    /// before the first and after the last, in the copy's time; an insertion where the original goes on
    /// unbroken across it, in place of the original's stretch it stands for otherwise.
    private static func timedRanges(_ parts: AuthenticParts, _ times: [TimedPart]) -> String {
        var out: [String] = []
        // Ranges too short to time (a tag, a header, or under 0.05 s by the copy's own, unproven, sample tables)
        // are counted, never dropped: a crafted moov made 22 ranges vanish behind "every part".
        var short: (count: Int, bytes: UInt64) = (0, 0)
        for r in parts.unmatched {
            guard let a = parts.copyTime(r.start), let b = parts.copyTime(r.end), b - a >= 0.05 else {
                short = (short.count + 1, short.bytes + r.end - r.start)
                continue
            }
            let after = parts.parts.firstIndex { $0.start >= r.end }
            let before = parts.parts.lastIndex { $0.end <= r.start }
            var what = "\(fine(a))–\(fine(b)) of this copy"
            if let before, let after {
                let (p, q) = (times[before], times[after])
                let lost = q.originalStart - p.originalEnd
                let mp3 = parts.timeline?.mp3.isMP3 ?? false
                if parts.parts[before].originalEnd == parts.parts[after].originalStart {
                    // Proven: the cut chunks rebuilt from the bytes either side (an MP3 splice repaired).
                    what += " is not the publisher's (an insertion of \(String(format: "%.1f", b - a)) s)"
                } else if !mp3 && lost >= 0 && lost < 1.5 && b - a - lost >= 1 {
                    // No frame starts to try a repair at (M4A): the chunks a splice cut stay unproven.
                    what +=
                        " is not shown to be the publisher's (an insertion of about "
                        + "\(String(format: "%.0f", b - a - lost)) s)"
                } else if q.originalStart > p.originalEnd {
                    // An MP3 whose repair failed: the original's bytes there are not all in the copy.
                    what +=
                        " is not shown to be the publisher's (in place of \(q.estimated ? "about " : "")"
                        + "\(clock(p.originalEnd))–\(clock(q.originalStart)) of the original)"
                } else {
                    what += " is not shown to be the publisher's"
                }
            } else {
                what += " is not shown to be the publisher's"
            }
            out.append(what)
        }
        if short.count > 0 {
            out.append(
                "\(short.count == 1 ? "1 range" : "\(short.count) ranges") too short to time (\(short.bytes) bytes: "
                    + "tags, headers or under 0.05 s) \(short.count == 1 ? "is" : "are") not shown to be the publisher's"
            )
        }
        return out.isEmpty ? "; every part of this copy is the publisher's" : "; " + out.joined(separator: "; ")
    }

    static func grouped(_ n: UInt64) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(d)
        }
        return out
    }
}
