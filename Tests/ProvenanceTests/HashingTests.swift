import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Runs a command and returns its exit status and output. Output goes through temporary files,
/// so a chatty child never blocks on a full pipe.
func runTool(
    _ path: String, _ args: [String], stdin: Data? = nil, environment: [String: String]? = nil, cwd: URL? = nil
) throws -> (status: Int32, out: String, err: String) {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out")
    let errURL = dir.appendingPathComponent("err")
    let inURL = dir.appendingPathComponent("in")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    if let cwd { p.currentDirectoryURL = cwd }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    try p.run()
    p.waitUntilExit()
    return (
        p.terminationStatus, try String(contentsOf: outURL, encoding: .utf8),
        try String(contentsOf: errURL, encoding: .utf8)
    )
}

func sha256sum(_ path: String) throws -> String {
    let r = try runTool("/usr/bin/sha256sum", [path])
    #expect(r.status == 0)
    return String(r.out.prefix(64))
}

@Suite struct HashingTests {
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

    /// A file that grows while it is hashed is an error, not a digest.
    @Test func fileChangingDuringHashIsAnError() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("growing.bin").path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingAtPath: path).unwrap()
        try h.truncate(atOffset: 1 << 30)  // 1 GiB sparse: takes far longer than the append below
        try h.close()
        let writer = Thread {
            usleep(30_000)
            if let w = FileHandle(forWritingAtPath: path) {
                w.seekToEndOfFile()
                w.write(Data([1]))
                try? w.close()
            }
        }
        writer.start()
        #expect(throws: ProvenanceError.self) { try FileHasher.hash(path: path) }
    }

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
        #expect(d.chunks.count == 4097)
        #expect(Hex.encode(d.sha256) == (try sha256sum(path)))
    }
}

@Suite struct MerkleTests {
    func leaves(_ n: Int) -> [[UInt8]] {
        (0..<n).map { SHA256Hasher.hash([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
    }

    @Test func smallTreesByHand() {
        let l = leaves(3)
        #expect(Merkle.root([l[0]]) == l[0])
        #expect(Merkle.root(Array(l[0..<2])) == Keccak256.hash(l[0] + l[1]))
        // Odd node carried up unchanged.
        #expect(Merkle.root(l) == Keccak256.hash(Keccak256.hash(l[0] + l[1]) + l[2]))
    }

    @Test func everyProofLeadsToTheRoot() {
        for n in 1...33 {
            let l = leaves(n)
            let root = Merkle.root(l)
            let proofs = Merkle.allProofs(l)
            for i in 0..<n {
                #expect(proofs[i] == Merkle.proof(index: i, leaves: l))
                #expect(Merkle.root(leaf: l[i], index: i, count: n, proof: proofs[i]) == root)
                // Wrong position, wrong count, or a truncated proof must not reproduce the root.
                if n > 1 {
                    #expect(Merkle.root(leaf: l[i], index: (i + 1) % n, count: n, proof: proofs[i]) != root)
                    #expect(Merkle.root(leaf: l[i], index: i, count: n, proof: Array(proofs[i].dropLast())) != root)
                }
            }
        }
    }

    @Test func innerNodeCannotPoseAsALeafOfTheSameCount() {
        let l = leaves(4)
        let root = Merkle.root(l)
        let inner = Keccak256.hash(l[0] + l[1])
        // With count 4 the shape is fixed: an inner node at index 0 would need a 1-element proof, which fails.
        #expect(Merkle.root(leaf: inner, index: 0, count: 4, proof: [Keccak256.hash(l[2] + l[3])]) == nil)
        // It needs count 2: a different signed message.
        #expect(Merkle.root(leaf: inner, index: 0, count: 2, proof: [Keccak256.hash(l[2] + l[3])]) == root)
    }
}

@Suite struct ChunkDiffTests {
    @Test func locatesEditsAndLengthChanges() {
        let a: [[UInt8]] = [[1], [2], [3], [4]].map { SHA256Hasher.hash($0) }
        var b = a
        b[1] = SHA256Hasher.hash([9])
        b[2] = SHA256Hasher.hash([8])
        let copy = FileDigest(size: 4000, sha256: [], chunkSize: 1024, chunks: b)
        #expect(ChunkDiff.ranges(original: (4000, a), copy: copy) == [ByteRange(start: 1024, end: 3072)])
        let longer = FileDigest(size: 5000, sha256: [], chunkSize: 1024, chunks: a + [SHA256Hasher.hash([5])])
        #expect(ChunkDiff.ranges(original: (4000, a), copy: longer) == [ByteRange(start: 4096, end: 5000)])
    }
}

extension Optional {
    func unwrap() throws -> Wrapped {
        guard let v = self else { throw ProvenanceError.input("unexpected nil") }
        return v
    }
}
