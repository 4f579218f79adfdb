import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The built `provenance` binary (scripts/test builds it first). Missing is a failure, not a skip.
func provenanceBinary() throws -> String {
    let path =
        ProcessInfo.processInfo.environment["PROVENANCE_BIN"]
        ?? repoRoot.appendingPathComponent(".build/debug/provenance").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw ProvenanceError.input("provenance binary not found at \(path); run swift build first")
    }
    return path
}

/// The development venv's Python with eth-account (scripts/test creates it). Missing is a failure.
func interopPython() throws -> String {
    let path =
        ProcessInfo.processInfo.environment["PROVENANCE_PYTHON"]
        ?? repoRoot.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw ProvenanceError.input(
            "python with eth-account not found at \(path); run scripts/test, which creates .venv")
    }
    return path
}

/// Runs the eth-account helper; returns its stdout.
func ethAccount(_ args: [String], stdin: Data? = nil, password: String? = nil) throws -> String {
    var env = ProcessInfo.processInfo.environment
    if let password { env["CHECK_PASSWORD"] = password }
    let r = try runTool(
        try interopPython(), [repoRoot.appendingPathComponent("Tests/interop/eth_account_check.py").path] + args,
        stdin: stdin, environment: env)
    guard r.status == 0 else { throw ProvenanceError.input("eth_account_check \(args.first ?? "") failed: \(r.err)") }
    return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Runs the CLI in a directory with a controlled environment (no inherited secrets).
struct CLI {
    let dir: URL
    var environment: [String: String]
    /// Everything the binary printed, for the secrets check.
    private(set) var transcript = ""

    /// - Parameter trustingDevKey: whether the trust list (~/.config/provenance/trusted-signers in the
    ///   temporary home) starts with the devnet's development key, which most tests sign with. Tests of
    ///   trust itself start with an empty list.
    init(dir: URL, trustingDevKey: Bool = true) {
        self.dir = dir
        environment = [
            "PATH": "/usr/bin:/bin", "HOME": dir.path,
            "PROVENANCE_HOME": dir.appendingPathComponent(".provenance").path,
        ]
        if trustingDevKey {
            let config = dir.appendingPathComponent(".config/provenance")
            try? FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            try? Data("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  # the devnet's development key\n".utf8).write(
                to: config.appendingPathComponent("trusted-signers"))
        }
    }

    @discardableResult
    mutating func run(_ args: [String], stdin: Data? = nil, env extra: [String: String] = [:]) throws -> (
        status: Int32, out: String, err: String
    ) {
        let r = try runTool(
            try provenanceBinary(), args, stdin: stdin, environment: environment.merging(extra) { $1 }, cwd: dir)
        transcript += r.out + r.err
        return r
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String, mode: Int = 0o600) throws {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path(name))
    }

    func copyFixtures() throws -> [String] {
        let names = ["speech.wav", "speech.mp3", "clip.mp4"]
        for n in names {
            try FileManager.default.copyItem(
                at: repoRoot.appendingPathComponent("fixtures/\(n)"), to: dir.appendingPathComponent(n))
        }
        return names
    }
}

/// The verdict lines of `verify`'s text output: without the summary line a run of several files ends with.
func verdictLines(_ out: String) -> [Substring] {
    out.split(separator: "\n").filter { !$0.hasPrefix("summary") }
}
