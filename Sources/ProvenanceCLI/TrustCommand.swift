import Foundation
import ProvenanceChain
import ProvenanceCore

/// The user's trust list: the signers `verify` trusts when none is named on the command line. A text
/// file, one entry per line (address, ENS name or domain), `#` starts a comment; kept in
/// $XDG_CONFIG_HOME/provenance/trusted-signers (else ~/.config/provenance/trusted-signers).
enum TrustList {
    static var path: String? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/provenance/trusted-signers" }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/provenance/trusted-signers"
    }

    /// Entries of a list file (the trust list or a --signers FILE), each with its note.
    static func read(_ file: String) throws -> [(entry: TrustEntry, note: String)] {
        let bytes = try BoundedFile.read(file, what: "signers file", maxBytes: 1 << 20).bytes
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ProvenanceError.input("signers file \(file) is not UTF-8 text")
        }
        var out: [(TrustEntry, String)] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let parts = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let line = parts.first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            do {
                out.append(
                    (try TrustEntry(line), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "")
                )
            } catch let e as ProvenanceError {
                throw ProvenanceError.input("\(file):\(n + 1): \(e.message)")
            }
        }
        return out
    }

    static func load() throws -> [(entry: TrustEntry, note: String)] {
        guard let path, FileManager.default.fileExists(atPath: path) else { return [] }
        return try read(path)
    }

    static func save(_ entries: [(entry: TrustEntry, note: String)]) throws {
        guard let path else { throw ProvenanceError.input("no home directory for the trust list") }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var text = "# Signers `provenance verify` trusts: an address, an ENS name or a domain per line.\n"
        for (entry, note) in entries { text += entry.description + (note.isEmpty ? "" : "  # " + note) + "\n" }
        try AtomicFile.write(Data(text.utf8), to: path)
    }
}

/// `provenance trust add|remove|list`.
struct TrustCommand: Command {
    static let name = "trust"
    static let subcommands = ["add", "remove", "list"]
    static let summary = "Manage the signers verify trusts: addresses, ENS names, domains."
    static let usage = "trust add ENTRY [--note TEXT] | trust remove ENTRY | trust list [--json]"
    static let discussion = """
          trust add ENTRY     Trust an address (0x…), an ENS name (show.eth) or a domain (example.com, whose
                              https://example.com/.well-known/provenance.json lists its signers).
          trust remove ENTRY  Stop trusting it.
          trust list          Print the list.
        verify trusts the list's signers unless --signer or --signers names others. Nothing is trusted
        implicitly: with an empty list, records are reported as signed-by-untrusted.
        """
    static let options: [Option] = [
        Opts.note.option, Opts.json.help("trust list: one JSON array of {entry, kind, note}.").option,
    ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard let sub = args.positionals.first else {
            throw UsageError("say which: trust add, remove or list", usage: usage)
        }
        var entries = try TrustList.load()
        switch (sub, args.positionals.count) {
        case ("add", 2):
            let entry = try TrustEntry(args.positionals[1])
            if entries.contains(where: { $0.entry == entry }) {
                Output.line("already trusted: \(entry)")
                return .ok
            }
            let note = try args.get(Opts.note) ?? ""
            entries.append((entry, note))
            try TrustList.save(entries)
            Output.line("trusted: \(entry)")
        case ("remove", 2):
            let entry = try TrustEntry(args.positionals[1])
            guard entries.contains(where: { $0.entry == entry }) else {
                throw ProvenanceError.input("\(entry) is not in the trust list")
            }
            entries.removeAll { $0.entry == entry }
            try TrustList.save(entries)
            Output.line("no longer trusted: \(entry)")
        case ("list", 1):
            if args[Opts.json] {
                Output.line(JSONOutput.trustList(entries).compact)
            } else if entries.isEmpty {
                Output.line(
                    "the trust list is empty: verify trusts nobody until you add a signer (provenance trust add …)")
            } else {
                for (entry, note) in entries {
                    Output.line(entry.description + (note.isEmpty ? "" : "  # \(Display.safe(note))"))
                }
            }
        default: throw UsageError("say which: trust add ENTRY, trust remove ENTRY or trust list", usage: usage)
        }
        return .ok
    }
}
