import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// ethereum/tests RLP vectors: rlptest.json must encode byte-exact; every invalidRLPTest.json case
/// must be rejected.
@Suite(.tags(.unit)) struct RLPTests {
    func value(_ j: JSON) throws -> RLP {
        switch j {
        case .string(let s) where s.hasPrefix("#"): return .uint(bigEndian: decimalBytes(String(s.dropFirst())))
        case .string(let s): return .bytes(Array(s.utf8))
        case .number(let n): return .uint(bigEndian: decimalBytes(n))
        case .array(let items): return .list(try items.map(value))
        default: throw ProvenanceError.input("unexpected RLP test input \(j.compact)")
        }
    }

    /// Arbitrary-size decimal to big-endian bytes.
    func decimalBytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = [0]
        for c in text {
            var carry = c.wholeNumberValue!
            for i in stride(from: out.count - 1, through: 0, by: -1) {
                let v = Int(out[i]) * 10 + carry
                out[i] = UInt8(v & 0xff)
                carry = v >> 8
            }
            while carry > 0 {
                out.insert(UInt8(carry & 0xff), at: 0)
                carry >>= 8
            }
        }
        return out
    }

    @Test func encodesEveryValidVector() throws {
        let doc = try Vectors.load("ethereum-tests/rlptest.json")
        let cases = try doc.objectValue.unwrap()
        #expect(cases.count == 28)
        for (name, c) in cases {
            let expected = try c["out"].unwrap().stringValue.unwrap()
            let rlp = try value(try c["in"].unwrap())
            #expect(Hex.encode(rlp.encoded, prefix: true) == expected.lowercased(), "\(name)")
            // And the strict decoder gives the same structure back.
            #expect(try RLP.decode(hex(expected)) == rlp, "\(name)")
        }
    }

    @Test func rejectsEveryInvalidVector() throws {
        let doc = try Vectors.load("ethereum-tests/invalidRLPTest.json")
        let cases = try doc.objectValue.unwrap()
        #expect(cases.count == 26)
        for (name, c) in cases {
            let bytes = hex(try c["out"].unwrap().stringValue.unwrap())
            #expect(throws: RLP.DecodeError.self, "\(name)") { try RLP.decode(bytes) }
        }
    }
}
