import Foundation

/// Parsed command-line arguments: option values by name, flags, and positionals in order. Options are read
/// only through their declarations (Flag, Value), never by spelling, so a misspelt name cannot compile.
struct Arguments {
    private var values: [String: [String]] = [:]
    /// How many times each flag was given (`-vv` counts two).
    private var flagCounts: [String: Int] = [:]
    private(set) var positionals: [String] = []
    /// The usage line of the command parsed: a value refused when it is read is a usage error of that command.
    let usage: String

    init(_ argv: [String], options: [Option], usage: String) throws {
        self.usage = usage
        let byName = Dictionary(uniqueKeysWithValues: options.flatMap { o in o.spellings.map { ($0, o) } })
        // "-vv" is "-v -v" for a repeatable short flag.
        let argv = argv.flatMap { arg -> [String] in
            let letters = arg.dropFirst()
            guard arg.hasPrefix("-"), !arg.hasPrefix("--"), letters.count > 1, Set(letters).count == 1,
                let option = byName["-" + String(letters.first!)], option.value == nil, option.repeatable
            else { return [arg] }
            return Array(repeating: "-" + String(letters.first!), count: letters.count)
        }
        var i = 0
        var onlyPositionals = false
        while i < argv.count {
            let arg = argv[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                positionals.append(arg)
                continue
            }
            if arg == "--" {
                onlyPositionals = true
                continue
            }
            var name = arg
            var inline: String? = nil
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            guard let option = byName[name] else { throw UsageError(Self.unknown(name, byName), usage: usage) }
            if option.value == nil {
                guard inline == nil else { throw UsageError("\(name) takes no value", usage: usage) }
                flagCounts[option.name, default: 0] += 1
                continue
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < argv.count else { throw UsageError("\(name) needs a value (\(option.value!))", usage: usage) }
                value = argv[i]
                i += 1
            }
            // Stored under the canonical name, so an alias and its name count as one option.
            if !option.repeatable && values[option.name] != nil {
                throw UsageError("\(option.spellings.joined(separator: "/")) given twice", usage: usage)
            }
            values[option.name, default: []].append(value)
        }
    }

    /// Whether the flag was given.
    subscript(_ flag: Flag) -> Bool { count(flag) > 0 }

    /// How many times the flag was given (`-vv` is two).
    func count(_ flag: Flag) -> Int { flagCounts[flag.option.name] ?? 0 }

    /// The option's value (the last one given), parsed and checked; nil when it is not given.
    func get<T>(_ key: Value<T>) throws -> T? {
        guard let text = values[key.option.name]?.last else { return nil }
        return try parse(text, key)
    }

    /// Every value of a repeatable option, in order, each parsed and checked.
    func all<T>(_ key: Value<T>) throws -> [T] {
        try (values[key.option.name] ?? []).map { try parse($0, key) }
    }

    /// A refused value is a usage error naming the option; other errors (an address's checksum) pass as they are.
    private func parse<T>(_ text: String, _ key: Value<T>) throws -> T {
        do { return try key.parse(text) } catch let e as InvalidValue {
            throw UsageError("\(key.option.name) \(e.reason)", usage: usage)
        }
    }

    /// Why an option is not one: `--private-key` (what every `cast` user tries first) is refused on purpose,
    /// and the message says what to use instead. The value is never repeated.
    static func unknown(_ name: String, _ known: [String: some Any]) -> String {
        guard name == "--private-key" || name == "--privatekey" else { return "unknown option \(name)" }
        let ways = [
            "--private-key-file FILE (mode 0600)", "$PROVENANCE_PRIVATE_KEY", "--keystore FILE", "--account NAME",
        ]
        .filter { way in !way.hasPrefix("--") || known[String(way.split(separator: " ")[0])] != nil }
        guard known["--private-key-file"] != nil else { return "unknown option \(name) (this command takes no key)" }
        return "\(name) is refused: a key on the command line is seen by every user of this machine (ps) and "
            + "kept in shell history; use " + ways.joined(separator: ", ")
    }
}
