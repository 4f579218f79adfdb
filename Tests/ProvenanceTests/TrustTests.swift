import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// "verified" means a publisher you trust signed these exact bytes, checked here (issue 11): a stranger's
/// key is never trusted implicitly, a lying endpoint cannot invent a record, several endpoints must agree,
/// and names (ENS both ways, HTTPS domains) are checked before they are shown or trusted.
@Suite(.serialized, .tags(.devnet)) final class TrustTests {
    let devnet: ChildServer
    var cli: CLI
    let publisher = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  // dev.key
    let stranger = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  // stranger.key

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        cli = CLI(dir: try makeTempDir(), trustingDevKey: false)
        try cli.write("dev.key", devKeyHex + "\n")
        try cli.write("stranger.key", "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
        cli.environment["ETH_RPC_URL"] = devnet.url
        try #require(try cli.run(["registry", "deploy", "--private-key-file", "dev.key"]).status == 0)
        try cli.write("real.wav", "the publisher's recording \(UUID())", mode: 0o644)
        try cli.write("fake.wav", "a deepfake \(UUID())", mode: 0o644)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "real.wav"]).status == 0)
        try #require(try cli.run(["attest", "--private-key-file", "stranger.key", "fake.wav"]).status == 0)
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    /// Failure 1 of the issue: a deepfaker's own key verified when no signer was named.
    @Test func aStrangersKeyIsNeverTrustedImplicitly() throws {
        let fake = try cli.run(["verify", "fake.wav"])
        #expect(fake.status == 1 && fake.out.contains("signed-by-untrusted"), "\(fake.out)")
        #expect(fake.out.contains(stranger) && fake.out.contains("hint:") && fake.out.contains("provenance trust add"))
        #expect(!fake.out.contains("verified —"))
        // Many copies by one untrusted key: the hint once, and the summary counts them (issue 25: 503 times).
        try FileManager.default.createDirectory(atPath: cli.path("many"), withIntermediateDirectories: true)
        for k in 0..<3 {
            try FileManager.default.copyItem(atPath: cli.path("fake.wav"), toPath: cli.path("many/\(k).wav"))
        }
        let many = try cli.run(["verify", "many"])
        #expect(many.out.components(separatedBy: "hint:").count == 2, "\(many.out)")
        #expect(many.out.contains("3 files signed by \(stranger): if you know this key"), "\(many.out)")
        #expect(try cli.run(["trust", "list"]).out.contains("the trust list is empty"))

        #expect(try cli.run(["trust", "add", publisher, "--note", "Provenance podcast"]).status == 0)
        #expect(try cli.run(["trust", "add", "show.eth"]).status == 0)
        #expect(try cli.run(["trust", "add", "0x1234"]).status == 2)
        let listed = try JSON.parse(try cli.run(["trust", "list", "--json"]).out).arrayValue ?? []
        #expect(listed.count == 2 && listed[0]["note"]?.stringValue == "Provenance podcast")
        #expect(listed[1]["kind"]?.stringValue == "ens")
        #expect(try cli.run(["trust", "remove", "show.eth"]).status == 0)

        let real = try cli.run(["verify", "real.wav"])
        #expect(real.status == 0 && real.out.contains("real.wav: verified"), "\(real.out)\(real.err)")
        let notByUs = try cli.run(["verify", "fake.wav"])
        #expect(notByUs.status == 1 && notByUs.out.contains("signer(s) you trust"), "\(notByUs.out)")
        let anyone = try cli.run(["verify", "--any-signer", "fake.wav"])
        #expect(anyone.status == 1 && anyone.out.contains("signed-by-untrusted"), "\(anyone.out)")
        let json = try JSON.parse(try cli.run(["verify", "--json", "real.wav"]).out)
        #expect(json["signer"]?.stringValue == publisher && json["proof"]?["checkedLocally"] == .bool(true))
        #expect(json["endpoints"]?.arrayValue?.count == 1)

        #expect(try cli.run(["trust", "remove", publisher]).status == 0)
        #expect(try cli.run(["verify", "real.wav"]).status == 1)
        // Offline too: a valid signature by a key nobody trusts is not "verified".
        #expect(try cli.run(["sign", "--private-key-file", "stranger.key", "--force", "fake.wav"]).status == 0)
        let offline = try cli.run(["verify", "--offline", "fake.wav"])
        #expect(offline.status == 1 && offline.out.contains("signed-by-untrusted"), "\(offline.out)")
    }

    /// Failure 2: an endpoint that adds an Attested log for the asked digest made verify accept a file the
    /// publisher never signed. Now the record is proven here, and with several endpoints they must agree.
    @Test func aLyingEndpointCannotInventARecord() throws {
        let realTx = try #require(
            try Manifest.read(path: cli.path("real.wav.provenance.json")).anchors.first)
        try cli.write("never-signed.wav", "never signed \(UUID())", mode: 0o644)
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let forge =
            #"[{"forgeLog": {"signer": "\#(publisher)", "txHash": "\#(Hex.encode(realTx.txHash, prefix: true))", "blockNumber": "0x\#(String(realTx.blockNumber, radix: 16))"}}]"#
        try proxy.plan(forge)
        let lied = try cli.run(["verify", "--rpc", proxy.url, "--signer", publisher, "never-signed.wav"])
        #expect(lied.status == 3 && lied.out.contains("FORGED-RECORD"), "\(lied.out)\(lied.err)")
        #expect(lied.out.contains("does not hold this content"), "\(lied.out)")
        // The honest record of the real file still verifies through the same endpoint, with a warning.
        try proxy.plan(forge)
        #expect(try cli.run(["verify", "--rpc", proxy.url, "--signer", publisher, "real.wav"]).status == 0)

        // Two endpoints, one forging: never verified, and the verdict says which endpoint said what.
        try proxy.plan(forge)
        let two = try cli.run([
            "verify", "--rpc", devnet.url, "--rpc", proxy.url, "--signer", publisher, "never-signed.wav",
        ])
        #expect(two.status == 3 && two.out.contains("ENDPOINTS-DISAGREE"), "\(two.out)\(two.err)")
        let proxyHost = try #require(URLComponents(string: proxy.url)?.port.map { "127.0.0.1:\($0)" })
        #expect(two.out.contains(proxyHost))

        // An endpoint that hides the record: alone it can (not attested); beside an honest one, the record
        // is proven on a block both agree on, so it verifies, naming the endpoint that hid it.
        try proxy.plan(#"[{"hideLogs": true}]"#)
        let hidden = try cli.run(["verify", "--rpc", proxy.url, "--signer", publisher, "real.wav"])
        #expect(hidden.status == 1, "\(hidden.out)")
        try proxy.plan(#"[{"hideLogs": true}]"#)
        let agreed = try cli.run([
            "verify", "--rpc", devnet.url, "--rpc", proxy.url, "--signer", publisher, "--json", "real.wav",
        ])
        #expect(agreed.status == 0, "\(agreed.out)\(agreed.err)")
        let json = try JSON.parse(agreed.out)
        #expect(json["endpoints"]?.arrayValue?.count == 2)
        #expect(json["warnings"]?.arrayValue?.first?.stringValue?.contains("\(proxyHost) did not report") == true)
        // ETH_RPC_URL may list several endpoints too.
        try proxy.plan(#"[{"hideLogs": true}]"#)
        let fromEnv = try cli.run(
            ["verify", "--signer", publisher, "real.wav"], env: ["ETH_RPC_URL": "\(devnet.url),\(proxy.url)"])
        // One of them hid the record: "agree" would overstate it.
        #expect(fromEnv.status == 0 && fromEnv.out.contains("1 of 2 endpoints reported it"), "\(fromEnv.out)")
    }

    func ens(_ args: [String]) throws {
        let r = try runTool(
            try interopPython(),
            [repoRoot.appendingPathComponent("devnet/ens.py").path, "register", "--rpc", devnet.url] + args)
        try #require(r.status == 0, "\(r.err)")
    }

    /// Failure 3: verdicts named bare addresses. ENS names are resolved forward to trust them, and a primary
    /// name is shown only when it resolves back to the same address.
    @Test func ensNamesAreCheckedBothWays() throws {
        try ens(["--key", devKeyHex, "--name", "show.eth", "--reverse", "show.eth"])
        // The stranger claims the same primary name; show.eth does not resolve to the stranger.
        try ens([
            "--key", "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "--name", "stranger.eth",
            "--reverse", "show.eth",
        ])
        let byName = try cli.run(["verify", "--signer", "show.eth", "real.wav"])
        #expect(
            byName.status == 0 && byName.out.contains("show.eth (\(publisher), ENS name you trust)"), "\(byName.out)")
        let json = try JSON.parse(try cli.run(["verify", "--signer", "show.eth", "--json", "real.wav"]).out)
        #expect(json["identity"]?["name"]?.stringValue == "show.eth")
        #expect(json["identity"]?["check"]?.stringValue == "ens-forward")
        let byAddress = try cli.run(["verify", "--signer", publisher, "real.wav"])
        #expect(
            byAddress.out.contains("show.eth (\(publisher), ENS primary name, checked both ways)"), "\(byAddress.out)")
        let claimed = try cli.run(["verify", "--any-signer", "--signer", "show.eth", "fake.wav"])
        #expect(claimed.status == 1 && !claimed.out.contains("show.eth (\(stranger)"), "\(claimed.out)")
        let missing = try cli.run(["verify", "--signer", "nobody.eth", "real.wav"])
        #expect(missing.status == 3 && missing.err.contains("does not resolve"), "\(missing.err)")
        // ENS may live on another endpoint than the records (mainnet names, L2 attestations).
        let elsewhere = try cli.run(["verify", "--signer", "show.eth", "--ens-rpc", devnet.url, "real.wav"])
        #expect(elsewhere.status == 0)
        // With several endpoints every one resolves the name (one used to, the last): a liar naming the
        // stranger as show.eth, listed first or last, is a disagreement, never a signer to trust.
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let word = "0x" + String(repeating: "0", count: 24) + stranger.dropFirst(2).lowercased()
        try liar.plan(#"[{"rewriteCall": {"selector": "0x3b3b57de", "result": "\#(word)"}}]"#)
        for order in [[devnet.url, liar.url], [liar.url, devnet.url]] {
            let r = try cli.run(["verify"] + order.flatMap { ["--rpc", $0] } + ["--signer", "show.eth", "fake.wav"])
            #expect(r.status == 3 && r.err.contains("disagree on the ENS name show.eth"), "\(r.out)\(r.err)")
        }
    }

    /// A domain lists its signers at https://DOMAIN/.well-known/provenance.json: TLS verified, HTTPS only,
    /// size-bounded, and only for the chains it names.
    @Test func domainsListTheirSigners() throws {
        let d = cli.dir
        try makeTestCA(in: d, site: "site")
        let site = d.appendingPathComponent("site/.well-known")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        func publish(_ text: String) throws {
            try Data(text.utf8).write(to: site.appendingPathComponent("provenance.json"))
        }
        try publish(
            #"{"format": "provenance-signers", "version": 1, "signers": [{"address": "\#(publisher)", "chains": [31337], "name": "Provenance podcast"}]}"#
        )
        let server = try ChildServer(
            script: "devnet/tls_server.py",
            arguments: [
                d.appendingPathComponent("site.pem").path, d.appendingPathComponent("site.key").path, "--serve",
                d.appendingPathComponent("site").path,
            ])
        let port = try #require(URLComponents(string: server.url)?.port)
        let domain = "localhost:\(port)"
        let ca = ["PROVENANCE_CA_FILE": d.appendingPathComponent("ca.pem").path]

        let good = try cli.run(["verify", "--signer", domain, "real.wav"], env: ca)
        #expect(
            good.status == 0 && good.out.contains("\(domain) (\(publisher), listed by the domain you trust)"),
            "\(good.out)\(good.err)")
        // The system's CAs do not know the test CA: the certificate is refused.
        let untrustedTLS = try cli.run(["verify", "--signer", domain, "real.wav"])
        #expect(untrustedTLS.status == 3, "\(untrustedTLS.err)")
        // Listed for another chain only: not trusted here.
        try publish(
            #"{"format": "provenance-signers", "version": 1, "signers": [{"address": "\#(publisher)", "chains": [1]}]}"#
        )
        #expect(try cli.run(["verify", "--signer", domain, "real.wav"], env: ca).status == 1)
        try publish("not json")
        #expect(try cli.run(["verify", "--signer", domain, "real.wav"], env: ca).status == 3)
        try publish(#"{"pad": ""# + String(repeating: "x", count: 70_000) + "\"}")
        let big = try cli.run(["verify", "--signer", domain, "real.wav"], env: ca)
        #expect(big.status == 3 && big.err.contains("64 KiB"), "\(big.err)")
        // A redirect to plain HTTP is not followed.
        try Data(#"{"/.well-known/provenance.json": "http://127.0.0.1:\#(port)/x"}"#.utf8).write(
            to: d.appendingPathComponent("site/redirects.json"))
        let plain = try cli.run(["verify", "--signer", domain, "real.wav"], env: ca)
        #expect(plain.status == 3, "\(plain.err)")
        // A domain entry is always fetched over HTTPS: http:// is not a way to write one.
        #expect(try cli.run(["verify", "--signer", "http://\(domain)", "real.wav"], env: ca).status == 2)
    }
}
