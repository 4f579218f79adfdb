import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Many files: the parallel engine, and attest packing into several transactions.
@Suite(.tags(.unit)) struct ParallelHashingTests {
    @Test func sameDigestsAsTheSingleFileEngineInArgumentOrder() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chunk = 65536
        let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5, (2 << 20) + 3, 777, 5 * chunk]
        var items: [ParallelHasher.Item] = []
        for (i, size) in sizes.enumerated() {
            let path = dir.appendingPathComponent("f\(i)").path
            _ = FileManager.default.createFile(
                atPath: path, contents: Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }))
            items.append(ParallelHasher.Item(path: path, chunkSize: chunk))
        }
        items.insert(ParallelHasher.Item(path: dir.appendingPathComponent("missing").path, chunkSize: chunk), at: 4)
        let results = ParallelHasher.hash(items, workers: 3)
        #expect(results.count == items.count)
        for (item, result) in zip(items, results) {
            if item.path.hasSuffix("missing") {
                if case .failure(let e) = result {
                    #expect(e.message.contains("No such file"))
                } else {
                    Issue.record("missing file hashed")
                }
                continue
            }
            #expect(try result.get() == (try FileHasher.hash(path: item.path, chunkSize: chunk)), "\(item.path)")
        }
    }

    /// Content IDs alone go two files at a time on each core (PairedHasher): files of every size end at
    /// different moments and are replaced, a missing file and a directory are errors in their place, and
    /// every digest is OpenSSL's (and sha256sum's, through FileHasher's tests).
    @Test func contentIDsTwoFilesAtATime() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sizes = [0, 1, 63, 64, 65, 1000, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 7, 12345, 0, 64 * 1000]
        var items: [ParallelHasher.Item] = []
        for (i, size) in sizes.enumerated() {
            let path = dir.appendingPathComponent("f\(i)").path
            _ = FileManager.default.createFile(
                atPath: path, contents: Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ i) }))
            items.append(ParallelHasher.Item(path: path, chunks: false))
        }
        items.insert(ParallelHasher.Item(path: dir.appendingPathComponent("missing").path, chunks: false), at: 3)
        items.insert(ParallelHasher.Item(path: dir.path, chunks: false), at: 7)
        for workers in [1, 2] {
            let results = ParallelHasher.hash(items, workers: workers)
            #expect(results.count == items.count)
            for (item, result) in zip(items, results) {
                if item.path.hasSuffix("missing") || item.path == dir.path {
                    #expect((try? result.get()) == nil, "\(item.path) hashed")
                    continue
                }
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: item.path)))
                let reference = SHA256Hasher(openSSL: ())
                reference.update(bytes)
                let d = try result.get()
                #expect(d.sha256 == reference.finalize() && d.size == UInt64(bytes.count), "\(item.path)")
            }
        }
    }

    /// A FIFO among several files is refused without being opened (opening one waits for a writer; reading
    /// /dev/zero never ends), and the other files are hashed: its bytes can still be hashed as standard input.
    @Test func fifoAmongFilesIsRefused() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("a.bin", String(repeating: "a", count: 100_000), mode: 0o644)
        try cli.write("b.bin", String(repeating: "b", count: 5), mode: 0o644)
        let fifo = cli.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try cli.run(["hash", "a.bin", "pipe", "b.bin"])
        #expect(r.status == 2 && r.err.contains("pipe: not a regular file"), "\(r.err)")
        #expect(r.out.contains("  a.bin") && r.out.contains("  b.bin"), "\(r.out)")
        let data = Data(repeating: 0x5a, count: 3 << 20)
        let reference = SHA256Hasher(openSSL: ())
        reference.update([UInt8](data))
        let piped = try cli.run(["hash", "-"], stdin: data)
        #expect(piped.status == 0 && piped.out.hasPrefix(Hex.encode(reference.finalize())), "\(piped.err)")
    }
}
