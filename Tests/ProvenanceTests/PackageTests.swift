import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The Debian package, built by scripts/package, installed by dpkg into a fresh root, run from outside
/// the source tree with no Swift on PATH: what a user without a toolchain gets.
@Suite(.serialized, .tags(.package)) struct PackageTests {
    /// Built and installed once for the suite (a static release build takes a minute).
    static let fixture = Result { try InstalledPackage() }

    var work: URL { get throws { try Self.fixture.get().work } }
    var root: URL { get throws { try Self.fixture.get().root } }
    var deb: String { get throws { try Self.fixture.get().deb } }

    /// Runs the installed binary with a bare environment: no Swift on PATH, a home outside the repo.
    func installed(_ args: [String], in dir: URL) throws -> (status: Int32, out: String, err: String) {
        try runTool(
            try root.appendingPathComponent("usr/bin/provenance").path, args,
            environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path], cwd: dir)
    }

    @Test func dependsOnlyOnSystemLibraries() throws {
        let depends = try runTool("/usr/bin/dpkg-deb", ["-f", try deb, "Depends"]).out
        #expect(depends.contains("libssl3") && depends.contains("libcurl4"), "\(depends)")
        #expect(!depends.lowercased().contains("swift"))
        let ldd = try runTool("/usr/bin/ldd", [try root.appendingPathComponent("usr/bin/provenance").path]).out
        #expect(!ldd.contains("libswift") && !ldd.contains("not found"), "\(ldd)")
        #expect(try runTool("/usr/bin/env", ["PATH=/usr/bin:/bin", "sh", "-c", "command -v swift"]).status != 0)
    }

    @Test func installedToolHashesSignsAndVerifies() throws {
        let dir = try work.appendingPathComponent("user")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let names = ["speech.wav", "speech.mp3", "clip.mp4"]
        for n in names {
            try FileManager.default.copyItem(
                at: repoRoot.appendingPathComponent("fixtures/\(n)"), to: dir.appendingPathComponent(n))
        }
        let version = try installed(["--version"], in: dir)
        #expect(version.status == 0 && version.out.hasPrefix("provenance "))
        let hashed = try installed(["hash"] + names, in: dir)
        let reference = try runTool("/usr/bin/sha256sum", names, cwd: dir)
        #expect(hashed.status == 0 && hashed.out == reference.out)
        try Data((devKeyHex + "\n").utf8).write(to: dir.appendingPathComponent("k"))
        #expect(chmod(dir.appendingPathComponent("k").path, 0o600) == 0)
        #expect(try installed(["sign", "--private-key-file", "k"] + names, in: dir).status == 0)
        let verified = try installed(
            ["verify", "--offline", "--signer", try PrivateKey(hex: devKeyHex).address.checksummed] + names, in: dir)
        #expect(verified.status == 0 && verified.out.split(separator: "\n").allSatisfy { $0.contains("verified") })
    }

    @Test func manPageAndCompletionsAreInstalled() throws {
        let man = try root.appendingPathComponent("usr/share/man/man1/provenance.1.gz").path
        let rendered = try runTool("/bin/sh", ["-c", "zcat '\(man)' | groff -man -Tutf8 -ww 2>&1 >/dev/null"])
        #expect(rendered.status == 0 && rendered.out.isEmpty, "groff warnings: \(rendered.out)")
        let text = try runTool("/bin/sh", ["-c", "zcat '\(man)'"]).out
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] { #expect(text.contains(".SH \(section)")) }
        for c in ProvenanceTool.commands { #expect(text.contains("provenance \(c.name)")) }
        let bash = try root.appendingPathComponent("usr/share/bash-completion/completions/provenance").path
        #expect(try runTool("/bin/bash", ["-n", bash]).status == 0)
        for path in ["usr/share/zsh/site-functions/_provenance", "usr/share/fish/vendor_completions.d/provenance.fish"]
        {
            #expect(FileManager.default.fileExists(atPath: try root.appendingPathComponent(path).path))
        }
    }
}

/// scripts/package's output installed by dpkg into a fresh root. It lives under the static build's
/// directory (ignored by git), replaced on every run, so a test run leaves no 60 MB copies behind.
final class InstalledPackage: @unchecked Sendable {
    let work: URL
    let root: URL
    let deb: String

    init() throws {
        work = repoRoot.appendingPathComponent(".build-static/package-test")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        func requireOK(_ ok: Bool, _ why: @autoclosure () -> String) throws {
            guard ok else { throw ProvenanceError.input("package set-up failed: \(why())") }
        }
        root = work.appendingPathComponent("root")
        let built = try runTool(
            repoRoot.appendingPathComponent("scripts/package").path, [work.appendingPathComponent("out").path],
            timeout: 3600)
        try requireOK(built.status == 0, built.err)
        try requireOK(built.status == 0 && !built.out.isEmpty, "no package path printed")
        deb = String(built.out.split(separator: "\n").last ?? "")
        // A fresh dpkg database in an empty root: dpkg installs the package there as on a new machine.
        for dir in ["var/lib/dpkg/info", "var/lib/dpkg/updates"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try requireOK(
            FileManager.default.createFile(
                atPath: root.appendingPathComponent("var/lib/dpkg/status").path, contents: nil), "dpkg status")
        // --force-depends: the runtime libraries are this machine's, not copied into the empty root.
        let installed = try runTool(
            "/usr/bin/dpkg", ["--root=\(root.path)", "--force-depends", "--force-not-root", "-i", deb])
        try requireOK(installed.status == 0, installed.err)
    }
}
