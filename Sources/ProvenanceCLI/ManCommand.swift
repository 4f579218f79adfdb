/// `provenance man`: the provenance(1) manual page in roff, generated from the same command and option
/// tables as `--help` (so the two cannot drift), with exit codes, environment, files and examples.
struct ManCommand: Command {
    static let name = "man"
    static let summary = "Print the provenance(1) manual page (roff; scripts/install installs it)."
    static let usage = "man"
    static let options: [Option] = []

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.positionals.isEmpty else { throw UsageError("man takes no arguments", usage: usage) }
        print(page(), terminator: "")
        return .ok
    }

    /// roff-escapes text: backslashes, hyphens (so options copy as ASCII), characters beyond ASCII as
    /// \[uXXXX] (troff reads ASCII), and a leading dot or quote that would start a request.
    static func roff(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case _ where scalar.value > 0x7e:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: out.unicodeScalars.append(scalar)
            }
        }
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    static let environment: [(String, String)] = [
        (
            "ETH_RPC_URL",
            "JSON-RPC endpoint when --rpc is not given (Foundry's convention). Only its scheme and host are ever printed."
        ),
        ("PROVENANCE_PRIVATE_KEY", "Hex private key when no --keystore, --account or --private-key-file is given."),
        ("PROVENANCE_PASSWORD", "Keystore password when no --password-file is given (else a no-echo prompt)."),
        ("PROVENANCE_HOME", "Directory of the tool's own files (default ~/.provenance)."),
        (
            "PROVENANCE_ENS_RPC",
            "Endpoint ENS names are resolved on when no --ens-rpc is given (else the --rpc endpoint)."
        ),
        ("PROVENANCE_CA_FILE", "A CA bundle used instead of the system's for every HTTPS request (an in-house CA)."),
        ("PROVENANCE_STALL_SECONDS", "A download that receives nothing for this long fails (1 to 3600, default 30)."),
        (
            "PROVENANCE_CACHE_DIR, XDG_CACHE_HOME",
            "Where scans by content alone are remembered (default ~/.cache/provenance; --no-cache ignores it)."
        ),
        (
            "PROVENANCE_SHA256",
            "openssl: compute SHA-256 with OpenSSL even where the CPU has SHA-NI (the same digests; for comparison)."
        ),
        (
            "https_proxy, http_proxy, no_proxy",
            "Proxies for every HTTP request (RPC, downloads, .well-known), read by libcurl."
        ),
    ]

    static let files: [(String, String)] = [
        (
            "FILE.provenance.json",
            "The manifest beside each signed file: the signature, the file's digests and proof, and where it is anchored on chain (docs/FORMAT.md)."
        ),
        (
            "DIR/.provenance-journal.jsonl",
            "An attest run's journal (mode 0600): run the same command again to resume a run that was stopped."
        ),
        ("~/.provenance/keystores/NAME", "Keystores found by --account NAME, then ~/.foundry/keystores/NAME."),
    ]

    static let examples: [(String, String)] = [
        ("provenance key new --keystore publisher.json", "Create a signing key; prints its address."),
        (
            "provenance attest --keystore publisher.json episode42.wav episode42.mp3",
            "Sign both files and record them on chain in one transaction."
        ),
        (
            "provenance verify --signer 0xPublisherAddress clip.wav",
            "Check a file by its content alone against a signer you trust."
        ),
        ("provenance hash episode42.wav", "Print the content ID in sha256sum's format."),
        (
            "provenance sign --keystore publisher.json archive/ && provenance attest --from-manifest archive/*.provenance.json",
            "Sign offline, anchor from another machine."
        ),
    ]

    static func page() -> String {
        var s = ".TH PROVENANCE 1 \"\" \"\(ProvenanceTool.version)\" \"User Commands\"\n"
        s += ".SH NAME\nprovenance \\- sign media files and verify where they came from\n"
        s += ".SH SYNOPSIS\n.B provenance\n.I COMMAND\n[\n.I OPTIONS\n]\n"
        s += ".SH DESCRIPTION\n"
        s +=
            roff(
                "provenance hashes media files of any size, signs their SHA-256 content IDs with a secp256k1 key the "
                    + "publisher owns (EIP-712 typed data any Ethereum library verifies), records them in a registry "
                    + "contract on Ethereum or any EVM chain, and checks files against those records on this machine.")
            + "\n"
        s += ".SH COMMANDS\n"
        for c in ProvenanceTool.commands {
            s += ".SS \"provenance \(roff(c.usage))\"\n" + roff(c.summary) + "\n"
            if !c.discussion.isEmpty {
                s +=
                    ".PP\n.nf\n"
                    + c.discussion.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { roff($0.trimmingCharacters(in: .whitespaces)) }.joined(separator: "\n") + "\n.fi\n"
            }
            for o in c.options {
                s +=
                    ".TP\n.B " + roff(o.spellings.joined(separator: ", "))
                    + (o.value.map { " \\fI\(roff($0))\\fR" } ?? "")
                s += "\n" + roff(o.help) + (o.repeatable ? " Repeatable." : "") + "\n"
            }
        }
        s += ".SH EXIT STATUS\n"
        for (code, meaning) in ExitCode.meanings { s += ".TP\n.B \(code)\n\(roff(meaning))\n" }
        s += ".SH ENVIRONMENT\n"
        for (name, meaning) in environment { s += ".TP\n.B \(roff(name))\n\(roff(meaning))\n" }
        s += ".SH FILES\n"
        for (name, meaning) in files { s += ".TP\n.I \(roff(name))\n\(roff(meaning))\n" }
        s += ".SH EXAMPLES\n"
        for (command, meaning) in examples { s += ".TP\n.B \(roff(command))\n\(roff(meaning))\n" }
        s += ".SH SEE ALSO\n.BR sha256sum (1),\n.BR cast (1)\n"
        return s
    }
}
