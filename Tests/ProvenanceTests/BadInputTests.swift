import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Bad input: each gets a clear one-line message, a distinct exit code, and nothing is lost.
@Suite(.tags(.unit)) struct BadInputTests {
    /// A name so long that its manifest's name would pass the file system's limit: that file is told and left
    /// out, every other file of the run is signed (it used to make sign of the whole directory write nothing).
    @Test func oneOverlongNameDoesNotStopTheRest() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("key.hex", devKeyHex)
        try FileManager.default.createDirectory(atPath: cli.path("box"), withIntermediateDirectories: true)
        let long = String(repeating: "n", count: 250) + ".wav"
        for name in ["a.wav", long, "z.wav"] { try cli.write("box/" + name, "recording \(name)", mode: 0o644) }
        let r = try cli.run(["sign", "--private-key-file", "key.hex", "box"])
        #expect(r.status == 2, "\(r.out)\(r.err)")
        #expect(r.err.contains("over the file system's limit") && r.err.contains("1 file not signed"), "\(r.err)")
        for name in ["a.wav", "z.wav"] {
            #expect(FileManager.default.fileExists(atPath: cli.path("box/\(name).provenance.json")), "\(name)")
        }
        #expect(try cli.run(["verify", "--offline", "box/a.wav", "box/z.wav"]).status == 0)
    }

    @Test func specialFilesEmptyFilesAndLoops() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("key.hex", devKeyHex)
        // A FIFO cannot be signed (no stable content) and is refused before it is opened.
        #expect(mkfifo(cli.path("pipe"), 0o600) == 0)
        let fifo = try cli.run(["sign", "--private-key-file", "key.hex", "pipe"])
        #expect(fifo.status == 2 && fifo.err.contains("not a regular file"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("pipe.provenance.json")))
        // An empty file is content like any other.
        try cli.write("empty.wav", "", mode: 0o644)
        #expect(try cli.run(["sign", "--private-key-file", "key.hex", "empty.wav"]).status == 0)
        #expect(try cli.run(["verify", "--offline", "empty.wav"]).status == 0)
        // A dangling path.
        #expect(try cli.run(["hash", "nowhere/x.wav"]).status == 2)
        // An unreadable file (read(2) fails; chmod 000 would not stop root): one line, exit 2, the
        // other files are still hashed.
        let unreadable = try cli.run(["hash", "/proc/self/mem", "empty.wav"])
        #expect(
            unreadable.status == 2 && unreadable.err == "provenance: /proc/self/mem: read failed: Input/output error\n")
        #expect(unreadable.out.hasSuffix("  empty.wav\n"))
        // A symbolic-link loop is walked once when links are followed.
        let root = cli.dir.appendingPathComponent("archive")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: root.appendingPathComponent("a.txt"))
        try Data("b".utf8).write(to: root.appendingPathComponent("sub/b.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("sub/loop").path, withDestinationPath: "..")
        #expect(
            try FileWalker.expand([root.path], followSymlinks: true).map { URL(fileURLWithPath: $0).lastPathComponent }
                .sorted() == ["a.txt", "b.txt"])
        #expect(try FileWalker.expand([root.path]).count == 2)
    }

    @Test func zeroRInAManifestSignature() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.wav").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("audio".utf8))
        var m = try BatchSigner.sign(
            paths: [file], key: try PrivateKey.generate(), registry: RegistryAddress.canonical)[0].manifest
        m.signature = RecoverableSignature(
            r: [UInt8](repeating: 0, count: 32), s: m.signature.s, recoveryID: m.signature.recoveryID)
        try m.write(to: Manifest.path(for: file))
        let v = OfflineVerifier().verify(path: file)
        guard case .manifestInauthentic(_, .invalidSignature(let message))? = v.reason(.manifestInauthentic) else {
            Issue.record("expected manifest.inauthentic, got \(v.reasons)")
            return
        }
        #expect(v.status == .invalidSignature && message.contains("r is out of range"))
    }
}
