import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// Same sound, different bytes: the fingerprint of a signed episode against re-encoded, resampled,
/// louder and re-worded clips of it (espeak-ng speech, ffmpeg variants made at test time).
@Suite(.serialized, .tags(.media)) final class SimilarSoundTests {
    let devnet: ChildServer
    var cli: CLI
    let devKey = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    static let first = "The council met on Tuesday to vote on the budget for the new bridge across the river."
    static let middle = "The engineers said that the work will begin in the spring and last for two years."
    static let reworded = "Nobody at the meeting could say when the work would start or what it would cost."
    static let last = "Teachers asked about the schools, and the hospital reported more patients after the storm."

    init() throws {
        (devnet, cli) = try deployedDevnet()
        let dir = cli.dir
        try Media.run(
            "espeak-ng",
            ["-v", "en-us", "-s", "160", "-w", "ep.wav", [Self.first, Self.middle, Self.last].joined(separator: " ")],
            in: dir)
        try Media.run(
            "ffmpeg", ["-loglevel", "error", "-y", "-i", "ep.wav", "-ar", "44100", "-b:a", "64k", "ep.mp3"], in: dir)
        try Media.run(
            "espeak-ng",
            [
                "-v", "en-us", "-s", "160", "-w", "edit.wav",
                [Self.first, Self.reworded, Self.last].joined(separator: " "),
            ], in: dir)
        // The platform's clip: AAC in MP4 at 44.1 kHz; another: Opus at 8 kHz mono, 6 dB louder.
        try Media.run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-ss", "2", "-t", "10", "-i", "ep.mp3", "-c:a", "aac", "-b:a", "96k",
                "clip.mp4",
            ], in: dir)
        try Media.run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-i", "ep.mp3", "-af", "volume=6dB", "-ar", "8000", "-c:a", "libopus",
                "-b:a", "24k", "loud.ogg",
            ], in: dir)
        try Media.run(
            "ffmpeg", ["-loglevel", "error", "-y", "-i", "edit.wav", "-c:a", "aac", "-b:a", "96k", "edit.m4a"], in: dir)
        try Media.run(
            "espeak-ng",
            [
                "-v", "en-gb", "-s", "150", "-w", "other.wav",
                "Completely different words about the weather, the market and the price of bread in the city today.",
            ], in: dir)
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    @Test func reEncodedClipsAreSimilarAndEditsAreLocated() throws {
        let attested = try cli.run(["attest", "--private-key-file", "dev.key", "ep.mp3"])
        try #require(attested.status == 0, "\(attested.err)")
        let manifest = try JSON.parse(try String(contentsOfFile: cli.path("ep.mp3.provenance.json"), encoding: .utf8))
        let fingerprint = try #require(manifest["file"]?["audio"]?["fingerprint"]?.stringValue)
        #expect(manifest["file"]?["details"]?["audioFingerprint"]?.stringValue?.count == 66)
        // At most 2 KiB a minute of sound.
        let seconds = Double(try #require(Data(base64Encoded: fingerprint)).count) / 32
        #expect(Double(try #require(Data(base64Encoded: fingerprint)).count) <= 2048 * max(seconds, 1) / 60 + 64)

        // On chain: the AAC clip is similar, placed where it was cut from (2 s in), exit 1.
        let clip = try cli.run(["verify", "--manifest", "ep.mp3.provenance.json", "--json", "clip.mp4"])
        #expect(clip.status == 1, "\(clip.out)\(clip.err)")
        let v = try JSON.parse(clip.out)
        #expect(v["status"]?.stringValue == "similar", "\(clip.out)")
        let matches = try #require(v["audio"]?["matches"]?.arrayValue)
        let matched = matches.reduce(0.0) { $0 + ($1["end"]!.doubleValue! - $1["start"]!.doubleValue!) }
        #expect(matched >= 9.5, "\(clip.out)")
        let offset = (matches.first?["originalStart"]?.doubleValue ?? -9) - (matches.first?["start"]?.doubleValue ?? 0)
        #expect(abs(offset - 2) <= 0.5, "offset \(offset)")
        let text = try cli.run(["verify", "--manifest", "ep.mp3.provenance.json", "clip.mp4"])
        #expect(text.out.contains("SIMILAR — 0:00–0:10 sounds like 0:02–0:12 of the original"), "\(text.out)")

        // Offline too, for an 8 kHz Opus copy 6 dB louder.
        let loud = try cli.run([
            "verify", "--offline", "--signer", devKey, "--manifest", "ep.mp3.provenance.json", "--json", "loud.ogg",
        ])
        #expect(try JSON.parse(loud.out)["status"]?.stringValue == "similar", "\(loud.out)")

        // One sentence re-worded in the same voice: the rest matches, the new sentence does not, and where
        // it is is said to within a second.
        let edit = try cli.run([
            "verify", "--offline", "--signer", devKey, "--manifest", "ep.mp3.provenance.json", "--json", "edit.m4a",
        ])
        let e = try JSON.parse(edit.out)
        #expect(e["status"]?.stringValue == "similar", "\(edit.out)")
        let gaps = try #require(e["audio"]?["unmatched"]?.arrayValue)
        let sentence = try sentenceBounds()
        #expect(
            gaps.contains {
                abs($0["start"]!.doubleValue! - sentence.start) <= 1 && abs($0["end"]!.doubleValue! - sentence.end) <= 1
            }, "unmatched \(gaps) against the re-worded sentence at \(sentence)")

        // Unrelated speech: not similar.
        let other = try cli.run([
            "verify", "--offline", "--signer", devKey, "--manifest", "ep.mp3.provenance.json", "--json", "other.wav",
        ])
        let o = try JSON.parse(other.out)
        #expect(
            o["status"]?.stringValue == "modified" && o["soundNote"]?.stringValue?.contains("does not match") == true)

        // Without ffmpeg: WAV is still compared, anything else says why it is not.
        let noFFmpeg = ["PATH": "/nonexistent"]
        let mp4 = try cli.run(
            ["verify", "--offline", "--signer", devKey, "--manifest", "ep.mp3.provenance.json", "clip.mp4"],
            env: noFFmpeg)
        #expect(mp4.status == 1 && mp4.out.contains("ffmpeg is not on PATH"), "\(mp4.out)")
        let signed = try cli.run(["sign", "--private-key-file", "dev.key", "--force", "clip.mp4"], env: noFFmpeg)
        #expect(signed.status == 0 && signed.err.contains("fingerprint skipped"), "\(signed.err)")
    }

    /// WAV is read without ffmpeg in every sample format the issue names; the same sound gives the same
    /// fingerprint whatever its format, rate or channel count.
    @Test func wavFormatsAreReadNatively() throws {
        let reference = AudioFingerprint(
            samples: try PCMAudio.wav(Media.bytes(cli.dir, "ep.wav")).resampled(to: 5512).samples)
        for (codec, extra) in [
            ("pcm_u8", [String]()), ("pcm_s24le", []), ("pcm_s32le", []), ("pcm_f32le", []), ("pcm_f64le", []),
            ("pcm_s16le", ["-ar", "48000", "-ac", "2"]), ("pcm_s24le", ["-ar", "44100", "-rf64", "never"]),
        ] {
            let name = "fmt-\(codec)-\(extra.count).wav"
            try Media.run(
                "ffmpeg", ["-loglevel", "error", "-y", "-i", "ep.wav", "-c:a", codec] + extra + [name], in: cli.dir)
            let audio = try AudioDecoder(ffmpeg: nil).decode(path: cli.path(name))
            let f = AudioFingerprint(samples: audio.samples)
            let n = min(f.frames.count, reference.frames.count)
            let errors = (0..<n).reduce(0) { $0 + (f.frames[$1] ^ reference.frames[$1]).nonzeroBitCount }
            #expect(abs(f.frames.count - reference.frames.count) <= 1, "\(name)")
            #expect(Double(errors) / Double(32 * n) < 0.1, "\(name): \(errors) of \(32 * n) bits differ")
        }
        #expect(throws: ProvenanceError.self) { try PCMAudio.wav(Array("RIFF\0\0\0\0WAVEjunk".utf8)) }
    }

    /// Where the re-worded sentence sits in the edited recording: from the end of the first sentence
    /// spoken alone to the end of the first two spoken alone (espeak-ng speaks a prefix identically).
    func sentenceBounds() throws -> (start: Double, end: Double) {
        try Media.run("espeak-ng", ["-v", "en-us", "-s", "160", "-w", "one.wav", Self.first], in: cli.dir)
        try Media.run(
            "espeak-ng", ["-v", "en-us", "-s", "160", "-w", "two.wav", Self.first + " " + Self.reworded], in: cli.dir)
        return (
            try PCMAudio.wav(Media.bytes(cli.dir, "one.wav")).seconds,
            try PCMAudio.wav(Media.bytes(cli.dir, "two.wav")).seconds
        )
    }
}
