import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// What users bring from `cast` and `cosign`: --rpc-url and -r, shell completions from the same
/// option tables as --help, and a help text whose columns line up.
@Suite(.tags(.unit)) struct CLIConventionsTests {
    @Test func rpcAliases() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        // Port 9 on loopback refuses connections: the verdict is "unreachable", naming the host it tried.
        for spelling in ["--rpc", "--rpc-url", "-r"] {
            let r = try cli.run(["chain", spelling, "http://127.0.0.1:9", "--rpc-timeout", "2"])
            #expect(r.status == 3 && r.err.contains("127.0.0.1:9"), "\(spelling): \(r.err)")
        }
        let twice = try cli.run(["chain", "--rpc", "http://127.0.0.1:9", "-r", "http://127.0.0.1:10"])
        #expect(twice.status == 2 && twice.err.contains("given twice"), "\(twice.err)")
        let help = try cli.run(["verify", "--help"])
        #expect(help.out.contains("--rpc, --rpc-url, -r URL"))
    }

    @Test func helpColumnsLineUp() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        let help = try cli.run(["--help"]).out
        let commandLines = help.split(separator: "\n").filter { line in
            ProvenanceTool.commands.contains { line.hasPrefix("  \($0.name) ") }
        }
        #expect(commandLines.count == ProvenanceTool.commands.count)
        // Every summary starts in the same column, at least two spaces after the longest name.
        let starts = Set(
            commandLines.map { line -> Int in
                let trimmed = line.dropFirst(2)
                let afterName = trimmed.drop { $0 != " " }
                return line.count - afterName.drop { $0 == " " }.count
            })
        #expect(starts.count == 1, "\(commandLines)")
        let longest = ProvenanceTool.commands.map { $0.name.count }.max() ?? 0
        #expect((starts.first ?? 0) >= 2 + longest + 2)
        #expect(help.contains("130"))
    }

    /// Completions carry every command and every option spelling; bash accepts its script.
    @Test func completionsFromTheOptionTables() throws {
        var cli = CLI(dir: try makeTempDir())
        defer { try? FileManager.default.removeItem(at: cli.dir) }
        for shell in ["bash", "zsh", "fish"] {
            let r = try cli.run(["completions", shell])
            #expect(r.status == 0)
            for c in ProvenanceTool.commands {
                #expect(r.out.contains(c.name), "\(shell) lacks \(c.name)")
                for o in c.options {
                    let word = shell == "fish" ? String(o.name.drop { $0 == "-" }) : o.name
                    #expect(r.out.contains(word), "\(shell) lacks \(c.name) \(o.name)")
                }
            }
        }
        try cli.write("completion.bash", try cli.run(["completions", "bash"]).out, mode: 0o644)
        let syntax = try runTool("/bin/bash", ["-n", cli.path("completion.bash")])
        #expect(syntax.status == 0, "\(syntax.err)")
        // Loaded into bash, it completes a command's options.
        let script = """
            source \(cli.path("completion.bash"))
            COMP_WORDS=(provenance verify --rpc-u); COMP_CWORD=2; _provenance; echo "${COMPREPLY[@]}"
            COMP_WORDS=(provenance regi); COMP_CWORD=1; _provenance; echo "${COMPREPLY[@]}"
            """
        let completed = try runTool("/bin/bash", ["-c", script])
        #expect(completed.out == "--rpc-url\nregistry\n", "\(completed.out)\(completed.err)")
        let bad = try cli.run(["completions", "tcsh"])
        #expect(bad.status == 2)
    }
}
