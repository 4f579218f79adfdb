import Foundation
import ProvenanceChain
import ProvenanceCore

/// Progress on standard error: human lines when it is a terminal, JSON lines with --json, nothing with --quiet.
enum ProgressReporter {
    static func attest(json: Bool, quiet: Bool) -> @Sendable (Attester.Progress) -> Void {
        let start = Date()
        let terminal = isatty(2) == 1
        guard !quiet, json || terminal else { return { _ in } }
        let fingerprinting = fingerprint(json: json)
        return { event in
            if case .fingerprinting(let p) = event { return fingerprinting(p) }
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
            case .fingerprinting: return
            }
            FileHandle.standardError.write(Data(("provenance: " + line + "\n").utf8))
        }
    }
}

extension ProgressReporter {
    /// Fingerprinting (sign, attest), told at most twice a second: on a terminal one line redrawn in place from
    /// the pass's first second, ended when the pass is; with --json a JSON line each time. Media is read at tens
    /// of times real time, so a long recording is a wait worth showing (a 20-minute WAV once ran 110 s without).
    static func fingerprint(json: Bool) -> @Sendable (FingerprintProgress) -> Void {
        let terminal = isatty(2) == 1
        guard json || terminal else { return { _ in } }
        // The second counts from each pass's first event, not from the command's start (a pass per batch).
        let started = PassStart()
        return { p in
            if json {
                Output.stderr("provenance: " + JSONOutput.progress(.fingerprinting(p)).compact + "\n")
                return
            }
            let ended = p.files == p.ofFiles
            guard started.elapsed(restartingAfter: ended) >= 1 else { return }
            var line = "fingerprinting: "
            if p.ofFiles > 1 { line += "\(p.files) of \(p.ofFiles) files, " }
            line += "\(VerdictText.clock(p.soundSeconds)) of sound"
            if p.pictureSeconds > 0 { line += " and \(VerdictText.clock(p.pictureSeconds)) of picture" }
            line += " read"
            Output.stderr("\r\u{1b}[Kprovenance: " + line + (ended ? "\n" : ""))
        }
    }
}

/// When the current pass began: its first event starts it, and the event that ends it makes the next event
/// start a new one.
final class PassStart: @unchecked Sendable {
    private let lock = NSLock()
    private var start: Date?

    func elapsed(restartingAfter ended: Bool) -> Double {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let began = start ?? now
        start = ended ? nil : began
        return now.timeIntervalSince(began)
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

    /// A copy's sound or picture decoded for comparison: the seconds read so far (a long copy is read at tens
    /// of times real time, a wait worth showing).
    func decoding(_ what: String, seconds: Double) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        redraw(bytes: 0) { _ in "reading \(what): \(VerdictText.clock(seconds)) read" }
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
