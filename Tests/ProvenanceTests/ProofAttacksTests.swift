import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// The attacks of issue 23, each against a real devnet (and, where an endpoint lies, devnet/faultproxy.py in
/// front of it): none may end in `verified` or in a part of a copy called authentic.
@Suite(.serialized, .tags(.devnet)) final class ProofAttacksTests {
    let devnet: ChildServer
    var cli: CLI
    let key: PrivateKey

    init() throws {
        (devnet, cli) = try deployedDevnet()
        key = try PrivateKey(hex: devKeyHex)
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    func randomFile(_ name: String, size: Int) throws {
        let bytes = try SecureRandom.bytes(size)
        try Data(bytes).write(to: URL(fileURLWithPath: cli.path(name)))
    }

    /// Attack 1: a leaked, revoked key signs new details (the chunk list of unrelated bytes F) for the content
    /// ID of a recording R1 it attested honestly before the revocation. The record of R1 stands; the details
    /// are not the anchored ones, so not one byte of F may be called the publisher's.
    @Test func detailsNotAnchoredSayNothing() throws {
        try randomFile("R1.bin", size: 40_000)
        try randomFile("F.bin", size: 40_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R1.bin"]).status == 0)
        try #require(try cli.run(["revoke", "--private-key-file", "dev.key", "--yes"]).status == 0)
        let r1 = try FileHasher.hash(path: cli.path("R1.bin"))
        let f = try FileHasher.hash(path: cli.path("F.bin"))
        let claimed = FileDigest(
            size: f.size, sha256: r1.sha256, chunkSize: f.chunkSize, chunks: f.chunks, windows: f.windows)
        let forged = try BatchSigner.sign(
            paths: [cli.path("F.bin")], digests: [claimed], key: key, registry: RegistryAddress.canonical)
        try forged[0].manifest.write(to: forged[0].manifestPath)
        let signer = key.address.checksummed

        let text = try cli.run(["verify", "--signer", signer, "F.bin"])
        #expect(text.status == 1, "\(text.out)\(text.err)")
        #expect(!text.out.contains("intact") && !text.out.contains("publisher's"), "\(text.out)")
        #expect(text.out.contains("not the ones anchored"), "\(text.out)")
        let json = try JSON.parse(try cli.run(["verify", "--signer", signer, "--json", "F.bin"]).out)
        #expect(json["status"]?.stringValue == "modified" && json["authentic"] == nil, "\(json.compact)")
        let codes = json["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(codes.contains("original.detailsDiffer"), "\(codes)")

        // Offline the manifest is all there is: its details are called signed, not anchored.
        let offline = try JSON.parse(try cli.run(["verify", "--offline", "--signer", signer, "--json", "F.bin"]).out)
        let offlineCodes = offline["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(offlineCodes.contains("details.signedOnly"), "\(offline.compact)")
    }

    /// Attack 4: the scan cache is a hint. A record put in it (as a lying endpoint's answer once was) is asked
    /// of the chain again and, not being there, counts for nothing; a cache is never shared between chains.
    @Test func cachedRecordsAreProvenAgain() throws {
        try randomFile("A.bin", size: 5_000)
        try randomFile("U.bin", size: 5_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "A.bin"]).status == 0)
        // Beyond the cache's reorganisation margin, so scans are remembered.
        try mineEmptyBlocks(100, on: devnet.url)
        let cacheDir = cli.path("cache")
        cli.environment["PROVENANCE_CACHE_DIR"] = cacheDir
        let attested = try JSON.parse(try cli.run(["verify", "--any-signer", "--json", "A.bin"]).out)
        let real = try #require(attested["attestations"]?.arrayValue?.first, "\(attested.compact)")
        let first = try cli.run(["verify", "--any-signer", "U.bin"])
        #expect(first.status == 1 && first.out.contains("not-attested"), "\(first.out)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheDir).filter { $0.hasPrefix("scan-") }
        try #require(files.count == 1, "\(files)")
        #expect(files[0].hasPrefix("scan-31337-"), "the cache names the chain and its genesis: \(files[0])")

        // The record of A, written into the cache as U's.
        let path = cacheDir + "/" + files[0]
        let u = Hex.encode(try FileHasher.hash(path: cli.path("U.bin")).sha256)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let entry = try #require(text.range(of: #""\#(u)":\{[^}]*"records":\[\]"#, options: .regularExpression))
        let forged =
            "[\"\(real["signer"]!.stringValue!)\",\"\(real["txHash"]!.stringValue!)\","
            + "\(real["blockNumber"]!.intValue!),0,\(real["timestamp"]!.intValue!)]"
        text.replaceSubrange(entry, with: String(text[entry]).replacingOccurrences(of: "[]", with: "[\(forged)]"))
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let again = try cli.run(["verify", "--any-signer", "U.bin"])
        #expect(
            again.status == 1 && again.out.contains("not-attested") && !again.out.contains("verified"), "\(again.out)")
        let honest = try cli.run(["verify", "--any-signer", "A.bin"])
        #expect(honest.status == 0 && honest.out.contains("verified"), "\(honest.out)")
    }

    /// Finality: a record in the head block is proven but not final (the devnet finalizes head − 2); with
    /// --require-finalized it is not-yet-final (exit 1) until blocks are mined on top.
    @Test func finalityIsToldAndCanBeRequired() throws {
        try randomFile("R.bin", size: 3_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R.bin"]).status == 0)
        let signer = key.address.checksummed
        let fresh = try cli.run(["verify", "--signer", signer, "R.bin"])
        #expect(fresh.status == 0 && fresh.out.contains("not yet finalized"), "\(fresh.out)")
        let required = try cli.run(["verify", "--signer", signer, "--require-finalized", "--json", "R.bin"])
        #expect(required.status == 1, "\(required.out)\(required.err)")
        let json = try JSON.parse(required.out)
        #expect(json["status"]?.stringValue == "not-yet-final", "\(required.out)")
        #expect(json["attestations"]?.arrayValue?.first?["finalized"] == .bool(false), "\(required.out)")
        try mineEmptyBlocks(3, on: devnet.url)
        let later = try cli.run(["verify", "--signer", signer, "--require-finalized", "R.bin"])
        #expect(later.status == 0 && later.out.contains("; finalized)"), "\(later.out)")
    }
}
