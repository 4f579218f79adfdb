import Foundation

/// Process exit codes, the same for every command.
public enum ExitCode: Int32, Sendable {
    /// Everything checked out.
    case ok = 0
    /// At least one file was not verified (mismatch, missing or bad signature, untrusted signer).
    case notVerified = 1
    /// Usage or input error: bad arguments, missing or unreadable file, malformed manifest or key.
    case usage = 2
    /// The chain could not be consulted or cannot be trusted.
    case chain = 3
    /// The password does not open the keystore (its MAC does not match).
    case wrongPassword = 4
    /// Stopped by Ctrl-C after a completed step; running the same command again resumes.
    case interrupted = 130
}

/// An error meant for the user: one line of text and the exit code it maps to.
/// Messages never contain secrets; callers pass only public facts (paths, addresses, hosts).
public struct ProvenanceError: Error, CustomStringConvertible, Sendable {
    public let exitCode: ExitCode
    public let message: String

    public init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    public static func input(_ message: String) -> ProvenanceError { .init(.usage, message) }
    public static func usage(_ message: String) -> ProvenanceError { .init(.usage, message) }

    public var description: String { message }
}

/// A failure inside a C library call: always a bug or resource exhaustion, never user input.
struct CryptoFailure: Error, CustomStringConvertible {
    let function: String
    var description: String { "internal error in OpenSSL (\(function))" }
}
