import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Faults between the tool and the chain, injected by the project's own proxy on 127.0.0.1.
@Suite(.serialized, .tags(.devnet)) final class FaultTests {
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

    /// A request held past --rpc-timeout is given up and sent again; one held every time is an error. The
    /// first request is held far longer than the timeout, and the retried one has 20 s, where a forwarded
    /// call takes milliseconds even on a loaded machine (at 1 s, a slow retry failed the test); every
    /// held request of the second run outlasts its timeout whatever the machine's speed.
    @Test func timeouts() throws {
        try proxy.plan(#"[{"delay": 120}]"#)
        #expect(try cli.run(["chain", "--rpc-timeout", "20"]).status == 0)  // timed out once, retried
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
        options.timeout = 600  // a hang guard: how long the sender waits is not what is tested
        // Blocks keep coming while the sender waits (the devnet mines only on demand): one every 0.2 s until
        // the transaction is as deep as the sender needs on the devnet itself, however slowly the sender
        // gets there (a fixed 30 blocks could all be mined before a slow sender had sent it), and none
        // once the test is over.
        let devnetURL = devnet.url
        let txHash = prepared.signed.hash
        let stop = DispatchSemaphore(value: 0)
        let stopped = DispatchSemaphore(value: 0)
        let miner = Thread {
            defer { stopped.signal() }
            guard let endpoint = try? Endpoint(devnetURL) else { return }
            let chain = EthClient(endpoint: endpoint)
            let rpc = RPCClient(endpoint: endpoint)
            while stop.wait(timeout: .now() + 0.2) == .timedOut {
                if let mined = try? chain.receipt(txHash), let head = try? chain.blockNumber(),
                    head >= mined.blockNumber + 2
                {
                    return
                }
                _ = try? rpc.call("evm_mine")
            }
        }
        miner.start()
        defer {
            stop.signal()
            stopped.wait()
        }
        let receipt = try sender.sendAndWait(prepared, options: options)
        #expect(receipt.status == 1 && receipt.transactionHash == prepared.signed.hash)
        let latest = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber()
        #expect(latest + 1 >= receipt.blockNumber + 3)
        #expect(try proxy.stats()["requests"]?.intValue ?? 0 > 5)  // it kept reading through the gap
        try proxy.plan("[]")
    }

    /// Key material must not reach a core file: the process runs with a core size limit of 0
    /// (and PR_SET_DUMPABLE 0). Seen from outside while a request is held up by the proxy: the limits are
    /// read once the proxy has the tool's first request (the tool hardens itself before anything else),
    /// which it holds far longer than that takes; then the tool is stopped. Before, a fixed 0.7 s wait
    /// could read the limits of a tool not yet started, or of one already gone.
    @Test func coreDumpsDisabled() throws {
        try proxy.plan(#"[{"delay": 600}]"#)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try provenanceBinary())
        p.arguments = ["chain", "--rpc", proxy.url]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(300)
        while try proxy.stats()["requests"]?.intValue ?? 0 < 1 {
            try #require(p.isRunning && Date() < deadline, "the tool sent no request to the proxy")
            Thread.sleep(forTimeInterval: 0.05)
        }
        let limits = try String(contentsOfFile: "/proc/\(p.processIdentifier)/limits", encoding: .utf8)
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
        #expect(removed.status == 1 && removed.out.contains("not-attested"))
        try proxy.plan("[]")
        #expect(try cli.run(["verify", "a.txt"]).status == 0)
    }
}
