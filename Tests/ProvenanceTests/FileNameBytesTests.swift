import Foundation
import Testing

@testable import ProvenanceCore

/// File names are bytes: names that are not UTF-8 (Latin-1, a cut multi-byte name) and names holding the
/// characters FSPath carries raw bytes as are hashed, signed and verified exactly, never skipped; sums come
/// out byte for byte as sha256sum prints them, verdict lines escape the bytes (\xHH).
@Suite(.tags(.unit)) struct FileNameBytesTests {
    /// Creates a file whose name is these bytes, in `dir`.
    func create(_ dir: URL, _ name: [UInt8], _ text: String) throws {
        let path = Array(dir.path.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = path.withUnsafeBufferPointer {
            $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: path.count) {
                Glibc.open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            }
        }
        try #require(fd >= 0)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    @Test func namesThatAreNotUTF8() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        try cli.write("k", devKeyHex)
        let box = cli.dir.appendingPathComponent("box")
        try FileManager.default.createDirectory(at: box, withIntermediateDirectories: true)
        try create(box, Array("bad".utf8) + [0xff] + Array("name.wav".utf8), "one")
        try create(box, Array("latin-".utf8) + [0xe9] + Array(".wav".utf8), "two")
        try create(box, Array("cut-".utf8) + [0xe2, 0x82] + Array(".wav".utf8), "three")
        try create(box, Array("pua-".utf8) + [0xf4, 0x8f, 0xbd, 0x81] + Array(".wav".utf8), "four")
        try create(box, Array("plain.wav".utf8), "five")

        // The sums, byte for byte, are sha256sum's (names in byte order), and sha256sum -c reads them back.
        let script = """
            set -e; cd "$1"; export LC_ALL=C
            "$2" hash box > ours; sha256sum box/* > theirs; cmp ours theirs; sha256sum -c --quiet ours
            """
        let sums = try runTool("/bin/bash", ["-c", script, "bash", cli.dir.path, try provenanceBinary()])
        #expect(sums.status == 0, "\(sums.out)\(sums.err)")

        let signed = try cli.run(["sign", "--private-key-file", "k", "box"])
        #expect(signed.status == 0 && signed.out.contains("5 files"), "\(signed.out)\(signed.err)")
        let verified = try cli.run([
            "verify", "--offline", "--signer", try PrivateKey(hex: devKeyHex).address.checksummed, "box",
        ])
        #expect(verified.status == 0 && verified.out.contains("5 files — 5 verified"), "\(verified.out)\(verified.err)")
        #expect(verified.out.contains("box/bad\\xffname.wav: verified"), "\(verified.out)")
        #expect(verified.out.contains("box/cut-\\xe2\\x82.wav: verified"), "\(verified.out)")
        #expect(verified.out.contains("box/pua-\\xf4\\x8f\\xbd\\x81.wav: verified"), "\(verified.out)")
    }

    /// The encoding is exact both ways on any bytes.
    @Test func roundTripsAnyBytes() throws {
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<24)
            let bytes = (0..<n).map { _ in UInt8.random(in: 1...255) }
            #expect(FSPath.encode(FSPath.decode(bytes)) == bytes, "\(bytes)")
        }
        #expect(FSPath.decode(Array("plain/é.wav".utf8)) == "plain/é.wav")
    }
}
