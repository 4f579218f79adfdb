import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct ManifestTests {
    /// Signs three files in one batch, then checks the verdicts for the originals, an edited copy,
    /// an untrusted signer and tampered manifests.
    @Test func signVerifyAndTamper() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = (0..<3).map { dir.appendingPathComponent("f\($0).bin").path }
        for (i, p) in paths.enumerated() {
            // Bytes that do not repeat (a periodic pattern would match chunks at other offsets too).
            var s = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15 | 1
            let bytes = (0..<(3000 + i * 5000)).map { _ -> UInt8 in
                s ^= s << 13
                s ^= s >> 7
                s ^= s << 17
                return UInt8(truncatingIfNeeded: s)
            }
            _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        }
        let key = try PrivateKey.generate()
        let signed = try BatchSigner.sign(paths: paths, key: key, chunkSize: 1024, registry: RegistryAddress.canonical)
        for s in signed { try s.manifest.write(to: s.manifestPath) }
        #expect(Set(signed.map { $0.manifest.signature }).count == 1)  // one signature for the batch

        let verifier = OfflineVerifier(trustedSigners: [key.address])
        for p in paths { #expect(verifier.verify(path: p).status == .verified) }
        // No implicit trust: a valid signature by a key nobody trusts only proves that key signed.
        #expect(OfflineVerifier().verify(path: paths[0]).status == .signedByUntrusted)
        #expect(
            OfflineVerifier(trustedSigners: [try PrivateKey.generate().address]).verify(path: paths[0]).status
                == .signedByUntrusted)

        // Edit one byte in the middle of f2 (13000 bytes): only chunk 5 (5120–6144) differs.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: paths[2]))
        bytes[5500] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: paths[2]))
        let modified = verifier.verify(path: paths[2])
        #expect(modified.status == .modified)
        #expect(modified.differingRanges == [ByteRange(start: 5120, end: 6144)])
        #expect(modified.signer == key.address)

        // Tampering with the manifest.
        let original = try Manifest.read(path: signed[0].manifestPath)
        func check(_ change: (inout Manifest) -> Void, _ expected: Verdict.Status) throws {
            var m = original
            change(&m)
            try m.write(to: signed[0].manifestPath)
            #expect(verifier.verify(path: paths[0]).status == expected)
        }
        let other = try PrivateKey.generate()
        try check({ $0.signer = other.address }, .invalidSignature)
        try check({ $0.batchProof[0][0] ^= 1 }, .invalidSignature)
        try check({ $0.batchIndex = 1 }, .invalidSignature)
        try check({ $0.signature = try! other.sign(digest: try! $0.message.signingDigest()) }, .invalidSignature)
        try check(
            { m in
                // Same signature with s → n − s (the EVM accepts it; EIP-2 does not).
                let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                m.signature = RecoverableSignature(
                    r: m.signature.r, s: subtract(n, m.signature.s), recoveryID: m.signature.recoveryID ^ 1)
            }, .invalidSignature)
        try check({ $0.sha256[0] ^= 1 }, .invalidSignature)
        try check({ _ in }, .verified)
    }

    @Test func malformedManifestsAreInputErrors() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.wav").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("audio".utf8))
        let key = try PrivateKey.generate()
        let good = try BatchSigner.sign(paths: [file], key: key, registry: RegistryAddress.canonical)[0].manifest.json
            .compact
        let variants = [
            "", "{", "[]", "null", String(repeating: "[", count: 10_000),
            good.replacingOccurrences(of: "\"version\":3", with: "\"version\":\"3\""),
            good.replacingOccurrences(of: "\"version\":3", with: "\"version\":2"),
            good.replacingOccurrences(of: "\"chunkSize\":\"8192\"", with: "\"chunkSize\":\"1000\""),
            good.replacingOccurrences(of: "\"chunkSize\":\"8192\"", with: "\"chunkSize\":8192"),
            good.replacingOccurrences(of: "\"windows\":\"", with: "\"windows\":\"AAAA"),
            good.replacingOccurrences(of: "\"chunks\":\"", with: "\"chunks\":\" "),
            good.replacingOccurrences(of: "\"size\":\"5\"", with: "\"size\":\"05\""),
            good.replacingOccurrences(of: "\"primaryType\":\"Attestation\"", with: "\"primaryType\":\"Mail\""),
            good.replacingOccurrences(of: "\"signature\":\"0x", with: "\"signature\":\"0xzz"),
        ]
        for v in variants {
            try Data(v.utf8).write(to: URL(fileURLWithPath: Manifest.path(for: file)))
            let verdict = OfflineVerifier().verify(path: file)
            #expect(verdict.status == .error, "accepted: \(v.prefix(80))")
            #expect(verdict.exitCode == .usage)
            #expect(verdict.reasons.map(\.code) == [.manifestMalformed])
            #expect(!VerdictText.line(verdict).dropFirst(file.count).contains("\n"))
        }
        try FileManager.default.removeItem(atPath: Manifest.path(for: file))
        #expect(OfflineVerifier().verify(path: file).status == .noManifest)
    }

    /// The worked example in docs/FORMAT.md: every value printed there is recomputed here.
    @Test func formatDocumentWorkedExample() throws {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        let key = try PrivateKey(bytes: Keccak256.hash(Array("provenance example key".utf8)))
        let files = [
            Array("first recording\n".utf8), Array("second recording\n".utf8), Array("third recording\n".utf8),
        ]
        let digests = files.map { bytes in
            FileDigest(
                size: UInt64(bytes.count), sha256: SHA256Hasher.hash(bytes), chunkSize: 1 << 20,
                chunks: [SHA256Hasher.hash(bytes)])
        }
        let commitments = digests.map { FileCommitment(digest: $0) }
        let message = AttestationMessage(files: commitments, registry: RegistryAddress.canonical)
        let digest = try message.signingDigest()
        let signature = try key.sign(digest: digest)
        let td = try TypedData(json: message.typedDataJSON)
        let revocation = RevocationMessage(signer: key.address, registry: RegistryAddress.canonical)
        let values = [
            key.address.checksummed,
            Hex.encode(digests[0].sha256), Hex.encode(digests[1].sha256), Hex.encode(digests[2].sha256),
            Hex.encode(commitments[0].detailsHash, prefix: true),
            Hex.encode(commitments[0].leaf, prefix: true),
            Hex.encode(Merkle.parent(commitments[0].leaf, commitments[1].leaf), prefix: true),
            Hex.encode(message.merkleRoot, prefix: true),
            RegistryAddress.canonical.checksummed,
            Hex.encode(RegistryAddress.salt, prefix: true),
            Hex.encode(try td.typeHash("Attestation"), prefix: true),
            Hex.encode(try td.domainSeparator(), prefix: true),
            Hex.encode(digest, prefix: true),
            Hex.encode(signature.bytes, prefix: true),
            Hex.encode(try revocation.signingDigest(), prefix: true),
            Hex.encode(try key.sign(digest: try revocation.signingDigest()).bytes, prefix: true),
        ]
        for v in values { #expect(doc.contains(v), "docs/FORMAT.md lacks \(v)") }
    }
}
