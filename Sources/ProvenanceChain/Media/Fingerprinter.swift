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
    /// Told as fingerprinting goes (from the threads doing it; a reporter throttles it).
    public var progress: (@Sendable (FingerprintProgress) -> Void)?

    public init(decoder: AudioDecoder = AudioDecoder(), pictures: PictureDecoder = PictureDecoder()) {
        self.decoder = decoder
        self.pictures = pictures
    }

    /// `report` told at most twice a second, and when the pass ends.
    public static func throttled(_ report: @escaping @Sendable (FingerprintProgress) -> Void)
        -> @Sendable (FingerprintProgress) -> Void
    {
        let throttle = Throttle(interval: 0.5)
        return { p in if p.files == p.ofFiles || throttle.ready() { report(p) } }
    }

    public static func isMedia(_ path: String) -> Bool {
        mediaExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// The fingerprint of a file's sound; nil with a reason when there is none.
    public func fingerprint(path: String, read: ((Double) -> Void)? = nil) -> (AudioFingerprint?, skipped: String?) {
        guard Self.isMedia(path) else { return (nil, nil) }
        do {
            let audio = try decoder.decode(path: path, read: read)
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
    public func picture(path: String, read: ((Double) -> Void)? = nil) -> PictureFingerprint? {
        guard Self.videoExtensions.contains((path as NSString).pathExtension.lowercased()) else { return nil }
        guard let f = try? pictures.fingerprint(path: path, read: read), f.frames.count >= 2 else { return nil }
        return f
    }

    /// The digests with fingerprints added, on all cores, and what was skipped: one line for files that
    /// need ffmpeg when it is missing, one per file that has no decodable sound.
    public func apply(paths: [String], digests: [FileDigest]) -> (digests: [FileDigest], notes: [String]) {
        // Only media counts (a batch of 16,384 text files told "0:00 of sound read" for nothing).
        let media = paths.filter(Self.isMedia).count
        let tally = FingerprintTally(files: paths.count, media: media, report: media > 0 ? progress : nil)
        let results = ParallelMap.map(paths.count) { i in
            let sound = fingerprint(path: paths[i]) { tally.read(i, sound: $0) }
            let picture = picture(path: paths[i]) { tally.read(i, picture: $0) }
            if Self.isMedia(paths[i]) { tally.done() }
            return (sound, picture)
        }
        var out = digests
        var notes: [String] = []
        var needFFmpeg = 0
        for (i, ((f, skipped), picture)) in results.enumerated() {
            out[i].audio = f
            out[i].picture = picture
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

/// Files fingerprinted of those in the pass, and the seconds of sound and of picture read so far.
public struct FingerprintProgress: Sendable, Equatable {
    public let files: Int
    public let ofFiles: Int
    public let soundSeconds: Double
    public let pictureSeconds: Double
}

/// The seconds read per file, from the threads of one pass, summed for its progress (running sums: a batch
/// holds up to 16,384 files, each told many times).
private final class FingerprintTally: @unchecked Sendable {
    private let lock = NSLock()
    private var sound: [Double]
    private var picture: [Double]
    private var totals = (sound: 0.0, picture: 0.0)
    private var finished = 0
    private let report: (@Sendable (FingerprintProgress) -> Void)?

    private let media: Int

    init(files: Int, media: Int, report: (@Sendable (FingerprintProgress) -> Void)?) {
        sound = Array(repeating: 0, count: files)
        picture = sound
        self.media = media
        self.report = report
    }

    func read(_ i: Int, sound seconds: Double) {
        update {
            $0.totals.sound += seconds - $0.sound[i]
            $0.sound[i] = seconds
        }
    }

    func read(_ i: Int, picture seconds: Double) {
        update {
            $0.totals.picture += seconds - $0.picture[i]
            $0.picture[i] = seconds
        }
    }

    func done() { update { $0.finished += 1 } }

    private func update(_ change: (FingerprintTally) -> Void) {
        guard let report else { return }
        // Reported under the lock: a thread's older figures must never come after the pass's last line.
        lock.lock()
        defer { lock.unlock() }
        change(self)
        report(
            FingerprintProgress(
                files: finished, ofFiles: media, soundSeconds: totals.sound, pictureSeconds: totals.picture))
    }
}
