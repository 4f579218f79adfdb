import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The shared, independent vectors beside the checkout. A missing file fails the test, never skips it.
enum Vectors {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["PROVENANCE_TESTVECTORS"] { return URL(fileURLWithPath: env) }
        // Tests/ProvenanceTests/TestSupport.swift → repo root → ../shared/testvectors
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared/testvectors")
    }()

    static func load(_ relative: String) throws -> JSON {
        let url = root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VectorMissing(path: url.path)
        }
        return try JSON.parse(data)
    }

    struct VectorMissing: Error, CustomStringConvertible {
        let path: String
        var description: String { "test vector missing: \(path) (../shared/testvectors must sit beside the checkout)" }
    }
}

/// The repository root, for fixtures and the built binary.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func hex(_ s: String) -> [UInt8] {
    guard let b = Hex.decode(s) else { fatalError("bad hex in test: \(s)") }
    return b
}

/// A fresh temporary directory, removed by the caller's defer.
func makeTempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("provenance-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs a command and returns its exit status and output. Output goes through temporary files,
/// so a chatty child never blocks on a full pipe.
/// Runs a program to completion and returns its exit status and output. It never hangs a test run:
/// after `timeout` seconds the program is killed (SIGKILL) and the status is 137.
func runTool(
    _ path: String, _ args: [String], stdin: Data? = nil, environment: [String: String]? = nil, cwd: URL? = nil,
    timeout: Double = 300
) throws -> (status: Int32, out: String, err: String) {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out")
    let errURL = dir.appendingPathComponent("err")
    let inURL = dir.appendingPathComponent("in")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let environment { p.environment = environment }
    if let cwd { p.currentDirectoryURL = cwd }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(10_000) }
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
    return (
        p.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
        String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
    )
}

func sha256sum(_ path: String) throws -> String {
    let r = try runTool("/usr/bin/sha256sum", [path])
    #expect(r.status == 0)
    return String(r.out.prefix(64))
}

extension Optional {
    func unwrap() throws -> Wrapped {
        guard let v = self else { throw ProvenanceError.input("unexpected nil") }
        return v
    }
}

/// a − b for 32-byte big-endian values with a ≥ b.
func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var borrow = 0
    for i in stride(from: 31, through: 0, by: -1) {
        var v = Int(a[i]) - Int(b[i]) - borrow
        borrow = v < 0 ? 1 : 0
        if v < 0 { v += 256 }
        out[i] = UInt8(v)
    }
    return out
}

/// A password (or other secret) from test text.
func secret(_ text: String) -> SecretBytes {
    var bytes = Array(text.utf8)
    return SecretBytes(wiping: &bytes)
}

/// The tiers of the suite (scripts/test --unit, --large, --devnet, --media, --package): every suite carries
/// exactly one.
extension Tag {
    /// No devnet, no generated media, no package build: logic, vectors and the binary run offline.
    @Tag static var unit: Self
    /// Hashes files of several GiB (sparse: no disk), seconds each: a tier of their own.
    @Tag static var large: Self
    /// Starts the py-evm devnet (and its proxies and web servers).
    @Tag static var devnet: Self
    /// Makes real media with espeak-ng, sox or ffmpeg at test time (and starts the devnet to attest it).
    @Tag static var media: Self
    /// Builds the release binary and the Debian package.
    @Tag static var package: Self
}
