import Foundation

/// Plain-text rendering for a terminal: academies down the side, figures across, `*` for a
/// suppressed group and `-` for a group with no answers.
extension SurveyReport {
    /// `comments`: include the comments themselves, not just how many there are; they can be
    /// long, so the default table leaves them out.
    public func text(comments: Bool = false) -> String {
        var out: [String] = []
        let total = responses.trust.n.map { "\($0) responses" } ?? "fewer than \(threshold) responses"
        out.append("\(title) (\(surveyID)): \(audience.rawValue), \(total)")
        out.append("Groups of fewer than \(threshold) are shown as *, and so is any group that could otherwise be worked")
        out.append("out from the figures shown; - means nobody in the group answered.")
        out.append("")
        out.append("Responses")
        out += TextTable.render(header: ["Academy", "n"], rows: rowsByAcademy(
            { [Self.count(responses.cell($0) ?? .empty)] }, trust: [Self.count(responses.trust)]))
        let agreementThemes = themes.filter { $0.results != nil }
        if !agreementThemes.isEmpty {
            out.append("")
            out.append("% agree by theme")
            out += TextTable.render(header: ["Academy"] + agreementThemes.map(\.id), rows: rowsByAcademy({ academy in
                agreementThemes.map { Self.percent($0.results!.cell(academy) ?? .empty) }
            }, trust: agreementThemes.map { Self.percent($0.results!.trust) }))
            out += agreementThemes.map { "  \($0.id): \($0.title)" }
        }
        for theme in themes {
            out.append("")
            out += themeText(theme, comments: comments)
        }
        let said = YouSaid.summarise(self)
        if !said.themes.isEmpty {
            out.append("")
            out.append("You said")
            out += said.sentences.map { "  \($0)" }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func themeText(_ theme: Theme, comments: Bool) -> [String] {
        var out = ["Theme \(theme.id): \(theme.title)"]
        if let trust = theme.results?.trust {
            out.append("  Trust: \(Self.summary(trust, unit: "respondents"))")
        }
        let likert = theme.questions.filter { $0.type == .likert5 }
        if !likert.isEmpty {
            out += TextTable.render(
                header: ["Question", "n", "% agree", "mean"] + ["SD", "D", "N", "A", "SA"],
                rows: likert.map { q in
                    [q.id, Self.count(q.results.trust), Self.percent(q.results.trust), Self.mean(q.results.trust)]
                        + (q.results.trust.distribution?.map(String.init) ?? Array(repeating: Self.mark(q.results.trust), count: 5))
                })
            out += likert.map { "  \($0.id): \($0.text)" }
            out.append("  % agree by academy")
            let cells: (Results) -> (AcademyID) -> String = { r in { Self.percent(r.cell($0) ?? .empty) } }
            out += TextTable.render(
                header: ["Academy"] + likert.map(\.id) + (theme.results == nil ? [] : ["theme"]),
                rows: rowsByAcademy({ academy in
                    likert.map { cells($0.results)(academy) } + (theme.results.map { [cells($0)(academy)] } ?? [])
                }, trust: likert.map { Self.percent($0.results.trust) } + (theme.results.map { [Self.percent($0.trust)] } ?? [])))
        }
        for q in theme.questions where q.type != .likert5 {
            out += questionText(q, comments: comments)
        }
        return out
    }

    private func questionText(_ q: Question, comments showComments: Bool) -> [String] {
        var out = ["  \(q.id) (\(q.type.rawValue)): \(q.text)"]
        let trust = q.results.trust
        if q.type == .text {
            let groups = q.comments ?? []
            let shown = groups.reduce(0) { $0 + $1.comments.count }
            out.append("    \(Self.summary(trust, unit: "comments")); \(shown) shown"
                + (showComments || shown == 0 ? "" : " with --full"))
            if showComments {
                for group in groups {
                    out.append("    \(group.academy.map(academyName) ?? "Other academies (combined)"):")
                    out += group.comments.map { "      - " + $0.split(whereSeparator: \.isNewline).joined(separator: " / ") }
                }
            }
            return out
        }
        out.append("    \(Self.summary(trust, unit: q.type == .multi ? "respondents" : "answers"))")
        if let distribution = trust.distribution {
            out += zip(q.labels, distribution).map { "    \($0): \($1)" }
        }
        return out
    }

    func academyName(_ id: AcademyID) -> String {
        academies.first { $0.id == id }?.shortName ?? id.rawValue
    }

    /// One row per academy, then the trust row.
    private func rowsByAcademy(_ values: (AcademyID) -> [String], trust: [String]) -> [[String]] {
        academies.map { [$0.shortName] + values($0.id) } + [["Trust"] + trust]
    }

    static func mark(_ cell: Cell) -> String { cell.status == .suppressed ? "*" : "-" }
    static func count(_ cell: Cell) -> String { cell.status == .shown ? "\(cell.n ?? 0)" : mark(cell) }
    static func percent(_ cell: Cell) -> String {
        cell.percentAgree.map { String(format: "%.1f", $0) } ?? mark(cell)
    }
    static func mean(_ cell: Cell) -> String { cell.mean.map { String(format: "%.2f", $0) } ?? mark(cell) }

    static func summary(_ cell: Cell, unit: String) -> String {
        switch cell.status {
        case .suppressed: return "suppressed (too few \(unit))"
        case .none: return "no \(unit)"
        case .shown:
            var parts = ["\(cell.n ?? 0) \(unit)"]
            if let p = cell.percentAgree { parts.insert("\(String(format: "%.1f", p))% agree", at: 0) }
            if let m = cell.mean { parts.insert("mean \(String(format: "%.2f", m))", at: 1) }
            return parts.joined(separator: ", ")
        }
    }
}

/// Columns padded to their widest cell: text left, figures right.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            "  " + row.enumerated().map { c, value in
                let pad = String(repeating: " ", count: widths[c] - value.count)
                return c == 0 ? value + pad : pad + value
            }.joined(separator: "  ")
        }
    }
}
