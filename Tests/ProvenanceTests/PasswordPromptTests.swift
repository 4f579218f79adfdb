import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The no-echo password prompt, driven on a real pseudo-terminal as a user would meet it.
@Suite(.tags(.unit)) struct PasswordPromptTests {
    func onTerminal(_ keys: String, _ args: [String], in dir: URL) throws -> JSON {
        let r = try runTool(
            try interopPython(),
            [
                repoRoot.appendingPathComponent("Tests/interop/pty_prompt.py").path, "assword", keys, "--",
                try provenanceBinary(),
            ]
                + args, environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path, "TERM": "dumb"], cwd: dir, timeout: 400
        )
        try #require(r.status == 0, "\(r.err)")
        return try JSON.parse(r.out)
    }

    /// Ctrl-C while echo is off: the terminal echoes again, the tool says so and exits 130, no keystore.
    @Test func ctrlCRestoresEcho() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try onTerminal(#""secr\x03""#, ["key", "new", "--keystore", "k.json", "--light-kdf"], in: dir)
        #expect(r["status"] == .int(130), "\(r)")
        #expect(r["echo"] == .bool(true), "\(r)")
        #expect(r["output"]?.stringValue?.contains("interrupted at the password prompt") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("k.json").path))
    }

    /// End of input at both prompts gives an empty password: key new refuses it rather than write a
    /// keystore anyone can open.
    @Test func emptyPasswordFromEndOfInputIsRefused() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try onTerminal(#""\x04""#, ["key", "new", "--keystore", "k.json", "--light-kdf"], in: dir)
        #expect(r["status"] == .int(2), "\(r)")
        #expect(r["echo"] == .bool(true))
        #expect(r["output"]?.stringValue?.contains("empty password") == true, "\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("k.json").path))
    }

    /// The keystore is linked into place: an existing file is never replaced, even one that appears
    /// after the early check.
    @Test func keystoreIsNeverOverwritten() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("k.json").path
        try AtomicFile.write(Data("first".utf8), to: target, mode: 0o600, exclusive: true)
        #expect(throws: ProvenanceError.self) {
            try AtomicFile.write(Data("second".utf8), to: target, mode: 0o600, exclusive: true)
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "first")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "k.json" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
