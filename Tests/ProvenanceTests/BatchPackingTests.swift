import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.serialized, .tags(.devnet)) final class BatchPackingTests {
    @Test func packsIntoSeveralTransactionsAndSkipsBadInput() throws {
        let devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        cli.environment["ETH_RPC_URL"] = devnet.url
        try cli.write("dev.key", devKeyHex + "\n")
        try #require(try cli.run(["registry", "deploy", "--private-key-file", "dev.key"]).status == 0)
        let files = try (0..<5).map { i -> String in
            try cli.write("ep\(i).wav", "episode \(i) \(UUID())", mode: 0o644)
            return "ep\(i).wav"
        }
        #expect(mkfifo(cli.path("pipe"), 0o600) == 0)
        try cli.write("bad.wav", "audio", mode: 0o644)
        try cli.write("bad.wav.provenance.json", "{\"format\": tru", mode: 0o644)  // corrupt: skipped, left untouched
        let r = try cli.run(
            ["attest", "--private-key-file", "dev.key", "--max-per-tx", "2", "--json"] + files + [
                "/proc/self/mem", "pipe", "bad.wav",
            ])
        #expect(r.status == 2, "\(r.err)")  // some input was bad; the rest is attested
        // --json: machine-readable progress lines on standard error.
        let progress = r.err.split(separator: "\n").filter { $0.hasPrefix("provenance: {") }.compactMap {
            try? JSON.parse(String($0.dropFirst(12)))
        }
        #expect(
            progress.contains {
                $0["progress"]?.stringValue == "hashing" && $0["files"] != nil && $0["files"] == $0["of"]
            })
        #expect(progress.filter { $0["progress"]?.stringValue == "confirmed" }.count == 3)
        let lines = try r.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        #expect(lines.filter { $0["status"]?.stringValue == "skipped" }.count == 3)
        #expect(try String(contentsOfFile: cli.path("bad.wav.provenance.json"), encoding: .utf8) == "{\"format\": tru")
        #expect(lines.filter { $0["status"]?.stringValue == "attested" }.count == 5)
        let txs = lines.compactMap { $0["txHash"]?.stringValue }
        #expect(Set(txs).count == 3)  // 2 + 2 + 1 files, one signature each
        #expect(lines.compactMap { $0["files"]?.intValue } == [2, 2, 1])
        let counts = try files.map { try Manifest.read(path: cli.path($0 + ".provenance.json")).message.fileCount }
        #expect(counts == [2, 2, 2, 2, 1])
        #expect(try cli.run(["verify"] + files).status == 0)
        #expect(try cli.run(["verify", "--offline"] + files).status == 0)
    }
}
