import Foundation
import ProvenanceCore

/// A usage error: printed with the command's usage line, exit code 2.
struct UsageError: Error {
    let message: String
    let usage: String
    init(_ message: String, usage: String) {
        self.message = message
        self.usage = usage
    }
}

/// Output helpers shared by commands.
enum Output {
    /// A line on standard output. A file name's bytes that are not UTF-8 (FSPath) go out as those bytes, as
    /// sha256sum prints them, so `sha256sum -c` reads the line back; every other line is already escaped text.
    static func line(_ text: String) {
        guard FSPath.hasRawBytes(text) else { return print(text) }
        // Whatever print has buffered goes first (fflush(nil): every stream), then the bytes themselves.
        fflush(nil)
        FileHandle.standardOutput.write(Data(FSPath.encode(text) + [0x0a]))
    }

    /// One error line on standard error. The text may quote outside input (file names, RPC error
    /// strings), so control characters are escaped: it stays one line and cannot drive the terminal.
    static func error(_ text: String) {
        stderr("provenance: " + Display.safe(text) + "\n")
    }

    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `sha256sum` line format; names with a backslash or newline are escaped the way coreutils does.
    static func sumLine(_ digest: [UInt8], _ path: String) -> String {
        if path.contains("\\") || path.contains("\n") {
            let escaped = path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            return "\\" + Hex.encode(digest) + "  " + escaped
        }
        return Hex.encode(digest) + "  " + path
    }
}
