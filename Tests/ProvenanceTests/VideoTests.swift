import Foundation
import Testing

@testable import ProvenanceCore

/// The picture is evidence too (issue 24): a signed video's clips, re-encoded honestly or with the picture, a
/// region of it or the sound replaced, made by ffmpeg and espeak-ng at test time and verified by the binary.
@Suite(.serialized, .tags(.media)) final class VideoTests {
    var cli: CLI
    let devKey = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    init() throws {
        cli = CLI(dir: try makeTempDir())
        try cli.write("dev.key", devKeyHex + "\n")
        try Self.video("town", seed: 3, sierpinski: (60, 40), in: cli.dir)
        try Self.video("other", seed: 8, sierpinski: (380, 150), in: cli.dir)
        let ff = { (args: [String]) in try Media.run("ffmpeg", ["-loglevel", "error", "-y"] + args, in: self.cli.dir) }
        // Honest: 10 s from 0:06, scaled to a quarter, CRF 30.
        try ff(["-ss", "6", "-i", "town.mp4", "-t", "10", "-vf", "scale=320:180", "-crf", "30", "honest.mp4"])
        // The original's sound under another picture.
        try ff([
            "-ss", "6", "-i", "other.mp4", "-ss", "6", "-i", "town.mp4", "-t", "10", "-map", "0:v", "-map", "1:a",
            "swapped.mp4",
        ])
        // A region of 12% of the frame (x 0.55-0.85, y 0.2-0.6) from the other video, 0:03-0:07 of the clip.
        try ff([
            "-ss", "6", "-i", "town.mp4", "-ss", "6", "-i", "other.mp4", "-t", "10", "-filter_complex",
            "[1:v]crop=192:144:352:72[p];[0:v][p]overlay=x=352:y=72:enable='between(t,3,7)'[v]", "-map", "[v]",
            "-map", "0:a", "region.mp4",
        ])
        // Another voice saying other words under the original picture.
        try Media.run(
            "espeak-ng", ["-v", "en-gb", "-w", "voice.wav", Media.script(sentences: 5, seed: 99)], in: cli.dir)
        try ff([
            "-ss", "6", "-i", "town.mp4", "-i", "voice.wav", "-t", "10", "-map", "0:v", "-map", "1:a", "dubbed.mp4",
        ])
        // The original's sound alone, as an older, audio-only signing would have it.
        try ff(["-i", "town.mp4", "-vn", "-c:a", "copy", "town.m4a"])
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    /// NAME.mp4: 24 s of 640×360 H.264 with AAC speech: a moving colour field, a fractal and a patch of `life`
    /// (placed by `sierpinski`), and a caption.
    static func video(_ name: String, seed: Int, sierpinski at: (Int, Int), in dir: URL) throws {
        try Media.run(
            "espeak-ng", ["-v", "en-us", "-w", "\(name).wav", Media.script(sentences: 9, seed: seed)], in: dir)
        let graph =
            "[0:v][1:v]overlay=x='\(at.0)+60*sin(t/2)':y='\(at.1)+20*cos(t/3)'[a];"
            + "[a][2:v]overlay=x='\(460 - at.0 / 2)+30*sin(t/4)':y=\(200 - at.1 / 2)[b];"
            + "[b]drawbox=x=0:y=295:w=640:h=47:color=black@0.7:t=fill,"
            + "drawtext=text='\(name) meeting on the bridge':fontcolor=white:fontsize=24:x=20:y=306[v]"
        try Media.run(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "gradients=size=640x360:rate=25:speed=0.015:seed=\(seed)",
                "-f", "lavfi", "-i", "sierpinski=size=180x180:rate=25:seed=\(seed)", "-f", "lavfi", "-i",
                "life=size=50x50:rate=25:seed=\(seed):mold=10,scale=120:120", "-i", "\(name).wav",
                "-filter_complex", graph, "-map", "[v]", "-map", "3:a", "-t", "24", "-c:v", "libx264", "-preset",
                "veryfast", "-crf", "20", "-c:a", "aac", "\(name).mp4",
            ], in: dir)
    }

    func verify(_ copy: String, manifest: String = "town.mp4.provenance.json") throws -> (Int32, JSON, String) {
        let r = try cli.run(["verify", "--offline", "--signer", devKey, "--manifest", manifest, "--json", copy])
        let text = try cli.run(["verify", "--offline", "--signer", devKey, "--manifest", manifest, copy])
        return (r.status, try JSON.parse(r.out), text.out)
    }

    @Test func thePictureIsCheckedBesideTheSound() throws {
        let signed = try cli.run(["sign", "--private-key-file", "dev.key", "--json", "town.mp4"])
        try #require(signed.status == 0, "\(signed.err)")
        // Progress while fingerprinting (JSON lines on standard error with --json): the last says the one file
        // is done, with its 24 s of sound and of picture read.
        let told = signed.err.split(separator: "\n").filter { $0.contains("\"fingerprinting\"") }
        let last = try JSON.parse(String(try #require(told.last, "\(signed.err)").dropFirst("provenance: ".count)))
        #expect(last["files"]?.doubleValue == 1 && last["of"]?.doubleValue == 1, "\(last)")
        for track in ["soundSeconds", "pictureSeconds"] {
            #expect(abs((last[track]?.doubleValue ?? 0) - 24) <= 0.5, "\(track): \(last)")
        }
        let manifest = try JSON.parse(try String(contentsOfFile: cli.path("town.mp4.provenance.json"), encoding: .utf8))
        let picture = try #require(manifest["file"]?["picture"]?["fingerprint"]?.stringValue)
        #expect(manifest["file"]?["details"]?["pictureFingerprint"]?.stringValue?.count == 66)
        // 34 bytes a frame, 2 frames a second: at most 4 KiB a minute.
        let bytes = try #require(Data(base64Encoded: picture)).count
        #expect(bytes == 48 * 34, "\(bytes) bytes for 24 s")

        // The honest re-encode: similar, its picture placed 6 s into the original, all of it.
        let (status, honest, text) = try verify("honest.mp4")
        #expect(status == 1 && honest["status"]?.stringValue == "similar", "\(honest)")
        let matches = try #require(honest["picture"]?["matches"]?.arrayValue)
        let seen = matches.reduce(0.0) { $0 + $1["end"]!.doubleValue! - $1["start"]!.doubleValue! }
        #expect(seen >= 9.5, "\(matches)")
        for m in matches {
            #expect(abs(m["originalStart"]!.doubleValue! - m["start"]!.doubleValue! - 6) <= 0.5, "\(m)")
        }
        #expect(honest["picture"]?["regions"]?.arrayValue?.isEmpty == true, "\(honest)")
        #expect(text.contains("SIMILAR — ") && text.contains("its picture matches too"), "\(text)")

        // The same copy with one of the original's chunks after it (as a muxer's identical trailing tag matched
        // the original's last chunk): a few proven bytes do not stop the sound and picture being compared.
        let original = try Data(contentsOf: cli.dir.appendingPathComponent("town.mp4"))
        let chunk = Int(manifest["file"]?["details"]?["chunkSize"]?.stringValue ?? "") ?? 0
        var tailed = try Data(contentsOf: cli.dir.appendingPathComponent("honest.mp4"))
        tailed.append(original[(5 * chunk)..<(6 * chunk)])
        try tailed.write(to: cli.dir.appendingPathComponent("tailed.mp4"))
        let (s1, t1json, _) = try verify("tailed.mp4")
        #expect(s1 == 1 && t1json["status"]?.stringValue == "similar", "\(t1json)")

        // The sound kept under another picture: altered, the picture unmatched where the sound matches.
        let (s2, swapped, t2) = try verify("swapped.mp4")
        #expect(s2 == 1 && swapped["status"]?.stringValue == "altered", "\(swapped)")
        let codes = swapped["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(codes.contains("picture.unmatched") && codes.contains("sound.matches"), "\(codes)")
        #expect(t2.contains("ALTERED — ") && t2.contains("but the picture does not match from"), "\(t2)")

        // A region replaced for 4 s: altered, the region found where and when it was.
        let (s3, region, t3) = try verify("region.mp4")
        #expect(s3 == 1 && region["status"]?.stringValue == "altered", "\(region)")
        let regions = try #require(region["picture"]?["regions"]?.arrayValue)
        #expect(
            regions.contains { r in
                let (x, y) = (r["x"]!.doubleValue!, r["y"]!.doubleValue!)
                let (w, h) = (r["w"]!.doubleValue!, r["h"]!.doubleValue!)
                return abs(r["start"]!.doubleValue! - 3) <= 1 && abs(r["end"]!.doubleValue! - 7) <= 1
                    && (x...(x + w)).contains(0.7) && (y...(y + h)).contains(0.4)
            }, "\(regions)")
        #expect(t3.contains("a region of the picture differs from"), "\(t3)")

        // Another voice under the original picture: altered, the sound unmatched where the picture matches.
        let (s4, dubbed, _) = try verify("dubbed.mp4")
        #expect(s4 == 1 && dubbed["status"]?.stringValue == "altered", "\(dubbed)")
        let dubbedCodes = dubbed["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(dubbedCodes.contains("sound.unmatched") && dubbedCodes.contains("picture.matches"), "\(dubbedCodes)")
    }

    /// A manifest with no picture fingerprint (audio only, or signed before) says the picture was not checked.
    @Test func aPictureNotFingerprintedIsSaidSo() throws {
        let signed = try cli.run(["sign", "--private-key-file", "dev.key", "town.m4a"])
        try #require(signed.status == 0, "\(signed.err)")
        let (status, v, text) = try verify("honest.mp4", manifest: "town.m4a.provenance.json")
        #expect(status == 1 && v["status"]?.stringValue == "similar", "\(v)")
        #expect(v["pictureNote"]?.stringValue?.contains("no picture fingerprint") == true, "\(v)")
        #expect(text.contains("the picture was not checked: the original's manifest has no picture fingerprint"))
    }
}
