import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

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
