import Foundation

/// What one respondent answered to one question.
public enum SurveyAnswerValue: Sendable, Equatable, Hashable {
    /// 1 (strongly disagree) to 5 (strongly agree).
    case likert(Int)
    /// The option as the config spells it, or "Other"; for rating and nps, the score as its
    /// label ("0"–"10").
    case choice(String)
    /// The options of a multi question, each once, in the order given; of a ranking, every
    /// option ranked, first to last.
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
    /// What the file was read as (CSV and its encoding, or a workbook's sheet).
    public let format: TableFormat

    /// Reads and checks a whole export: Forms' "Open results in Excel" workbook, or a CSV
    /// (`TableReader`). Every problem in the file is collected before throwing, so one
    /// submission shows the person everything there is to fix.
    /// - Parameter sheet: the workbook's sheet to read; the first visible one when nil.
    public static func read(_ bytes: [UInt8], survey: SurveyDefinition, academies: AcademyCatalog,
                            sheet: String? = nil) throws(SurveyImportError) -> FormsExport
    {
        let table: CSVTable
        var file: TableReader
        do {
            file = try TableReader(bytes, sheet: sheet)
            table = try file.readTable()
        } catch {
            throw SurveyImportError(surveyID: survey.id, problems: [.unreadable(error)])
        }
        var reader = Reader(survey: survey, academies: academies, file: file)
        reader.mapColumns(table.header.fields)
        if table.rows.isEmpty { reader.problems.append(.noResponses) }
        // A row as the person sees it: a CSV opened in Excel puts record n on row n + 1; a
        // sheet says its own row numbers.
        let isSheet = if case .xlsx = file.format { true } else { false }
        let responses = table.rows.enumerated().compactMap {
            reader.read($0.element.fields, row: isSheet ? $0.element.line : $0.offset + 2)
        }
        guard reader.problems.isEmpty else {
            throw SurveyImportError(surveyID: survey.id, problems: reader.problems)
        }
        return FormsExport(surveyID: survey.id, responses: responses, format: file.format)
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
    /// Per question, its options (or scale labels, for agreement) by spelling and comparison key.
    let options: [String: [String: String]]
    let file: TableReader
    var idColumn: Int?
    var academyColumn: Int?
    var questionColumns: [(question: SurveyDefinition.Question, column: Int)] = []
    var firstRowOfID: [String: Int] = [:]
    var problems: [SurveyProblem] = []

    init(survey: SurveyDefinition, academies: AcademyCatalog, file: TableReader) {
        self.survey = survey
        self.file = file
        self.academies = FormsExport.academyLookup(academies)
        // An agreement question also takes the standard labels, so an export made before the
        // form was reworded still reads; the survey's own wording wins where they differ.
        options = Dictionary(survey.questions.map { q in
            let standard = q.type == .likert5 ? Array(zip(LikertScale.labels, q.labels)) : []
            return (q.id, SurveyText.lookup(q.labels.map { ($0, $0) } + standard))
        },
                             uniquingKeysWith: { first, _ in first })
    }

    /// Headers are matched ignoring case and the spaces around and inside them, since Forms
    /// and Excel pad and re-wrap long question text.
    mutating func mapColumns(_ header: [String]) {
        var columnsOf: [String: [Int]] = [:]
        var order: [String] = []
        for (index, raw) in header.enumerated() {
            let key = Self.headerKey(raw)
            if columnsOf[key] == nil { order.append(key) }
            columnsOf[key, default: []].append(index)
        }
        var questionByHeader: [String: SurveyDefinition.Question] = [:]
        for question in survey.questions { questionByHeader[Self.headerKey(question.text)] = question }
        let formsColumns = Set(SurveyDefinition.formsColumns.map(Self.headerKey))
        let quizPrefixes = SurveyDefinition.formsQuizPrefixes.map(Self.headerKey)
        let academyHeader = Self.headerKey(survey.academyQuestion)
        for key in order {
            let columns = columnsOf[key]!
            let index = columns[0]
            let name = SurveyText.header(header[index])
            if columns.count > 1 {
                problems.append(.duplicateColumn(header: name, columns: columns.map(file.columnLabel)))
            }
            if key == "id" {
                idColumn = index
            } else if key == academyHeader {
                academyColumn = index
            } else if let question = questionByHeader[key] {
                questionColumns.append((question, index))
            } else if !formsColumns.contains(key) && !quizPrefixes.contains(where: { key.hasPrefix($0) }) {
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

    static func headerKey(_ text: String) -> String { SurveyText.header(text).lowercased() }

    /// `Sheet1!F7` for a workbook's cell; nil for CSV, whose problems name the row.
    private func cell(_ row: Int, _ column: Int) -> String? { file.cell(row: row, column: column) }

    mutating func read(_ fields: [String], row: Int) -> FormsResponse? {
        let before = problems.count
        var id = ""
        if let idColumn {
            id = fields[idColumn].trimmingCharacters(in: .whitespaces)
            if id.isEmpty {
                problems.append(.blankID(row: row, cell: cell(row, idColumn)))
            } else if let first = firstRowOfID[id] {
                problems.append(.repeatedID(row: row, firstRow: first, cell: cell(row, idColumn)))
            } else {
                firstRowOfID[id] = row
            }
        }
        var academy: AcademyID?
        if let academyColumn {
            let answer = fields[academyColumn]
            academy = SurveyText.find(answer, in: academies)
            if academy == nil && SurveyText.isBlank(answer) {
                problems.append(.blankAcademy(row: row, cell: cell(row, academyColumn)))
            } else if academy == nil {
                problems.append(.unknownAcademy(row: row, cell: cell(row, academyColumn)))
            }
        }
        var answers: [SurveyAnswer] = []
        answers.reserveCapacity(questionColumns.count)
        for (question, column) in questionColumns {
            if let value = answer(fields[column], to: question, at: Place(row: row, cell: cell(row, column))) {
                answers.append(SurveyAnswer(question: question.id, value: value))
            }
        }
        guard problems.count == before, let academy else { return nil }
        return FormsResponse(row: row, formsID: id, record: SurveyRecord(academy: academy, answers: answers))
    }

    /// Where an answer is: its row, and its cell in a workbook.
    struct Place {
        let row: Int
        let cell: String?
    }

    /// The answer in a cell, nil when it is blank (an optional question left unanswered) or
    /// when it is wrong (the problem is then recorded).
    private mutating func answer(_ text: String, to question: SurveyDefinition.Question, at place: Place)
        -> SurveyAnswerValue?
    {
        switch question.type {
        case .text:
            let comment = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return comment.isEmpty ? nil : .text(SurveyRedaction.redact(comment))
        case .likert5:
            guard !SurveyText.isBlank(text) else { return nil }
            guard let table = options[question.id], let label = SurveyText.find(text, in: table),
                  let index = question.labels.firstIndex(of: label)
            else {
                problems.append(.notOnScale(row: place.row, question: question.id, value: text,
                                            labels: question.labels, cell: place.cell))
                return nil
            }
            return .likert(index + 1)
        case .rating, .nps:
            guard !SurveyText.isBlank(text) else { return nil }
            let range = question.type == .nps ? 0...10 : 1...(question.scale ?? SurveyDefinition.defaultRatingScale)
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard trimmed.utf8.count <= 2, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int(trimmed), range.contains(value)
            else {
                problems.append(.notInRange(row: place.row, question: question.id, value: text, range: range,
                                            cell: place.cell))
                return nil
            }
            // As the label of its point: the stored shape of a choice, so the store's agreement
            // column keeps meaning 1–5 agreement only.
            return .choice(String(value))
        case .choice:
            guard !SurveyText.isBlank(text) else { return nil }
            return option(text, of: question, at: place).map { .choice($0) }
        case .multi, .ranking:
            var picked: [String] = []
            for part in text.split(separator: ";") where !SurveyText.isBlank(String(part)) {
                guard let option = option(String(part), of: question, at: place) else { continue }
                if !picked.contains(option) {
                    picked.append(option)
                } else if question.type == .ranking {
                    problems.append(.rankedTwice(row: place.row, question: question.id, value: option, cell: place.cell))
                }
            }
            return picked.isEmpty ? nil : .choices(picked)
        }
    }

    private mutating func option(_ text: String, of question: SurveyDefinition.Question, at place: Place) -> String? {
        if let table = options[question.id], let option = SurveyText.find(text, in: table) { return option }
        if question.allowOther == true { return SurveyDefinition.otherLabel }
        problems.append(.notAChoice(row: place.row, question: question.id, value: text, choices: question.choices ?? [],
                                    cell: place.cell))
        return nil
    }
}
