import Foundation
import ProvenanceCore

/// Decodes a recording's sound for the fingerprint: WAV natively; anything else (MP3, AAC/MP4, Opus,
/// a video's audio track) by an `ffmpeg` found on PATH, run as a child process with fixed arguments and
/// read as raw PCM. Nothing of ffmpeg is linked; without it, only WAV can be decoded.
public struct AudioDecoder: Sendable {
    /// At most this much sound is decoded (4 hours): a hostile file cannot make a run hold without bound.
    public static let maxSeconds = 4 * 3600
    public static let timeoutSeconds = 600
    public let ffmpeg: String?

    /// `ffmpeg`: the executable to run; nil looks it up on PATH.
    public init(ffmpeg: String? = nil) {
        self.ffmpeg = ffmpeg ?? Self.onPath("ffmpeg")
    }

    static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public enum Failure: Error, Sendable {
        /// Not WAV, and no ffmpeg to decode it.
        case needsFFmpeg
        /// ffmpeg (or the WAV reader) found no sound in it.
        case noAudio(String)
    }

    /// Mono samples at the fingerprint's rate; `read` is told the seconds of sound decoded so far (a WAV's at
    /// the end: it is read natively at hundreds of times real time).
    public func decode(path: String, read: ((Double) -> Void)? = nil) throws -> PCMAudio {
        let head = Self.head(path)
        if head.count == 12, head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WAVE".utf8) {
            let bytes = try BoundedFile.read(path, what: "WAV file", maxBytes: 4 << 30).bytes
            do {
                let audio = try PCMAudio.wav(bytes).resampled(to: AudioFingerprint.sampleRate)
                read?(Double(audio.samples.count) / Double(AudioFingerprint.sampleRate))
                return audio
            } catch let e as ProvenanceError { throw Failure.noAudio(e.message) }
        }
        guard let ffmpeg else { throw Failure.needsFFmpeg }
        return try run(ffmpeg, path: path, read: read)
    }

    /// The first 12 bytes (a RIFF/WAVE header, if it is one).
    static func head(_ path: String) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: 12)) ?? Data())
    }

    private func run(_ ffmpeg: String, path: String, read: ((Double) -> Void)?) throws -> PCMAudio {
        let (pcm, failure) = try FFmpegProcess.output(
            ffmpeg, path: path,
            arguments: [
                "-map", "0:a:0", "-vn", "-ac", "1", "-ar", String(AudioFingerprint.sampleRate), "-t",
                String(Self.maxSeconds), "-f", "s16le",
            ], timeoutSeconds: Self.timeoutSeconds,
            read: read.map { told in { told(Double($0 / 2) / Double(AudioFingerprint.sampleRate)) } })
        guard failure == nil, pcm.count >= 2 else {
            throw Failure.noAudio("ffmpeg could not decode its sound (\(failure ?? "no audio stream"))")
        }
        var samples = [Float](repeating: 0, count: pcm.count / 2)
        pcm.withUnsafeBytes { raw in
            for i in 0..<samples.count {
                samples[i] =
                    Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) / 32768
            }
        }
        return PCMAudio(samples: samples, sampleRate: AudioFingerprint.sampleRate)
    }
}
