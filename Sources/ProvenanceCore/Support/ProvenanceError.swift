/// An error meant for the user: what kind of failure it is and one line of text. The command line
/// decides how a kind is shown and which exit code it maps to; the library never knows either.
/// Messages never contain secrets; callers pass only public facts (paths, addresses, hosts).
public struct ProvenanceError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Bad arguments: the caller asked for something that cannot be done as asked.
        case usage
        /// Bad input: a missing or unreadable file, a malformed manifest, key or number.
        case input
        /// The chain could not be consulted, or what it answered cannot be trusted.
        case chain
        /// The password does not open the keystore (its MAC does not match).
        case wrongPassword
        /// Stopped by the user after a completed step; running the same command again resumes.
        case interrupted
    }

    /// What the user can do about it, when the way out is a command or an option: the command line
    /// words it (the library does not know the flags' spellings).
    public enum Remedy: Sendable, Equatable {
        /// No registry at the address: deploy one, or name the right address.
        case deployRegistryOrNameIt
        /// Signing anew would replace a signature already anchored on chain.
        case attestWholeBatchOrForce
        /// The content is attested with other file details: hash it as it was signed, or attest it again.
        case sameDetailsOrForce
        /// ENS names need an endpoint of the chain ENS lives on.
        case nameENSEndpoint
    }

    public let kind: Kind
    public let message: String
    public let remedy: Remedy?

    public init(_ kind: Kind, _ message: String, remedy: Remedy? = nil) {
        self.kind = kind
        self.message = message
        self.remedy = remedy
    }

    public static func input(_ message: String) -> ProvenanceError { .init(.input, message) }
    public static func usage(_ message: String) -> ProvenanceError { .init(.usage, message) }

    public var description: String { message }
}

/// A failure inside a C library call: always a bug or resource exhaustion, never user input.
struct CryptoFailure: Error, CustomStringConvertible {
    let function: String
    var description: String { "internal error in OpenSSL (\(function))" }
}
