import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// What a real chain does that a devnet mining every transaction at once never shows (issue 13): blocks
/// every few seconds, transactions left pending because they tip too little, a nonce taken by another
/// transaction of the same key while a run was down.
@Suite(.tags(.devnet)) struct RealChainConditionsTests {
    func devnet(_ arguments: [String]) throws -> (ChildServer, CLI) {
        let devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"] + arguments)
        var cli = CLI(dir: try makeTempDir())
        try cli.write("dev.key", devKeyHex + "\n")
        cli.environment["ETH_RPC_URL"] = devnet.url
        try #require(
            try cli.run(["registry", "deploy", "--private-key-file", "dev.key", "--priority-fee", "5"]).status == 0)
        return (devnet, cli)
    }

    /// Transactions of this content in the registry's logs (each its own transaction hash).
    func records(_ devnet: ChildServer, _ file: String, cli: CLI) throws -> Int {
        let sha = SHA256Hasher.hash(Array(try Data(contentsOf: URL(fileURLWithPath: cli.path(file)))))
        let logs = try RPCClient(endpoint: try Endpoint(devnet.url)).call(
            "eth_getLogs",
            [
                .object([
                    ("address", .string(RegistryAddress.canonical.checksummed)), ("fromBlock", .string("0x0")),
                    ("topics", .array([.string(Hex.encode(sha, prefix: true))])),
                ])
            ])
        return Set(logs.arrayValue?.compactMap { $0["transactionHash"]?.stringValue } ?? []).count
    }

    /// A run killed while its transaction is pending (blocks every 3 s): the next run finds it in its
    /// journal, waits for it to be mined, and pays nothing again. The devnet's block timer is stopped
    /// (evm_setIntervalMining 0) from before the killed run until the test has seen its transaction
    /// pending, and started again for the next run: before, a block due while the killed run exited could
    /// mine the transaction first, the more likely the slower the machine.
    @Test func resumeWhileTheTransactionIsPending() throws {
        let (devnet, cli) = try devnet(["--block-time", "3"])
        var c = cli
        defer { try? FileManager.default.removeItem(at: c.dir) }
        try c.write("a.wav", "pending recording \(UUID())", mode: 0o644)
        let timer = RPCClient(endpoint: try Endpoint(devnet.url))
        _ = try timer.call("evm_setIntervalMining", [.int(0)])
        let killed = try c.run(
            ["attest", "--private-key-file", "dev.key", "a.wav"], env: ["PROVENANCE_TEST_CRASH_AT": "after-broadcast"])
        #expect(killed.status == 137 || killed.status == 9, "\(killed.status) \(killed.err)")
        let sent = try #require(
            killed.err.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) })
        let pending = try EthClient(endpoint: try Endpoint(devnet.url)).transaction(try #require(Hex.decode(sent)))
        #expect(pending != nil && pending?.blockNumber == nil, "the transaction should still be pending")
        _ = try timer.call("evm_setIntervalMining", [.int(3000)])
        let resumed = try c.run(["attest", "--private-key-file", "dev.key", "a.wav"])
        #expect(resumed.status == 0 && resumed.out.contains("already"), "\(resumed.out)\(resumed.err)")
        #expect(!resumed.err.contains("sending attestation"))
        #expect(try records(devnet, "a.wav", cli: c) == 1)
        #expect(try c.run(["verify", "a.wav"]).status == 0)
    }

    /// An under-priced transaction stays pending: the sender broadcasts it again, then replaces it with
    /// fees 12.5 % higher until one is mined; every hash is printed as it is sent.
    @Test func stuckTransactionIsRebroadcastThenBumped() throws {
        let (devnet, cli) = try devnet(["--min-tip", "1.2"])
        var c = cli
        defer { try? FileManager.default.removeItem(at: c.dir) }
        try c.write("b.wav", "stuck recording \(UUID())", mode: 0o644)
        let r = try c.run([
            "attest", "--private-key-file", "dev.key", "--priority-fee", "1", "--stuck-after", "2", "b.wav",
        ])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        let sends = r.err.split(separator: "\n").filter { $0.contains("sending attestation 0x") }
        #expect(sends.count == 3, "\(r.err)")  // 1 gwei, 1.125 (still under 1.2), 1.27: mined
        let manifest = try Manifest.read(path: c.path("b.wav.provenance.json"))
        #expect(sends.last?.contains(Hex.encode(manifest.anchors[0].txHash, prefix: true)) == true)
        #expect(try records(devnet, "b.wav", cli: c) == 1)
    }

    /// While a run was down, another transaction of the same key took the nonce of its pending one: the
    /// next run finds its transaction gone, checks the chain, and attests the file with a new nonce.
    @Test func nonceTakenWhileTheRunWasDown() throws {
        let (devnet, cli) = try devnet(["--min-tip", "2"])
        var c = cli
        defer { try? FileManager.default.removeItem(at: c.dir) }
        try c.write("c.wav", "interrupted recording \(UUID())", mode: 0o644)
        let killed = try c.run(
            ["attest", "--private-key-file", "dev.key", "--priority-fee", "1", "c.wav"],
            env: ["PROVENANCE_TEST_CRASH_AT": "after-broadcast"])
        #expect(killed.status == 137 || killed.status == 9)
        // The same key sends something else with that nonce (another wallet of the publisher's), paying enough.
        let client = EthClient(endpoint: try Endpoint(devnet.url))
        let key = try PrivateKey(hex: devKeyHex)
        let nonce = try client.nonce(key.address, pending: false)
        let base = try client.feeHistory().nextBaseFee
        let other = EIP1559Transaction(
            chainId: 31337, nonce: nonce, maxPriorityFeePerGas: 3 * .gwei, maxFeePerGas: base * 2 + 3 * .gwei,
            gasLimit: 21_000, to: try PrivateKey.generate().address, value: 1, data: [])
        let signed = try SignedTransaction(other, key: key)
        _ = try client.sendRawTransaction(signed.raw)
        #expect(try client.receipt(signed.hash)?.status == 1)
        let resumed = try c.run(["attest", "--private-key-file", "dev.key", "--priority-fee", "3", "c.wav"])
        #expect(resumed.status == 0 && resumed.err.contains("sending attestation"), "\(resumed.out)\(resumed.err)")
        #expect(try records(devnet, "c.wav", cli: c) == 1)
        #expect(try c.run(["verify", "c.wav"]).status == 0)
    }
}
