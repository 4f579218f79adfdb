import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The real binary, end to end: output formats, exit codes, one-line errors, secrets.
@Suite(.tags(.unit)) struct CLITests {
    func fresh() throws -> CLI { CLI(dir: try makeTempDir()) }

    @Test func versionAndHelpOnEveryCommand() throws {
        var cli = try fresh()
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let v = try cli.run(["--version"])
        #expect(v.status == 0 && v.out.hasPrefix("provenance "))
        for c in ["hash", "sign", "verify", "key"] {
            let h = try cli.run([c, "--help"])
            #expect(h.status == 0)
            #expect(h.out.contains("Usage: provenance \(c)"))
        }
        let unknown = try cli.run(["frobnicate"])
        #expect(unknown.status == 2)
        let badOption = try cli.run(["hash", "--bogus", "x"])
        #expect(badOption.status == 2)
        #expect(badOption.err.contains("unknown option --bogus") && badOption.err.contains("Usage: provenance hash"))
        // --chunk-size takes a G suffix (1G was refused while the help allows 1 GiB chunks).
        try cli.write("g.bin", "some bytes")
        let giga = try cli.run(["hash", "--json", "--chunk-size", "1G", "g.bin"])
        #expect(giga.status == 0 && giga.out.contains("\"chunkSize\":1073741824"), "\(giga.out)\(giga.err)")
        // What every cast user types first: refused with the reason and what to use, the key never repeated.
        for arg in [["--private-key", devKeyHex], ["--private-key=\(devKeyHex)"]] {
            let key = try cli.run(["sign"] + arg + ["x"])
            #expect(key.status == 2, "\(key.err)")
            #expect(
                key.err.contains("--private-key is refused") && key.err.contains("--private-key-file FILE"),
                "\(key.err)")
            #expect(!key.err.contains(devKeyHex) && !key.out.contains(devKeyHex))
        }
    }

    @Test func hashOutputIsSha256sumFormat() throws {
        var cli = try fresh()
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let files = try cli.copyFixtures()
        let r = try cli.run(["hash"] + files)
        #expect(r.status == 0)
        let reference = try runTool("/usr/bin/sha256sum", files, cwd: cli.dir)
        #expect(r.out == reference.out)
        // sha256sum -c accepts our output.
        try cli.write("SUMS", r.out, mode: 0o644)
        let check = try runTool("/usr/bin/sha256sum", ["-c", "SUMS"], cwd: cli.dir)
        #expect(check.status == 0, "\(check.out)")
        // Standard input.
        let stdin = try cli.run(["hash", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: cli.path(files[0]))))
        #expect(stdin.out == String(reference.out.split(separator: "\n")[0].prefix(64)) + "  -\n")
        // JSON: one object per line, chunks included.
        let json = try cli.run(["hash", "--json", "--chunk-size", "16K", files[0]])
        let obj = try JSON.parse(json.out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(obj["sha256"]?.stringValue == String(reference.out.prefix(64)))
        #expect(obj["chunks"]?.arrayValue?.count == (217834 + 16383) / 16384)
        // A missing file: one line on stderr, exit 2, the other files still hashed.
        let missing = try cli.run(["hash", "nope.wav", files[1]])
        #expect(missing.status == 2)
        #expect(missing.err == "provenance: nope.wav: No such file or directory\n")
        #expect(missing.out.hasSuffix("  \(files[1])\n"))
        #expect(try cli.run(["hash", "--chunk-size", "1000", files[0]]).status == 2)
    }

    @Test func signAndVerifyVerdictsAndExitCodes() throws {
        var cli = try fresh()
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let files = try cli.copyFixtures()
        try cli.write("pw", "s3cret pass\n")
        let made = try cli.run(["key", "new", "--keystore", "pub.json", "--password-file", "pw", "--light-kdf"])
        #expect(made.status == 0)
        // An 11-character password is taken, with a warning (it used to be silent), never echoed.
        #expect(
            made.err.contains("warning: a password of 11 characters") && !made.err.contains("s3cret"), "\(made.err)")
        try cli.write("pw2", "a long passphrase of words\n")
        let strong = try cli.run(["key", "new", "--keystore", "strong.json", "--password-file", "pw2", "--light-kdf"])
        #expect(strong.status == 0 && !strong.err.contains("warning"), "\(strong.err)")
        let publisher = made.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let attrs = try FileManager.default.attributesOfItem(atPath: cli.path("pub.json"))
        #expect((attrs[.posixPermissions] as? Int) == 0o600)

        #expect(try cli.run(["sign", "--keystore", "pub.json", "--password-file", "pw"] + files).status == 0)
        // Refuses to overwrite manifests without --force, before doing anything.
        let again = try cli.run(["sign", "--keystore", "pub.json", "--password-file", "pw", files[0]])
        #expect(again.status == 2 && again.err.contains("--force"))

        let ok = try cli.run(["verify", "--offline", "--signer", publisher] + files)
        #expect(ok.status == 0, "\(ok.out)\(ok.err)")
        #expect(verdictLines(ok.out).allSatisfy { $0.contains(": verified — signed by \(publisher)") })
        #expect(ok.out.hasSuffix("summary: \(files.count) files — \(files.count) verified\n"), "\(ok.out)")

        // One changed byte in a copy: modified, where, exit 1.
        var wav = try Data(contentsOf: URL(fileURLWithPath: cli.path("speech.wav")))
        wav[100_000] ^= 0x01
        try wav.write(to: URL(fileURLWithPath: cli.path("edited.wav")))
        try FileManager.default.copyItem(
            atPath: cli.path("speech.wav.provenance.json"), toPath: cli.path("edited.wav.provenance.json"))
        let edited = try cli.run(["verify", "--offline", "--signer", publisher, "--json", "edited.wav"])
        #expect(edited.status == 1)
        let v = try JSON.parse(edited.out.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(v["status"]?.stringValue == "modified")
        // The 8 KiB chunk that holds byte 100,000 is the only one not found.
        #expect(v["differingRanges"] == .array([.object([("start", .number("98304")), ("end", .number("106496"))])]))
        #expect(v["authentic"]?.arrayValue?.count == 2)
        let coverage = try #require(v["originalCoverage"]?.doubleValue)
        #expect(abs(coverage - (217834.0 - 8192) / 217834) < 1e-5)

        // Trusted signers from a file, with comments; another signer's list → untrusted, exit 1.
        try cli.write("trusted.txt", "# newsroom list\n\(publisher)  # our publisher\n", mode: 0o644)
        #expect(try cli.run(["verify", "--offline", "--signers", "trusted.txt", files[0]]).status == 0)
        try cli.write("others.txt", "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b\n", mode: 0o644)
        let untrusted = try cli.run(["verify", "--offline", "--signers", "others.txt", files[0]])
        #expect(untrusted.status == 1 && untrusted.out.contains("signed-by-untrusted"))
        // Bad EIP-55 checksum is a usage error.
        let badSum = try cli.run([
            "verify", "--offline", "--signer", "0x008aeEda4D805471dF9b2A5B0f38A0C3bCBA786b", files[0],
        ])
        #expect(badSum.status == 2 && badSum.err.contains("EIP-55"))
        // No manifest → not verified (1); malformed manifest → input error (2); missing file → 2.
        try cli.write("lonely.wav", "x", mode: 0o644)
        #expect(try cli.run(["verify", "--offline", "lonely.wav"]).status == 1)
        try cli.write("lonely.wav.provenance.json", "{\"format\":", mode: 0o644)
        let malformed = try cli.run(["verify", "--offline", "lonely.wav"])
        #expect(malformed.status == 2 && malformed.out.contains("malformed manifest"))
        #expect(try cli.run(["verify", "--offline", "absent.wav"]).status == 2)
        // Without --offline, verify asks the chain: unreachable here, so exit 3 with one line.
        let online = try cli.run(["verify", "--rpc", "http://127.0.0.1:9", files[0]])
        #expect(online.status == 3 && online.err.split(separator: "\n").count == 1)
    }

    @Test func keySelectionPasswordsAndSecrets() throws {
        var cli = try fresh()
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let secret = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        let expected = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
        try cli.write("pw", "hunter2-but-longer\n")
        // Import from standard input into a named account; then select it with --account.
        let imported = try cli.run(
            ["key", "import", "--account", "pub", "--password-file", "pw", "--light-kdf"],
            stdin: Data("  0x\(secret)\n".utf8))
        #expect(imported.status == 0, "\(imported.err)")
        #expect(imported.out.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        #expect(try cli.run(["key", "address", "--account", "pub", "--password-file", "pw"]).out == expected + "\n")
        // Password from the environment.
        #expect(
            try cli.run(["key", "address", "--account", "pub"], env: ["PROVENANCE_PASSWORD": "hunter2-but-longer"]).out
                == expected + "\n")
        // key list, as cast wallet list: the account and the address its keystore names, no password asked.
        let listed = try cli.run(["key", "list"])
        #expect(listed.status == 0 && listed.out.hasPrefix("pub\t\(expected)\t"), "\(listed.out)\(listed.err)")
        // Wrong password: its own exit code (4), one line.
        try cli.write("wrong", "nope\n")
        let wrong = try cli.run(["key", "address", "--account", "pub", "--password-file", "wrong"])
        #expect(wrong.status == 4)
        #expect(wrong.err.hasPrefix("provenance: error: wrong password") && wrong.err.split(separator: "\n").count == 1)
        // No password source and no terminal: a usage error, not a hang.
        #expect(try cli.run(["key", "address", "--account", "pub"]).status == 2)
        // Private key from a file or the environment; group-readable key files are refused like ssh does.
        try cli.write("key.hex", secret + "\n")
        #expect(try cli.run(["key", "address", "--private-key-file", "key.hex"]).out == expected + "\n")
        #expect(try cli.run(["key", "address"], env: ["PROVENANCE_PRIVATE_KEY": "0x" + secret]).out == expected + "\n")
        try cli.write("open.hex", secret, mode: 0o644)
        let open = try cli.run(["key", "address", "--private-key-file", "open.hex"])
        #expect(open.status == 2 && open.err.contains("chmod 600"))
        try cli.write("pw-open", "hunter2-but-longer\n", mode: 0o640)
        #expect(try cli.run(["key", "address", "--account", "pub", "--password-file", "pw-open"]).status == 2)
        // Two key sources at once, or none: usage errors.
        #expect(try cli.run(["key", "address", "--account", "pub", "--private-key-file", "key.hex"]).status == 2)
        #expect(try cli.run(["key", "address"]).status == 2)
        // Garbage key material: a message that does not echo it.
        try cli.write("bad.hex", "zz" + secret.dropFirst(2))
        let bad = try cli.run(["key", "address", "--private-key-file", "bad.hex"])
        #expect(bad.status == 2)
        // Never overwrite a keystore.
        #expect(try cli.run(["key", "new", "--account", "pub", "--password-file", "pw", "--light-kdf"]).status == 2)
        // Sign with the env key and check nothing secret was ever printed.
        try cli.write("a.txt", "episode", mode: 0o644)
        #expect(try cli.run(["sign", "--json", "a.txt"], env: ["PROVENANCE_PRIVATE_KEY": secret]).status == 0)
        #expect(!cli.transcript.lowercased().contains(secret))
        #expect(!cli.transcript.contains("hunter2"))
        let manifest = try String(contentsOfFile: cli.path("a.txt.provenance.json"), encoding: .utf8)
        #expect(!manifest.contains(secret))
    }
}
