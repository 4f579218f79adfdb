import Foundation
import Testing

@testable import ProvenanceCore

/// `show` (issue 25): what a manifest says, its signature and batch proof checked here, by the real binary.
@Suite(.tags(.unit)) struct ShowTests {
    let devAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    @Test func showsWhatTheManifestSaysAndWhetherItIsAuthentic() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("dev.key", devKeyHex + "\n")
        try cli.write("a.txt", String(repeating: "alpha ", count: 5000))
        try cli.write("b.txt", "beta")
        #expect(
            try cli.run(["sign", "--private-key-file", "dev.key", "--chunk-size", "4K", "a.txt", "b.txt"]).status == 0)
        let sha = try cli.run(["hash", "a.txt"]).out.prefix(64)

        let text = try cli.run(["show", "a.txt"])
        #expect(text.status == 0, "\(text.err)")
        for part in [
            "a.txt.provenance.json", "a.txt, 30,000 bytes, sha256 \(sha)",
            "\(devAddress) — signature and batch proof checked",
            "file 1 of 2 signed together", "8 of 4,096 bytes", "anchors   none recorded",
        ] {
            #expect(text.out.contains(part), "\(part): \(text.out)")
        }
        // The manifest named itself, in JSON: the same facts as fields.
        let json = try JSON.parse(try cli.run(["show", "--json", "b.txt.provenance.json"]).out)
        #expect(json["authentic"] == .bool(true) && json["signer"]?.stringValue == devAddress, "\(json)")
        #expect(json["batch"]?["files"]?.intValue == 2 && json["batch"]?["index"]?.intValue == 1, "\(json)")
        #expect(json["size"]?.intValue == 4 && json["anchors"]?.arrayValue?.isEmpty == true, "\(json)")

        // Another signer written into the manifest: still shown, called not authentic, exit 1.
        let path = cli.path("b.txt.provenance.json")
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: devAddress, with: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let forged = try cli.run(["show", "b.txt", "a.txt"])
        #expect(forged.status == 1, "\(forged.out)\(forged.err)")
        #expect(forged.out.contains("NOT AUTHENTIC") && forged.out.contains("signature.mismatch"), "\(forged.out)")
        #expect(forged.out.contains("a.txt, 30,000 bytes"), "the next manifest is still shown: \(forged.out)")
        let forgedJSON = try JSON.parse(String(try cli.run(["show", "--json", "b.txt"]).out))
        #expect(forgedJSON["authentic"] == .bool(false), "\(forgedJSON)")
        #expect(forgedJSON["problem"]?["code"]?.stringValue == "signature.mismatch", "\(forgedJSON)")

        // No manifest: one line on standard error, exit 2, the rest shown.
        let missing = try cli.run(["show", "nothere.bin", "a.txt"])
        #expect(missing.status == 2 && missing.out.contains("a.txt, 30,000 bytes"), "\(missing.out)")
        #expect(
            missing.err.split(separator: "\n").count == 1 && missing.err.contains("nothere.bin.provenance.json"),
            "\(missing.err)")
        #expect(try cli.run(["show"]).status == 2)
    }
}
