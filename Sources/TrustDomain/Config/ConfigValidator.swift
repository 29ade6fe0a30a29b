import Foundation

/// The rules shared by every config file, each written once so every file words the same
/// mistake the same way. Checks stop at the first failure by throwing.
struct ConfigValidator {
    let file: String

    func require(_ condition: Bool, entry: String?, field: String, value: Any,
                 _ reason: @autoclosure () -> String) throws(ConfigError)
    {
        guard !condition else { return }
        throw .invalidValue(file: file, entry: entry, field: field,
                            value: ConfigValue.text(value), reason: reason())
    }

    /// Ids travel in routing keys, reminder messages and command lines, so they follow the same
    /// slug rule as academy ids.
    func slug(_ id: String, entry: String?) throws(ConfigError) {
        try require(AcademyID.isValidSlug(id), entry: entry, field: "id", value: id,
                    "is not a valid id (lower-case letters, digits and single hyphens, "
                        + "at most 40 characters)")
    }

    /// Records where each id was first seen, so a duplicate's message points at both entries.
    func unique(_ id: String, entry: String, seen: inout [String: String]) throws(ConfigError) {
        if let first = seen[id] {
            throw .invalidValue(file: file, entry: entry, field: "id",
                                value: ConfigValue.text(id), reason: "is already used by \(first)")
        }
        seen[id] = entry
    }

    func notBlank(_ text: String, entry: String?, field: String) throws(ConfigError) {
        try require(!text.allSatisfy(\.isWhitespace), entry: entry, field: field, value: text,
                    "is blank")
    }

    func percentage(_ value: Double, entry: String?, field: String) throws(ConfigError) {
        try require((0...100).contains(value), entry: entry, field: field, value: value,
                    "is not a percentage (expected 0 to 100)")
    }

    func span(_ start: ClockTime, _ end: ClockTime, entry: String?, endField: String)
        throws(ConfigError)
    {
        try require(start < end, entry: entry, field: endField, value: end.description,
                    "is not after start \"\(start)\"")
    }

    /// An audience decides who is reminded; an empty one would silently remind nobody.
    func audience(_ roles: [Role], entry: String?) throws(ConfigError) {
        try require(!roles.isEmpty, entry: entry, field: "audience", value: [String](),
                    "lists no roles (name at least one)")
    }

    /// Reminders more than about half a term ahead are noise; this also catches a date or a
    /// year typed into the field by mistake.
    func leadDays(_ days: [Int], entry: String?, field: String) throws(ConfigError) {
        for day in days {
            try require((0...60).contains(day), entry: entry, field: field, value: day,
                        "is not a number of days from 0 to 60")
        }
    }
}
