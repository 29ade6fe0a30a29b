/// `Config/enrolments.csv`: who has signed up for the forums open by enrolment rather than by
/// role (`"enrolment": true` in forums.json). Edited by the forum's organiser; one row per
/// person and forum, columns `forum,email`.
public struct Enrolments: Sendable, Equatable {
    public static let fileName = "enrolments.csv"
    public static let columns = ["forum", "email"]

    /// Lower-cased addresses per forum id.
    public let byForum: [String: Set<String>]

    public init(byForum: [String: Set<String>] = [:]) { self.byForum = byForum }

    public func enrolled(in forumID: String) -> Set<String> { byForum[forumID] ?? [] }

    /// Forum ids a person is enrolled in.
    public func forums(of email: String) -> [String] {
        byForum.filter { $0.value.contains(email.lowercased()) }.map(\.key).sorted()
    }

    /// Parses and checks the file against the calendar: every row names an enrolment forum and
    /// a plausible address, once. All problems are listed (up to 100), each with its line,
    /// column and value; nothing is half-loaded.
    public static func load(_ bytes: [UInt8], forums: ForumCalendar) throws(DirectoryErrors) -> Enrolments {
        let (table, index) = try Directory.table(bytes, columns: columns)
        let open = Set(forums.forums.filter(\.isByEnrolment).map(\.id))
        var errors: [DirectoryError] = []
        var byForum: [String: Set<String>] = [:]
        var seen: [String: Int] = [:]
        for row in table.rows {
            func field(_ name: String) -> String { row.fields[index[name]!].trimmingCharacters(in: .whitespaces) }
            func problem(_ column: String, _ value: String, _ reason: String) {
                errors.append(DirectoryError(line: row.line, column: column, value: value, reason: reason))
            }
            let forum = field("forum"), email = field("email").lowercased()
            if forums.forum(id: forum) == nil {
                problem("forum", forum, "is not a forum id in forums.json")
            } else if !open.contains(forum) {
                problem("forum", forum, "is not open by enrolment (its audience is by role; set \"enrolment\": true)")
            }
            if !Directory.isPlausibleEmail(email) {
                problem("email", email, "is not an email address")
            } else if let first = seen["\(forum) \(email)"] {
                problem("email", email, "is already enrolled in \(forum) (line \(first))")
            } else {
                seen["\(forum) \(email)"] = row.line
                byForum[forum, default: []].insert(email)
            }
        }
        guard errors.isEmpty else { throw DirectoryErrors(Array(errors.prefix(100)), total: errors.count) }
        return Enrolments(byForum: byForum)
    }
}
