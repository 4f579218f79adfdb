import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Faults between the tool and the chain, injected by the project's own proxy on 127.0.0.1.
@Suite(.serialized) final class FaultTests {
    let devnet: ChildServer
    let proxy: ChildServer
    let dir: URL
    var cli: CLI

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        dir = try makeTempDir()
        cli = CLI(dir: dir)
        try cli.write("dev.key", devKeyHex + "\n")
        cli.environment["ETH_RPC_URL"] = proxy.url
        #expect(try cli.run(["registry", "deploy", "--private-key-file", "dev.key", "--rpc", devnet.url]).status == 0)
        try cli.write("a.txt", "recording \(UUID())", mode: 0o644)
        #expect(try cli.run(["attest", "--private-key-file", "dev.key", "--rpc", devnet.url, "a.txt"]).status == 0)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func oneLine(_ s: String) -> Bool { s.split(separator: "\n").count == 1 }

    /// The node receives the transaction but the answer is lost: the retry meets "already known",
    /// the hash printed before sending is the one mined, and nothing is attested twice.
    @Test func broadcastAnswerLost() throws {
        try cli.write("b.txt", "episode \(UUID())", mode: 0o644)
        try proxy.plan(#"[{"method": "eth_sendRawTransaction", "drop": true, "forwardFirst": true}]"#)
        let r = try cli.run(["attest", "--private-key-file", "dev.key", "--json", "b.txt"])
        #expect(r.status == 0, "\(r.err)")
        let tx = try JSON.parse(try r.out.split(separator: "\n").last.map(String.init).unwrap())["txHash"]?.stringValue
        #expect(tx != nil && r.err.contains("sending attestation \(tx!)"))
        try proxy.plan("[]")
        let v = try JSON.parse(try cli.run(["verify", "--json", "b.txt"]).out)
        #expect(
            v["attestations"]?.arrayValue?.count == 1
                && v["attestations"]?.arrayValue?.first?["txHash"]?.stringValue == tx)
    }

    @Test func timeouts() throws {
        try proxy.plan(#"[{"delay": 3}]"#)
        #expect(try cli.run(["chain", "--rpc-timeout", "1"]).status == 0)  // timed out once, retried
        try proxy.plan(#"[{"delay": 3}, {"delay": 3}, {"delay": 3}, {"delay": 3}, {"delay": 3}]"#)
        let r = try cli.run(["verify", "--rpc-timeout", "1", "a.txt"])
        #expect(r.status == 3 && oneLine(r.err) && r.err.contains("Timeout"))
        #expect(!r.out.contains("verified"))
        try proxy.plan("[]")
    }

    /// A receipt that appears, disappears (a reorg), and comes back: the sender waits out the gap and
    /// returns only a receipt that is present at the required depth.
    @Test func receiptVanishesWhileConfirming() throws {
        let client = EthClient(endpoint: try Endpoint(proxy.url))
        let sender = try TransactionSender(client: client, key: try PrivateKey(hex: devKeyHex))
        let prepared = try sender.prepare(to: Address(bytes: [UInt8](repeating: 9, count: 20)), data: [], value: 1)
        try proxy.plan(
            #"[{"method": "eth_getTransactionReceipt", "after": 1, "times": 3, "rewrite": {"eth_getTransactionReceipt": null}}]"#
        )
        var options = SendOptions()
        options.confirmations = 3
        options.pollInterval = 0.1
        options.timeout = 60
        // Blocks keep coming while the sender waits (the devnet mines only on demand).
        let devnetURL = devnet.url
        let miner = Thread {
            for _ in 0..<30 {
                Thread.sleep(forTimeInterval: 0.2)
                _ = try? runTool(
                    "/usr/bin/curl",
                    [
                        "-s", "-X", "POST", "--data", #"{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}"#,
                        devnetURL,
                    ])
            }
        }
        miner.start()
        let receipt = try sender.sendAndWait(prepared, options: options)
        #expect(receipt.status == 1 && receipt.transactionHash == prepared.signed.hash)
        let latest = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber()
        #expect(latest + 1 >= receipt.blockNumber + 3)
        #expect(try proxy.stats()["requests"]?.intValue ?? 0 > 5)  // it kept reading through the gap
        try proxy.plan("[]")
    }

    /// Key material must not reach a core file: the process runs with a core size limit of 0
    /// (and PR_SET_DUMPABLE 0). Seen from outside while a request is held up by the proxy.
    @Test func coreDumpsDisabled() throws {
        try proxy.plan(#"[{"delay": 2}]"#)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try provenanceBinary())
        p.arguments = ["chain", "--rpc", proxy.url]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 0.7)
        let limits = try String(contentsOfFile: "/proc/\(p.processIdentifier)/limits", encoding: .utf8)
        p.waitUntilExit()
        let core = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }.map(String.init) ?? ""
        #expect(
            core.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(core)")
        try proxy.plan("[]")
    }

    @Test func wrongIdsWrongChainAndRemovedLogs() throws {
        try proxy.plan(#"[{"wrongIds": true}]"#)
        let ids = try cli.run(["verify", "a.txt"])
        #expect(ids.status == 3 && oneLine(ids.err) && !ids.out.contains("verified"))
        try proxy.plan(#"[{"rewrite": {"eth_chainId": "0x1"}}]"#)
        let chain = try cli.run(["verify", "--chain-id", "31337", "a.txt"])
        #expect(chain.status == 3 && chain.err.contains("serves chain 1"))
        // A reorg: the node now reports the attestation's log as removed. It does not count.
        try proxy.plan(#"[{"method": "eth_getLogs", "markRemoved": true}]"#)
        let removed = try cli.run(["verify", "a.txt"])
        #expect(removed.status == 1 && removed.out.contains("not attested"))
        try proxy.plan("[]")
        #expect(try cli.run(["verify", "a.txt"]).status == 0)
    }
}

/// Bad input: each gets a clear one-line message, a distinct exit code, and nothing is lost.
@Suite struct BadInputTests {
    @Test func specialFilesEmptyFilesAndLoops() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("key.hex", devKeyHex)
        // A FIFO cannot be signed (no stable content) and is refused before it is opened.
        #expect(mkfifo(cli.path("pipe"), 0o600) == 0)
        let fifo = try cli.run(["sign", "--private-key-file", "key.hex", "pipe"])
        #expect(fifo.status == 2 && fifo.err.contains("not a regular file"))
        #expect(!FileManager.default.fileExists(atPath: cli.path("pipe.provenance.json")))
        // An empty file is content like any other.
        try cli.write("empty.wav", "", mode: 0o644)
        #expect(try cli.run(["sign", "--private-key-file", "key.hex", "empty.wav"]).status == 0)
        #expect(try cli.run(["verify", "--offline", "empty.wav"]).status == 0)
        // A dangling path.
        #expect(try cli.run(["hash", "nowhere/x.wav"]).status == 2)
        // An unreadable file (read(2) fails; chmod 000 would not stop root): one line, exit 2, the
        // other files are still hashed.
        let unreadable = try cli.run(["hash", "/proc/self/mem", "empty.wav"])
        #expect(
            unreadable.status == 2 && unreadable.err == "provenance: /proc/self/mem: read failed: Input/output error\n")
        #expect(unreadable.out.hasSuffix("  empty.wav\n"))
        // A symbolic-link loop is walked once when links are followed.
        let root = cli.dir.appendingPathComponent("archive")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("a".utf8).write(to: root.appendingPathComponent("a.txt"))
        try Data("b".utf8).write(to: root.appendingPathComponent("sub/b.txt"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("sub/loop").path, withDestinationPath: "..")
        #expect(
            try FileWalker.expand([root.path], followSymlinks: true).map { URL(fileURLWithPath: $0).lastPathComponent }
                .sorted() == ["a.txt", "b.txt"])
        #expect(try FileWalker.expand([root.path]).count == 2)
    }

    @Test func zeroRInAManifestSignature() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.wav").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("audio".utf8))
        var m = try BatchSigner.sign(paths: [file], key: try PrivateKey.generate())[0].manifest
        m.signature = RecoverableSignature(
            r: [UInt8](repeating: 0, count: 32), s: m.signature.s, recoveryID: m.signature.recoveryID)
        try m.write(to: Manifest.path(for: file))
        let v = OfflineVerifier().verify(path: file)
        #expect(v.status == .invalidSignature && v.detail.contains("r is out of range"))
    }
}

/// A whole session of use — key import, deploy, attest, verify, chain — with a known private key, a
/// password and an RPC URL whose path and query carry "API keys": none of them may appear in any
/// output or any file the tool writes.
@Suite struct SecretsTests {
    @Test func noSecretInOutputOrFiles() throws {
        let devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let secretKey = devKeyHex
        let password = "pw-\(UUID().uuidString)"
        let url = devnet.url + "/v3/PATHSECRET123?apikey=QUERYSECRET456"
        cli.environment["ETH_RPC_URL"] = url
        try cli.write("pw", password + "\n")
        _ = try cli.copyFixtures()
        let steps: [[String]] = [
            ["key", "import", "--keystore", "k.json", "--password-file", "pw", "--light-kdf"],
            ["chain", "--keystore", "k.json", "--password-file", "pw"],
            ["registry", "deploy", "--keystore", "k.json", "--password-file", "pw"],
            ["attest", "--keystore", "k.json", "--password-file", "pw", "--json", "speech.wav", "clip.mp4"],
            ["attest", "--keystore", "k.json", "--password-file", "pw", "--dry-run", "--force", "speech.mp3"],
            ["verify", "--json", "speech.wav", "clip.mp4", "speech.mp3"],
            ["verify", "--rpc", "http://127.0.0.1:9/v3/PATHSECRET123", "speech.wav"],
            ["key", "address", "--keystore", "k.json", "--password-file", "wrong-file"],
        ]
        for (i, step) in steps.enumerated() {
            let r = try cli.run(step, stdin: i == 0 ? Data((secretKey + "\n").utf8) : nil)
            if i < 4 { #expect(r.status == 0, "\(step): \(r.err)") }
        }
        var everything = cli.transcript
        for name in try FileManager.default.contentsOfDirectory(atPath: cli.dir.path)
        where name.hasSuffix(".json") && name != "k.json" {
            everything += try String(contentsOfFile: cli.path(name), encoding: .utf8)
        }
        #expect(everything.contains("attested"))  // the run did happen
        for secret in [secretKey, password, "PATHSECRET123", "QUERYSECRET456"] {
            #expect(!everything.lowercased().contains(secret.lowercased()), "\(secret.prefix(6))… leaked")
        }
        // The keystore holds the key only encrypted, and is private.
        #expect(!(try String(contentsOfFile: cli.path("k.json"), encoding: .utf8)).contains(secretKey))
        #expect(
            (try FileManager.default.attributesOfItem(atPath: cli.path("k.json"))[.posixPermissions] as? Int) == 0o600)
    }
}
