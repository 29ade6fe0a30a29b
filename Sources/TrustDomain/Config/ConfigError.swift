import Foundation

/// Everything that can be wrong with a config file, worded for the trust data manager who edits
/// it rather than for a programmer: each message names the file, the entry (by id, or by
/// position when the id itself is the problem), the field and the value exactly as typed, e.g.
/// `forums.json: forum "english-leaders" occurrence 2: date "2021-02-30" is not a real calendar
/// date (expected YYYY-MM-DD)`. Loading stops at the first problem, so fixes go one at a time
/// but the message never points at a consequence instead of the cause.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file is missing or cannot be opened: usually a wrong `TRUST_CONFIG` directory.
    case unreadable(file: String, reason: String)
    /// The text is not JSON at all, or holds a number no field can take.
    case malformed(file: String, reason: String)
    /// A required field is absent or `null`.
    case missingField(file: String, entry: String?, field: String)
    /// A field holds the wrong kind of value, e.g. `"197"` in quotes where a number belongs.
    case wrongType(file: String, entry: String?, field: String, value: String, expected: String)
    /// A field holds the right kind of value but it breaks a rule (a date that does not exist,
    /// a role outside the vocabulary, a duplicate id, totals that do not add up).
    case invalidValue(file: String, entry: String?, field: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot be read (\(reason))"
        case .malformed(let file, let reason):
            "\(file): \(reason)"
        case .missingField(let file, let entry, let field):
            Self.prefix(file, entry) + "\(field) is missing"
        case .wrongType(let file, let entry, let field, let value, let expected):
            Self.prefix(file, entry) + "\(field) \(value) should be \(expected)"
        case .invalidValue(let file, let entry, let field, let value, let reason):
            Self.prefix(file, entry) + "\(field) \(value) \(reason)"
        }
    }

    /// Command-line tools print `localizedDescription`; without this it would be Foundation's
    /// generic "The operation could not be completed".
    public var errorDescription: String? { description }

    private static func prefix(_ file: String, _ entry: String?) -> String {
        entry.map { "\(file): \($0): " } ?? "\(file): "
    }
}
