import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Small inputs that would cost a lot: JSON trees of many tiny values, duplicate keys read two ways,
/// scrypt parameters that bound memory but not time, and endpoint replies larger than any honest one.
@Suite(.tags(.unit)) struct AmplificationTests {
    @Test func jsonElementCountAndDuplicateKeys() throws {
        #expect(throws: JSON.ParseError.self) { try JSON.parse(#"{"sha256": "aa", "sha256": "bb"}"#) }
        #expect(throws: JSON.ParseError.self) { try JSON.parse(#"{"a": {"b": 1, "b": 1}}"#) }
        #expect(try JSON.parse(#"{"a": 1, "b": {"a": 2}}"#)["b"]?["a"] == .int(2))
        // The array itself counts as one value: 1,000 values are 999 items. (The default limit, 5 million,
        // is the same code with a larger number; parsing that many in a debug build takes seconds.)
        let many = Array(("[" + String(repeating: "0,", count: 999) + "0]").utf8)
        #expect(throws: JSON.ParseError.self) { try JSON.parse(many, maxElements: 1000) }
        let fits = Array(("[" + String(repeating: "0,", count: 998) + "0]").utf8)
        #expect(try JSON.parse(fits, maxElements: 1000).arrayValue?.count == 999)
        #expect(JSON.maxElements == 5_000_000)
    }

    /// A manifest with two "sha256" keys: another reader keeping the last would see other content.
    @Test func manifestWithADuplicateKey() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        try cli.write("a.txt", "a recording", mode: 0o644)
        try #require(try cli.run(["sign", "--private-key-file", "k", "a.txt"]).status == 0)
        let path = cli.path("a.txt.provenance.json")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let forged = text.replacingOccurrences(
            of: "\"sha256\": ", with: "\"sha256\": \"\(String(repeating: "0", count: 64))\",\n    \"sha256\": ")
        try forged.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try cli.run(["verify", "--offline", "a.txt"])
        #expect(r.status == 2 && r.out.contains("duplicate key"), "\(r.out)")
    }

    /// scrypt's memory is 128·r·N but its time is N·r·p: p = 16 at geth's memory costs 16 × the work.
    @Test func scryptWorkIsBounded() throws {
        #expect(throws: ProvenanceError.self) { try KDF.checkScrypt(n: 1 << 18, r: 8, p: 64) }
        #expect(throws: ProvenanceError.self) { try KDF.checkScrypt(n: 1 << 20, r: 8, p: 16) }
        try KDF.checkScrypt(n: 1 << 18, r: 8, p: 1)  // geth standard
        try KDF.checkScrypt(n: 1 << 12, r: 8, p: 6)  // geth light
    }

    /// Replies are capped at 32 MiB: a larger body is an error after reading at most that much.
    @Test func oversizedReplyIsRefused() throws {
        #expect(HTTPTransport.maxResponseBytes == 32 << 20)
        let server = try ChildServer(script: "Tests/interop/big_reply_server.py", arguments: [])
        let client = EthClient(endpoint: try Endpoint(server.url))
        #expect {
            _ = try client.chainId()
        } throws: { error in
            "\(error)".contains("larger than 32 MiB")
        }
    }
}
