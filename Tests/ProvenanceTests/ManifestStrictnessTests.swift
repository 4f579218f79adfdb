import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// What docs/FORMAT.md requires of a manifest is required by the reader too.
@Suite struct ManifestStrictnessTests {
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

    /// file.chunkRoot is required (and must match file.chunks).
    @Test func chunkRootIsRequired() throws {
        let m = try signed()
        guard case .object(var top) = m.json, let i = top.firstIndex(where: { $0.0 == "file" }),
            case .object(var file) = top[i].1
        else { throw ProvenanceError.input("unexpected manifest shape") }
        file.removeAll { $0.0 == "chunkRoot" }
        top[i].1 = .object(file)
        #expect(throws: ProvenanceError.self) { try Manifest(json: .object(top)) }
    }
}
