import Foundation
import ProvenanceCore

/// Reads a video's picture for the picture fingerprint: an `ffmpeg` found on PATH samples frames at a fixed
/// rate and writes them as small grey images (64×64 bytes each). Nothing of ffmpeg is linked.
public struct PictureDecoder: Sendable {
    /// At most this much picture is read (4 hours, as for sound).
    public static let maxSeconds = AudioDecoder.maxSeconds
    public let ffmpeg: String?

    public init(ffmpeg: String? = nil) { self.ffmpeg = ffmpeg ?? AudioDecoder.onPath("ffmpeg") }

    public enum Failure: Error, Sendable {
        case needsFFmpeg
        /// No video stream, or none ffmpeg could decode.
        case noPicture(String)
    }

    /// Grey frames sampled `framesPerSecond` a second, `side`×`side` bytes each, back to back; `read` is told the
    /// seconds of picture read so far.
    public func frames(path: String, framesPerSecond: Int, read: ((Double) -> Void)? = nil) throws -> [UInt8] {
        guard let ffmpeg else { throw Failure.needsFFmpeg }
        let side = PictureFingerprint.side
        let (raw, failure) = try FFmpegProcess.output(
            ffmpeg, path: path,
            arguments: [
                "-map", "0:V:0", "-an", "-sn", "-vf",
                "fps=\(framesPerSecond),scale=\(side):\(side):flags=area,format=gray", "-t", String(Self.maxSeconds),
                "-f", "rawvideo",
            ], timeoutSeconds: AudioDecoder.timeoutSeconds,
            read: read.map { told in { told(Double($0 / (side * side)) / Double(framesPerSecond)) } })
        guard failure == nil, raw.count >= side * side else {
            throw Failure.noPicture("ffmpeg could not read its picture (\(failure ?? "no video stream"))")
        }
        return [UInt8](raw)
    }

    /// Whether the file has a video stream ffmpeg can decode a frame of (a cover image in an MP3 is not one).
    public func hasPicture(path: String) -> Bool {
        guard let ffmpeg, Self.mayHoldVideo(path),
            let (data, failure) = try? FFmpegProcess.output(
                ffmpeg, path: path,
                arguments: [
                    "-map", "0:V:0", "-an", "-frames:v", "1", "-vf", "scale=8:8,format=gray", "-f", "rawvideo",
                ], timeoutSeconds: 30)
        else { return false }
        return failure == nil && !data.isEmpty
    }

    /// Whether the file starts as a container that can carry video (MP4/MOV, Matroska/WebM, AVI, MPEG-TS/PS,
    /// FLV, Ogg): only those are asked of ffmpeg. Opening a 39 MB WAV took ffmpeg 2.9 s, for nothing.
    static func mayHoldVideo(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = [UInt8]((try? h.read(upToCount: 189)) ?? Data())
        guard head.count >= 12 else { return false }
        let text = { (r: Range<Int>) in String(decoding: head[r], as: UTF8.self) }
        if ["ftyp", "moov", "mdat", "free", "wide", "skip"].contains(text(4..<8)) { return true }
        if head[0..<4].elementsEqual([0x1A, 0x45, 0xDF, 0xA3]) || head[0..<4].elementsEqual([0, 0, 1, 0xBA]) {
            return true
        }
        if text(0..<4) == "RIFF" && text(8..<12) == "AVI " { return true }
        if text(0..<3) == "FLV" || text(0..<4) == "OggS" { return true }
        return head.count == 189 && head[0] == 0x47 && head[188] == 0x47
    }

    /// The picture fingerprint of a video (as `sign` computes it).
    public func fingerprint(path: String, read: ((Double) -> Void)? = nil) throws -> PictureFingerprint {
        PictureFingerprint(raw: try frames(path: path, framesPerSecond: PictureFingerprint.framesPerSecond, read: read))
    }

    /// A clip's picture as a verifier compares it.
    public func clip(path: String, read: ((Double) -> Void)? = nil) throws -> PictureClip {
        PictureClip(raw: try frames(path: path, framesPerSecond: PictureClip.framesPerSecond, read: read))
    }
}
