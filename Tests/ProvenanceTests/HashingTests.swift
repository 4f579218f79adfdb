import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct HashingTests {
    @Test(arguments: [0, 1, 1023, 1024, 1025, 65536, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 4 << 20, (9 << 20) + 12345])
    func matchesSha256sumAndChunks(size: Int) throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("f.bin").path
        var bytes = [UInt8](repeating: 0, count: size)
        for i in 0..<size { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        for chunkSize in [1024, 1 << 20] {
            let d = try FileHasher.hash(path: path, chunkSize: chunkSize)
            #expect(Hex.encode(d.sha256) == (try sha256sum(path)))
            #expect(d.size == UInt64(size))
            // Each chunk digest is the SHA-256 of exactly that slice; an empty file has one chunk.
            let expectedCount = max(1, (size + chunkSize - 1) / chunkSize)
            #expect(d.chunks.count == expectedCount)
            for (i, chunk) in d.chunks.enumerated() {
                let slice = Array(bytes[min(size, i * chunkSize)..<min(size, (i + 1) * chunkSize)])
                #expect(chunk == SHA256Hasher.hash(slice), "chunk \(i) of \(size) bytes at \(chunkSize)")
            }
        }
    }

    @Test func rejectsBadChunkSizeAndDirectories() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ProvenanceError.self) { try FileHasher.hash(path: dir.path) }
        let f = dir.appendingPathComponent("x").path
        _ = FileManager.default.createFile(atPath: f, contents: Data([1, 2, 3]))
        #expect(throws: ProvenanceError.self) { try FileHasher.hash(path: f, chunkSize: 1000) }
        #expect(throws: ProvenanceError.self) { try FileHasher.hash(path: dir.appendingPathComponent("missing").path) }
    }

    /// A file that grows while it is hashed is an error, not a digest. The byte is appended from the
    /// hasher's own progress callback, after its first read of the file: always while the file is being
    /// hashed, however the machine schedules threads (a writer thread woken after 30 ms could run before
    /// the hasher had opened the file, or after it had finished).
    @Test func fileChangingDuringHashIsAnError() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("growing.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingAtPath: path).unwrap()
        try h.truncate(atOffset: 1 << 30)  // 1 GiB sparse: many reads, the append comes after the first
        try h.close()
        var appended = false
        #expect(throws: ProvenanceError.self) {
            try FileHasher.hash(
                path: path,
                progress: { _ in
                    guard !appended, let w = FileHandle(forWritingAtPath: path) else { return }
                    appended = true
                    w.seekToEndOfFile()
                    w.write(Data([1]))
                    try? w.close()
                })
        }
        #expect(appended)
    }

    /// A large file is read through mappings: one truncated while hashed would raise SIGBUS on the pages
    /// past its new end. The guard turns that into an error for this file, and the process goes on. The
    /// file is cut from the hasher's progress callback, after its first read: always mid-hash (a thread
    /// woken after 30 ms could cut it before the hasher had opened it, when there is nothing to detect).
    @Test func fileTruncatedDuringHashIsAnErrorNotACrash() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("shrinking.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        #expect(truncate(path, 64 << 20) == 0)  // 64 MiB sparse: many reads, the cut comes after the first
        var cut = false
        #expect {
            try FileHasher.hash(
                path: path,
                progress: { _ in
                    if !cut { cut = truncate(path, 4096) == 0 }
                })
        } throws: { error in
            (error as? ProvenanceError)?.message.contains("changed while being hashed") == true
        }
        #expect(cut)
    }

    /// The guard itself: a page of a mapped window past the file's new end reads as zeros and is
    /// reported, instead of killing the process.
    @Test func mappedWindowReportsAPageThatFaulted() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cut.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 0xAB, count: 3 << 16))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let window = try #require(MappedWindow(fd: fd, offset: 0, length: 3 << 16))
        #expect(window.withUnsafeBytes { $0[0] } == 0xAB)
        #expect(!window.faulted)
        #expect(truncate(path, 4096) == 0)
        let last = window.withUnsafeBytes { $0[(3 << 16) - 1] }
        #expect(last == 0)
        #expect(window.faulted)
        #expect(window.withUnsafeBytes { $0[0] } == 0xAB)  // the page still in the file is untouched
    }

    @Test func defaultChunkSizeGrowsWithTheFile() {
        #expect(FileHasher.defaultChunkSize(forSize: nil) == 8192)
        #expect(FileHasher.defaultChunkSize(forSize: 0) == 8192)
        #expect(FileHasher.defaultChunkSize(forSize: 128 << 20) == 8192)
        #expect(FileHasher.defaultChunkSize(forSize: (128 << 20) + 1) == 16384)
        #expect(FileHasher.defaultChunkSize(forSize: 1 << 30) == 64 << 10)
        #expect(FileHasher.defaultChunkSize(forSize: UInt64.max) == 1 << 30)
    }
}
