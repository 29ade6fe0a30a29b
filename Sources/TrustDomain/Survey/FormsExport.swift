import Foundation

/// What one respondent answered to one question.
public enum SurveyAnswerValue: Sendable, Equatable, Hashable {
    /// 1 (strongly disagree) to 5 (strongly agree).
    case likert(Int)
    /// The option as the config spells it, or "Other".
    case choice(String)
    /// The options of a multi question, each once, in the order given.
    case choices([String])
    /// A comment with contact details already removed.
    case text(String)
}

/// One answer, keyed by the question id rather than its wording, so rewording a question in
/// the config does not orphan answers already stored.
public struct SurveyAnswer: Sendable, Equatable, Hashable {
    /// The question's id from the config.
    public let question: String
    public let value: SurveyAnswerValue

    public init(question: String, value: SurveyAnswerValue) {
        self.question = question
        self.value = value
    }
}

/// A response as results are computed from it: where the respondent is and what they said,
/// with nothing that says who they are.
public struct SurveyRecord: Sendable, Equatable {
    public let academy: AcademyID
    /// Answered questions only; a question left blank has no entry.
    public let answers: [SurveyAnswer]

    public init(academy: AcademyID, answers: [SurveyAnswer]) {
        self.academy = academy
        self.answers = answers
    }
}

/// A response read from an export. `formsID` is Forms' own row id, kept only long enough for
/// the caller to turn it into a keyed pseudonym; it must never be stored or logged.
public struct FormsResponse: Sendable, Equatable {
    /// The spreadsheet row (the header is row 1).
    public let row: Int
    public let formsID: String
    public let record: SurveyRecord
}

/// A Microsoft Forms export checked against its survey's definition, all or nothing.
///
/// The `Email`, `Name` and time columns are never read: the only way personal data could
/// reach storage from here is through free text, which is redacted on the way in.
public struct FormsExport: Sendable {
    public let surveyID: String
    public let responses: [FormsResponse]

    /// Reads and checks a whole export. Every problem in the file is collected before
    /// throwing, so one submission shows the person everything there is to fix.
    public static func read(_ bytes: [UInt8], survey: SurveyDefinition, academies: AcademyCatalog)
        throws(SurveyImportError) -> FormsExport
    {
        let table: CSVTable
        do {
            table = try CSV.parse(bytes)
        } catch {
            throw SurveyImportError(surveyID: survey.id, problems: [.unreadable(error)])
        }
        var reader = Reader(survey: survey, academies: academies)
        reader.mapColumns(table.header.fields)
        if table.rows.isEmpty { reader.problems.append(.noResponses) }
        let responses = table.rows.enumerated().compactMap { reader.read($0.element.fields, row: $0.offset + 2) }
        guard reader.problems.isEmpty else {
            throw SurveyImportError(surveyID: survey.id, problems: reader.problems)
        }
        return FormsExport(surveyID: survey.id, responses: responses)
    }

    /// The academy an answer to the "which academy" question names: its full name, short name
    /// or id, compared ignoring case and spaces, since forms have offered each at some time.
    static func academyLookup(_ academies: AcademyCatalog) -> [String: AcademyID] {
        SurveyText.lookup(academies.academies.flatMap { academy in
            [academy.name, academy.shortName, academy.id.rawValue].map { ($0, academy.id) }
        })
    }
}

/// The state of one read: which column holds what, and the problems found so far.
private struct Reader {
    let survey: SurveyDefinition
    let academies: [String: AcademyID]
    /// Per question, its options by spelling and comparison key.
    let options: [String: [String: String]]
    var idColumn: Int?
    var academyColumn: Int?
    var questionColumns: [(question: SurveyDefinition.Question, column: Int)] = []
    var firstRowOfID: [String: Int] = [:]
    var problems: [SurveyProblem] = []

    init(survey: SurveyDefinition, academies: AcademyCatalog) {
        self.survey = survey
        self.academies = FormsExport.academyLookup(academies)
        options = Dictionary(survey.questions.map { q in (q.id, SurveyText.lookup(q.labels.map { ($0, $0) })) },
                             uniquingKeysWith: { first, _ in first })
    }

    mutating func mapColumns(_ header: [String]) {
        var seen = Set<String>()
        var questionByHeader: [String: SurveyDefinition.Question] = [:]
        for question in survey.questions { questionByHeader[SurveyText.header(question.text)] = question }
        let formsColumns = Set(SurveyDefinition.formsColumns)
        let academyHeader = SurveyText.header(survey.academyQuestion)
        for (index, raw) in header.enumerated() {
            let name = SurveyText.header(raw)
            guard seen.insert(name).inserted else {
                problems.append(.duplicateColumn(header: name))
                continue
            }
            if name == "ID" {
                idColumn = index
            } else if name == academyHeader {
                academyColumn = index
            } else if let question = questionByHeader[name] {
                questionColumns.append((question, index))
            } else if !formsColumns.contains(name) {
                problems.append(.unknownColumn(header: name))
            }
        }
        if idColumn == nil { problems.append(.missingColumn(header: "ID", role: "Forms' response ID")) }
        if academyColumn == nil {
            problems.append(.missingColumn(header: survey.academyQuestion, role: "the academy question"))
        }
        let found = Set(questionColumns.map(\.question.id))
        for question in survey.questions where !found.contains(question.id) {
            problems.append(.missingColumn(header: question.text, role: "question \(question.id)"))
        }
    }

    mutating func read(_ fields: [String], row: Int) -> FormsResponse? {
        let before = problems.count
        var id = ""
        if let idColumn {
            id = fields[idColumn].trimmingCharacters(in: .whitespaces)
            if id.isEmpty {
                problems.append(.blankID(row: row))
            } else if let first = firstRowOfID[id] {
                problems.append(.repeatedID(row: row, firstRow: first))
            } else {
                firstRowOfID[id] = row
            }
        }
        var academy: AcademyID?
        if let academyColumn {
            let answer = fields[academyColumn]
            academy = SurveyText.find(answer, in: academies)
            if academy == nil && SurveyText.isBlank(answer) {
                problems.append(.blankAcademy(row: row))
            } else if academy == nil {
                problems.append(.unknownAcademy(row: row))
            }
        }
        var answers: [SurveyAnswer] = []
        answers.reserveCapacity(questionColumns.count)
        for (question, column) in questionColumns {
            if let value = answer(fields[column], to: question, row: row) {
                answers.append(SurveyAnswer(question: question.id, value: value))
            }
        }
        guard problems.count == before, let academy else { return nil }
        return FormsResponse(row: row, formsID: id, record: SurveyRecord(academy: academy, answers: answers))
    }

    /// The answer in a cell, nil when it is blank (an optional question left unanswered) or
    /// when it is wrong (the problem is then recorded).
    private mutating func answer(_ cell: String, to question: SurveyDefinition.Question, row: Int)
        -> SurveyAnswerValue?
    {
        switch question.type {
        case .text:
            let comment = cell.trimmingCharacters(in: .whitespacesAndNewlines)
            return comment.isEmpty ? nil : .text(SurveyRedaction.redact(comment))
        case .likert5:
            guard !SurveyText.isBlank(cell) else { return nil }
            guard let value = LikertScale.value(cell) else {
                problems.append(.notOnScale(row: row, question: question.id, value: cell))
                return nil
            }
            return .likert(value)
        case .choice:
            guard !SurveyText.isBlank(cell) else { return nil }
            return option(cell, of: question, row: row).map { .choice($0) }
        case .multi:
            var picked: [String] = []
            for part in cell.split(separator: ";") where !SurveyText.isBlank(String(part)) {
                if let option = option(String(part), of: question, row: row), !picked.contains(option) {
                    picked.append(option)
                }
            }
            return picked.isEmpty ? nil : .choices(picked)
        }
    }

    private mutating func option(_ text: String, of question: SurveyDefinition.Question, row: Int) -> String? {
        if let table = options[question.id], let option = SurveyText.find(text, in: table) { return option }
        if question.allowOther == true { return SurveyDefinition.otherLabel }
        problems.append(.notAChoice(row: row, question: question.id, value: text, choices: question.choices ?? []))
        return nil
    }
}
