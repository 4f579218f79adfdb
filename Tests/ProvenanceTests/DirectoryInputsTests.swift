import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Every command that takes files takes directories the same way: walked in name order, hidden
/// entries and manifests skipped, a missing path reported on its own without stopping the rest.
@Suite(.tags(.unit)) struct DirectoryInputsTests {
    @Test func hashSignAndVerifyWalkDirectories() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        for sub in ["archive", "archive/b-season", "archive/.hidden"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let files = ["archive/a.wav", "archive/b-season/ep1.wav", "archive/b-season/ep2.wav", "archive/c.mp3"]
        for f in files { try cli.write(f, "recording \(f) \(UUID())", mode: 0o644) }
        try cli.write("archive/.hidden/x.wav", "not walked", mode: 0o644)

        let hashed = try cli.run(["hash", "archive"])
        #expect(hashed.status == 0)
        #expect(hashed.out == (try runTool("/usr/bin/sha256sum", files, cwd: dir)).out, "\(hashed.out)")

        let signed = try cli.run(["sign", "--private-key-file", "k", "archive"])
        #expect(signed.status == 0 && signed.out.contains("4 files in one signature"), "\(signed.out)")
        // Manifests are now in the directory: walks skip them.
        #expect(try cli.run(["hash", "archive"]).out == hashed.out)
        let verified = try cli.run(["verify", "--offline", "archive"])
        #expect(verified.status == 0 && verdictLines(verified.out).count == files.count, "\(verified.out)")

        // A path that does not exist is reported on its own; the rest is done (exit 2).
        let mixed = try cli.run(["verify", "--offline", "gone.wav", "archive"])
        #expect(mixed.status == 2)
        #expect(mixed.out.contains("gone.wav: error") && verdictLines(mixed.out).count == files.count + 1)
        let hashMixed = try cli.run(["hash", "gone.wav", "archive"])
        #expect(hashMixed.status == 2 && hashMixed.out == hashed.out)
    }

    /// The four commands skip and follow the same things: a link inside a directory only with
    /// --follow-symlinks, and a directory with nothing to process is an input error for each, never a
    /// silent success.
    @Test func sameSkippingRulesAndEmptyDirectories() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        for sub in ["archive", "elsewhere", "empty/.hidden"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try cli.write("archive/a.wav", "recording a \(UUID())", mode: 0o644)
        try cli.write("elsewhere/b.wav", "recording b \(UUID())", mode: 0o644)
        try cli.write("empty/.hidden/c.wav", "hidden", mode: 0o644)
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("archive/b-link.wav").path, withDestinationPath: "../elsewhere/b.wav")

        let plain = try cli.run(["hash", "archive"])
        #expect(plain.status == 0 && plain.out.split(separator: "\n").count == 1, "\(plain.out)")
        let followed = try cli.run(["hash", "--follow-symlinks", "archive"])
        #expect(followed.status == 0 && followed.out.contains("archive/b-link.wav"), "\(followed.out)")
        let signed = try cli.run(["sign", "--private-key-file", "k", "--follow-symlinks", "archive"])
        #expect(signed.status == 0 && signed.out.contains("2 files in one signature"), "\(signed.out)")
        let verified = try cli.run(["verify", "--offline", "--follow-symlinks", "archive"])
        #expect(verified.out.contains("archive/b-link.wav: ") && verdictLines(verified.out).count == 2)
        let unfollowed = try cli.run(["verify", "--offline", "archive"])
        #expect(!unfollowed.out.contains("b-link") && unfollowed.out.split(separator: "\n").count == 1)

        for command in [["hash"], ["verify", "--offline"], ["sign", "--private-key-file", "k"]] {
            let r = try cli.run(command + ["empty"])
            #expect(r.status == 2 && r.err.contains("no files found in empty"), "\(command): \(r.err)")
        }
    }

    /// The streaming walk (attest takes an archive a window at a time, never its whole file list) gives
    /// exactly the files and order of the full expansion, in windows of any size.
    @Test func streamingWalkEqualsTheExpansion() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fm = FileManager.default
        for sub in ["a/z", "a/b/c", "a/.hidden", "d", "loop-target"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for f in [
            "a/1", "a/z/2", "a/b/c/3", "a/b/4", "a/.hidden/5", "a/6.provenance.json", "d/7", "loop-target/8", "top",
        ] {
            try Data(f.utf8).write(to: dir.appendingPathComponent(f))
        }
        try fm.createSymbolicLink(
            atPath: dir.appendingPathComponent("a/link").path, withDestinationPath: "../loop-target")
        try fm.createSymbolicLink(
            atPath: dir.appendingPathComponent("loop-target/back").path, withDestinationPath: "..")
        let inputs = [
            dir.appendingPathComponent("a").path, dir.appendingPathComponent("top").path, "missing",
            dir.appendingPathComponent("d").path,
        ]
        for follow in [false, true] {
            let all = try FileWalker.expand(inputs, followSymlinks: follow, excluding: Manifest.isManifestName)
            #expect(all.contains { $0.hasSuffix("/a/b/c/3") } && !all.contains { $0.contains(".hidden") })
            #expect(all.contains("missing") && !all.contains { $0.hasSuffix(".provenance.json") })
            for size in [1, 2, 3, 100] {
                let stream = FileWalker.Stream(inputs, followSymlinks: follow, excluding: Manifest.isManifestName)
                var got: [String] = []
                while true {
                    let part = try stream.next(size)
                    if part.isEmpty { break }
                    #expect(part.count <= size)
                    got += part
                }
                #expect(got == all, "follow \(follow), window \(size)")
            }
        }
    }

    /// A copy that differs is located by chunk digests computed in a second pass; an identical one is
    /// never chunk-hashed (the verdicts are the same as with chunks computed up front).
    @Test func modifiedCopiesStillShowWhereTheyDiffer() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        var bytes = try SecureRandom.bytes(3 << 20)
        try Data(bytes).write(to: dir.appendingPathComponent("long.bin"))
        try #require(try cli.run(["sign", "--private-key-file", "k", "long.bin"]).status == 0)
        bytes[(1 << 20) + 5] ^= 0xFF
        try Data(bytes).write(to: dir.appendingPathComponent("long.bin"))
        let r = try cli.run(["verify", "--offline", "--json", "long.bin"])
        let v = try JSON.parse(r.out)
        #expect(v["status"]?.stringValue == "modified")
        // Only the chunk holding the changed byte differs. (Constant bytes no longer seed a match: a run of
        // one byte value says nothing of where it comes from, issue 28.)
        #expect(
            v["differingRanges"] == .array([.object([("start", .number("1048576")), ("end", .number("1056768"))])]),
            "\(r.out)")
    }
}
