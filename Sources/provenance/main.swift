import CShim
import Foundation
import ProvenanceKit

/// Entry point: dispatch to one command type; turn errors into one line on stderr and an exit code.
let version = "provenance 0.1.0"
let commands: [any Command.Type] = [
    HashCommand.self, SignCommand.self, AttestCommand.self, VerifyCommand.self, KeyCommand.self, RegistryCommand.self,
    ChainCommand.self,
]

@MainActor func topLevelHelp() -> String {
    var text =
        "provenance — sign media files and verify where they came from.\n\nUsage: provenance COMMAND [OPTIONS]\n\nCommands:\n"
    for c in commands { text += "  " + c.name.padding(toLength: 8, withPad: " ", startingAt: 0) + c.summary + "\n" }
    text += "\nRun `provenance COMMAND --help` for a command's options. `provenance --version` prints the version.\n"
    text +=
        "Exit codes: 0 ok/verified, 1 not verified, 2 usage or input error, 3 chain unreachable or untrustworthy, 4 wrong password.\n"
    return text
}

@MainActor func main() -> Int32 {
    // Key material must never reach a core file.
    _ = pv_disable_core_dumps()
    var argv = Array(CommandLine.arguments.dropFirst())
    guard let first = argv.first else {
        FileHandle.standardError.write(Data(topLevelHelp().utf8))
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
            print(topLevelHelp(), terminator: "")
        }
        return 0
    }
    guard let command = commands.first(where: { $0.name == first }) else {
        Output.error("error: unknown command \"\(first)\"")
        FileHandle.standardError.write(Data("Run `provenance --help` for the list of commands.\n".utf8))
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
        FileHandle.standardError.write(
            Data("Usage: provenance \(e.usage)\nRun `provenance \(command.name) --help` for details.\n".utf8))
        return ExitCode.usage.rawValue
    } catch let e as RPCError {
        Output.error("error: \(e.description)")
        return ExitCode.chain.rawValue
    } catch let e as ProvenanceError {
        Output.error("error: \(e.message)")
        return e.exitCode.rawValue
    } catch {
        Output.error("error: \(error)")
        return ExitCode.usage.rawValue
    }
}

exit(main())
