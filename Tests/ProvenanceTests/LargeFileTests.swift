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
