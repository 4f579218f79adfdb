import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct MerkleTests {
    func leaves(_ n: Int) -> [[UInt8]] {
        (0..<n).map { SHA256Hasher.hash([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
    }

    @Test func smallTreesByHand() {
        let l = leaves(3)
        #expect(Merkle.root([l[0]]) == l[0])
        // Inner nodes: keccak(NODE ‖ left ‖ right) with NODE the 32-byte word 1 (docs/FORMAT.md §3).
        let node = [UInt8](repeating: 0, count: 31) + [1]
        #expect(Merkle.root(Array(l[0..<2])) == Keccak256.hash(node + l[0] + l[1]))
        // Odd node carried up unchanged.
        #expect(Merkle.root(l) == Keccak256.hash(node + Keccak256.hash(node + l[0] + l[1]) + l[2]))
    }

    /// The root built as leaves arrive (what the hashers do) is the level-by-level root for every count.
    @Test func accumulatorGivesTheSameRoot() {
        var tree = Merkle.Accumulator()
        #expect(tree.root == nil)
        let l = leaves(300)
        for n in 1...300 {
            tree.add(l[n - 1])
            #expect(tree.root == Merkle.root(Array(l[0..<n])), "\(n) leaves")
        }
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
        let inner = Merkle.parent(l[0], l[1])
        // With count 4 the shape is fixed: an inner node at index 0 would need a 1-element proof, which fails.
        #expect(Merkle.root(leaf: inner, index: 0, count: 4, proof: [Merkle.parent(l[2], l[3])]) == nil)
    }

    /// A file's leaf hashes 64 bytes, an inner node 96: the two children of a node, passed off as a
    /// file's content ID and details hash, do not give that node, so no inner node poses as a file.
    @Test func fileLeavesAndInnerNodesAreDomainSeparated() {
        let l = leaves(2)
        let posed = FileCommitment(contentID: l[0], detailsHash: l[1])
        #expect(posed.leaf == Keccak256.hash(l[0] + l[1]))
        #expect(posed.leaf != Merkle.parent(l[0], l[1]))
    }
}
