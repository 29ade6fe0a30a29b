/// One problem in a data-drop file, addressed the way a data manager finds it in a spreadsheet:
/// line, column, the value they typed, and what is wrong in plain English.
///
/// `description` reads `line 14, column year: "7" is not a primary year (N, R, 1–6)`: when a
/// value is present the reason continues the sentence after it; otherwise the reason stands
/// alone (`line 9, column reading: a value is required for year 3 (BLW, WTS, EXS or GDS)`).
public struct DropValidationError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Physical line in the file (the header is line 1), or a sheet's row; 0 when the problem
    /// is the whole file.
    public let line: Int
    /// In a workbook, the cell as Excel names it (`Sheet1!F7`); it replaces the line in messages.
    public let cell: String?
    public let column: String?
    /// Already display-safe (see `displaySafe`): these messages travel in events, logs and
    /// e-mails, so a value never carries raw control characters or unbounded length.
    public let value: String?
    public let reason: String

    public init(line: Int, cell: String? = nil, column: String? = nil, value: String? = nil, reason: String) {
        self.line = line
        self.cell = cell
        self.column = column
        self.value = value.map(Self.displaySafe)
        self.reason = reason
    }

    init(_ error: TableError) {
        self.init(line: error.line ?? 0, cell: error.place, reason: error.reason)
    }

    public var description: String {
        var place: [String] = []
        if let cell { place.append(cell) } else if line > 0 { place.append("line \(line)") }
        if let column { place.append("column \(column)") }
        let text = value.map { "\"\($0)\" \(reason)" } ?? reason
        return place.isEmpty ? text : place.joined(separator: ", ") + ": " + text
    }

    /// Values come from outside, so they are shown escaped and short: at most 40 characters
    /// then "…", with control and invisible formatting characters (including bidirectional
    /// overrides that could make a message read differently from what it says) written as
    /// escapes. Formula-looking values such as `=HYPERLINK(…)` need nothing special: they only
    /// ever appear inside quotes in the middle of a sentence.
    public static func displaySafe(_ value: String) -> String {
        let limit = 40
        var out = ""
        for (index, scalar) in value.unicodeScalars.enumerated() {
            if index == limit {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned,
                    .privateUse, .surrogate:
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// Why a whole drop was refused. A drop is all-or-nothing, so the academy gets every problem
/// at once rather than one per resubmission; the list is capped so a file with a systematic
/// mistake (a shifted column on 600 rows) gives a readable message with a count of the rest.
public struct DropRejection: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    /// The first problems in file order, at most the cap given to the validator.
    public let errors: [DropValidationError]
    /// Every problem found, listed or not.
    public let totalCount: Int

    public init(errors: [DropValidationError], totalCount: Int) {
        self.errors = errors
        self.totalCount = totalCount
    }

    public var unlistedCount: Int { totalCount - errors.count }

    public var description: String {
        var lines = errors.map(\.description)
        if unlistedCount > 0 {
            lines.append("… and \(unlistedCount) more \(unlistedCount == 1 ? "error" : "errors")")
        }
        return lines.joined(separator: "\n")
    }
}
