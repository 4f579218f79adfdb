import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// -v shows what the tool asked a provider and what came back, one line per JSON-RPC request; -vv adds
/// bounded bodies. Never the URL's path or query (API keys live there), never a key or password.
@Suite(.serialized, .tags(.devnet)) final class VerboseTests {
    let devnet: ChildServer
    var cli: CLI

    init() throws {
        (devnet, cli) = try deployedDevnet(rpcSuffix: "/v3/SECRETAPIKEY0042?key=ALSOSECRET")
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    @Test func oneLinePerCallWithoutSecrets() throws {
        try cli.write("a.wav", "a recording \(UUID())", mode: 0o644)
        let attested = try cli.run(["attest", "-v", "--private-key-file", "dev.key", "a.wav"])
        #expect(attested.status == 0, "\(attested.err)")
        let lines = attested.err.split(separator: "\n").filter { $0.hasPrefix("provenance: rpc ") }
        #expect(lines.count >= 5, "\(attested.err)")
        let host = try #require(URLComponents(string: devnet.url)?.port.map { "127.0.0.1:\($0)" })
        #expect(lines.allSatisfy { $0.contains(host) && $0.contains(" ms ") && $0.contains(" bytes") })
        #expect(lines.contains { $0.contains("eth_sendRawTransaction") })
        // The first request is one batch: chain, head, code and the signer's index (an eth_call).
        #expect(lines.contains { $0.contains("batch of") && $0.contains("eth_call") })
        for secret in ["SECRETAPIKEY0042", "ALSOSECRET", devKeyHex] { #expect(!attested.err.contains(secret)) }
        #expect(!attested.err.contains("  > "))

        let traced = try cli.run(["verify", "-vv", "a.wav"])
        #expect(traced.status == 0)
        let requests = traced.err.split(separator: "\n").filter { $0.hasPrefix("  > ") }
        let responses = traced.err.split(separator: "\n").filter { $0.hasPrefix("  < ") }
        #expect(!requests.isEmpty && requests.count == responses.count)
        #expect(requests.allSatisfy { $0.count <= 4 + ChainOptions.maxTracedBody + 40 })
        #expect(requests.contains { $0.contains("eth_getLogs") })
        for secret in ["SECRETAPIKEY0042", "ALSOSECRET"] { #expect(!traced.err.contains(secret)) }
        // Without -v nothing is traced.
        #expect(!(try cli.run(["verify", "a.wav"]).err.contains("provenance: rpc")))
    }

    /// A retried request says so on its line.
    @Test func retriesAreShown() throws {
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        try proxy.plan(#"[{"status": 503}]"#)
        let r = try cli.run(["chain", "-v", "--rpc", proxy.url])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("eth_chainId") && r.err.contains("2 attempts"), "\(r.err)")
    }
}
