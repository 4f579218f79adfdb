import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Kill -9 at each step of an archive attestation, run the same command again: every file is
/// attested exactly once and the manifests are those an uninterrupted run writes.
@Suite(.serialized, .tags(.devnet)) final class ResumeTests {
    let devnet: ChildServer
    let reference: ChildServer

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        reference = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
    }

    /// A directory of five files with the same names and content each time it is made for `tag`; the last
    /// is over 1 MiB, so its digest is journaled (smaller files are hashed again on resume).
    func archive(_ cli: CLI, tag: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: cli.path("archive"), withIntermediateDirectories: true)
        return try (0..<5).map { i in
            try cli.write(
                "archive/ep\(i).wav",
                "\(tag) episode \(i) " + String(repeating: "x", count: i == 4 ? 1_100_000 : i * 70_000), mode: 0o644)
            return "archive/ep\(i).wav"
        }
    }

    func manifestsWithoutAnchors(_ cli: CLI, _ files: [String]) throws -> [String] {
        try files.map { f in
            var m = try Manifest.read(path: cli.path(f + ".provenance.json"))
            m.anchors = []
            return m.json.compact
        }
    }

    @Test(arguments: ["mid-hash", "after-hash", "after-sign", "after-broadcast", "after-receipt"])
    func killedAndResumed(at point: String) throws {
        let tag = "\(point)-\(UUID())"
        // The uninterrupted run, on a chain of its own.
        var ref = try deployedCLI(on: reference)
        defer { try? FileManager.default.removeItem(at: ref.dir) }
        let refFiles = try archive(ref, tag: tag)
        #expect(try ref.run(["attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "archive"]).status == 0)

        var cli = try deployedCLI(on: devnet)
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let files = try archive(cli, tag: tag)
        let killed = try cli.run(
            ["attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "archive"],
            env: ["PROVENANCE_TEST_CRASH_AT": point])
        #expect(killed.status == SIGKILL, "\(point): expected the run to die, got \(killed.status)")
        #expect(FileManager.default.fileExists(atPath: cli.path("archive/.provenance-journal.jsonl")))
        let resumed = try cli.run(["attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "archive"])
        #expect(resumed.status == 0, "\(point): \(resumed.err)")

        // Exactly once: one attestation per file on chain, and the manifests' anchors name it.
        let verdicts = try cli.run(["verify", "--json"] + files).out.split(separator: "\n").map {
            try JSON.parse(String($0))
        }
        for (file, v) in zip(files, verdicts) {
            let records = try v["attestations"].unwrap().arrayValue.unwrap()
            #expect(
                v["status"]?.stringValue == "verified" && records.count == 1,
                "\(point): \(file) has \(records.count) attestations")
            let m = try Manifest.read(path: cli.path(file + ".provenance.json"))
            #expect(
                m.anchors.count == 1
                    && Hex.encode(m.anchors[0].txHash, prefix: true) == records.first?["txHash"]?.stringValue)
        }
        // The same manifests as the uninterrupted run (anchors name each chain's own transactions).
        #expect(try manifestsWithoutAnchors(cli, files) == (try manifestsWithoutAnchors(ref, refFiles)), "\(point)")
        #expect(try cli.run(["verify", "--offline"] + files).status == 0)
    }

    /// Ctrl-C stops after the current step, says how to resume, and the same command finishes the job.
    @Test(arguments: [("after-hash", 0), ("after-receipt", 1)])
    func interruptedAndResumed(at point: String, sentBeforeStop: Int) throws {
        var cli = try deployedCLI(on: devnet)
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let files = try archive(cli, tag: "interrupt-\(point)-\(UUID())")
        let stopped = try cli.run(
            ["attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "archive"],
            env: ["PROVENANCE_TEST_INTERRUPT_AT": point])
        #expect(stopped.status == 130, "\(stopped.err)")
        #expect(stopped.err.contains("interrupted") && stopped.err.contains("run the same command again to resume"))
        #expect(stopped.err.components(separatedBy: "sending attestation").count - 1 == sentBeforeStop)
        let resumed = try cli.run([
            "attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "--summary", "summary.json", "archive",
        ])
        #expect(resumed.status == 0, "\(resumed.err)")
        let summary = try JSON.parse(try Data(contentsOf: URL(fileURLWithPath: cli.path("summary.json"))))
        #expect(summary["files"]?.arrayValue?.count == 5 && summary["chainId"] == .number("31337"))
        #expect(summary["files"]?.arrayValue?.allSatisfy { $0["sha256"] != nil && $0["txHash"] != nil } == true)
        let v = try cli.run(["verify", "archive"])
        #expect(
            v.status == 0
                && v.out.contains("summary (chain 31337): 5 files — 5 verified"))
        _ = files
    }

    /// Fingerprints are journaled with the digests: a resumed attest decodes nothing again. Resumed with no
    /// ffmpeg on PATH, the episode's manifest still carries the fingerprint the first run computed.
    @Test func fingerprintsAreJournaled() throws {
        var cli = try deployedCLI(on: devnet)
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try FileManager.default.createDirectory(atPath: cli.path("show"), withIntermediateDirectories: true)
        try Media.run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=75", "-b:a", "128k",
                "show/ep.mp3",
            ], in: cli.dir)
        let stopped = try cli.run(
            ["attest", "--private-key-file", "dev.key", "show"], env: ["PROVENANCE_TEST_INTERRUPT_AT": "after-hash"])
        #expect(stopped.status == 130, "\(stopped.err)")
        let resumed = try cli.run(["attest", "--private-key-file", "dev.key", "show"], env: ["PATH": "/nonexistent"])
        #expect(resumed.status == 0 && !resumed.err.contains("fingerprint skipped"), "\(resumed.err)")
        let manifest = try Manifest.read(path: cli.path("show/ep.mp3.provenance.json"))
        #expect(manifest.audio != nil && manifest.details.members["audioFingerprint"] != nil)
    }

    /// A long run goes a window of files at a time (hashed, looked up, signed, sent and written before the
    /// next is read), killed in the second window it resumes there, and its summary still lists every file;
    /// a journal line cut short by the kill does not swallow the next record.
    @Test func archiveInWindows() throws {
        var cli = try deployedCLI(on: devnet)
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        cli.environment["PROVENANCE_TEST_ATTEST_WINDOW"] = "2"
        _ = try archive(cli, tag: "windows-\(UUID())")
        let first = try cli.run(["attest", "--private-key-file", "dev.key", "--summary", "summary.json", "archive"])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err.components(separatedBy: "sending attestation").count - 1 == 3)  // 5 files, windows of 2
        let summary = try JSON.parse(try Data(contentsOf: URL(fileURLWithPath: cli.path("summary.json"))))
        #expect(summary["files"]?.arrayValue?.count == 5 && summary["transactions"]?.arrayValue?.count == 3)
        #expect(!FileManager.default.fileExists(atPath: cli.path("summary.json.partial")))
        // A partial last line, as a crash mid-write leaves it; then a run that appends after it.
        let journal = cli.path("archive/.provenance-journal.jsonl")
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"t":"hashed","path":"archive/cut"#.utf8))
        try handle.close()
        try cli.write("archive/late.wav", "late \(UUID())" + String(repeating: "l", count: 1_100_000), mode: 0o644)
        #expect(try cli.run(["attest", "--private-key-file", "dev.key", "archive"]).status == 0)
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.contains("archive/late.wav") && (try? JSON.parse(Array($0.utf8))) != nil })
        #expect(try cli.run(["verify", "archive"]).status == 0)
    }

    /// A file changed after it was journaled is hashed again, not taken from the journal.
    @Test func changedFileIsRehashed() throws {
        var cli = try deployedCLI(on: devnet)
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let files = try archive(cli, tag: "changed-\(UUID())")
        let killed = try cli.run(
            ["attest", "--private-key-file", "dev.key", "archive"], env: ["PROVENANCE_TEST_CRASH_AT": "after-hash"])
        #expect(killed.status == SIGKILL)
        Thread.sleep(forTimeInterval: 0.01)
        try cli.write(files[2], "edited after hashing \(UUID())", mode: 0o644)
        #expect(try cli.run(["attest", "--private-key-file", "dev.key", "archive"]).status == 0)
        let sha = try FileHasher.hash(path: cli.path(files[2])).sha256
        #expect(try Manifest.read(path: cli.path(files[2] + ".provenance.json")).sha256 == sha)
        #expect(try cli.run(["verify"] + files).status == 0)
    }
}
