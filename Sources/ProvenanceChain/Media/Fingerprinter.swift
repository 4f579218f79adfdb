import Foundation
import ProvenanceCore

/// Adds the sound's fingerprint to the digests of media files before they are signed (`sign`, `attest`).
/// Media is recognised by name; a file whose sound cannot be decoded is signed without a fingerprint and
/// the run says why (ffmpeg missing, no audio stream).
public struct Fingerprinter: Sendable {
    public static let mediaExtensions: Set<String> = [
        "wav", "wave", "mp3", "m4a", "mp4", "aac", "ogg", "oga", "opus", "flac", "webm", "mkv", "mov", "m4v",
    ]
    /// Containers whose picture is fingerprinted too (one without a video stream is signed without one).
    public static let videoExtensions: Set<String> = ["mp4", "webm", "mkv", "mov", "m4v"]
    public let decoder: AudioDecoder
    public let pictures: PictureDecoder

    public init(decoder: AudioDecoder = AudioDecoder(), pictures: PictureDecoder = PictureDecoder()) {
        self.decoder = decoder
        self.pictures = pictures
    }

    public static func isMedia(_ path: String) -> Bool {
        mediaExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// The fingerprint of a file's sound; nil with a reason when there is none.
    public func fingerprint(path: String) -> (AudioFingerprint?, skipped: String?) {
        guard Self.isMedia(path) else { return (nil, nil) }
        do {
            let audio = try decoder.decode(path: path)
            let f = AudioFingerprint(samples: audio.samples)
            return f.frames.isEmpty ? (nil, "\(path): shorter than one fingerprint frame") : (f, nil)
        } catch AudioDecoder.Failure.needsFFmpeg {
            return (nil, "ffmpeg")
        } catch AudioDecoder.Failure.noAudio(let why) {
            return (nil, "\(path): \(why)")
        } catch {
            return (nil, "\(path): \(error)")
        }
    }

    /// The fingerprint of a video's picture; nil for other files, files with no video stream, and without ffmpeg
    /// (the sound's note says ffmpeg is missing).
    public func picture(path: String) -> PictureFingerprint? {
        guard Self.videoExtensions.contains((path as NSString).pathExtension.lowercased()) else { return nil }
        guard let f = try? pictures.fingerprint(path: path), f.frames.count >= 2 else { return nil }
        return f
    }

    /// The digests with fingerprints added, on all cores, and what was skipped: one line for files that
    /// need ffmpeg when it is missing, one per file that has no decodable sound.
    public func apply(paths: [String], digests: [FileDigest]) -> (digests: [FileDigest], notes: [String]) {
        let results = ParallelMap.map(paths.count) { fingerprint(path: paths[$0]) }
        let pictures = ParallelMap.map(paths.count) { picture(path: paths[$0]) }
        var out = digests
        var notes: [String] = []
        var needFFmpeg = 0
        for (i, (f, skipped)) in results.enumerated() {
            out[i].audio = f
            out[i].picture = pictures[i]
            if skipped == "ffmpeg" {
                needFFmpeg += 1
            } else if let skipped {
                notes.append("fingerprint skipped: \(skipped)")
            }
        }
        if needFFmpeg > 0 {
            notes.append(
                "fingerprint skipped for \(needFFmpeg) file(s): ffmpeg is not on PATH (WAV is read without it); they are signed without one"
            )
        }
        return (out, notes)
    }
}
