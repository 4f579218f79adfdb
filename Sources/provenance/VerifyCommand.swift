import Foundation
import ProvenanceKit

struct VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check files against their signed manifests and say whether each is the signed original."
    static let usage = "verify --offline [--signer ADDR]... [--signers FILE] [--manifest FILE] [--json] FILE..."
    static let discussion = """
    --offline checks FILE against FILE.provenance.json: the manifest's Merkle proof and EIP-712
    signature, then the file's SHA-256. A copy that differs is reported as modified, with the byte
    ranges that differ (to chunk granularity). Exit 0: all verified; 1: some not verified; 2: input error.
    """
    static let options: [Option] = [
        .flag("--offline", "Verify against the manifest beside each file, without a chain."),
        .value("--signer", "ADDR", "Trust only this signer (repeatable).", repeatable: true),
        .value("--signers", "FILE", "Trust the addresses in FILE (one per line, # comments)."),
        .value("--manifest", "FILE", "Manifest to use (only with a single FILE)."),
        .value("--registry", "ADDR", "Registry address the signature's domain must name (default: the canonical one)."),
        .flag("--json", "One JSON object per file: path, sha256, status, signer, detail, differingRanges."),
    ]

    static func run(_ args: Arguments) throws -> ExitCode {
        let paths = args.positionals
        guard !paths.isEmpty else { throw UsageError("no files given", usage: usage) }
        guard args.flag("--offline") else {
            throw UsageError("on-chain verification is not available yet; use --offline to check manifests", usage: usage)
        }
        if args.value("--manifest") != nil && paths.count != 1 { throw UsageError("--manifest works with one FILE only", usage: usage) }
        var verifier = OfflineVerifier(trustedSigners: try trustedSigners(args))
        if let registry = args.value("--registry") { verifier.registry = try Address(registry) }

        var worst = ExitCode.ok
        for path in paths {
            let v = verifier.verify(path: path, manifestPath: args.value("--manifest"))
            if args.flag("--json") { Output.line(json(v).compact) } else { Output.line(text(v)) }
            if v.exitCode == .usage || (v.exitCode == .notVerified && worst == .ok) { worst = v.exitCode }
        }
        return worst
    }

    static func trustedSigners(_ args: Arguments) throws -> Set<Address> {
        var signers = Set(try args.all("--signer").map { try Address($0) })
        if let file = args.value("--signers") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ProvenanceError.input("cannot read signers file \(file)") }
            for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                    .trimmingCharacters(in: .whitespaces) ?? ""
                if line.isEmpty { continue }
                do { signers.insert(try Address(line)) } catch let e as ProvenanceError {
                    throw ProvenanceError.input("\(file):\(n + 1): \(e.message)")
                }
            }
            if signers.isEmpty { throw ProvenanceError.input("signers file \(file) lists no addresses") }
        }
        return signers
    }

    static func text(_ v: OfflineVerdict) -> String {
        var line = "\(v.path): \(v.status.rawValue) — \(v.detail)"
        if !v.differingRanges.isEmpty {
            let shown = v.differingRanges.prefix(8).map { "\($0.start)–\($0.end)" }.joined(separator: ", ")
            let more = v.differingRanges.count > 8 ? " and \(v.differingRanges.count - 8) more ranges" : ""
            line += "; differs in bytes \(shown)\(more)"
        }
        return line
    }

    static func json(_ v: OfflineVerdict) -> JSON {
        .object([
            ("path", .string(v.path)),
            ("sha256", v.sha256.map { .string(Hex.encode($0)) } ?? .null),
            ("status", .string(v.status.rawValue)),
            ("signer", v.signer.map { .string($0.checksummed) } ?? .null),
            ("detail", .string(v.detail)),
            ("manifest", v.manifestPath.map { .string($0) } ?? .null),
            ("differingRanges", .array(v.differingRanges.map { .object([("start", .number(String($0.start))), ("end", .number(String($0.end)))]) })),
        ])
    }
}
