import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// `attest` and `verify` through the real binary against the real devnet over real HTTP.
@Suite(.serialized, .tags(.devnet)) final class AttestVerifyTests {
    let devnet: ChildServer
    let dir: URL
    var cli: CLI
    let publisherKey = try! PrivateKey.generate()

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        dir = try makeTempDir()
        cli = CLI(dir: dir)
        try cli.write("relayer.key", devKeyHex + "\n")
        try cli.write("publisher.key", publisherKey.withUnsafeBytes { Hex.encode($0) } + "\n")
        cli.environment["ETH_RPC_URL"] = devnet.url
        let deployed = try cli.run(["registry", "deploy", "--private-key-file", "relayer.key"])
        try #require(deployed.status == 0, "\(deployed.err)")
        // The newsroom trusts this publisher (its trust list); verify trusts nobody implicitly.
        try #require(
            try cli.run(["trust", "add", publisherKey.address.checksummed, "--note", "the publisher"]).status == 0)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func lines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init) }
    func json(_ s: String) throws -> [JSON] { try lines(s).map { try JSON.parse($0) } }

    @Test func everyVerdictAndExitCode() throws {
        let files = try cli.copyFixtures()
        // The publisher pays for its own attestation here (funded by the relayer first).
        let fund = try TransactionSender(
            client: EthClient(endpoint: try Endpoint(devnet.url)), key: try PrivateKey(hex: devKeyHex))
        _ = try fund.sendAndWait(try fund.prepare(to: publisherKey.address, data: [], value: 1_000_000_000_000_000_000))
        let a = try cli.run(["attest", "--private-key-file", "publisher.key", "--chunk-size", "16K", "--json"] + files)
        #expect(a.status == 0, "\(a.err)")
        let out = try json(a.out)
        #expect(out.prefix(3).allSatisfy { $0["status"]?.stringValue == "attested" })
        let txHash = try out[3]["txHash"].unwrap().stringValue.unwrap()
        #expect(a.err.contains("sending attestation \(txHash)"))
        let manifest = try Manifest.read(path: cli.path("speech.wav.provenance.json"))
        #expect(
            manifest.anchors.count == 1 && manifest.anchors[0].chainId == 31337
                && Hex.encode(manifest.anchors[0].txHash, prefix: true) == txHash)
        // `show` tells the anchor attest recorded, in words and in JSON.
        let shown = try cli.run(["show", "speech.wav"])
        #expect(shown.status == 0 && shown.out.contains("chain 31337") && shown.out.contains(txHash), "\(shown.out)")
        let shownJSON = try JSON.parse(try cli.run(["show", "--json", "speech.wav"]).out)
        #expect(shownJSON["anchors"]?.arrayValue?.first?["txHash"]?.stringValue == txHash, "\(shownJSON)")

        // verified (0), with the full record in JSON
        let v = try cli.run(["verify", "--json", "--signer", publisherKey.address.checksummed] + files)
        #expect(v.status == 0, "\(v.out)")
        for r in try json(v.out) {
            #expect(r["status"]?.stringValue == "verified")
            let att = try r["attestations"].unwrap().arrayValue.unwrap()
            #expect(
                att.count == 1 && att[0]["signer"]?.stringValue == publisherKey.address.checksummed
                    && att[0]["txHash"]?.stringValue == txHash)
            #expect(att[0]["timestamp"]?.intValue ?? 0 > 1_700_000_000 && att[0]["chainId"] == .number("31337"))
        }
        // Not by the signer named (1): the registry's index of that signer's batches holds no record of it.
        let u = try cli.run(["verify", "--signer", "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b", files[0]])
        #expect(u.status == 1 && u.out.contains("not-attested"), "\(u.out)")
        // modified (1): one byte changed, manifest beside it
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cli.path(files[0])))
        bytes[150_000] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: cli.path("edited.wav")))
        try FileManager.default.copyItem(
            atPath: cli.path("speech.wav.provenance.json"), toPath: cli.path("edited.wav.provenance.json"))
        let m = try json(try cli.run(["verify", "--json", "edited.wav"]).out)[0]
        #expect(m["status"]?.stringValue == "modified")
        #expect(m["differingRanges"] == .array([.object([("start", .number("147456")), ("end", .number("163840"))])]))
        #expect(m["original"]?["attestations"]?.arrayValue?.count == 1)
        #expect(try cli.run(["verify", "edited.wav"]).status == 1)
        // One run of a file with its manifest (asked of the chain while files are hashed), a copy without
        // one whose content is nowhere claimed (asked after), and the modified copy: each as on its own.
        try FileManager.default.copyItem(atPath: cli.path(files[1]), toPath: cli.path("bare.mp3"))
        let mixed = try json(
            try cli.run(
                ["verify", "--json", "--signer", publisherKey.address.checksummed, files[0], "bare.mp3", "edited.wav"]
            ).out)
        #expect(mixed.map { $0["status"]?.stringValue } == ["verified", "verified", "modified"], "\(mixed)")
        #expect(mixed[1]["attestations"]?.arrayValue?.first?["txHash"]?.stringValue == txHash)
        #expect(mixed[2]["original"]?["attestations"]?.arrayValue?.count == 1)
        // not-attested (1)
        try cli.write("other.txt", "never attested", mode: 0o644)
        let n = try cli.run(["verify", "other.txt"])
        #expect(n.status == 1 && n.out.contains("not-attested"))
        // error (2): missing file; usage (2): bad address
        #expect(try cli.run(["verify", "missing.wav"]).status == 2)
        #expect(try cli.run(["verify", "--signer", "0x1234", files[0]]).status == 2)
        // Not enough confirmations yet: the record does not count.
        let c = try cli.run(["verify", "--confirmations", "50", files[0]])
        #expect(c.status == 1 && c.out.contains("not-attested"))
        // Chain unreachable (3), URL path never printed; no registry on the chain (3).
        let down = try cli.run(["verify", "--rpc", "http://127.0.0.1:9/secret/path", files[0]])
        #expect(down.status == 3 && !down.err.contains("secret"))
        let bare = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        let none = try cli.run(["verify", "--rpc", bare.url, files[0]])
        #expect(none.status == 3 && none.err.contains("no registry"))
        // Wrong chain (3); code at the registry address that is not the registry's (3).
        #expect(try cli.run(["verify", "--chain-id", "1", files[0]]).status == 3)
        let foreign = try cli.run(["verify", "--registry", RegistryAddress.create2Proxy.checksummed, files[0]])
        #expect(foreign.status == 3 && foreign.err.contains("cannot be trusted"))

        // Re-attest: nothing paid; --force pays again; --dry-run sends nothing.
        let block = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber()
        let again = try cli.run(["attest", "--private-key-file", "publisher.key"] + files)
        #expect(again.status == 0 && again.out.contains("nothing to send") && !again.err.contains("sending"))
        let dry = try cli.run([
            "attest", "--private-key-file", "publisher.key", "--force", "--dry-run", "--json", files[0],
        ])
        let plan = try json(dry.out).last.unwrap()
        #expect(plan["dryRun"] == .bool(true))
        #expect(
            try ethAccount(["recover-tx", try plan["raw"].unwrap().stringValue.unwrap()])
                == publisherKey.address.checksummed)
        #expect(try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber() == block)
        let forced = try cli.run(["attest", "--private-key-file", "publisher.key", "--force", files[0]])
        #expect(forced.status == 0 && forced.err.contains("sending attestation"))
        let twice = try json(try cli.run(["verify", "--json", files[0]]).out)[0]
        #expect(twice["attestations"]?.arrayValue?.count == 2)  // every attestation is listed

        // A lost manifest is rebuilt from the chain on re-attest, and checks out offline. The file's
        // details (its chunking) are signed: hashed with another chunk size, the record does not back
        // a manifest, and attest says so instead of paying again.
        try FileManager.default.removeItem(atPath: cli.path("speech.mp3.provenance.json"))
        let otherChunks = try cli.run(["attest", "--private-key-file", "publisher.key", files[1]])
        #expect(otherChunks.status == 2 && otherChunks.err.contains("other file details"), "\(otherChunks.err)")
        #expect(!otherChunks.err.contains("sending attestation"))
        #expect(
            try cli.run(["attest", "--private-key-file", "publisher.key", "--chunk-size", "16K", files[1]]).out
                .contains("already"))
        #expect(
            try cli.run(["verify", "--offline", "--signer", publisherKey.address.checksummed, files[1]]).status == 0)

        // Independent check of the attestation: plain JSON-RPC and eth-account only.
        let check = try JSON.parse(try ethAccount(["check-attest-tx", devnet.url, txHash]))
        #expect(
            check["ok"] == .bool(true) && check["signer"]?.stringValue == publisherKey.address.checksummed
                && check["files"]?.intValue == 3)
    }

    /// Offline signing, online sending: the relayer pays; the publisher's key never touches the network.
    @Test func relayedFromManifests() throws {
        let files = try cli.copyFixtures()
        #expect(try cli.run(["sign", "--private-key-file", "publisher.key"] + files).status == 0)
        let manifests = files.map { $0 + ".provenance.json" }
        // The whole batch is needed: the contract recomputes the Merkle root.
        let partial = try cli.run(["attest", "--from-manifest", "--private-key-file", "relayer.key", manifests[0]])
        #expect(partial.status == 2 && partial.err.contains("batch of 3"))
        let r = try cli.run(["attest", "--from-manifest", "--private-key-file", "relayer.key", "--json"] + manifests)
        #expect(r.status == 0, "\(r.err)")
        let tx = try json(r.out).last.unwrap()["txHash"].unwrap().stringValue.unwrap()
        let check = try JSON.parse(try ethAccount(["check-attest-tx", devnet.url, tx]))
        #expect(check["signer"]?.stringValue == publisherKey.address.checksummed)
        #expect(check["sender"]?.stringValue == (try PrivateKey(hex: devKeyHex)).address.checksummed)
        #expect(try cli.run(["verify", "--signer", publisherKey.address.checksummed] + files).status == 0)
        // Anchored on a second chain with the same signature: the manifest lists both.
        let second = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0", "--chain-id", "31338"])
        #expect(
            try cli.run(["registry", "deploy", "--rpc", second.url, "--private-key-file", "relayer.key"]).status == 0)
        #expect(
            try cli.run(
                ["attest", "--from-manifest", "--rpc", second.url, "--private-key-file", "relayer.key"] + manifests
            ).status == 0)
        let m = try Manifest.read(path: cli.path(manifests[0]))
        #expect(m.anchors.map(\.chainId).sorted() == [31337, 31338])
        #expect(try cli.run(["verify", "--rpc", second.url, "--chain-id", "31338"] + files).status == 0)
    }

    /// Round trips: one file costs at most 2 HTTP requests; 120 files cost no more than a handful.
    @Test func roundTrips() throws {
        let files = try (0..<120).map { i -> String in
            try cli.write("f\(i).txt", "file \(i)", mode: 0o644)
            return "f\(i).txt"
        }
        let fund = try TransactionSender(
            client: EthClient(endpoint: try Endpoint(devnet.url)), key: try PrivateKey(hex: devKeyHex))
        _ = try fund.sendAndWait(try fund.prepare(to: publisherKey.address, data: [], value: 1_000_000_000_000_000_000))
        #expect(try cli.run(["attest", "--private-key-file", "publisher.key"] + files).status == 0)
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        try proxy.plan("[]")
        // Names are read from ENS on the devnet directly: the proxy counts the lookups only.
        cli.environment["PROVENANCE_ENS_RPC"] = devnet.url
        // By content alone: chain and code; the scan (one window here); blocks, transactions, receipts.
        #expect(try cli.run(["verify", "--any-signer", "--no-cache", "--rpc", proxy.url, files[0]]).status == 0)
        #expect(try proxy.stats()["requests"]?.intValue ?? 99 <= 3)
        try proxy.plan("[]")
        #expect(try cli.run(["verify", "--any-signer", "--no-cache", "--rpc", proxy.url] + files).status == 0)
        #expect(try proxy.stats()["requests"]?.intValue ?? 99 <= 3)
        // By signer: chain, code and the signer's index; logs at its blocks; blocks, transactions, receipts.
        try proxy.plan("[]")
        let signer = publisherKey.address.checksummed
        #expect(try cli.run(["verify", "--signer", signer, "--rpc", proxy.url] + files).status == 0)
        #expect(try proxy.stats()["requests"]?.intValue ?? 99 <= 3)
        // Re-attesting the attested set pays nothing and asks per transaction, not per file.
        try proxy.plan("[]")
        let again = try cli.run(["attest", "--private-key-file", "publisher.key", "--rpc", proxy.url] + files)
        #expect(again.status == 0 && again.out.contains("nothing to send"))
        // Index, logs, block times, and the one attesting transaction checked before trusting it.
        #expect(try proxy.stats()["requests"]?.intValue ?? 99 <= 4)

        // A provider that refuses eth_getLogs over more than 2 blocks (Infura's −32005 wording): the
        // range is halved until it passes, and the verdict is still reached.
        try proxy.plan(
            #"[{"rpcError": {"method": "eth_getLogs", "code": -32005, "message": "query returned more than 10000 results", "untilRange": 2}}]"#
        )
        let split = try cli.run(["verify", "--any-signer", "--rpc", proxy.url, "--json", files[7]])
        #expect(split.status == 0, "\(split.out)\(split.err)")
        #expect(try proxy.stats()["requests"]?.intValue ?? 0 > 2)
        // A provider that refuses every range: an error (exit 3), never a verdict on data it could not check.
        try proxy.plan(#"[{"rpcError": {"method": "eth_getLogs", "code": -32005, "message": "limit exceeded"}}]"#)
        let refused = try cli.run(["verify", "--any-signer", "--rpc", proxy.url, files[7]])
        #expect(refused.status == 3 && !refused.out.contains("verified"))
        try proxy.plan("[]")
    }
}
