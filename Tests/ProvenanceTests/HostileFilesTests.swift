import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Manifests, keystores, password files and signers lists that are not what they seem: links to
/// /dev/zero, FIFOs, huge files. Each is a clear input error within seconds, never a hang or an
/// out-of-memory (every run here is killed after 120 s, which fails the test: a hang guard that a loaded
/// machine does not reach, where each run takes well under a second).
@Suite(.tags(.unit)) struct HostileFilesTests {
    let dir: URL
    let cli: CLI

    init() throws {
        dir = try makeTempDir()
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        try cli.write("a.txt", "a recording", mode: 0o644)
        try cli.write("b.txt", "another recording", mode: 0o644)
        try #require(try cli.run(["sign", "--private-key-file", "k", "b.txt"]).status == 0)
        self.cli = cli
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        try runTool(
            try provenanceBinary(), args, environment: cli.environment.merging(env) { $1 }, cwd: dir, timeout: 120)
    }

    @Test func manifestsThatAreLinksFIFOsOrHuge() throws {
        let manifest = cli.path("a.txt.provenance.json")
        try FileManager.default.createSymbolicLink(atPath: manifest, withDestinationPath: "/dev/zero")
        var r = try run(["verify", "--offline", "a.txt", "b.txt"])
        #expect(r.status == 2 && r.out.contains("a.txt: error") && r.out.contains("symbolic link"), "\(r)")
        #expect(r.out.contains("b.txt: verified"))

        try FileManager.default.removeItem(atPath: manifest)
        #expect(mkfifo(manifest, 0o644) == 0)
        r = try run(["verify", "--offline", "a.txt", "b.txt"])
        #expect(r.status == 2 && r.out.contains("not a regular file"), "\(r)")
        #expect(r.out.contains("b.txt: verified"))

        try FileManager.default.removeItem(atPath: manifest)
        #expect(FileManager.default.createFile(atPath: manifest, contents: nil))
        #expect(truncate(manifest, off_t(Manifest.maxBytes) + 1) == 0)  // sparse: no disk used
        r = try run(["verify", "--offline", "a.txt"])
        #expect(r.status == 2 && r.out.contains("larger than"), "\(r)")
    }

    /// Files that never end or wait forever: /dev/zero and a FIFO named directly to hash and verify, and
    /// reached through a followed link in a walked directory. Named ones are refused (exit 2) and the other
    /// files still processed; in a walk they are skipped and said so, as are links not followed.
    @Test func streamsThatNeverEndAreRefused() throws {
        #expect(mkfifo(cli.path("pipe"), 0o600) == 0)
        for command in [["hash"], ["verify", "--offline"]] {
            for special in ["/dev/zero", "pipe"] {
                let r = try run(command + [special, "b.txt"])
                #expect(r.status == 2, "\(command) \(special): \(r)")
                #expect((r.out + r.err).contains("not a regular file"), "\(command) \(special): \(r)")
                #expect(r.out.contains("b.txt"), "\(command) \(special): the rest is processed: \(r)")
            }
        }
        let walked = dir.appendingPathComponent("walked")
        try FileManager.default.createDirectory(at: walked, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cli.path("b.txt"), toPath: walked.appendingPathComponent("b.txt").path)
        try FileManager.default.copyItem(
            atPath: cli.path("b.txt.provenance.json"),
            toPath: walked.appendingPathComponent("b.txt.provenance.json").path)
        try FileManager.default.createSymbolicLink(
            atPath: walked.appendingPathComponent("zero").path, withDestinationPath: "/dev/zero")
        #expect(mkfifo(walked.appendingPathComponent("fifo").path, 0o600) == 0)
        for command in [["hash"], ["verify", "--offline"]] {
            let followed = try run(command + ["--follow-symlinks", "walked"])
            #expect(followed.status == 0 && followed.out.contains("b.txt"), "\(command): \(followed)")
            #expect(followed.err.contains("skipped walked/zero: not a regular file"), "\(command): \(followed)")
            #expect(followed.err.contains("skipped walked/fifo: not a regular file"), "\(command): \(followed)")
            let notFollowed = try run(command + ["walked"])
            #expect(notFollowed.err.contains("skipped walked/zero: a symbolic link"), "\(command): \(notFollowed)")
        }
    }

    @Test func keystorePasswordAndSignersFiles() throws {
        try FileManager.default.createSymbolicLink(atPath: cli.path("ks.json"), withDestinationPath: "/dev/zero")
        var r = try run(["sign", "--keystore", "ks.json", "--password-file", "k", "a.txt"])
        #expect(r.status == 2 && r.err.contains("symbolic link"), "\(r)")

        #expect(mkfifo(cli.path("pw"), 0o600) == 0)
        try #require(
            try run(["key", "new", "--keystore", "real.json", "--light-kdf"], env: ["PROVENANCE_PASSWORD": "pw1"])
                .status == 0)
        r = try run(["sign", "--keystore", "real.json", "--password-file", "pw", "a.txt"])
        #expect(r.status == 2 && r.err.contains("not a regular file"), "\(r)")

        try FileManager.default.createSymbolicLink(atPath: cli.path("signers"), withDestinationPath: "/dev/zero")
        r = try run(["verify", "--offline", "--signers", "signers", "b.txt"])
        #expect(r.status == 2 && r.err.contains("symbolic link"), "\(r)")
    }
}
