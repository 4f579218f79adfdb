import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Every artifact checked with someone else's code: eth-account (libsecp256k1) and hashlib.
@Suite(.tags(.devnet)) struct InteropTests {
    /// 200 random keys and digests: our signatures are byte-identical to eth-account's.
    @Test func signaturesByteIdenticalToEthAccount() throws {
        var items: [JSON] = []
        var ours: [String] = []
        for _ in 0..<200 {
            let key = try PrivateKey.generate()
            let digest = try SecureRandom.bytes(32)
            items.append(
                .object([
                    ("key", .string(key.withUnsafeBytes { Hex.encode($0) })), ("digest", .string(Hex.encode(digest))),
                ]))
            ours.append(Hex.encode(try key.sign(digest: digest).bytes))
        }
        let theirs = try JSON.parse(try ethAccount(["sign"], stdin: Data(JSON.array(items).compact.utf8)))
        let list = try theirs.arrayValue.unwrap().map { try $0.stringValue.unwrap() }
        #expect(list.count == 200)
        #expect(list == ours)
    }

    /// Manifests written by `provenance sign` verify with eth-account + hashlib from scratch.
    @Test func manifestsVerifyWithEthAccount() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        let files = try cli.copyFixtures()
        try cli.write("key.hex", Hex.encode(try SecureRandom.bytes(31)) + "01\n")
        let r = try cli.run(["sign", "--private-key-file", "key.hex", "--chunk-size", "64K"] + files)
        #expect(r.status == 0, "\(r.err)")
        let address = try cli.run(["key", "address", "--private-key-file", "key.hex"]).out.trimmingCharacters(
            in: .whitespacesAndNewlines)
        for f in files {
            let result = try JSON.parse(
                try ethAccount(["verify-manifest", cli.path(f), cli.path(f + ".provenance.json")]))
            #expect(result["ok"] == .bool(true), "\(f): \(result.compact)")
            #expect(result["signer"]?.stringValue == address)
        }
    }

    /// Keystores both ways: eth-account's (scrypt and pbkdf2) open here; ours open in eth-account.
    @Test func keystoresBothWays() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        let password = "correct horse battery staple"
        try cli.write("pw", password + "\n")
        for kdf in ["scrypt", "pbkdf2"] {
            let key = try PrivateKey.generate()
            let json = try ethAccount(
                ["keystore-new", kdf, key.withUnsafeBytes { Hex.encode($0) }], password: password)
            try cli.write("\(kdf).json", json)
            let r = try cli.run(["key", "address", "--keystore", "\(kdf).json", "--password-file", "pw"])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines) == key.address.checksummed)
        }
        // Foundry keeps keystores in ~/.foundry/keystores/NAME; --account finds them there.
        let foundryKey = try PrivateKey.generate()
        let foundryDir = dir.appendingPathComponent(".foundry/keystores")
        try FileManager.default.createDirectory(at: foundryDir, withIntermediateDirectories: true)
        try cli.write(
            ".foundry/keystores/publisher",
            try ethAccount(
                ["keystore-new", "scrypt", foundryKey.withUnsafeBytes { Hex.encode($0) }], password: password))
        let viaAccount = try cli.run(["key", "address", "--account", "publisher", "--password-file", "pw"])
        #expect(
            viaAccount.out.trimmingCharacters(in: .whitespacesAndNewlines) == foundryKey.address.checksummed,
            "\(viaAccount.err)")
        let missing = try cli.run(["key", "address", "--account", "nobody", "--password-file", "pw"])
        #expect(missing.status == 2 && missing.err.contains("no account named nobody"))

        let made = try cli.run(["key", "new", "--keystore", "ours.json", "--password-file", "pw"])
        #expect(made.status == 0, "\(made.err)")
        #expect(
            try ethAccount(["keystore-address", cli.path("ours.json")], password: password)
                == made.out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(!cli.transcript.contains(password))
    }

    /// The FORMAT.md worked example, computed by eth-account alone, matches the document.
    @Test func formatExampleFromEthAccount() throws {
        let r = try runTool(
            try interopPython(), [repoRoot.appendingPathComponent("Tests/interop/format_example.py").path])
        #expect(r.status == 0, "\(r.err)")
        let values = try JSON.parse(r.out)
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/FORMAT.md"), encoding: .utf8)
        for key in [
            "address", "detailsHash0", "leaf0", "node01", "root", "registry", "salt", "attestationTypeHash",
            "revocationTypeHash", "domainSeparator", "digest", "signature", "revocationDigest", "revocationSignature",
        ] {
            let v = try values[key].unwrap().stringValue.unwrap()
            #expect(doc.contains(v), "FORMAT.md lacks eth-account's \(key) \(v)")
        }
    }

    /// The registry on two EVM implementations: py-evm (the devnet) and revm (pyrevm, reading the
    /// devnet's state). Every transaction — attestations of 1 to 1,024 files, a tampered batch, revocations
    /// — must give the same success, gas and events on both, and the views the same answers.
    @Test func registryOnPyEVMAndRevm() throws {
        let r = try runTool(
            try interopPython(), [repoRoot.appendingPathComponent("Tests/interop/registry_two_evms.py").path],
            timeout: 1800)
        let report = try JSON.parse(r.out)
        let steps = try report["steps"].unwrap().arrayValue.unwrap()
        for step in steps {
            #expect(step["same"] == .bool(true), "the EVMs disagree: \(step.compact)")
        }
        #expect(r.status == 0 && report["agree"] == .bool(true), "\(r.err)")
        func step(_ name: String) throws -> JSON {
            try steps.first { $0["step"]?.stringValue == name }.unwrap()["revm"].unwrap()
        }
        // The gas goals of issue 10, as both EVMs measured them.
        let first = try step("attest 1 file, first batch")
        #expect(first["ok"] == .bool(true) && (first["gas"]?.intValue ?? .max) <= 55_000)
        let batch = try step("attest 256 files")
        #expect(batch["logs"]?.arrayValue?.count == 256 && (batch["gas"]?.intValue ?? .max) <= 3_000 * 256)
        #expect(try step("tampered files (reverts)")["ok"] == .bool(false))
        #expect(try step("revoke with another key (reverts)")["ok"] == .bool(false))
        #expect(try step("revoke")["logs"]?.arrayValue?.count == 1)
        for view in ["publisher record", "other record", "DEPLOYED_AT"] {
            #expect(report["views"]?[view]?["same"] == .bool(true), "\(view)")
        }
    }
}
