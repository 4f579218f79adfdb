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
        try #require(
            try cli.run(["registry", "deploy", "--private-key-file", "dev.key", "--rpc", devnet.url]).status == 0)
        try cli.write("a.txt", "recording \(UUID())", mode: 0o644)
        try #require(
            try cli.run(["attest", "--private-key-file", "dev.key", "--rpc", devnet.url, "a.txt"]).status == 0)
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
