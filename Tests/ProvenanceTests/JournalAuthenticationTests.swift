import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The journal saves work; it never decides what is signed. Whoever can write the archive's directory
/// can write the journal, so a forged digest there must not be signed (before: a record with the
/// file's size and mtime was trusted, and the publisher signed the attacker's digest).
@Suite(.serialized, .tags(.devnet)) final class JournalAuthenticationTests {
    let devnet: ChildServer
    var cli: CLI

    init() throws {
        (devnet, cli) = try deployedDevnet()
        try FileManager.default.createDirectory(atPath: cli.path("archive"), withIntermediateDirectories: true)
        // Over 1 MiB: smaller files are not journaled (hashing them again costs what reading a record does).
        for i in 0..<3 {
            try cli.write(
                "archive/ep\(i).wav", "episode \(i) \(UUID())" + String(repeating: "-", count: 1_100_000), mode: 0o644)
        }
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    var journalPath: String { cli.path("archive/.provenance-journal.jsonl") }

    /// The run dies after hashing; someone rewrites ep1's digest in the journal (size, mtime, ctime and
    /// inode untouched). The resumed run must sign the file's real digest, and only that.
    @Test func forgedDigestIsNotSigned() throws {
        let killed = try cli.run(
            ["attest", "--private-key-file", "dev.key", "archive"], env: ["PROVENANCE_TEST_CRASH_AT": "after-hash"])
        try #require(killed.status == SIGKILL)
        var st = stat()
        #expect(stat(journalPath, &st) == 0 && st.st_mode & 0o777 == 0o600)
        let real = try sha256sum(cli.path("archive/ep1.wav"))
        let forged = String(repeating: "ab", count: 32)
        let text = try String(contentsOfFile: journalPath, encoding: .utf8)
        #expect(text.contains(real))
        try text.replacingOccurrences(of: real, with: forged).write(
            toFile: journalPath, atomically: false, encoding: .utf8)

        let resumed = try cli.run(["attest", "--private-key-file", "dev.key", "--json", "archive"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains(real) && !resumed.out.contains(forged), "\(resumed.out)")
        let v = try cli.run(["verify", "--json", "archive/ep1.wav"])
        #expect(v.status == 0 && v.out.contains(real))
        let m = try Manifest.read(path: cli.path("archive/ep1.wav.provenance.json"))
        #expect(Hex.encode(m.sha256) == real)
    }

    /// A journal that is a symbolic link is refused, not followed.
    @Test func linkedJournalIsRefused() throws {
        try FileManager.default.createSymbolicLink(atPath: journalPath, withDestinationPath: "/dev/zero")
        let r = try cli.run(["attest", "--private-key-file", "dev.key", "archive"])
        #expect(r.status == 2 && r.err.contains("journal"), "\(r.err)")
    }

    /// The journal is read a block at a time (4 MiB): records that span blocks are read whole, a line too
    /// long to index (16 MiB or more) is passed over without being held, and what follows it still counts.
    @Test func journalIsReadInBlocks() throws {
        let path = cli.path("blocks.jsonl")
        var text = ""
        var sent: [String] = []
        for i in 0..<3000 {
            let raw = "0x" + String(repeating: String(format: "%02x", i % 251), count: 1000)
            let hash = "0x" + String(format: "%064x", i)
            text += #"{"t":"sent","hash":"\#(hash)","raw":"\#(raw)"}"# + "\n"
            if i % 3 == 0 { text += #"{"t":"mined","hash":"\#(hash)","block":1}"# + "\n" } else { sent.append(raw) }
            if i == 1500 { text += "{" + String(repeating: "x", count: 17 << 20) + "\n" }
        }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(text.utf8.count > 20 << 20)
        let journal = try Journal(path: path)
        #expect(journal.unsettled.map { Hex.encode($0, prefix: true) } == sent)
    }
}
