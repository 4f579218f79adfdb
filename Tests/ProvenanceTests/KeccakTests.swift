import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct KeccakTests {
    @Test func emptyAndABC() {
        #expect(
            Hex.encode(Keccak256.hash([UInt8]())) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(
            Hex.encode(Keccak256.hash(Array("abc".utf8)))
                == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // Must not be SHA3-256 (different padding).
        #expect(
            Hex.encode(Keccak256.hash(Array("abc".utf8)))
                != "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        var k = Keccak256()
        k.update(data[0..<135])
        k.update(data[135..<137])
        k.update(data[137...])
        #expect(k.finalize() == Keccak256.hash(data))
    }
}
