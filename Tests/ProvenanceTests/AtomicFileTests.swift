import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Writing many manifests at once: each file is old or new, never torn; a failure before the renames
/// replaces nothing and leaves no temporary file behind.
@Suite(.tags(.unit)) struct AtomicFileTests {
    func names(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test func writeAllReplacesEveryFileOrNone() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sub = dir.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("a.json").path
        let b = sub.appendingPathComponent("b.json").path
        try Data("old a".utf8).write(to: URL(fileURLWithPath: a))
        try AtomicFile.writeAll([(a, Data("new a".utf8)), (b, Data("new b".utf8))], mode: 0o640)
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "new a")
        #expect(try String(contentsOfFile: b, encoding: .utf8) == "new b")
        var st = stat()
        #expect(stat(b, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(try names(dir) == ["a.json", "sub"] && names(sub) == ["b.json"])

        // The second target's directory does not exist: nothing is replaced, no temporary file is left.
        let missing = dir.appendingPathComponent("nowhere/c.json").path
        #expect(throws: ProvenanceError.self) {
            try AtomicFile.writeAll([(a, Data("newer a".utf8)), (missing, Data("c".utf8))])
        }
        #expect(try String(contentsOfFile: a, encoding: .utf8) == "new a")
        #expect(try names(dir) == ["a.json", "sub"])
    }
}
