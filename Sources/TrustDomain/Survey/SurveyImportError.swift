/// One reason an export cannot be taken. Messages name the row as a spreadsheet shows it (the
/// header is row 1), the question by id and the offending value, so the person who downloaded
/// the export can find it. They never quote a respondent's ID, e-mail, name or comment: these
/// messages end up in the dead-letter queue and in the worker's error log.
public enum SurveyProblem: Equatable, Sendable, CustomStringConvertible {
    case unknownSurvey(id: String, known: [String])
    case unreadable(TableError)
    case missingColumn(header: String, role: String)
    /// `columns`: where the header appears, as the person sees columns (numbers or letters).
    case duplicateColumn(header: String, columns: [String] = [])
    case unknownColumn(header: String)
    case noResponses
    // Row problems carry the cell (`Sheet1!F7`) when the export is a workbook.
    case blankID(row: Int, cell: String? = nil)
    case repeatedID(row: Int, firstRow: Int, cell: String? = nil)
    case blankAcademy(row: Int, cell: String? = nil)
    /// The answer is not repeated: if a name in the row held an unquoted comma, the columns
    /// after it shift by one and the academy cell holds part of the respondent's name.
    case unknownAcademy(row: Int, cell: String? = nil)
    case notOnScale(row: Int, question: String, value: String, labels: [String] = LikertScale.labels, cell: String? = nil)
    case notAChoice(row: Int, question: String, value: String, choices: [String], cell: String? = nil)
    case notInRange(row: Int, question: String, value: String, range: ClosedRange<Int>, cell: String? = nil)
    case rankedTwice(row: Int, question: String, value: String, cell: String? = nil)

    public var description: String {
        switch self {
        case .unknownSurvey(let id, let known):
            let list = known.isEmpty ? "there are none in Config/surveys" : "known: \(known.joined(separator: ", "))"
            return "there is no survey \"\(id)\" (Config/surveys/\(id).json; \(list))"
        case .unreadable(.csv(let error)):
            return "the file is not a readable CSV export: \(error)"
        case .unreadable(.workbook(let error)):
            return "the file is not a readable workbook: \(error)"
        case .missingColumn(let header, let role):
            return "there is no column \(SurveyText.quoted(header, limit: 60)) for \(role)"
        case .duplicateColumn(let header, let columns):
            let which = columns.isEmpty ? "" : " (columns \(columns.joined(separator: ", ")))"
            return "the column \(SurveyText.quoted(header, limit: 60)) appears more than once\(which); answers "
                + "cannot be told apart, so the export is refused. Forms names a Likert statement's column by the "
                + "statement alone: if two questions share a statement, reword one in the form, or delete the "
                + "column that is not in Config/surveys"
        case .unknownColumn(let header):
            return "the column \(SurveyText.quoted(header, limit: 60)) is not a question of this survey "
                + "(add it to the survey's config or delete the column)"
        case .noResponses:
            return "the export has a header row but no responses"
        case .blankID(let row, let cell):
            return "\(Self.place(row, cell)): the ID is blank"
        case .repeatedID(let row, let first, let cell):
            return "\(Self.place(row, cell)): the ID is the same as row \(first)'s; a response cannot appear twice in one export"
        case .blankAcademy(let row, let cell):
            return "\(Self.place(row, cell)): the academy question is not answered"
        case .unknownAcademy(let row, let cell):
            return "\(Self.place(row, cell)): the academy answer is not one of the trust's academies (not quoted here: if a name on the row has a comma, the columns have shifted and it may be part of a name)"
        case .notOnScale(let row, let question, let value, let labels, let cell):
            return "\(Self.place(row, cell)), question \(question): \(SurveyText.quoted(value)) is not on the agreement scale ("
                + labels.joined(separator: ", ") + ")"
        case .notAChoice(let row, let question, let value, let choices, let cell):
            return "\(Self.place(row, cell)), question \(question): \(SurveyText.quoted(value)) is not one of its choices ("
                + choices.joined(separator: ", ") + ")"
        case .notInRange(let row, let question, let value, let range, let cell):
            return "\(Self.place(row, cell)), question \(question): \(SurveyText.quoted(value)) is not a whole number "
                + "from \(range.lowerBound) to \(range.upperBound)"
        case .rankedTwice(let row, let question, let value, let cell):
            return "\(Self.place(row, cell)), question \(question): \(SurveyText.quoted(value)) is ranked twice"
        }
    }

    /// `row 7`, or `row 7 (Sheet1!F7)` in a workbook, so either kind of file can be searched.
    private static func place(_ row: Int, _ cell: String?) -> String {
        cell.map { "row \(row) (\($0))" } ?? "row \(row)"
    }
}

/// Why an export was refused as a whole. Every problem found is listed, because the person
/// fixing the file should not have to resubmit once per mistake; nothing of the file is stored.
public struct SurveyImportError: Error, Equatable, Sendable, CustomStringConvertible {
    public let surveyID: String
    public let problems: [SurveyProblem]

    public init(surveyID: String, problems: [SurveyProblem]) {
        self.surveyID = surveyID
        self.problems = problems
    }

    private var headline: String {
        "survey \"\(surveyID)\" export rejected, nothing stored: \(problems.count) problem\(problems.count == 1 ? "" : "s")"
    }

    /// The full list, one problem per line, for a person at a terminal.
    public var description: String {
        ([headline + ":"] + problems.map { "  \($0)" }).joined(separator: "\n")
    }

    /// One line of at most `limit` characters, for a dead-letter header and a log field: as
    /// many whole problems as fit, then how many more there are.
    public func oneLine(limit: Int = 480) -> String {
        var line = headline + ": "
        for (index, problem) in problems.enumerated() {
            let piece = (index == 0 ? "" : "; ") + problem.description
            let later = problems.count - index - 1
            let reserve = later > 0 ? "; … and \(later) more".count : 0
            if line.count + piece.count + reserve <= limit {
                line += piece
                continue
            }
            guard index == 0 else { return line + "; … and \(later + 1) more" }
            // The first problem is always shown, cut short if it must be.
            let tail = later > 0 ? "; … and \(later) more" : ""
            return line + piece.prefix(max(0, limit - line.count - tail.count - 1)) + "…" + tail
        }
        return line
    }
}
