import Foundation

/// A survey's results by academy, question and theme, with every small group suppressed
/// (`SuppressionTable`). It is built from anonymous records and holds only what may be
/// published, so every renderer (table, JSON, HTML, "you said") is safe by construction.
public struct SurveyReport: Codable, Sendable, Equatable {
    /// Why a cell has figures or not, so renderers never have to infer it from nils.
    public enum Status: String, Codable, Sendable {
        /// Figures are published.
        case shown
        /// The group is too small, or would let a small group be worked out.
        case suppressed
        /// Nobody in the group answered; there is nothing to protect or show.
        case none
    }

    /// One group's figures. Everything but `status` is nil when suppressed.
    public struct Cell: Codable, Sendable, Equatable {
        public let status: Status
        /// Respondents for a theme, a multi question or the response count; answers otherwise.
        public let n: Int?
        /// Answers per label (the scale, or the choices); nil for comments and response counts.
        public let distribution: [Int]?
        /// Agree + strongly agree over all answers, 0–100 to one decimal (agreement scale only).
        public let percentAgree: Double?
        /// 1–5, to two decimals (agreement scale only).
        public let mean: Double?

        static let suppressed = Cell(status: .suppressed, n: nil, distribution: nil, percentAgree: nil, mean: nil)
        static let empty = Cell(status: .none, n: 0, distribution: nil, percentAgree: nil, mean: nil)
    }

    /// A cell with the academy it belongs to, kept in the catalog's order for every table.
    public struct AcademyCell: Codable, Sendable, Equatable {
        public let academy: AcademyID
        public let cell: Cell
    }

    /// A figure for the trust and for each academy, in the catalog's order.
    public struct Results: Codable, Sendable, Equatable {
        public let trust: Cell
        public let academies: [AcademyCell]

        public func cell(_ academy: AcademyID) -> Cell? { academies.first { $0.academy == academy }?.cell }
    }

    /// Comments of one shown academy, or (academy nil) of the suppressed academies pooled,
    /// which suppression guarantees is itself a large enough group. Sorted, so the order says
    /// nothing about who answered first.
    public struct CommentGroup: Codable, Sendable, Equatable {
        public let academy: AcademyID?
        public let comments: [String]
    }

    /// One question's results; `labels` name the distribution's entries in order.
    public struct Question: Codable, Sendable, Equatable {
        public let id: String
        public let text: String
        public let type: SurveyDefinition.QuestionType
        public let labels: [String]
        public let results: Results
        /// Text questions only.
        public let comments: [CommentGroup]?
    }

    /// A theme's pooled results and its questions, the unit leaders read a report by.
    public struct Theme: Codable, Sendable, Equatable {
        public let id: String
        public let title: String
        /// The theme's agreement questions taken together; nil when it has none.
        public let results: Results?
        public let questions: [Question]
    }

    /// Names for display, carried in the report so renderers need no catalog.
    public struct AcademyName: Codable, Sendable, Equatable {
        public let id: AcademyID
        public let name: String
        public let shortName: String
    }

    public let surveyID: String
    public let title: String
    public let audience: SurveyDefinition.Audience
    public let threshold: Int
    public let academies: [AcademyName]
    /// Respondents per academy.
    public let responses: Results
    public let themes: [Theme]

    /// Builds the report. Records from an academy no longer in the catalog are left out: there
    /// is no row to show them in, and counting them only in the trust total would let them be
    /// worked out by subtraction.
    public static func build(survey: SurveyDefinition, academies: AcademyCatalog, records: [SurveyRecord]) -> SurveyReport {
        let tally = Tally(survey: survey, academies: academies.academies.map(\.id), records: records)
        let builder = ReportBuilder(survey: survey, tally: tally)
        return SurveyReport(
            surveyID: survey.id, title: survey.title, audience: survey.audience, threshold: survey.threshold,
            academies: academies.academies.map { AcademyName(id: $0.id, name: $0.name, shortName: $0.shortName) },
            responses: builder.responses(), themes: survey.themeList.map(builder.theme))
    }

    /// Every question, theme by theme.
    public var allQuestions: [Question] { themes.flatMap(\.questions) }
}

/// Counts per question, label and academy: the raw material of every table.
private struct Tally {
    let academies: [AcademyID]
    /// Respondents per academy.
    var respondents: [Int]
    /// Per question id: `counts[a][label]`, and the group size per academy.
    var counts: [String: [[Int]]] = [:]
    var sizes: [String: [Int]] = [:]
    var comments: [String: [[String]]] = [:]
    /// Per theme id: respondents per academy who answered any of its agreement questions.
    var themeRespondents: [String: [Int]] = [:]

    init(survey: SurveyDefinition, academies: [AcademyID], records: [SurveyRecord]) {
        self.academies = academies
        let m = academies.count
        let index = Dictionary(uniqueKeysWithValues: academies.enumerated().map { ($1, $0) })
        respondents = Array(repeating: 0, count: m)
        var labelIndex: [String: [String: Int]] = [:]
        var themeOf: [String: String] = [:]
        for question in survey.questions {
            counts[question.id] = Array(repeating: Array(repeating: 0, count: question.labels.count), count: m)
            sizes[question.id] = Array(repeating: 0, count: m)
            comments[question.id] = Array(repeating: [], count: m)
            labelIndex[question.id] = Dictionary(question.labels.enumerated().map { ($1, $0) }, uniquingKeysWith: min)
            if question.type == .likert5 { themeOf[question.id] = question.theme }
        }
        for theme in Set(themeOf.values) { themeRespondents[theme] = Array(repeating: 0, count: m) }
        for record in records {
            guard let a = index[record.academy] else { continue }
            respondents[a] += 1
            var themes = Set<String>()
            for answer in record.answers where sizes[answer.question] != nil {
                let q = answer.question
                sizes[q]![a] += 1
                switch answer.value {
                case .likert(let value):
                    counts[q]![a][value - 1] += 1
                    if let theme = themeOf[q] { themes.insert(theme) }
                case .choice(let label):
                    if let i = labelIndex[q]?[label] { counts[q]![a][i] += 1 }
                case .choices(let labels):
                    for label in labels { if let i = labelIndex[q]?[label] { counts[q]![a][i] += 1 } }
                case .text(let comment):
                    comments[q]![a].append(comment)
                }
            }
            for theme in themes { themeRespondents[theme]![a] += 1 }
        }
    }
}

/// Turns tallies into suppressed results, one table at a time.
private struct ReportBuilder {
    let survey: SurveyDefinition
    let tally: Tally
    let responseSizes: [[Int]]
    let responseHidden: [[Bool]]

    init(survey: SurveyDefinition, tally: Tally) {
        self.survey = survey
        self.tally = tally
        responseSizes = tally.respondents.map { [$0] } + [[tally.respondents.reduce(0, +)]]
        responseHidden = SuppressionTable(sizes: responseSizes, rowTotals: false, threshold: survey.threshold).hidden()
    }

    func responses() -> SurveyReport.Results {
        results { r in cell(n: responseSizes[r][0], distribution: nil, agreement: false, hidden: responseHidden[r][0]) }
    }

    func theme(_ theme: SurveyDefinition.Theme) -> SurveyReport.Theme {
        let questions = survey.questions(inTheme: theme.id)
        let likert = questions.filter { $0.type == .likert5 }
        var hiddenLikert: [String: [[Bool]]] = [:]
        var themeResults: SurveyReport.Results?
        if !likert.isEmpty, let themeN = tally.themeRespondents[theme.id] {
            // One two-way table: academies × (questions + theme total), trust row last.
            let sizes = withTrust((0..<tally.academies.count).map { a in likert.map { tally.sizes[$0.id]![a] } + [themeN[a]] })
            let hidden = SuppressionTable(sizes: sizes, rowTotals: true, threshold: survey.threshold).hidden()
            for (j, question) in likert.enumerated() { hiddenLikert[question.id] = hidden.map { [$0[j]] } }
            let distributions = withTrust((0..<tally.academies.count).map { a in
                likert.reduce(into: [0, 0, 0, 0, 0]) { sum, q in
                    for (i, c) in tally.counts[q.id]![a].enumerated() { sum[i] += c }
                }
            })
            themeResults = results { r in
                cell(n: sizes[r][likert.count], distribution: distributions[r], agreement: true, hidden: hidden[r][likert.count])
            }
        }
        return SurveyReport.Theme(id: theme.id, title: theme.title, results: themeResults,
                                  questions: questions.map { question($0, hidden: hiddenLikert[$0.id]) })
    }

    private func question(_ q: SurveyDefinition.Question, hidden given: [[Bool]]?) -> SurveyReport.Question {
        let sizes = withTrust(tally.sizes[q.id]!.map { [$0] })
        let hidden = given ?? SuppressionTable(sizes: sizes, rowTotals: false, threshold: survey.threshold).hidden()
        let distributions = withTrust(tally.counts[q.id]!)
        let results = results { r in
            cell(n: sizes[r][0], distribution: q.type == .text ? nil : distributions[r],
                 agreement: q.type == .likert5, hidden: hidden[r][0])
        }
        return SurveyReport.Question(id: q.id, text: q.text, type: q.type, labels: q.labels, results: results,
                                     comments: q.type == .text ? comments(q.id, hidden: hidden) : nil)
    }

    private func comments(_ question: String, hidden: [[Bool]]) -> [SurveyReport.CommentGroup] {
        let all = tally.comments[question]!
        var groups: [SurveyReport.CommentGroup] = []
        var pooled: [String] = []
        for (a, academy) in tally.academies.enumerated() where !all[a].isEmpty {
            if hidden[a][0] { pooled += all[a] } else { groups.append(.init(academy: academy, comments: all[a].sorted())) }
        }
        if !pooled.isEmpty && !hidden[tally.academies.count][0] {
            groups.append(.init(academy: nil, comments: pooled.sorted()))
        }
        return groups
    }

    /// Appends the trust row: the column sums of the academies' rows.
    private func withTrust(_ rows: [[Int]]) -> [[Int]] {
        let width = rows.first?.count ?? 0
        return rows + [(0..<width).map { c in rows.reduce(0) { $0 + $1[c] } }]
    }

    /// Academies whose response count is hidden have their "nobody answered" cells hidden too:
    /// showing less never helps an attacker, and "the one person at X skipped this question"
    /// is something about that person.
    private func results(_ make: (Int) -> SurveyReport.Cell) -> SurveyReport.Results {
        let academies = tally.academies.enumerated().map { a, academy in
            let cell = make(a)
            return SurveyReport.AcademyCell(academy: academy,
                                            cell: cell.status == .none && responseHidden[a][0] ? .suppressed : cell)
        }
        return SurveyReport.Results(trust: make(tally.academies.count), academies: academies)
    }

    private func cell(n: Int, distribution: [Int]?, agreement: Bool, hidden: Bool) -> SurveyReport.Cell {
        if hidden { return .suppressed }
        if n == 0 { return .empty }
        var percent: Double?
        var mean: Double?
        if agreement, let d = distribution {
            let answers = d.reduce(0, +)
            if answers > 0 {
                percent = ((Double(d[3] + d[4]) * 1000 / Double(answers)).rounded()) / 10
                let total = d.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
                mean = ((Double(total) * 100 / Double(answers)).rounded()) / 100
            }
        }
        return SurveyReport.Cell(status: .shown, n: n, distribution: distribution, percentAgree: percent, mean: mean)
    }
}
