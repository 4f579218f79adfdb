import ProvenanceChain
import ProvenanceCore

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

    /// Each code and what it means, for the manual page.
    static let meanings: [(Int32, String)] = [
        (0, "Everything checked out: every file verified, or the command did what it was asked."),
        (1, "At least one file was not verified (not attested, modified, untrusted signer, invalid signature)."),
        (2, "Usage or input error: bad arguments, a missing or unreadable file, a malformed manifest or key."),
        (3, "The chain could not be reached, or what it answered cannot be trusted."),
        (4, "The password does not open the keystore."),
        (130, "Stopped by Ctrl-C after a completed step; running the same command again resumes."),
    ]

    static let summary =
        "0 ok/verified, 1 not verified, 2 usage or input error, 3 chain unreachable or untrustworthy, "
        + "4 wrong password, 130 interrupted (run it again to resume)"

    init(_ kind: ProvenanceError.Kind) {
        switch kind {
        case .usage, .input: self = .usage
        case .chain: self = .chain
        case .wrongPassword: self = .wrongPassword
        case .interrupted: self = .interrupted
        }
    }

    /// The code for a run whose files ended with this code and `other`: an untrustworthy chain (a forged
    /// record, endpoints that disagree) outranks an input error, which outranks "not verified", which
    /// outranks ok.
    func worse(_ other: ExitCode) -> ExitCode {
        if self == .chain || other == .chain { return .chain }
        if self == .usage || other == .usage { return .usage }
        return self == .notVerified || other == .notVerified ? .notVerified : .ok
    }
}

extension ProvenanceError {
    var exitCode: ExitCode { ExitCode(kind) }
}

extension Verdict {
    /// The one map from a verdict to the process's exit code, offline and on chain.
    var exitCode: ExitCode {
        switch status {
        case .verified: return .ok
        case .error: return .usage
        case .forgedRecord, .endpointsDisagree: return .chain
        case .modified, .similar, .altered, .notAttested, .signedByUntrusted, .revoked, .invalidSignature, .noManifest,
            .notYetFinal, .missing:
            return .notVerified
        }
    }
}
