import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The shared, independent vectors beside the checkout. A missing file fails the test, never skips it.
enum Vectors {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["PROVENANCE_TESTVECTORS"] { return URL(fileURLWithPath: env) }
        // Tests/ProvenanceKitTests/TestSupport.swift → repo root → ../shared/testvectors
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
