import Foundation
import ProvenanceCore

#if canImport(Glibc)
    import Glibc
#endif

/// How a signing command finds its key. Secrets come from files, the environment or a terminal
/// prompt, never from the command line, and are never printed.
struct KeySource: Sendable {
    public var keystore: String?
    public var account: String?
    public var privateKeyFile: String?
    public var passwordFile: String?
    public var environment: [String: String]

    public init(
        keystore: String? = nil, account: String? = nil, privateKeyFile: String? = nil,
        passwordFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.keystore = keystore
        self.account = account
        self.privateKeyFile = privateKeyFile
        self.passwordFile = passwordFile
        self.environment = environment
    }

    public static let privateKeyVariable = "PROVENANCE_PRIVATE_KEY"
    public static let passwordVariable = "PROVENANCE_PASSWORD"

    /// Loads the selected key. Exactly one of --keystore, --account, --private-key-file may be given;
    /// with none, PROVENANCE_PRIVATE_KEY is used.
    public func load() throws -> PrivateKey {
        let chosen = [keystore, account, privateKeyFile].compactMap { $0 }
        guard chosen.count <= 1 else {
            throw ProvenanceError.usage("choose one key: --keystore, --account or --private-key-file")
        }
        if let path = keystore { return try loadKeystore(path) }
        if let name = account { return try loadKeystore(try Self.resolveAccount(name, environment: environment)) }
        if let path = privateKeyFile {
            return try PrivateKey(hexText: try SecretFile.read(path, what: "private key file"))
        }
        if let hex = environment[Self.privateKeyVariable] {
            var bytes = Array(hex.utf8)
            return try PrivateKey(hexText: SecretBytes(wiping: &bytes))
        }
        throw ProvenanceError.usage(
            "no signing key: give --keystore FILE, --account NAME or --private-key-file FILE (or set \(Self.privateKeyVariable))"
        )
    }

    func loadKeystore(_ path: String) throws -> PrivateKey {
        // A keystore is encrypted: its text is not secret, but it is read with the same care.
        let bytes = try SecretFile.read(path, what: "keystore", maxBytes: 1 << 16).copyBytes()
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw ProvenanceError.input("\(path): not a keystore (\(error))") }
        let password = try self.password(for: path, confirm: false)
        do {
            return try Keystore.decrypt(json, password: password)
        } catch Keystore.DecryptError.wrongPassword {
            throw ProvenanceError(.wrongPassword, "wrong password for keystore \(path)")
        } catch let error as ProvenanceError {
            throw ProvenanceError(error.kind, "\(path): \(error.message)")
        }
    }

    /// The password: --password-file (first line), else PROVENANCE_PASSWORD, else a no-echo prompt.
    func password(for path: String, confirm: Bool) throws -> SecretBytes {
        if let file = passwordFile {
            let bytes = try SecretFile.read(file, what: "password file")
            // The first line, without its line ending, as geth reads --password files.
            let end = bytes.withUnsafeBytes { b -> Int in
                var n = b.firstIndex(of: 0x0a) ?? b.count
                if n > 0 && b[n - 1] == 0x0d { n -= 1 }
                return n
            }
            return bytes.slice(0..<end)
        }
        if let env = environment[Self.passwordVariable] {
            var bytes = Array(env.utf8)
            return SecretBytes(wiping: &bytes)
        }
        // A new password typed twice differently is asked again (three tries), as passwd does.
        for attempt in 1...(confirm ? 3 : 1) {
            guard let first = try Terminal.readSecret(prompt: "Password for \(path): ") else {
                throw ProvenanceError.usage(
                    "no password for \(path): give --password-file FILE or set \(Self.passwordVariable) (no terminal to prompt on)"
                )
            }
            guard confirm else { return first }
            if let again = try Terminal.readSecret(prompt: "Repeat password: "), again.constantTimeEquals(first) {
                return first
            }
            if attempt < 3 { Output.error("the passwords do not match; again") }
        }
        throw ProvenanceError.usage("the passwords do not match (three tries)")
    }

    /// `--account NAME`: the tool's own keystore directory first, then Foundry's.
    public static func resolveAccount(_ name: String, environment: [String: String]) throws -> String {
        try checkAccountName(name)
        for dir in [accountDirectory(environment), foundryDirectory(environment)] {
            let path = dir + "/" + name
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw ProvenanceError.input(
            "no account named \(name) in \(accountDirectory(environment)) or \(foundryDirectory(environment))")
    }

    public static func checkAccountName(_ name: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.hasPrefix("-") else {
            throw ProvenanceError.usage("account name must be a plain file name: \"\(name)\"")
        }
    }

    /// `$PROVENANCE_HOME/keystores`, default `~/.provenance/keystores`.
    public static func accountDirectory(_ environment: [String: String]) -> String {
        (environment["PROVENANCE_HOME"] ?? home(environment) + "/.provenance") + "/keystores"
    }

    static func foundryDirectory(_ environment: [String: String]) -> String {
        home(environment) + "/.foundry/keystores"
    }

    static func home(_ environment: [String: String]) -> String { environment["HOME"] ?? NSHomeDirectory() }
}

/// Files that hold secrets: refused when group or others may read them (as ssh refuses keys).
enum SecretFile {
    static func read(_ path: String, what: String, maxBytes: Int = 1 << 16) throws -> SecretBytes {
        let contents = try BoundedFile.read(path, what: what, maxBytes: maxBytes)
        var bytes = contents.bytes
        let secret = SecretBytes(wiping: &bytes)
        guard contents.mode & 0o077 == 0 else {
            throw ProvenanceError.input(
                "\(what) \(path) is accessible by group or others (mode \(String(contents.mode & 0o777, radix: 8))); run: chmod 600 \(path)"
            )
        }
        return secret
    }
}

/// Reading a secret from the controlling terminal with echo off.
enum Terminal {
    /// Set by the prompt's SIGINT handler; the read then returns EINTR (no SA_RESTART).
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

    /// Reads one line with echo off. Ctrl-C at the prompt restores echo and stops with exit 130;
    /// end of input before a newline gives what was typed (an empty password is the caller's to refuse).
    static func readSecret(prompt: String) throws -> SecretBytes? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        // Our own SIGINT handler first, so no Ctrl-C can leave the terminal silent: it only sets a flag,
        // which the reading loop below checks.
        interrupted = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Terminal.interrupted = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        sigaction(SIGINT, &action, &previous)
        // A launcher may hand us SIGINT blocked; Ctrl-C must still reach the handler while echo is off.
        var sigint = sigset_t()
        sigemptyset(&sigint)
        sigaddset(&sigint, SIGINT)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &sigint, &previousMask)
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = Glibc.write(fd, "\n", 1)
            sigaction(SIGINT, &previous, nil)
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        // Echo off before the prompt appears: what is typed after it is never shown. (TCSAFLUSH drops
        // anything typed ahead, as getpass does.)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else {
            throw ProvenanceError.input("cannot turn off echo on the terminal to read a password")
        }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var line = [UInt8]()
        var byte: UInt8 = 0
        while true {
            // The flag is checked before every wait: a Ctrl-C that lands before read() would otherwise be
            // lost (ISIG consumes the character, and the read would block for ever). poll() wakes at least
            // every 100 ms, so the check also runs while nothing is typed.
            if interrupted != 0 {
                wipe(&line)
                throw ProvenanceError(.interrupted, "interrupted at the password prompt; nothing was done")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = Glibc.read(fd, &byte, 1)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n == 1, byte != 0x0a else { break }
            if byte != 0x0d { line.append(byte) }
        }
        return SecretBytes(wiping: &line)
    }
}
