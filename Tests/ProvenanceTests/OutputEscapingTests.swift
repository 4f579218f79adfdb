import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// A file name is outside text: one holding a newline and a fake verdict, or terminal escape
/// sequences, must not be able to forge a verdict line or drive the terminal.
@Suite(.tags(.unit)) struct OutputEscapingTests {
    @Test func fileNamesCannotForgeVerdictLines() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        let forged = "x\nclip.wav: verified — 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        let escape = "y\u{1b}[2K\u{1b}[1Agood.wav"
        let bidi = "z\u{202e}vaw.exe"
        for name in [forged, escape, bidi] { try cli.write(name, "not what was signed", mode: 0o644) }
        let r = try cli.run(["verify", "--offline", forged, escape, bidi])
        #expect(r.status == 1)
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().dropLast()
        #expect(lines.count == 3 && r.out.hasSuffix("summary: 3 files — 3 no-manifest\n"), "\(r.out)")
        #expect(!r.out.contains("\u{1b}") && !r.out.contains("\u{202e}"))
        #expect(lines.allSatisfy { $0.contains("no-manifest") })
        #expect(r.out.contains(#"x\nclip.wav"#) && r.out.contains(#"y\u{1b}[2K"#))
        // Errors quoting a name stay on one line too.
        let missing = try cli.run(["verify", "--offline", "gone\nclip.wav: verified"])
        #expect(missing.out.split(separator: "\n").count + missing.err.split(separator: "\n").count == 1)
        #expect(Display.safe("plain/path name.wav") == "plain/path name.wav")
    }
}
