import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Google's Wycheproof ECDSA secp256k1/SHA-256 sets (../shared/testvectors/wycheproof).
@Suite(.tags(.unit)) struct WycheproofTests {
    struct Outcome {
        var checked = 0
        var recovered = 0
        var unrepresentable = 0
        var failures: [String] = []
    }
    /// p − n for secp256k1, 32-byte big-endian.
    let pMinusN = hex("000000000000000000000000000000014551231950b75fc4402da1722fc9baee")

    /// Runs one file. `parse` turns the vector's signature bytes into (r, s) or nil for malformed encodings.
    func run(_ file: String, allowHighS: Bool, parse: ([UInt8]) -> ([UInt8], [UInt8])?, alsoRecover: Bool = false)
        throws -> Outcome
    {
        let doc = try Vectors.load("wycheproof/\(file)")
        var outcome = Outcome()
        for group in doc["testGroups"]?.arrayValue ?? [] {
            let pub = hex(group["publicKey"]?["uncompressed"]?.stringValue ?? "")
            for t in group["tests"]?.arrayValue ?? [] {
                let id = t["tcId"]?.intValue ?? -1
                let result = t["result"]?.stringValue ?? ""
                let digest = SHA256Hasher.hash(hex(t["msg"]?.stringValue ?? ""))
                var ok = false
                if let (r, s) = parse(hex(t["sig"]?.stringValue ?? "")) {
                    ok = Secp256k1.shared.verify(digest: digest, r: r, s: s, publicKey: pub, allowHighS: allowHighS)
                    if ok && alsoRecover {
                        // One of the two recovery ids must give back this public key.
                        let found = (0...1).contains { id in
                            (try? Secp256k1.shared.recoverPublicKey(
                                digest: digest, signature: .init(r: r, s: s, recoveryID: UInt8(id)))) == pub
                        }
                        // Only R.x ≥ n (possible when r < p − n) needs recovery ids 2/3, which Ethereum's v
                        // cannot carry; the signer avoids such signatures by taking the next nonce.
                        if found {
                            outcome.recovered += 1
                        } else if r.lexicographicallyPrecedes(pMinusN) {
                            outcome.unrepresentable += 1
                        } else {
                            outcome.failures.append("tc \(id): recovery did not return the public key")
                        }
                    }
                }
                outcome.checked += 1
                switch result {
                case "valid": if !ok { outcome.failures.append("tc \(id): valid signature rejected") }
                case "invalid": if ok { outcome.failures.append("tc \(id): invalid signature accepted") }
                default: break  // "acceptable": either answer is allowed
                }
            }
        }
        return outcome
    }

    @Test func bitcoinSetLowSRequired() throws {
        let o = try run(
            "ecdsa_secp256k1_sha256_bitcoin_test.json", allowHighS: false, parse: DER.signature, alsoRecover: true)
        #expect(o.checked > 400)
        #expect(o.recovered > 50)
        #expect(o.unrepresentable == 1)  // tc 346, "k*G has a large x-coordinate"
        #expect(o.failures.isEmpty, "\(o.failures.prefix(10))")
    }

    @Test func derSet() throws {
        let o = try run("ecdsa_secp256k1_sha256_test.json", allowHighS: true, parse: DER.signature)
        #expect(o.checked > 400)
        #expect(o.failures.isEmpty, "\(o.failures.prefix(10))")
    }

    @Test func p1363Set() throws {
        let o = try run("ecdsa_secp256k1_sha256_p1363_test.json", allowHighS: true) { sig in
            sig.count == 64 ? (Array(sig[0..<32]), Array(sig[32..<64])) : nil
        }
        #expect(o.checked > 200)
        #expect(o.failures.isEmpty, "\(o.failures.prefix(10))")
    }
}

/// Strict DER for ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }: minimal lengths,
/// minimal positive integers, nothing trailing. Values are returned as 32-byte big-endian.
enum DER {
    static func signature(_ b: [UInt8]) -> ([UInt8], [UInt8])? {
        var pos = 0
        func length() -> Int? {
            guard pos < b.count else { return nil }
            let first = b[pos]
            pos += 1
            if first < 0x80 { return Int(first) }
            let n = Int(first & 0x7f)
            guard n >= 1, n <= 2, pos + n <= b.count, b[pos] != 0 else { return nil }
            var len = 0
            for _ in 0..<n {
                len = len << 8 | Int(b[pos])
                pos += 1
            }
            return len >= 0x80 ? len : nil  // long form only where short form cannot be used
        }
        func integer() -> [UInt8]? {
            guard pos < b.count, b[pos] == 0x02 else { return nil }
            pos += 1
            guard let len = length(), len > 0, pos + len <= b.count else { return nil }
            let v = Array(b[pos..<pos + len])
            pos += len
            if v[0] & 0x80 != 0 { return nil }  // negative
            if len > 1 && v[0] == 0 && v[1] & 0x80 == 0 { return nil }  // not minimal
            let stripped = Array(v.drop { $0 == 0 })
            guard stripped.count <= 32 else { return nil }
            return [UInt8](repeating: 0, count: 32 - stripped.count) + stripped
        }
        guard b.first == 0x30 else { return nil }
        pos = 1
        guard let seqLen = length(), pos + seqLen == b.count else { return nil }
        guard let r = integer(), let s = integer(), pos == b.count else { return nil }
        return (r, s)
    }
}
