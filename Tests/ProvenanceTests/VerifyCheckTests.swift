import Foundation
import Testing

@testable import ProvenanceCore

/// `verify --check` (issue 25): a directory is a set, as `sha256sum -c` takes a list; by the real binary.
@Suite(.tags(.unit)) struct VerifyCheckTests {
    let devAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    @Test func aFileGoneFromASignedFolderIsMissing() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("dev.key", devKeyHex + "\n")
        try FileManager.default.createDirectory(atPath: cli.path("box/sub"), withIntermediateDirectories: true)
        for name in ["box/doc-01.bin", "box/doc-02.bin", "box/sub/doc-03.bin"] {
            try cli.write(name, "text of \(name)")
        }
        let signed = try cli.run(["sign", "--private-key-file", "dev.key", "--json", "box"])
        #expect(signed.status == 0, "\(signed.err)")
        // No media among them: no fingerprinting progress (a batch of text files told "0:00 of sound read").
        #expect(!signed.err.contains("fingerprinting"), "\(signed.err)")
        try FileManager.default.removeItem(atPath: cli.path("box/doc-02.bin"))
        try cli.write("box/sub/new.bin", "added after signing")
        let verify = ["verify", "--offline", "--signer", devAddress, "box"]

        // Without --check the gone file is not seen (what the archivist met).
        let plain = try cli.run(verify)
        #expect(!plain.out.contains("doc-02"), "\(plain.out)")

        let text = try cli.run(verify + ["--check"])
        #expect(text.status == 1, "\(text.out)\(text.err)")
        #expect(
            text.out.contains("box/doc-02.bin: MISSING — its manifest box/doc-02.bin.provenance.json is here"),
            "\(text.out)")
        #expect(text.out.contains("summary: 4 files — 2 verified, 1 no-manifest, 1 missing"), "\(text.out)")
        #expect(text.out.contains("1 file has no manifest beside it (extra): box/sub/new.bin"), "\(text.out)")

        let lines = try cli.run(verify + ["--check", "--json"]).out.split(separator: "\n").map {
            try JSON.parse(String($0))
        }
        let gone = try #require(lines.first { $0["status"]?.stringValue == "missing" })
        #expect(gone["path"]?.stringValue == "box/doc-02.bin", "\(gone)")
        #expect(gone["reasons"]?.arrayValue?.first?["code"]?.stringValue == "file.missing", "\(gone)")

        // Every file back, and the extra one signed: --check passes.
        try cli.write("box/doc-02.bin", "text of box/doc-02.bin")
        #expect(try cli.run(["sign", "--private-key-file", "dev.key", "box/sub/new.bin"]).status == 0)
        let whole = try cli.run(verify + ["--check"])
        #expect(whole.status == 0 && whole.out.contains("summary: 4 files — 4 verified"), "\(whole.out)")
        #expect(!whole.out.contains("extra"), "\(whole.out)")
    }
}
