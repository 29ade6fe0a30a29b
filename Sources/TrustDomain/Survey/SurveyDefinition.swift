import Foundation

/// `Config/surveys/<id>.json`: what a Microsoft Forms survey asks and how its answers are
/// read. Forms exports name columns by question text, so the file ties each wording to a
/// short id (what is stored and reported) and a theme (what results are grouped by). Checked
/// on load so a typo stops the worker at start-up, not half-way through an export.
public struct SurveyDefinition: Codable, Sendable, Equatable, ConfigDocument {
    /// Who answers: it decides which "you said" summary the newsletter picks up.
    public enum Audience: String, CaseIterable, Sendable, ConfigVocabulary {
        case colleagues, families
        static let vocabularyName = "audience"
        public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
    }

    /// How a column's answers are read and reported.
    public enum QuestionType: String, CaseIterable, Sendable, ConfigVocabulary {
        /// The five-point agreement scale (`LikertScale`).
        case likert5
        /// One option from `choices`.
        case choice
        /// Any number of options from `choices`; Forms joins them with ';'.
        case multi
        /// Free text: stored with contact details removed, shown only for groups large enough.
        case text
        /// Forms' rating: a whole number from 1 to `scale` (stars or numbers), stored as the
        /// label of that point, as a choice is.
        case rating
        /// Forms' Net Promoter Score: a whole number from 0 to 10.
        case nps
        /// Forms' ranking: every option in the respondent's order, joined with ';'; stored as
        /// the options in that order.
        case ranking
        static let vocabularyName = "question type"
        public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
    }

    /// What results are grouped by: a priority (FT-1…FT-5), a value or a topic such as workload.
    public struct Theme: Codable, Sendable, Equatable {
        public let id: String
        public let title: String
    }

    /// A column of the export: its wording ties it to the export, its id to storage and reports.
    public struct Question: Codable, Sendable, Equatable {
        public let id: String
        /// The column header exactly as Forms exports it (white space runs count as one).
        public let text: String
        public let theme: String
        public let type: QuestionType
        /// The options of a choice or multi question, in the order reports list them.
        public let choices: [String]?
        /// Whether Forms' "Other" box is on: answers outside `choices` then count as "Other"
        /// and their text, which may be anything a respondent typed, is discarded.
        public let allowOther: Bool?
        /// A rating question's highest point (Forms offers 2 to 10); 5 when not given.
        public let scale: Int?
        /// A likert5 question's five labels, from strongly disagree to strongly agree, as the
        /// form words them; the survey's `likert_labels`, or `LikertScale.labels`, when not given.
        public internal(set) var likertLabels: [String]?

        enum CodingKeys: String, CodingKey {
            case id, text, theme, type, choices, scale
            case allowOther = "allow_other"
            case likertLabels = "likert_labels"
        }

        public init(id: String, text: String, theme: String, type: QuestionType, choices: [String]? = nil,
                    allowOther: Bool? = nil, scale: Int? = nil, likertLabels: [String]? = nil) {
            self.id = id
            self.text = text
            self.theme = theme
            self.type = type
            self.choices = choices
            self.allowOther = allowOther
            self.scale = scale
            self.likertLabels = likertLabels
        }

        /// The labels a distribution is reported under, in order: for a scale, its points.
        public var labels: [String] {
            switch type {
            case .likert5: likertLabels ?? LikertScale.labels
            case .choice, .multi: (choices ?? []) + (allowOther == true ? [SurveyDefinition.otherLabel] : [])
            case .ranking: choices ?? []
            case .rating: (1...max(1, scale ?? SurveyDefinition.defaultRatingScale)).map(String.init)
            case .nps: (0...10).map(String.init)
            case .text: []
            }
        }
    }

    public static let defaultThreshold = 5
    static let defaultRatingScale = 5
    static let ratingScales = 2...10
    static let otherLabel = "Other"
    static let thresholdRange = 3...100
    /// The columns every Forms export starts with. Only `ID` is needed (it makes a re-import
    /// idempotent); the rest are recognised so that they are never mistaken for questions, and
    /// are never read. "Last modified time" appears in exports of forms that allow editing,
    /// "Total points" and "Quiz feedback" in exports of quizzes.
    public static let formsColumns = formsLeadingColumns + ["Last modified time", "Total points", "Quiz feedback"]
    /// A quiz export adds a "Points - <question>" and a "Feedback - <question>" column after
    /// each question it marks; they are never read.
    public static let formsQuizPrefixes = ["Points - ", "Feedback - "]
    /// The columns every Forms export starts with, in Forms' order.
    public static let formsLeadingColumns = ["ID", "Start time", "Completion time", "Email", "Name"]

    public let id: String
    public let title: String
    public let audience: Audience
    /// The header of the "which academy" question, whose answers group the results.
    public let academyQuestion: String
    /// Groups with fewer responses than this are suppressed; 5 unless the file says otherwise.
    public let anonymityThreshold: Int?
    /// Optional list of theme ids and titles; when given, every question must use one of them.
    public let themes: [Theme]?
    /// The five agreement labels as this survey's form words them (Forms offers "Neutral" for
    /// the middle one); `LikertScale.labels` when not given. A question may give its own.
    public let likertLabels: [String]?
    public let questions: [Question]

    enum CodingKeys: String, CodingKey {
        case id, title, audience, themes, questions
        case academyQuestion = "academy_question"
        case anonymityThreshold = "anonymity_threshold"
        case likertLabels = "likert_labels"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        audience = try c.decode(Audience.self, forKey: .audience)
        academyQuestion = try c.decode(String.self, forKey: .academyQuestion)
        anonymityThreshold = try c.decodeIfPresent(Int.self, forKey: .anonymityThreshold)
        themes = try c.decodeIfPresent([Theme].self, forKey: .themes)
        let labels = try c.decodeIfPresent([String].self, forKey: .likertLabels)
        likertLabels = labels
        // Each agreement question carries the labels it is read and reported with.
        questions = try c.decode([Question].self, forKey: .questions).map { question in
            var question = question
            if question.type == .likert5 && question.likertLabels == nil { question.likertLabels = labels }
            return question
        }
    }

    public var threshold: Int { anonymityThreshold ?? Self.defaultThreshold }

    /// Themes in report order: as declared, or else in order of first use, titled by id.
    public var themeList: [Theme] {
        if let themes { return themes }
        var seen = Set<String>()
        return questions.compactMap { seen.insert($0.theme).inserted ? Theme(id: $0.theme, title: $0.theme) : nil }
    }

    /// The theme's questions in survey order, the order people answered them in.
    public func questions(inTheme theme: String) -> [Question] {
        questions.filter { $0.theme == theme }
    }

    public static func load(from data: Data, file: String) throws(ConfigError) -> SurveyDefinition {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> SurveyDefinition {
        try loadDocument(contentsOf: url)
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        try check.slug(id, entry: nil)
        // Exports are routed by `survey.<id>` and looked up by file name: the two must agree.
        if check.file.hasSuffix(".json") {
            try check.require(check.file == "\(id).json", entry: nil, field: "id", value: id,
                              "does not match the file name (expected \(id).json)")
        }
        try check.notBlank(title, entry: nil, field: "title")
        try check.notBlank(academyQuestion, entry: nil, field: "academy_question")
        try check.require(Self.thresholdRange.contains(threshold), entry: nil, field: "anonymity_threshold",
                          value: threshold, "is not a group size from 3 to 100 (below 3, two colleagues "
                              + "could work out each other's answers)")
        if let likertLabels { try Self.validate(likertLabels: likertLabels, check, entry: nil) }
        let declared = try validateThemes(check)
        try check.require(!questions.isEmpty, entry: nil, field: "questions", value: [String](),
                          "lists no questions")
        var ids: [String: String] = [:]
        var headers: [String: String] = [:]
        for column in Self.formsColumns + [academyQuestion] {
            headers[SurveyText.header(column)] = column == academyQuestion ? "academy_question" : "a Forms column"
        }
        for (index, question) in questions.enumerated() {
            try check.slug(question.id, entry: ConfigEntry.numbered("question", index))
            try check.unique(question.id, entry: ConfigEntry.numbered("question", index), seen: &ids)
            try validate(question, check, declaredThemes: declared, headers: &headers)
        }
    }

    private func validateThemes(_ check: ConfigValidator) throws(ConfigError) -> Set<String>? {
        guard let themes else { return nil }
        var seen: [String: String] = [:]
        for (index, theme) in themes.enumerated() {
            let position = ConfigEntry.numbered("theme", index)
            try check.slug(theme.id, entry: position)
            try check.unique(theme.id, entry: position, seen: &seen)
            try check.notBlank(theme.title, entry: ConfigEntry.named("theme", theme.id), field: "title")
        }
        return Set(seen.keys)
    }

    private func validate(_ question: Question, _ check: ConfigValidator, declaredThemes: Set<String>?,
                          headers: inout [String: String]) throws(ConfigError) {
        let entry = ConfigEntry.named("question", question.id)
        try check.notBlank(question.text, entry: entry, field: "text")
        let header = SurveyText.header(question.text)
        if let other = headers[header] {
            try check.require(false, entry: entry, field: "text", value: question.text,
                              "is the same column header as \(other)")
        }
        headers[header] = ConfigEntry.named("question", question.id)
        try check.require(AcademyID.isValidSlug(question.theme), entry: entry, field: "theme",
                          value: question.theme, "is not a valid theme id (lower-case letters, digits and single hyphens)")
        if let declaredThemes {
            try check.require(declaredThemes.contains(question.theme), entry: entry, field: "theme",
                              value: question.theme, "is not one of the themes listed under \"themes\"")
        }
        try check.require(question.scale == nil || question.type == .rating, entry: entry, field: "scale",
                          value: question.scale ?? 0, "only rating questions have a scale")
        try check.require(question.likertLabels == nil || question.type == .likert5 || question.likertLabels == likertLabels,
                          entry: entry, field: "likert_labels", value: question.likertLabels ?? [],
                          "only likert5 questions have agreement labels")
        switch question.type {
        case .choice, .multi, .ranking:
            let choices = question.choices ?? []
            try check.require(!choices.isEmpty, entry: entry, field: "choices", value: choices,
                              "must list the options of a \(question.type.rawValue) question")
            let seen = try Self.distinct(choices, check, entry: entry, field: "choices")
            for choice in choices {
                try check.require(question.type == .choice || !choice.contains(";"), entry: entry,
                                  field: "choices", value: choice,
                                  "contains ';', which Forms uses to separate the options of a multi question")
            }
            try check.require(question.allowOther != true || !seen.contains(SurveyText.key(Self.otherLabel)),
                              entry: entry, field: "choices", value: Self.otherLabel,
                              "is added by allow_other; remove it from choices")
            try check.require(question.type != .ranking || question.allowOther == nil, entry: entry,
                              field: "allow_other", value: question.allowOther ?? false,
                              "a ranking question has no Other box")
        case .likert5, .text, .rating, .nps:
            try check.require(question.choices == nil && question.allowOther == nil, entry: entry,
                              field: "choices", value: question.choices ?? [],
                              "only choice, multi and ranking questions have choices")
            if question.type == .rating {
                let scale = question.scale ?? Self.defaultRatingScale
                try check.require(Self.ratingScales.contains(scale), entry: entry, field: "scale", value: scale,
                                  "is not a rating scale Forms offers (2 to 10)")
            }
            if question.type == .likert5, let labels = question.likertLabels, labels != likertLabels {
                try Self.validate(likertLabels: labels, check, entry: entry)
            }
        }
    }

    /// Five labels, none blank, no two alike once case and spaces are ignored.
    private static func validate(likertLabels labels: [String], _ check: ConfigValidator, entry: String?)
        throws(ConfigError)
    {
        try check.require(labels.count == 5, entry: entry, field: "likert_labels", value: labels,
                          "must list five labels, from strongly disagree to strongly agree")
        _ = try distinct(labels, check, entry: entry, field: "likert_labels")
    }

    /// Checks that no value is blank and no two are alike once case and spaces are ignored;
    /// returns their comparison keys.
    private static func distinct(_ values: [String], _ check: ConfigValidator, entry: String?, field: String)
        throws(ConfigError) -> Set<String>
    {
        var seen = Set<String>()
        for value in values {
            try check.notBlank(value, entry: entry, field: field)
            try check.require(seen.insert(SurveyText.key(value)).inserted, entry: entry, field: field,
                              value: value, "is listed twice")
        }
        return seen
    }
}
