import Foundation

/// One run of `ffmpeg` on one local file, with fixed arguments, writing raw data to its standard output.
enum FFmpegProcess {
    /// What ffmpeg wrote, and the first line of its complaint when it failed (nil: it exited 0).
    /// `arguments` come after the input and before the output (`-`); `read` is told the bytes read so far, as
    /// they come (for a progress line).
    static func output(
        _ ffmpeg: String, path: String, arguments: [String], timeoutSeconds: Int, read: ((Int) -> Void)? = nil
    ) throws -> (Data, failure: String?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        // "file:" and the protocol whitelist: the input is this local file and nothing it names (a
        // playlist inside a file cannot make ffmpeg fetch a URL).
        process.arguments =
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", "-i", "file:" + absolute]
            + arguments + ["-"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A decoder that hangs on a crafted file is stopped.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds), execute: watchdog)
        defer { watchdog.cancel() }
        // Read both pipes to the end (stderr on another thread, so neither can fill and block ffmpeg).
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box()
        let group = DispatchGroup()
        group.enter()
        Thread {
            errors.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }.start()
        var data = Data()
        while true {
            let part = out.fileHandleForReading.availableData
            if part.isEmpty { break }
            data.append(part)
            read?(data.count)
        }
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let why = String(decoding: errors.data.prefix(300), as: UTF8.self).split(separator: "\n").first
            return (data, why.map(String.init) ?? "exit status \(process.terminationStatus)")
        }
        return (data, nil)
    }
}
