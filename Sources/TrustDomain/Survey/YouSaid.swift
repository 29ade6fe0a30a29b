import Foundation

/// "You said": the strongest and weakest statement of each theme, trust-wide, for the
/// newsletter's "you said, we did" column. It is small on purpose — a newsletter item, not a
/// report — and it is drawn only from the report's published trust figures, so it can say
/// nothing the full report would not.
public struct YouSaid: Codable, Sendable, Equatable {
    /// A statement with its trust-wide agreement, quotable as it stands.
    public struct Item: Codable, Sendable, Equatable {
        public let questionID: String
        public let text: String
        public let percentAgree: Double
        public let mean: Double
        public let n: Int
    }

    /// The best and worst received statement of one theme.
    public struct ThemeSummary: Codable, Sendable, Equatable {
        public let themeID: String
        public let title: String
        /// The theme's agreement over all its statements, when published.
        public let percentAgree: Double?
        public let strongest: Item
        /// Nil when the theme has only one published statement.
        public let weakest: Item?
    }

    public let surveyID: String
    public let title: String
    public let audience: SurveyDefinition.Audience
    /// Trust-wide respondents; nil if even that is under the threshold.
    public let responses: Int?
    public let themes: [ThemeSummary]

    /// Picks, per theme, the published trust-level statements with the highest and lowest
    /// agreement (ties: higher mean first, then the survey's order). Themes with no published
    /// statement are left out.
    public static func summarise(_ report: SurveyReport) -> YouSaid {
        let themes: [ThemeSummary] = report.themes.compactMap { theme in
            let items: [Item] = theme.questions.compactMap { question in
                let cell = question.results.trust
                guard question.type == .likert5, cell.status == .shown,
                      let percent = cell.percentAgree, let mean = cell.mean, let n = cell.n else { return nil }
                return Item(questionID: question.id, text: question.text, percentAgree: percent, mean: mean, n: n)
            }
            // Stable order: best first; `sorted` keeps the survey order among exact ties.
            let ranked = items.enumerated().sorted { a, b in
                (a.element.percentAgree, a.element.mean, -a.offset) > (b.element.percentAgree, b.element.mean, -b.offset)
            }.map(\.element)
            guard let strongest = ranked.first else { return nil }
            let agree = theme.results?.trust.status == .shown ? theme.results?.trust.percentAgree : nil
            return ThemeSummary(themeID: theme.id, title: theme.title, percentAgree: agree, strongest: strongest,
                                weakest: ranked.count > 1 ? ranked.last : nil)
        }
        let total = report.responses.trust
        return YouSaid(surveyID: report.surveyID, title: report.title, audience: report.audience,
                       responses: total.status == .shown ? total.n : nil, themes: themes)
    }

    /// One plain sentence per theme, ready for a newsletter paragraph.
    public var sentences: [String] {
        themes.map { theme in
            var s = "\(theme.title): \(Self.percent(theme.strongest.percentAgree)) agreed that "
                + "\u{201C}\(theme.strongest.text)\u{201D}"
            if let weakest = theme.weakest {
                s += "; \(Self.percent(weakest.percentAgree)) agreed that \u{201C}\(weakest.text)\u{201D}"
            }
            // Statements usually end with their own full stop, inside the quotation marks.
            return [".", "?", "!"].contains { s.hasSuffix($0 + "\u{201D}") } ? s : s + "."
        }
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}
