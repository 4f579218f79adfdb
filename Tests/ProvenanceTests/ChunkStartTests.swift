import Foundation
import Testing

@testable import ProvenanceCore

/// Where a media file's chunk grid starts (FORMAT §2): after an MP3's ID3v2 tags and Xing frame, at an MP4's
/// `mdat` body; the same for a file read with pread and for a stream given in pieces of any size.
@Suite(.tags(.unit)) struct ChunkStartTests {
    /// An MPEG-1 layer III frame at 128 kbps, 44.1 kHz: 417 bytes.
    static func frame(_ fill: UInt8, info: Bool = false) -> [UInt8] {
        var f = [0xFF, 0xFB, 0x90, 0x00] + [UInt8](repeating: fill, count: 413)
        if info { f.replaceSubrange(36..<40, with: Array("Xing".utf8)) }
        return f
    }

    static func id3(body: Int, footer: Bool = false) -> [UInt8] {
        let size = (0..<4).map { UInt8((body >> (7 * (3 - $0))) & 0x7F) }
        return Array("ID3".utf8) + [4, 0, footer ? 0x10 : 0] + size + [UInt8](repeating: 0x20, count: body)
            + (footer ? Array("3DI".utf8) + [UInt8](repeating: 0, count: 7) : [])
    }

    static func start(_ bytes: [UInt8]) -> UInt64 { grid(bytes).start }

    static func grid(_ bytes: [UInt8]) -> ChunkStart.Grid {
        ChunkStart.of(size: UInt64(bytes.count)) { offset, count in
            guard offset < UInt64(bytes.count) else { return [] }
            return Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + count)])
        }
    }

    @Test func theGridStartsWhereTheSoundDoes() {
        let sound = (0..<40).flatMap { Self.frame(UInt8($0)) }
        let tag = Self.id3(body: 20_000)
        #expect(Self.start(tag + Self.frame(0, info: true) + sound) == UInt64(tag.count + 417))
        #expect(Self.start(tag + sound) == UInt64(tag.count))
        #expect(Self.start(Self.id3(body: 100, footer: true) + sound) == 120)
        #expect(Self.start(Self.frame(0, info: true) + sound) == 417)
        // Sound from the first byte, or not an MP3: the grid starts at 0.
        #expect(Self.start(sound) == 0)
        #expect(Self.start([UInt8](repeating: 7, count: 50_000)) == 0)
        // A tag followed by no frame (a header, but none after it), or a tag claiming more than the file.
        #expect(Self.start(tag + Array(Self.frame(0).prefix(100)) + [UInt8](repeating: 1, count: 900)) == 0)
        #expect(Self.start(Self.id3(body: 1 << 27).prefix(30_000).map { $0 }) == 0)
        // A tag above 16 MiB keeps the grid at 0 (a stream holds back at most that much).
        #expect(Self.start(Self.id3(body: 17 << 20) + sound) == 0)

        let (m4a, mdat) = MediaTimelineTests.m4a(sizes: [100, 200, 300])
        // The grid ends where mdat does: its sample tables (moov) follow.
        #expect(Self.grid(m4a) == ChunkStart.Grid(start: UInt64(mdat), end: UInt64(mdat + 600)))
        // mdat last (or running to the end): no end.
        let last = Array(m4a[0..<(mdat - 8)]) + MediaTimelineTests.box("mdat", [UInt8](repeating: 1, count: 600))
        #expect(Self.grid(last) == ChunkStart.Grid(start: UInt64(mdat)))
        let open = Array(m4a[0..<(mdat - 8)]) + [0, 0, 0, 0] + Array("mdat".utf8) + m4a[mdat...]
        #expect(Self.grid(open) == ChunkStart.Grid(start: UInt64(mdat)))
        // A box claiming more than the file ends the walk.
        let broken = Array(m4a[0..<16]) + MediaTimelineTests.be32(0x7FFF_FFFF) + Array("free".utf8) + m4a[16...]
        #expect(Self.start(broken) == 0)
    }

    /// The same bytes on disk and as a stream in pieces of 1, 5, 4,096 and 1 MiB bytes: the same grid and digests.
    @Test func aStreamFindsTheGridAFileHas() throws {
        var rng = SystemRandomNumberGenerator()
        let sound = (0..<400).flatMap { _ in Self.frame(UInt8.random(in: 0...255, using: &rng)) }
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in [
            ("tagged.mp3", Self.id3(body: 30_000) + Self.frame(0, info: true) + sound), ("plain.mp3", sound),
            ("song.m4a", MediaTimelineTests.m4a(sizes: [4000, 9000, 30000]).bytes),
        ] {
            let path = dir.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try FileHasher.hash(path: path, chunkSize: 4096)
            #expect(file.grid == Self.grid(bytes), "\(name)")
            #expect(file.chunks.count == Int(ChunkList.count(size: file.size, chunkSize: 4096, grid: file.grid)))
            let parallel = try #require(try? ParallelHasher.hash([.init(path: path, chunkSize: 4096)])[0].get())
            #expect(parallel == file, "\(name)")
            for piece in [1, 5, 4096, 1 << 20] {
                let stream = try StreamHasher(chunkSize: 4096)
                var at = 0
                while at < bytes.count {
                    let end = min(bytes.count, at + piece)
                    bytes[at..<end].withUnsafeBytes { stream.add($0) }
                    at = end
                }
                #expect(stream.finish() == file, "\(name) in pieces of \(piece)")
            }
            // Each chunk digest is the SHA-256 of the bytes the list says it covers.
            let list = ChunkList(
                size: file.size, chunkSize: 4096, grid: file.grid, digests: file.chunks, windows: file.windows)
            for c in file.chunks.indices {
                let from = Int(list.offset(of: c))
                #expect(
                    SHA256Hasher.hash(Array(bytes[from..<from + list.length(of: c)])) == file.chunks[c],
                    "\(name) chunk \(c)")
            }
        }
    }
}

extension ChunkStartTests {
    /// The signed member is checked: decimal, above 0, below the size; absent means a grid from 0.
    @Test func chunkStartIsChecked() throws {
        let base = ["size": "100000", "chunkSize": "8192", "chunkRoot": "0x" + String(repeating: "ab", count: 32)]
        #expect(try FileDetails(members: base).chunkStart == 0)
        #expect(try FileDetails(members: base.merging(["chunkStart": "417"]) { $1 }).chunkStart == 417)
        let huge = ["size": "99999999999", "chunkSize": "8192", "chunkRoot": base["chunkRoot"]!]
        #expect(throws: ProvenanceError.self) {
            try FileDetails(members: huge.merging(["chunkStart": "16777217"]) { $1 })
        }
        #expect(try FileDetails(members: huge.merging(["chunkStart": "16777216"]) { $1 }).chunkStart == 1 << 24)
        for bad in ["0", "100000", "100001", "0417", "-1", "4.5", " 417"] {
            #expect(throws: ProvenanceError.self, "\(bad)") {
                try FileDetails(members: base.merging(["chunkStart": bad]) { $1 })
            }
        }
        let g = { (start: UInt64, end: UInt64) in ChunkStart.Grid(start: start, end: end) }
        #expect(ChunkList.count(size: 100_000, chunkSize: 8192, grid: g(417, 0)) == 1 + 13)
        #expect(ChunkList.count(size: 8609, chunkSize: 8192, grid: g(417, 0)) == 2)
        #expect(ChunkList.count(size: 8610, chunkSize: 8192, grid: g(417, 0)) == 3)
        #expect(ChunkList.count(size: 100_000, chunkSize: 8192, grid: g(417, 99_000)) == 1 + 13 + 1)
        #expect(ChunkList.count(size: 100_000, chunkSize: 8192, grid: g(0, 8192)) == 1 + 12)
        let list = ChunkList(
            size: 100_000, chunkSize: 8192, grid: g(417, 90_000), digests: Array(repeating: [], count: 14),
            windows: Array(repeating: 0, count: 14))
        #expect(ChunkList.count(size: 100_000, chunkSize: 8192, grid: g(417, 90_000)) == 14)
        // After the sound's end the fixed grid goes on (a fragmented MP4's later fragments are searched too).
        #expect(list.offset(of: 12) == 90_000 && list.length(of: 12) == 8192)
        #expect(list.offset(of: 13) == 98_192 && list.length(of: 13) == 1808)
        #expect(list.offset(of: 11) == 417 + 10 * 8192 && list.length(of: 11) == 90_000 - (417 + 10 * 8192))
        #expect(throws: ProvenanceError.self) { try FileDetails(members: base.merging(["chunkEnd": "100000"]) { $1 }) }
        #expect(throws: ProvenanceError.self) {
            try FileDetails(members: base.merging(["chunkStart": "500", "chunkEnd": "500"]) { $1 })
        }
        #expect(try FileDetails(members: base.merging(["chunkEnd": "99000"]) { $1 }).grid == g(0, 99_000))
    }
}
