import Foundation

/// One option of a command: its name, the placeholder for its value (nil for a flag) and its help.
struct Option: Sendable {
    let name: String
    let value: String?
    let help: String
    var repeatable = false
    /// Other spellings users bring from other tools (`--rpc-url`, `-r` from Foundry's cast).
    var aliases: [String] = []

    static func flag(_ name: String, _ help: String, repeatable: Bool = false, aliases: [String] = []) -> Option {
        Option(name: name, value: nil, help: help, repeatable: repeatable, aliases: aliases)
    }
    static func value(
        _ name: String, _ value: String, _ help: String, repeatable: Bool = false, aliases: [String] = []
    ) -> Option {
        Option(name: name, value: value, help: help, repeatable: repeatable, aliases: aliases)
    }

    /// Every spelling, the canonical name first.
    var spellings: [String] { [name] + aliases }

    /// The same option described differently (or made repeatable) where one command means more by it.
    func with(help: String, repeatable: Bool? = nil) -> Option {
        Option(
            name: name, value: value, help: help, repeatable: repeatable ?? self.repeatable, aliases: aliases)
    }
}

/// A subcommand: its name, one-line summary, usage, options, and what it does with parsed arguments.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var discussion: String { get }
    static var options: [Option] { get }
    /// Words that may follow the command name (`registry address`), for completions.
    static var subcommands: [String] { get }
    static func run(_ args: Arguments) throws -> ExitCode
}

extension Command {
    static var discussion: String { "" }
    static var subcommands: [String] { [] }

    static var help: String {
        var text = "\(summary)\n\nUsage: provenance \(usage)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        let all = options + [.flag("--help", "Show this help.")]
        text += "\nOptions:\n"
        let lefts = all.map { $0.spellings.joined(separator: ", ") + ($0.value.map { " " + $0 } ?? "") }
        let width = lefts.map(\.count).max() ?? 0
        for (o, left) in zip(all, lefts) {
            text += "  " + left.padding(toLength: width + 2, withPad: " ", startingAt: 0) + o.help + "\n"
        }
        return text
    }
}
