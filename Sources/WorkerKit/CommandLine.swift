import Foundation

/// Parsed command-line arguments: positionals plus `--name value` options and `--flag`s.
/// Small on purpose; the tools' grammar is `tool verb [noun] [--option value]… [FILE]`.
public struct Arguments: Sendable {
    public private(set) var positionals: [String] = []
    public private(set) var options: [String: String] = [:]
    public private(set) var flags: Set<String> = []

    /// `flagNames` are the options that take no value (e.g. `json`, `yes`, `help`).
    public init(_ raw: [String], flagNames: Set<String>) throws(InputError) {
        var i = raw.startIndex
        while i < raw.endIndex {
            let arg = raw[i]
            if arg.hasPrefix("--"), arg.count > 2 {
                let name = String(arg.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    options[String(name[..<eq])] = String(name[name.index(after: eq)...])
                } else if flagNames.contains(name) {
                    flags.insert(name)
                } else {
                    let next = raw.index(after: i)
                    guard next < raw.endIndex else { throw InputError("option --\(name) needs a value") }
                    options[name] = raw[next]
                    i = next
                }
            } else if arg == "-h" {
                flags.insert("help")
            } else {
                positionals.append(arg)
            }
            i = raw.index(after: i)
        }
    }

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func option(_ name: String) -> String? { options[name] }

    public func required(_ name: String) throws(InputError) -> String {
        guard let v = options[name], !v.isEmpty else { throw InputError("missing --\(name)") }
        return v
    }

    public func int(_ name: String, default value: Int) throws(InputError) -> Int {
        guard let text = options[name] else { return value }
        guard let n = Int(text) else { throw InputError("--\(name) \"\(text)\" is not a whole number") }
        return n
    }

    /// Refuses options the command does not know, so a typo is an error, not silently ignored.
    public func allowOnly(_ names: Set<String>) throws(InputError) {
        let unknown = Set(options.keys).union(flags).subtracting(names).subtracting(["help"])
        if let first = unknown.sorted().first { throw InputError("unknown option --\(first)") }
    }
}

