import Foundation
import ProvenanceChain
import ProvenanceCore

/// `provenance key new|import|address|list`.
struct KeyCommand: Command {
    static let name = "key"
    static let subcommands = ["new", "import", "address", "list"]
    static let summary = "Create, import and inspect signing keys (Web3 Secret Storage v3 keystores)."
    static let usage = "key new|import|address|list [OPTIONS]"
    static let discussion = """
          key new     --keystore FILE | --account NAME   Create a key, write it encrypted (scrypt), print its address.
          key import  --keystore FILE | --account NAME   Encrypt a hex private key read from standard input or --private-key-file.
          key address [KEY OPTIONS]                      Print the address of the selected key.
          key list                                       The accounts --account NAME finds, and the address each keystore names.
        Keystores are written with mode 0600 and never overwritten.
        """
    static let options: [Option] = KeyOptions.options + [Opts.lightKDF.option]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard let sub = args.positionals.first, args.positionals.count == 1 else {
            throw UsageError("say which: key new, key import, key address or key list", usage: usage)
        }
        switch sub {
        case "new": return try write(args, key: try PrivateKey.generate())
        case "import": return try write(args, key: try importedKey(args))
        case "address":
            Output.line(try KeyOptions.source(args).load().address.checksummed)
            return .ok
        case "list": return list()
        default: throw UsageError("unknown key command \"\(sub)\"", usage: usage)
        }
    }

    /// `key list`, as `cast wallet list`: each account NAME in the tool's keystore directory, then Foundry's,
    /// with the address its keystore names (read without the password: the file's word, which `key address`
    /// checks by decrypting). Nothing found is said, exit 0.
    static func list() -> ExitCode {
        let environment = ProcessInfo.processInfo.environment
        var any = false
        for dir in [KeySource.accountDirectory(environment), KeySource.foundryDirectory(environment)] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for name in names where (try? KeySource.checkAccountName(name)) != nil {
                let json = (try? BoundedFile.read(dir + "/" + name, what: "keystore", maxBytes: 1 << 20).bytes)
                    .flatMap { try? JSON.parse($0) }
                let address = json?["address"]?.stringValue.flatMap {
                    try? Address(($0.hasPrefix("0x") ? "" : "0x") + $0)
                }
                Output.line("\(name)\t\(address?.checksummed ?? "(no address in the file)")\t\(dir)")
                any = true
            }
        }
        if !any {
            Output.error(
                "no accounts in \(KeySource.accountDirectory(environment)) or \(KeySource.foundryDirectory(environment))"
            )
        }
        return .ok
    }

    /// The hex key to import: --private-key-file, else standard input (never the command line).
    static func importedKey(_ args: Arguments) throws -> PrivateKey {
        if let file = try args.get(Opts.privateKeyFile) {
            return try PrivateKey(hexText: try SecretFile.read(file, what: "private key file"))
        }
        var bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        return try PrivateKey(hexText: SecretBytes(wiping: &bytes))
    }

    static func write(_ args: Arguments, key: PrivateKey) throws -> ExitCode {
        let environment = ProcessInfo.processInfo.environment
        let path: String
        switch try (args.get(Opts.keystore), args.get(Opts.account)) {
        case let (file?, nil): path = file
        case let (nil, name?):
            try KeySource.checkAccountName(name)
            let dir = KeySource.accountDirectory(environment)
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            path = dir + "/" + name
        default: throw UsageError("give --keystore FILE or --account NAME (one of them)", usage: usage)
        }
        // Checked early to spare a password prompt; the write itself refuses to replace a file.
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ProvenanceError.input("\(path) exists; refusing to overwrite a keystore")
        }
        let source = KeySource(passwordFile: try args.get(Opts.passwordFile), environment: environment)
        let password = try source.password(for: path, confirm: true)
        // An empty password (end of input, an empty file or variable) would leave the key unprotected.
        guard !password.isEmpty else { throw ProvenanceError.input("refusing an empty password for a new keystore") }
        // Accepted (scripts and tests use short ones), but not silently: the keystore is only as strong as it.
        if password.count < 12 {
            Output.error(
                "warning: a password of \(password.count) characters protects this keystore little: anyone who copies the "
                    + "file can try passwords offline; 12 or more (a passphrase of a few words) is better")
        }
        let json = try Keystore.encrypt(
            key, password: password, parameters: args[Opts.lightKDF] ? .light : .standard)
        try AtomicFile.write(Data(json.compact.utf8), to: path, mode: 0o600, exclusive: true)
        Output.line(key.address.checksummed)
        FileHandle.standardError.write(Data("provenance: keystore written to \(path)\n".utf8))
        return .ok
    }
}
