import Foundation

/// Where a colleague or governor belongs: one academy, or the trust's central team.
public enum Affiliation: Hashable, Sendable, CustomStringConvertible {
    case academy(AcademyID)
    case central

    public var description: String {
        switch self {
        case .academy(let id): return id.rawValue
        case .central: return "central"
        }
    }
}

/// One row of `Config/directory.csv`: someone the trust emails.
public struct Person: Hashable, Sendable {
    public var name: String
    public var email: String
    public var affiliation: Affiliation
    public var roles: Set<Role>
    public var active: Bool

    public init(name: String, email: String, affiliation: Affiliation, roles: Set<Role>, active: Bool) {
        self.name = name
        self.email = email
        self.affiliation = affiliation
        self.roles = roles
        self.active = active
    }
}

/// A problem in `directory.csv`, with the line, column and value, so whoever edits the file
/// can find and fix it.
public struct DirectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: String?
    public var value: String?
    public var reason: String

    public var description: String {
        var s = "directory.csv"
        if line > 0 { s += " line \(line)" }
        if let column { s += ", column \(column)" }
        // The value is whatever was typed or pasted; shown escaped so that a line break or a
        // control character in it cannot split or garble the message.
        if let value { s += ": \"\(DropValidationError.displaySafe(value))\"" }
        return s + " \(reason)"
    }
}

/// The people the newsletter and reminders go to, loaded from `Config/directory.csv`
/// (`name,email,academy,roles,active`). Everything is checked up front and every problem is
/// reported, because a silently skipped row is a colleague who silently stops hearing from
/// the trust.
public struct Directory: Sendable, Equatable {
    public static let fileName = "directory.csv"
    public static let columns = ["name", "email", "academy", "roles", "active"]

    /// Everyone in the file, active or not, in file order.
    public let people: [Person]

    public init(people: [Person]) { self.people = people }

    /// Active people only: the ones who receive anything.
    public var active: [Person] { people.filter(\.active) }

    /// Active people holding any of `roles`, optionally limited to some academies; the
    /// audience of a forum.
    public func audience(roles: Set<Role>, academies: Set<AcademyID>? = nil) -> [Person] {
        active.filter { person in
            guard !person.roles.isDisjoint(with: roles) else { return false }
            guard let academies else { return true }
            if case .academy(let id) = person.affiliation { return academies.contains(id) }
            return false
        }
    }

    /// Parses and validates the CSV; throws every problem found (up to 100).
    public static func load(_ bytes: [UInt8], knownAcademies: Set<AcademyID>) throws(DirectoryErrors) -> Directory {
        let (table, index) = try table(bytes, columns: columns)
        var errors: [DirectoryError] = []
        var people: [Person] = []
        var seen: [String: Int] = [:]
        for row in table.rows {
            func field(_ name: String) -> String { row.fields[index[name]!].trimmingCharacters(in: .whitespaces) }
            func problem(_ column: String, _ value: String?, _ reason: String) {
                errors.append(DirectoryError(line: row.line, column: column, value: value, reason: reason))
            }
            let name = field("name"), email = field("email").lowercased()
            if name.isEmpty { problem("name", nil, "is empty") }
            if !Self.isPlausibleEmail(email) {
                problem("email", email, "is not an email address")
            } else if let first = seen[email] {
                problem("email", email, "appears twice (first on line \(first))")
            } else {
                seen[email] = row.line
            }
            let academyText = field("academy").lowercased()
            var affiliation = Affiliation.central
            if academyText != "central" {
                let id = AcademyID(academyText)
                if knownAcademies.contains(id) { affiliation = .academy(id) } else {
                    problem("academy", academyText, "is not an academy id from academies.json or \"central\"")
                }
            }
            var roles = Set<Role>()
            for part in field("roles").split(separator: ";") {
                let text = part.trimmingCharacters(in: .whitespaces).lowercased()
                if let role = Role(rawValue: text) { roles.insert(role) } else {
                    problem("roles", text, "is not a known role")
                }
            }
            let activeText = field("active").uppercased()
            if activeText != "Y" && activeText != "N" { problem("active", activeText, "must be Y or N") }
            people.append(Person(name: name, email: email, affiliation: affiliation, roles: roles,
                                 active: activeText == "Y"))
        }
        guard errors.isEmpty else { throw DirectoryErrors(Array(errors.prefix(100)), total: errors.count) }
        return Directory(people: people)
    }

    /// A people file's rows and where each of `columns` is (header names trimmed, any case), or
    /// the file's one problem: unreadable CSV, or a missing column.
    static func table(_ bytes: [UInt8], columns: [String]) throws(DirectoryErrors) -> (CSVTable, [String: Int]) {
        let table: CSVTable
        do {
            table = try CSV.parse(bytes)
        } catch {
            throw DirectoryErrors([DirectoryError(line: error.line ?? 0, column: nil, value: nil, reason: error.reason)])
        }
        let header = table.header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = columns.filter { !header.contains($0) }
        guard missing.isEmpty else {
            throw DirectoryErrors([DirectoryError(line: table.header.line, column: nil, value: nil,
                                                  reason: "is missing column(s) \(missing.joined(separator: ", "))")])
        }
        return (table, Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    /// A deliberately loose check (one @, a dot in the domain, no spaces or angle brackets):
    /// MailAddress does the strict check before anything is sent.
    static func isPlausibleEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix(".") else { return false }
        return !s.contains { $0.isWhitespace || "<>()[],;:\"\\".contains($0) }
    }
}

/// Every problem in a directory file; `total` counts those not listed.
public struct DirectoryErrors: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [DirectoryError]
    public var total: Int
    public init(_ errors: [DirectoryError], total: Int? = nil) {
        self.errors = errors
        self.total = total ?? errors.count
    }
    public var description: String {
        let more = total > errors.count ? "\n… and \(total - errors.count) more" : ""
        return errors.map(\.description).joined(separator: "\n") + more
    }
}
