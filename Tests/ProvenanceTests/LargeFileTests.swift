import Foundation
import Testing

@testable import ProvenanceCore

/// Hashing at sizes that take seconds (sparse files, no disk used): their own tier, so the unit tier stays
/// under a minute (measured: this and HashingProgressTests were 60 of its 80 s on 2 cores).
@Suite(.tags(.large)) struct LargeFileTests {
    /// Over 4 GiB (sparse, so it costs no disk): the 32-bit boundary must not matter.
    @Test func sparseFileOver4GiBMatchesSha256sum() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingAtPath: path).unwrap()
        try h.seek(toOffset: (4 << 30) + 4097)
        h.write(Data("end".utf8))
        try h.close()
        let d = try FileHasher.hash(path: path)
        #expect(d.size == (4 << 30) + 4100)
        // Over 128 MiB the default chunk grows so there are at most 2^14 chunks: 512 KiB here.
        #expect(d.chunkSize == 512 << 10)
        #expect(d.chunks.count == 8193)
        #expect(d.windows.count == d.chunks.count)
        #expect(Hex.encode(d.sha256) == (try sha256sum(path)))
    }

    /// The default chunk size: 8 KiB up to 128 MiB (2^14 chunks), then doubled; 8 KiB for a stream.
}

/// Hostile manifests of ~85 MB each (a chunk list of 2 million digests): verify's memory must not grow with
/// how many of them one window holds (24 of ~100 MB took 4.7 GB), only with the largest. Measured with
/// /usr/bin/time on 8 of them: 855 MB before manifests were read in parts of bounded bytes, 451 MB after.
@Suite(.tags(.large)) struct HostileManifestMemoryTests {
    @Test func manyHugeManifestsDoNotAddUp() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("k", devKeyHex)
        try cli.write("a.txt", "a recording", mode: 0o644)
        try #require(try cli.run(["sign", "--private-key-file", "k", "a.txt"]).status == 0)
        var text = try String(contentsOfFile: cli.path("a.txt.provenance.json"), encoding: .utf8)
        let chunks = try #require(text.range(of: #""chunks":\s*"[^"]*""#, options: .regularExpression))
        let huge = Data(try SecureRandom.bytes(2_000_000 * 32)).base64EncodedString()
        text.replaceSubrange(chunks, with: "\"chunks\":\"\(huge)\"")
        try FileManager.default.createDirectory(atPath: cli.path("box"), withIntermediateDirectories: true)
        for i in 0..<8 {
            try FileManager.default.copyItem(atPath: cli.path("a.txt"), toPath: cli.path("box/a\(i).txt"))
            try text.write(toFile: cli.path("box/a\(i).txt.provenance.json"), atomically: false, encoding: .utf8)
        }
        let r = try runTool(
            "/usr/bin/time", ["-f", "peak %M KiB", try provenanceBinary(), "verify", "--offline", "box"], cwd: cli.dir,
            timeout: 1200)
        #expect(r.out.components(separatedBy: "\n").filter { $0.contains(": error") }.count == 8, "\(r.out)")
        let peak = try #require(
            r.err.components(separatedBy: "\n").first { $0.hasPrefix("peak ") }.flatMap {
                Int($0.dropFirst(5).prefix { $0.isNumber })
            }, "\(r.err)")
        // One manifest at a time costs ~450 MB here; all eight at once cost 855 MB.
        #expect(peak < 640 << 10, "peak \(peak) KiB")
    }
}
