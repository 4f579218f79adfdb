import Foundation
import ProvenanceChain
import ProvenanceCore

/// The tool's entry point: dispatch to one command type; turn errors into one line on stderr and an exit code.
public enum ProvenanceTool {
    static let version = "provenance 0.1.0"
    static var commands: [any Command.Type] {
        [
            HashCommand.self, SignCommand.self, AttestCommand.self, VerifyCommand.self, ShowCommand.self,
            RevokeCommand.self,
            TrustCommand.self, FeedCommand.self,
            KeyCommand.self,
            RegistryCommand.self, ChainCommand.self, CompletionsCommand.self, ManCommand.self,
        ]
    }

    static var topLevelHelp: String {
        var text = "provenance — sign media files and verify where they came from.\n\n"
        text += "Usage: provenance COMMAND [OPTIONS]\n\nCommands:\n"
        let width = commands.map { $0.name.count }.max() ?? 0
        for c in commands {
            text += "  " + c.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.summary + "\n"
        }
        text +=
            "\nRun `provenance COMMAND --help` for a command's options. `provenance --version` prints the version.\n"
        text += "Exit codes: " + ExitCode.summary + ".\n"
        return text
    }

    /// The way out of an error, in this command line's words.
    static func remedyText(_ remedy: ProvenanceError.Remedy) -> String {
        switch remedy {
        case .deployRegistryOrNameIt: return "deploy it with `provenance registry deploy`, or give --registry"
        case .attestWholeBatchOrForce:
            return "attest its whole batch together (or with --from-manifest), or use --force"
        case .sameDetailsOrForce:
            return
                "give the same --chunk-size (and --no-fingerprint if it was signed without one), or --force to attest again"
        case .nameENSEndpoint: return "give --ens-rpc"
        }
    }

    /// Runs one command line (without the program name) and returns the exit code.
    /// The process's arguments after the program name, decoded from their bytes (FSPath).
    public static func commandLine() -> [String] { Array(FSPath.arguments().dropFirst()) }

    public static func main(_ arguments: [String]) -> Int32 {
        // Key material must never reach a core file.
        ProcessHardening.disableCoreDumps()
        var argv = arguments
        guard let first = argv.first else {
            Output.stderr(topLevelHelp)
            return ExitCode.usage.rawValue
        }
        if first == "--version" || first == "version" {
            print(version)
            return 0
        }
        if first == "--help" || first == "-h" || first == "help" {
            if argv.count > 1, let c = commands.first(where: { $0.name == argv[1] }) {
                print(c.help, terminator: "")
            } else {
                print(topLevelHelp, terminator: "")
            }
            return 0
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            Output.error("error: unknown command \"\(first)\"")
            Output.stderr("Run `provenance --help` for the list of commands.\n")
            return ExitCode.usage.rawValue
        }
        argv.removeFirst()
        if argv.contains("--help") || argv.contains("-h") {
            print(command.help, terminator: "")
            return 0
        }
        do {
            let args = try Arguments(argv, options: command.options, usage: command.usage)
            return try command.run(args).rawValue
        } catch let e as UsageError {
            Output.error("error: \(e.message)")
            Output.stderr("Usage: provenance \(e.usage)\nRun `provenance \(command.name) --help` for details.\n")
            return ExitCode.usage.rawValue
        } catch let e as RPCError {
            Output.error("error: \(e.description)")
            return ExitCode.chain.rawValue
        } catch let e as ProvenanceError {
            Output.error("error: \(e.message)" + (e.remedy.map { "; " + remedyText($0) } ?? ""))
            return e.exitCode.rawValue
        } catch {
            Output.error("error: \(error)")
            return ExitCode.usage.rawValue
        }
    }
}
