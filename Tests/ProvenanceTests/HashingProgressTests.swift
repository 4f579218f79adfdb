import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Progress for a single large file too (hash, verify), not only for archives: reported from inside
/// the file, after the first second, on standard error, never mixed into the results on stdout.
@Suite(.tags(.large)) struct HashingProgressTests {
    @Test func singleLargeFile() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        let big = cli.path("big.bin")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 3 << 30) == 0)  // sparse: 3 GiB to hash, no disk used; well over a second
        let r = try cli.run(["hash", "--progress", "big.bin"])
        #expect(r.status == 0 && r.out.hasSuffix("  big.bin\n") && r.out.split(separator: "\n").count == 1)
        let lines = r.err.split(separator: "\n")
        #expect(!lines.isEmpty, "no progress line")
        #expect(lines.allSatisfy { $0.hasPrefix("provenance: hashing ") && $0.contains(" of 3221 MB, ") }, "\(r.err)")
        // Within the file: some line reports less than the whole.
        #expect(lines.contains { !$0.contains("hashing 3221 of") })

        try cli.write("k", devKeyHex)
        try #require(try cli.run(["sign", "--private-key-file", "k", "big.bin"]).status == 0)
        let v = try cli.run(["verify", "--offline", "--progress", "big.bin"])
        #expect(v.status == 0 && v.out.contains("big.bin: verified"))
        #expect(v.err.contains("provenance: hashing "), "\(v.err)")
        // Without --progress and without a terminal: nothing on stderr.
        #expect(try cli.run(["hash", "big.bin"]).err.isEmpty)
    }

    /// An archive is walked a window at a time (4,096 files), never held: the totals come from a walk
    /// that only counts, and a window's progress continues from the windows before it.
    @Test func totalsAcrossWindows() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        let archive = dir.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        for i in 0..<5000 {
            #expect(
                FileManager.default.createFile(
                    atPath: archive.appendingPathComponent(String(format: "a%05d", i)).path,
                    contents: Data("item \(i)".utf8)))
        }
        let big = archive.appendingPathComponent("z-big.bin").path  // walked last, in the second window
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 3 << 30) == 0)
        let r = try cli.run(["hash", "--progress", "archive"])
        #expect(r.status == 0 && r.out.split(separator: "\n").count == 5001)
        let lines = r.err.split(separator: "\n")
        #expect(
            !lines.isEmpty && lines.allSatisfy { $0.contains(" of 5001 files, ") && $0.contains(" of 3221 MB") },
            "\(r.err)")
        // Once the big file (second window) is done, the first window's 4,096 files are counted too.
        let afterBig = lines.filter { $0.contains(" 3221 of 3221 MB") }
        #expect(!afterBig.isEmpty, "\(r.err)")
        for line in afterBig {
            let done = line.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } ?? 0
            #expect(done > 4096, "\(line)")
        }
    }
}
