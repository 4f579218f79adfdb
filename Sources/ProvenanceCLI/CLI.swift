import Foundation
import ProvenanceChain
import ProvenanceCore

/// One option of a command: its name, the placeholder for its value (nil for a flag) and its help.
struct Option {
    let name: String
    let value: String?
    let help: String
    var repeatable = false
    /// Other spellings users bring from other tools (`--rpc-url`, `-r` from Foundry's cast).
    var aliases: [String] = []

    static func flag(_ name: String, _ help: String, repeatable: Bool = false, aliases: [String] = []) -> Option {
        Option(name: name, value: nil, help: help, repeatable: repeatable, aliases: aliases)
    }
    static func value(
        _ name: String, _ value: String, _ help: String, repeatable: Bool = false, aliases: [String] = []
    ) -> Option {
        Option(name: name, value: value, help: help, repeatable: repeatable, aliases: aliases)
    }

    /// Every spelling, the canonical name first.
    var spellings: [String] { [name] + aliases }
}

/// A subcommand: its name, one-line summary, usage, options, and what it does with parsed arguments.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var discussion: String { get }
    static var options: [Option] { get }
    /// Words that may follow the command name (`registry address`), for completions.
    static var subcommands: [String] { get }
    static func run(_ args: Arguments) throws -> ExitCode
}

extension Command {
    static var discussion: String { "" }
    static var subcommands: [String] { [] }

    static var help: String {
        var text = "\(summary)\n\nUsage: provenance \(usage)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        let all = options + [.flag("--help", "Show this help.")]
        text += "\nOptions:\n"
        let lefts = all.map { $0.spellings.joined(separator: ", ") + ($0.value.map { " " + $0 } ?? "") }
        let width = lefts.map(\.count).max() ?? 0
        for (o, left) in zip(all, lefts) {
            text += "  " + left.padding(toLength: width + 2, withPad: " ", startingAt: 0) + o.help + "\n"
        }
        return text
    }
}

/// Parsed command-line arguments: option values by name, flags, and positionals in order.
struct Arguments {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []
    /// How many times each flag was given (`-vv` counts two).
    private(set) var flagCounts: [String: Int] = [:]
    private(set) var positionals: [String] = []

    init(_ argv: [String], options: [Option], usage: String) throws {
        let byName = Dictionary(uniqueKeysWithValues: options.flatMap { o in o.spellings.map { ($0, o) } })
        // "-vv" is "-v -v" for a repeatable short flag.
        let argv = argv.flatMap { arg -> [String] in
            let letters = arg.dropFirst()
            guard arg.hasPrefix("-"), !arg.hasPrefix("--"), letters.count > 1, Set(letters).count == 1,
                let option = byName["-" + String(letters.first!)], option.value == nil, option.repeatable
            else { return [arg] }
            return Array(repeating: "-" + String(letters.first!), count: letters.count)
        }
        var i = 0
        var onlyPositionals = false
        while i < argv.count {
            let arg = argv[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                positionals.append(arg)
                continue
            }
            if arg == "--" {
                onlyPositionals = true
                continue
            }
            var name = arg
            var inline: String? = nil
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            guard let option = byName[name] else { throw UsageError("unknown option \(name)", usage: usage) }
            if option.value == nil {
                guard inline == nil else { throw UsageError("\(name) takes no value", usage: usage) }
                flags.insert(option.name)
                flagCounts[option.name, default: 0] += 1
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < argv.count else { throw UsageError("\(name) needs a value (\(option.value!))", usage: usage) }
                value = argv[i]
                i += 1
            }
            // Stored under the canonical name, so an alias and its name count as one option.
            if !option.repeatable && values[option.name] != nil {
                throw UsageError("\(option.spellings.joined(separator: "/")) given twice", usage: usage)
            }
            values[option.name, default: []].append(value)
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func count(_ name: String) -> Int { flagCounts[name] ?? 0 }
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    func int(_ name: String, usage: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text) else { throw UsageError("\(name) needs a whole number, got \"\(text)\"", usage: usage) }
        return n
    }
}

/// A usage error: printed with the command's usage line, exit code 2.
struct UsageError: Error {
    let message: String
    let usage: String
    init(_ message: String, usage: String) {
        self.message = message
        self.usage = usage
    }
}

/// Output helpers shared by commands.
enum Output {
    static func line(_ text: String) { print(text) }

    /// One error line on standard error. The text may quote outside input (file names, RPC error
    /// strings), so control characters are escaped: it stays one line and cannot drive the terminal.
    static func error(_ text: String) {
        stderr("provenance: " + Display.safe(text) + "\n")
    }

    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `sha256sum` line format; names with a backslash or newline are escaped the way coreutils does.
    static func sumLine(_ digest: [UInt8], _ path: String) -> String {
        if path.contains("\\") || path.contains("\n") {
            let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            return "\\" + Hex.encode(digest) + "  " + escaped
        }
        return Hex.encode(digest) + "  " + path
    }
}

/// The key options every signing command shares.
enum KeyOptions {
    static let options: [Option] = [
        .value("--keystore", "FILE", "Keystore v3 file (geth, Foundry, eth-account) holding the signing key."),
        .value("--account", "NAME", "Keystore NAME in ~/.provenance/keystores, then ~/.foundry/keystores."),
        .value(
            "--password-file", "FILE",
            "Keystore password: first line of FILE (else $PROVENANCE_PASSWORD, else a prompt)."),
        .value("--private-key-file", "FILE", "Hex private key in FILE, mode 0600 (else $PROVENANCE_PRIVATE_KEY)."),
    ]

    static func source(_ args: Arguments) -> KeySource {
        KeySource(
            keystore: args.value("--keystore"), account: args.value("--account"),
            privateKeyFile: args.value("--private-key-file"), passwordFile: args.value("--password-file"))
    }
}

enum ChunkOption {
    static let option = Option.value(
        "--chunk-size", "BYTES",
        "Chunk size for per-chunk digests: power of two, K/M suffix allowed (default 8K, larger above 1 GiB).")

    /// nil when not given: each file gets the default for its size.
    static func parse(_ args: Arguments, usage: String) throws -> Int? {
        guard let text = args.value("--chunk-size") else { return nil }
        var multiplier = 1
        var digits = Substring(text)
        switch text.last {
        case "K", "k":
            multiplier = 1 << 10
            digits = digits.dropLast()
        case "M", "m":
            multiplier = 1 << 20
            digits = digits.dropLast()
        default: break
        }
        guard let n = Int(digits), n > 0 else {
            throw UsageError("--chunk-size needs a size such as 1M or 65536, got \"\(text)\"", usage: usage)
        }
        return n * multiplier
    }
}

/// Progress on standard error: human lines when it is a terminal, JSON lines with --json, nothing with --quiet.
enum ProgressReporter {
    static func attest(json: Bool, quiet: Bool) -> @Sendable (Attester.Progress) -> Void {
        let start = Date()
        let terminal = isatty(2) == 1
        guard !quiet, json || terminal else { return { _ in } }
        return { event in
            if json {
                FileHandle.standardError.write(Data(("provenance: " + JSONOutput.progress(event).compact + "\n").utf8))
                return
            }
            let line: String
            switch event {
            case let .hashing(files, of, bytes, ofBytes):
                let seconds = max(Date().timeIntervalSince(start), 0.001)
                let rate = Double(bytes) / seconds
                let eta = rate > 0 && ofBytes > bytes ? ", about \(Int(Double(ofBytes - bytes) / rate)) s to go" : ""
                line =
                    "hashing: \(files) of \(of) files, \(bytes / 1_000_000) of \(ofBytes / 1_000_000) MB, \(Int(rate / 1_000_000)) MB/s\(eta)"
            case let .hashed(files, bytes, of):
                let seconds = max(Date().timeIntervalSince(start), 0.001)
                line =
                    "hashed \(files) of \(of) files, \(bytes / 1_000_000) MB at \(Int(Double(bytes) / 1_000_000 / seconds)) MB/s"
            case let .sent(batch, of, files, _):
                line = "sent transaction \(batch) of \(of) (\(files) files)"
            case let .confirmed(batch, of, block):
                let elapsed = Date().timeIntervalSince(start)
                let eta = batch < of ? ", about \(Int(elapsed / Double(batch) * Double(of - batch))) s to go" : ""
                line = "confirmed transaction \(batch) of \(of) in block \(block)\(eta)"
            }
            FileHandle.standardError.write(Data(("provenance: " + line + "\n").utf8))
        }
    }
}

/// Progress of a hashing pass (hash, verify) on standard error: on a terminal (or with --progress), only
/// once the work has run for a second, at most twice a second; on a terminal one line redrawn in place
/// and erased at the end, elsewhere one line per update.
final class HashingProgress: @unchecked Sendable {
    private let totalBytes: UInt64
    private let totalFiles: Int
    private let enabled: Bool
    private let terminal = isatty(2) == 1
    private let lock = NSLock()
    private let start = Date()
    private var last = Date.distantPast
    private var shown = false
    private var filesDone = 0
    private var lastScan = Date.distantPast
    private var scanShown = false

    /// Files and bytes of the windows before the current one.
    private var filesBefore = 0
    private var bytesBefore: UInt64 = 0
    private var windowFiles = 0
    private var windowBytes: UInt64 = 0

    /// Totals come from a walk of their own (`inputs`, the same walk the run makes), done only when
    /// progress is shown: file names are counted and sized, never held, so memory does not grow with the
    /// archive (a stat a file: ~1 s for 200,000 cached files).
    init(inputs: @autoclosure () -> FileWalker.Stream, forced: Bool) throws {
        enabled = forced || isatty(2) == 1
        var files = 0
        var bytes: UInt64 = 0
        if enabled { files = try inputs().forEachWindow(of: 4096) { bytes &+= Self.size(of: $0) } }
        totalFiles = files
        totalBytes = bytes
    }

    private static func size(of paths: [String]) -> UInt64 {
        var sum: UInt64 = 0
        for p in paths {
            var st = stat()
            if stat(p, &st) == 0 && st.st_mode & S_IFMT == S_IFREG { sum &+= UInt64(st.st_size) }
        }
        return sum
    }

    /// For the hashers of the next window of the run: files done (0 while inside a single file) and
    /// bytes so far, counted from the start of the run.
    func callback(for window: [String]) -> @Sendable (Int, UInt64) -> Void {
        lock.lock()
        filesBefore += windowFiles
        bytesBefore &+= windowBytes
        windowFiles = window.count
        windowBytes = enabled ? Self.size(of: window) : 0
        let (files, bytes) = (filesBefore, bytesBefore)
        lock.unlock()
        return { [self] done, hashed in update(files: done > 0 ? files + done : 0, bytes: bytes &+ hashed) }
    }

    func update(files: Int, bytes: UInt64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if files > 0 { filesDone = files }
        redraw(bytes: bytes) { rate in
            var text = "hashing"
            if totalFiles > 1 { text += " \(filesDone) of \(totalFiles) files," }
            text += " \(bytes / 1_000_000) of \(totalBytes / 1_000_000) MB, \(Int(rate / 1_000_000)) MB/s"
            if rate > 0 && totalBytes > bytes { text += ", about \(Int(Double(totalBytes - bytes) / rate)) s to go" }
            return text
        }
    }

    /// A download streamed through the hasher: bytes so far of the announced length.
    func downloaded(_ bytes: UInt64, of total: UInt64?) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        redraw(bytes: bytes) { rate in
            "downloading and hashing \(bytes / 1_000_000)" + (total.map { " of \($0 / 1_000_000) MB" } ?? " MB")
                + ", \(String(format: "%.1f", rate / 1_000_000)) MB/s"
        }
    }

    /// Draws the line (the lock held), once the work has run for a second and at most twice a second;
    /// `text` is given the rate so far in bytes per second.
    private func redraw(bytes: UInt64, _ text: (Double) -> String) {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        guard elapsed >= 1, now.timeIntervalSince(last) >= 0.5 else { return }
        last = now
        let line = text(Double(bytes) / max(elapsed, 0.001))
        Output.stderr(terminal ? "\r\u{1b}[Kprovenance: " + line : "provenance: " + line + "\n")
        shown = true
    }

    /// A scan of the chain by content alone: blocks scanned of the total, shown once the scan takes more
    /// than one request (the provider capped the range), then at most twice a second.
    func scanned(_ blocks: UInt64, of total: UInt64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard blocks < total || scanShown, now.timeIntervalSince(lastScan) >= 0.5 || blocks == total else { return }
        lastScan = now
        scanShown = true
        last = now
        let text = "scanning the registry's history: \(blocks) of \(total) blocks"
        Output.stderr(terminal ? "\r\u{1b}[Kprovenance: " + text : "provenance: " + text + "\n")
        shown = true
    }

    /// Erases the progress line on a terminal so that results start on a clean line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown && terminal { Output.stderr("\r\u{1b}[K") }
    }
}
