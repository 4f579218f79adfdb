import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// A whole session of use — key import, deploy, attest, verify, chain — with a known private key, a
/// password and an RPC URL whose path and query carry "API keys": none of them may appear in any
/// output or any file the tool writes.
@Suite(.tags(.devnet)) struct SecretsTests {
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
        // An endpoint whose error repeats the URL it was called with, key and all (some providers do).
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let keyed = proxy.url + "/v3/PATHSECRET123?apikey=QUERYSECRET456"
        try proxy.plan(
            #"[{"rpcError": {"method": "eth_chainId", "code": -32000, "message": "invalid key for "#
                + keyed.replacingOccurrences(of: "/", with: "\\/") + #" (apikey QUERYSECRET456)"}}]"#)
        let echoed = try cli.run(["verify", "--rpc", keyed, "speech.wav"])
        #expect(echoed.status == 3 && echoed.err.contains("invalid key for"), "\(echoed.err)")
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

/// The scrubbing itself: every part of a URL that may be a key leaves the text, whatever its case.
@Suite(.tags(.unit)) struct ScrubTests {
    @Test func urlSecretsLeaveOutsideText() throws {
        let e = try Endpoint("https://user:PASSWORD99@rpc.example/v3/PATHSECRET123?apikey=QUERYSECRET456&x=1")
        let text = e.scrub(
            "bad key https://user:PASSWORD99@rpc.example/v3/PATHSECRET123?apikey=QUERYSECRET456&x=1, "
                + "pathsecret123, QUERYSECRET456 and password99")
        for secret in ["PATHSECRET123", "QUERYSECRET456", "PASSWORD99"] {
            #expect(!text.lowercased().contains(secret.lowercased()), "\(text)")
        }
        #expect(text.hasPrefix("bad key "))
        #expect(e.scrub("execution reverted") == "execution reverted")
    }
}
