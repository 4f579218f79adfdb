import Foundation
import Testing

@testable import ProvenanceCore

/// Real media made at test time by espeak-ng and ffmpeg (Debian packages scripts/test installs): speech
/// encoded as a 64 kbps MP3, as a podcast host serves it. A missing tool fails the test; it never skips.
enum Media {
    static func tool(_ name: String) throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw ProvenanceError.input("\(name) is not installed (scripts/test installs it: apt-get install \(name))")
    }

    static func run(_ name: String, _ args: [String], in dir: URL) throws {
        let r = try runTool(try tool(name), args, cwd: dir, timeout: 120)
        guard r.status == 0 else { throw ProvenanceError.input("\(name) \(args.joined(separator: " ")): \(r.err)") }
    }

    /// Sentences of the given count, deterministic per seed, so every episode is different speech.
    static func script(sentences: Int, seed: Int) -> String {
        let words = """
            the council voted on the budget for the new bridge across the river while teachers asked about \
            schools and the hospital reported more patients in the evening after the storm reached the city \
            market prices rose and the station closed early for repairs to the old signal box near the garden
            """.split(separator: " ")
        var s = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            s ^= s << 13
            s ^= s >> 7
            s ^= s << 17
            return Int(s % UInt64(words.count))
        }
        return (0..<sentences).map { _ in
            (0..<(6 + next() % 8)).map { _ in String(words[next()]) }.joined(separator: " ") + "."
        }
        .joined(separator: " ")
    }

    /// NAME.mp3: speech (about 2.5 s a sentence) at 64 kbps, 44.1 kHz mono, as podcasts are published.
    static func episode(_ name: String, sentences: Int, seed: Int, voice: String = "en-us", in dir: URL) throws {
        try run(
            "espeak-ng", ["-v", voice, "-s", "165", "-w", "\(name).wav", script(sentences: sentences, seed: seed)],
            in: dir)
        try run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-i", "\(name).wav", "-ar", "44100", "-codec:a", "libmp3lame", "-b:a",
                "64k",
                "\(name).mp3",
            ], in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("\(name).wav"))
    }

    /// NAME.mp3: sentences with 1.5 s of digital silence between them (as real podcasts have between segments),
    /// at this bitrate and channel count, 44.1 kHz.
    static func spacedEpisode(
        _ name: String, sentences: Int, seed: Int, voice: String = "en-us", kbps: Int, channels: Int, in dir: URL
    ) throws {
        let text = script(sentences: sentences, seed: seed).split(separator: ".").map { "\($0)." }
            .joined(separator: "<break time=\"1500ms\"/>")
        try run("espeak-ng", ["-m", "-v", voice, "-s", "165", "-w", "\(name).wav", "<speak>\(text)</speak>"], in: dir)
        try run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-i", "\(name).wav", "-ac", String(channels), "-ar", "44100", "-codec:a",
                "libmp3lame", "-b:a", "\(kbps)k", "\(name).mp3",
            ], in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("\(name).wav"))
    }

    /// OUT.mp3: the episode cut at `cuts` (seconds; 0 a pre-roll, past the end a post-roll) with `ads[k]` after
    /// cut k, by ffmpeg's concat demuxer without re-encoding, as a DAI server stitches.
    static func stitch(_ episode: String, ads: [String], at cuts: [Double], into out: String, in dir: URL) throws {
        var lines: [String] = []
        var start = 0.0
        for (k, t) in cuts.enumerated() {
            if t > start {
                lines += ["file '\(episode).mp3'"] + (start > 0 ? ["inpoint \(start)"] : []) + ["outpoint \(t)"]
            }
            lines.append("file '\(ads[k]).mp3'")
            start = t
        }
        lines += ["file '\(episode).mp3'"] + (start > 0 ? ["inpoint \(start)"] : [])
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("\(out).txt"))
        try run(
            "ffmpeg",
            ["-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", "\(out).txt", "-c", "copy", "\(out).mp3"],
            in: dir)
    }

    /// An MP4's sound duration, from its sample tables (MP4Timeline, the tool's own reading).
    static func probeDuration(_ dir: URL, _ name: String) throws -> Double {
        let t = MediaTimeline()
        let bytes = try Media.bytes(dir, name)
        bytes.withUnsafeBytes { t.add($0) }
        t.finish(size: UInt64(bytes.count))
        return t.mp4.times.last ?? 0
    }

    /// An MP3's duration, from its frames (MP3Timeline, the tool's own reading).
    static func duration(_ dir: URL, _ name: String) throws -> Double {
        let t = MP3Timeline()
        let bytes = try Media.bytes(dir, name)
        bytes.withUnsafeBytes { t.add($0) }
        t.finish(size: UInt64(bytes.count))
        return t.times.last ?? 0
    }

    /// OUT.mp3: EPISODE with AD inserted at `seconds`, without re-encoding (ffmpeg's concat demuxer, frame
    /// boundaries), as dynamic ad insertion does.
    static func stitch(_ episode: String, ad: String, at seconds: Int, into out: String, in dir: URL) throws {
        let list =
            "file '\(episode).mp3'\noutpoint \(seconds)\nfile '\(ad).mp3'\nfile '\(episode).mp3'\ninpoint \(seconds)\n"
        try Data(list.utf8).write(to: dir.appendingPathComponent("\(out).txt"))
        try run(
            "ffmpeg",
            ["-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", "\(out).txt", "-c", "copy", "\(out).mp3"],
            in: dir)
    }

    /// OUT.mp3: `length` seconds of EPISODE from `start`, cut without re-encoding (-c copy).
    static func excerpt(_ episode: String, from start: Double, length: Double, into out: String, in dir: URL) throws {
        try run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-ss", String(start), "-t", String(length), "-i", "\(episode).mp3", "-c",
                "copy",
                "\(out).mp3",
            ], in: dir)
    }

    /// Where `needle` (some bytes from the middle of a piece) first occurs in `haystack`: the ground truth
    /// the tool's answers are checked against.
    static func offset(of needle: ArraySlice<UInt8>, in haystack: [UInt8]) -> Int? {
        let n = Array(needle)
        guard let first = n.first, haystack.count >= n.count else { return nil }
        var i = 0
        while i <= haystack.count - n.count {
            if haystack[i] == first && haystack[i..<i + n.count].elementsEqual(n) { return i }
            i += 1
        }
        return nil
    }

    static func bytes(_ dir: URL, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
    }
}
