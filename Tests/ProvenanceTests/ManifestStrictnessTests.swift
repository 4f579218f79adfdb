import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// What docs/FORMAT.md requires of a manifest is required by the reader too.
@Suite(.tags(.unit)) struct ManifestStrictnessTests {
    func signed() throws -> Manifest {
        let key = try PrivateKey(hex: devKeyHex)
        let data: [UInt8] = Array("a recording".utf8)
        let digest = FileDigest(
            size: UInt64(data.count), sha256: SHA256Hasher.hash(data), chunkSize: 1 << 20,
            chunks: [SHA256Hasher.hash(data)])
        return try BatchSigner.sign(paths: ["a.wav"], digests: [digest], key: key, registry: RegistryAddress.canonical)[
            0
        ].manifest
    }

    /// The format says v is 27 or 28: the raw recovery ids 0 and 1 are refused in a manifest.
    @Test func signatureVMustBe27Or28() throws {
        let m = try signed()
        for v: UInt8 in [0, 1, 26, 29] {
            var bytes = m.signature.bytes
            bytes[64] = v
            let text = m.json.compact.replacingOccurrences(
                of: Hex.encode(m.signature.bytes, prefix: true), with: Hex.encode(bytes, prefix: true))
            #expect(throws: ProvenanceError.self, "v = \(v)") { try Manifest(json: try JSON.parse(text)) }
        }
        #expect(try Manifest(json: m.json).signature == m.signature)
    }

    /// file.details.chunkRoot is required (and must match file.chunks).
    @Test func chunkRootIsRequired() throws {
        let m = try signed()
        guard case .object(var top) = m.json, let i = top.firstIndex(where: { $0.0 == "file" }),
            case .object(var file) = top[i].1, let d = file.firstIndex(where: { $0.0 == "details" }),
            case .object(var details) = file[d].1
        else { throw ProvenanceError.input("unexpected manifest shape") }
        details.removeAll { $0.0 == "chunkRoot" }
        file[d].1 = .object(details)
        top[i].1 = .object(file)
        #expect(throws: ProvenanceError.self) { try Manifest(json: .object(top)) }
    }

    /// Verifying reads a manifest's chunk list unchecked (an identical file never uses it) and checks it
    /// against the signed chunk root before a copy is searched with it: a forged list is that copy's
    /// error, never a source of "authentic" parts.
    @Test func chunkListIsCheckedBeforeACopyIsSearched() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("episode.bin").path
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        let key = try PrivateKey(hex: devKeyHex)
        let signed = try BatchSigner.sign(
            paths: [file], key: key, chunkSize: 1024, registry: RegistryAddress.canonical)[
                0]
        // The second chunk's digest replaced by the first's: valid base64, right count, wrong root.
        var forged = signed.manifest
        forged.chunks[1] = forged.chunks[0]
        try forged.write(to: signed.manifestPath)
        #expect(throws: ProvenanceError.self) { try Manifest.read(path: signed.manifestPath) }
        #expect(try !Manifest.read(path: signed.manifestPath, chunkCheck: .whenSearched).chunksChecked)

        let verifier = OfflineVerifier(trustedSigners: [key.address])
        #expect(verifier.verify(path: file).status == .verified)
        var changed = bytes
        changed[4999] ^= 1
        _ = FileManager.default.createFile(atPath: file, contents: Data(changed))
        let forgedVerdict = verifier.verify(path: file)
        #expect(forgedVerdict.status == .error)
        guard case .manifestMalformed(_, let message)? = forgedVerdict.reason(.manifestMalformed) else {
            Issue.record("expected manifest.malformed, got \(forgedVerdict.reasons)")
            return
        }
        #expect(message.contains("file.chunks do not lead to file.details.chunkRoot"))
        try signed.manifest.write(to: signed.manifestPath)
        let honest = verifier.verify(path: file)
        #expect(honest.status == .modified)
        #expect(honest.authentic?.parts.isEmpty == false)
    }

    /// A details member the reader does not know is hashed like the others: the manifest stays valid
    /// as signed, and changing that member's value breaks the proof (it is signed).
    @Test func unknownDetailsAreSignedToo() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.wav").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("audio".utf8))
        let key = try PrivateKey.generate()
        let digest = try FileHasher.hash(path: file)
        var members = FileDetails(digest: digest).members
        members["guid"] = "episode-42"
        let details = try FileDetails(members: members)
        let leaf = FileCommitment(contentID: digest.sha256, detailsHash: details.hash).leaf
        let message = AttestationMessage(merkleRoot: leaf, fileCount: 1, registry: RegistryAddress.canonical)
        let m = Manifest(
            fileName: "a.wav", sha256: digest.sha256, details: details, chunks: digest.chunks, windows: digest.windows,
            signer: key.address,
            batchIndex: 0, batchProof: [], message: message,
            signature: try key.sign(digest: try message.signingDigest()),
            anchors: [])
        let reread = try Manifest(json: try JSON.parse(Array(m.json.compact.utf8)))
        #expect(reread.details.members["guid"] == "episode-42")
        #expect(OfflineVerifier().authenticityProblem(reread) == nil)
        let forged = try Manifest(
            json: try JSON.parse(Array(m.json.compact.replacingOccurrences(of: "episode-42", with: "episode-43").utf8)))
        #expect(OfflineVerifier().authenticityProblem(forged) != nil)
    }
}
