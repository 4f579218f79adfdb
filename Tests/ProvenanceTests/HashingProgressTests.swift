import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Progress for a single large file too (hash, verify), not only for archives: reported from inside
/// the file, after the first second, on standard error, never mixed into the results on stdout.
@Suite struct HashingProgressTests {
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
}
