import Foundation
import ProvenanceChain
import ProvenanceCore

/// `show`: what a manifest says, read and checked on this machine (its signature and batch proof), without
/// comparing any file with it: who signed, which batch, the content's chunking, the fingerprints and the chain
/// anchors it records. `verify` is what checks a file against it and the anchors against a chain.
struct ShowCommand: Command {
    static let name = "show"
    static let summary = "Show what a file's manifest says: signer, batch, chunks, fingerprints and anchors."
    static let usage = "show [--registry ADDR] [--json] FILE|MANIFEST..."
    static let discussion = """
        FILE shows FILE.provenance.json; a name ending in .provenance.json is read as the manifest itself.
        The manifest's signature and batch proof are checked here (offline); the file's bytes are not compared
        with it and the anchors it lists are shown as written, not looked up: `provenance verify` does both.
        Exit 0 when every manifest shown is authentic, 1 when one is not (its contents are still shown), 2 when
        one cannot be read.
        """
    static let options: [Option] = [
        Opts.registry.option,
        Opts.json.help("One JSON object per manifest (see docs/FORMAT.md, `show`).").option,
    ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard !args.positionals.isEmpty else { throw UsageError("no file or manifest given", usage: usage) }
        var checker = OfflineVerifier()
        if let registry = try args.get(Opts.registry) { checker.registry = registry }
        var exit = ExitCode.ok
        for (n, given) in args.positionals.enumerated() {
            let path = Manifest.isManifestName(given) ? given : Manifest.path(for: given)
            let manifest: Manifest
            do { manifest = try Manifest.read(path: path) } catch let e as ProvenanceError {
                Output.error(e.message)
                exit = .usage
                continue
            }
            let problem = checker.authenticityProblem(manifest)
            if problem != nil && exit == .ok { exit = .notVerified }
            if args[Opts.json] {
                Output.line(ShowWords.json(manifest, at: path, problem: problem).compact)
            } else {
                if n > 0 { Output.line("") }
                ShowWords.lines(manifest, at: path, problem: problem).forEach(Output.line)
            }
        }
        return exit
    }
}

/// The words and the JSON of `show`.
enum ShowWords {
    static func lines(_ m: Manifest, at path: String, problem: AuthenticityProblem?) -> [String] {
        var out = [Display.safe(path)]
        func row(_ label: String, _ text: String) {
            out.append("  " + label.padding(toLength: 10, withPad: " ", startingAt: 0) + text)
        }
        row("file", "\(Display.safe(m.fileName)), \(VerdictText.grouped(m.size)) bytes, sha256 \(Hex.encode(m.sha256))")
        if let problem {
            row("signer", "\(m.signer) — NOT AUTHENTIC: \(problem) (\(problem.code))")
        } else {
            row("signer", "\(m.signer) — signature and batch proof checked")
        }
        let batch =
            m.message.fileCount == 1
            ? "signed alone" : "file \(m.batchIndex + 1) of \(m.message.fileCount) signed together"
        row(
            "batch",
            "\(batch), Merkle root \(Hex.encode(m.message.merkleRoot, prefix: true)), registry \(m.message.registry)")
        row("chunks", chunks(m))
        if let a = m.audio {
            row(
                "sound",
                "fingerprint \(AudioFingerprint.algorithm), \(VerdictText.clock(Double(a.frames.count) / AudioFingerprint.framesPerSecond))"
            )
        }
        if let p = m.picture {
            row(
                "picture",
                "fingerprint \(PictureFingerprint.algorithm), \(VerdictText.clock(p.seconds)), \(PictureFingerprint.framesPerSecond) frames a second"
            )
        } else if m.audio != nil {
            row("picture", "none (audio only, or signed without one)")
        }
        if m.anchors.isEmpty {
            row("anchors", "none recorded (signed offline, or attested from another copy of the manifest)")
        }
        for a in m.anchors {
            row(
                "anchor",
                "chain \(a.chainId), registry \(a.registry), block \(a.blockNumber) at \(Timestamp.utc(a.blockTime)), tx \(Hex.encode(a.txHash, prefix: true)) (as recorded, not looked up)"
            )
        }
        return out
    }

    static func chunks(_ m: Manifest) -> String {
        let count = m.chunks.count
        var text =
            "\(VerdictText.grouped(UInt64(count))) of \(VerdictText.grouped(UInt64(m.chunkSize))) bytes, root \(Hex.encode(m.chunkRoot, prefix: true))"
        if m.details.chunkStart > 0 || m.details.chunkEnd > 0 {
            text += ", on the media's grid from byte \(m.details.chunkStart) to \(m.details.chunkEnd)"
        }
        return text
    }

    static func json(_ m: Manifest, at path: String, problem: AuthenticityProblem?) -> JSON {
        var fields: [(String, JSON)] = [
            ("manifest", .string(path)), ("file", .string(m.fileName)), ("size", .number(String(m.size))),
            ("sha256", .string(Hex.encode(m.sha256))), ("signer", .string(m.signer.checksummed)),
            ("authentic", .bool(problem == nil)),
        ]
        if let problem {
            fields.append(
                ("problem", .object([("code", .string(problem.code)), ("message", .string(problem.description))])))
        }
        fields += [
            (
                "batch",
                .object([
                    ("files", .int(m.message.fileCount)), ("index", .int(m.batchIndex)),
                    ("merkleRoot", .string(Hex.encode(m.message.merkleRoot, prefix: true))),
                    ("registry", .string(m.message.registry.checksummed)),
                ])
            ),
            (
                "chunks",
                .object([
                    ("count", .int(m.chunks.count)), ("size", .int(m.chunkSize)),
                    ("start", .number(String(m.details.chunkStart))), ("end", .number(String(m.details.chunkEnd))),
                    ("root", .string(Hex.encode(m.chunkRoot, prefix: true))),
                ])
            ),
            ("details", m.details.json),
        ]
        if let a = m.audio {
            fields.append(
                (
                    "sound",
                    .object([
                        ("algorithm", .string(AudioFingerprint.algorithm)),
                        ("seconds", JSONOutput.seconds(Double(a.frames.count) / AudioFingerprint.framesPerSecond)),
                    ])
                ))
        }
        if let p = m.picture {
            fields.append(
                (
                    "picture",
                    .object([
                        ("algorithm", .string(PictureFingerprint.algorithm)),
                        ("seconds", JSONOutput.seconds(p.seconds)),
                    ])
                ))
        }
        fields.append(("anchors", .array(m.anchors.map(\.json))))
        return .object(fields)
    }
}
