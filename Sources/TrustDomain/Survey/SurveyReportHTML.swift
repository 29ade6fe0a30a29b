import Foundation

/// A self-contained HTML page: inline CSS and inline SVG bar charts, no scripts and nothing
/// fetched, so it can be e-mailed, archived or opened offline and shows exactly what the
/// suppressed report holds.
extension SurveyReport {
    /// The whole report as one HTML document.
    public func html() -> String {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<title>\(HTMLText.escaped(title))</title>\n<style>\(Self.css)</style>\n</head>\n<body>\n")
        page.element("h1", title)
        let total = responses.trust.n.map { "\($0) responses" } ?? "fewer than \(threshold) responses"
        page.element("p", "\(audience.rawValue.capitalized) survey \(surveyID): \(total).", cssClass: "meta")
        page.element("p", "Groups of fewer than \(threshold) responses are not shown, and neither is any group "
            + "that could be worked out from the figures that are; comments appear only for groups that are shown.",
            cssClass: "meta")
        page.element("h2", "Responses")
        page.raw(cellTable(header: ["n"], values: { [Self.count($0)] }, of: responses) + "\n")
        let agreementThemes = themes.filter { $0.results != nil }
        if !agreementThemes.isEmpty {
            page.element("h2", "% agree by theme")
            page.raw(themeMatrix(agreementThemes) + "\n")
        }
        page.raw(Self.legend + "\n")
        for theme in themes { page.raw(themeSection(theme)) }
        let said = YouSaid.summarise(self)
        if !said.themes.isEmpty {
            page.element("h2", "You said")
            page.raw("<ul>" + said.sentences.map { "<li>\(HTMLText.escaped($0))</li>" }.joined() + "</ul>\n")
        }
        page.raw("</body>\n</html>\n")
        return page.text
    }

    private func themeSection(_ theme: Theme) -> String {
        var s = "<section>\n<h2>\(HTMLText.escaped(theme.title))</h2>\n"
        if let trust = theme.results?.trust {
            s += "<p class=\"meta\">Trust: \(HTMLText.escaped(Self.summary(trust, unit: "respondents")))</p>\n"
        }
        for q in theme.questions {
            s += "<h3>\(HTMLText.escaped(q.text))</h3>\n"
            let trust = q.results.trust
            switch q.type {
            case .likert5:
                s += "<p class=\"meta\">\(HTMLText.escaped(Self.summary(trust, unit: "answers")))</p>\n"
                if let d = trust.distribution { s += Self.stackedBar(d, labels: q.labels) }
                s += agreementBars(q.results)
            case .choice, .multi, .ranking, .rating, .nps:
                let unit = q.type == .multi || q.type == .ranking ? "respondents" : "answers"
                s += "<p class=\"meta\">\(HTMLText.escaped(Self.summary(trust, unit: unit)))</p>\n"
                if let d = trust.distribution { s += Self.countBars(d, labels: q.labels) }
            case .text:
                s += "<p class=\"meta\">\(HTMLText.escaped(Self.summary(trust, unit: "comments")))</p>\n"
                for group in q.comments ?? [] {
                    s += "<h4>\(HTMLText.escaped(group.academy.map(academyName) ?? "Other academies (combined)"))</h4>\n<ul class=\"comments\">"
                    s += group.comments.map { "<li>\(HTMLText.escaped($0))</li>" }.joined() + "</ul>\n"
                }
            }
        }
        return s + "</section>\n"
    }

    private func cellTable(header: [String], values: (Cell) -> [String], of results: Results) -> String {
        var s = "<table><thead><tr><th>Academy</th>" + header.map { "<th>\(HTMLText.escaped($0))</th>" }.joined() + "</tr></thead><tbody>"
        for academy in academies {
            s += "<tr><td>\(HTMLText.escaped(academy.shortName))</td>"
                + values(results.cell(academy.id) ?? .empty).map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        s += "<tr class=\"trust\"><td>Trust</td>" + values(results.trust).map { "<td>\($0)</td>" }.joined() + "</tr>"
        return s + "</tbody></table>"
    }

    /// Academies × themes, each cell shaded from red (0% agree) to blue (100%).
    private func themeMatrix(_ themes: [Theme]) -> String {
        var s = "<table><thead><tr><th>Academy</th>"
            + themes.map { "<th><abbr title=\"\(HTMLText.escaped($0.title))\">\(HTMLText.escaped($0.id))</abbr></th>" }.joined()
            + "</tr></thead><tbody>"
        let rows: [(String, (Theme) -> Cell)] = academies.map { academy in
            (academy.shortName, { $0.results!.cell(academy.id) ?? .empty })
        } + [("Trust", { $0.results!.trust })]
        for (name, cell) in rows {
            s += "<tr\(name == "Trust" ? " class=\"trust\"" : "")><td>\(HTMLText.escaped(name))</td>"
            for theme in themes {
                let c = cell(theme)
                let shade = c.percentAgree.map { " style=\"background:hsl(\(Int($0 * 2.1)),55%,85%)\"" } ?? ""
                s += "<td\(shade)>\(Self.percent(c))</td>"
            }
            s += "</tr>"
        }
        s += "</tbody></table>\n<ul class=\"meta\">"
        return s + themes.map { "<li>\(HTMLText.escaped($0.id)): \(HTMLText.escaped($0.title))</li>" }.joined() + "</ul>"
    }

    /// % agree per academy as horizontal bars; a suppressed group is a word, never a bar.
    private func agreementBars(_ results: Results) -> String {
        let rows = academies.map { ($0.shortName, results.cell($0.id) ?? .empty) } + [("Trust", results.trust)]
        let rowHeight = 18, labelWidth = 110, barWidth = 360
        var s = "<svg class=\"chart\" width=\"\(labelWidth + barWidth + 60)\" height=\"\(rows.count * rowHeight + 4)\" "
            + "role=\"img\" aria-label=\"Percentage agreeing, by academy\">"
        for (i, (name, cell)) in rows.enumerated() {
            let y = i * rowHeight + 2
            s += "<text x=\"0\" y=\"\(y + 13)\">\(HTMLText.escaped(name))</text>"
            if let p = cell.percentAgree {
                let w = Int((p / 100 * Double(barWidth)).rounded())
                s += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(w)\" height=\"\(rowHeight - 5)\" fill=\"\(name == "Trust" ? "#08519c" : "#4292c6")\">"
                    + "<title>\(HTMLText.escaped(name)): \(Self.percent(cell))% agree</title></rect>"
                s += "<text x=\"\(labelWidth + w + 4)\" y=\"\(y + 13)\">\(Self.percent(cell))%</text>"
            } else {
                s += "<text class=\"muted\" x=\"\(labelWidth)\" y=\"\(y + 13)\">\(cell.status == .suppressed ? "suppressed" : "no answers")</text>"
            }
        }
        return s + "</svg>\n"
    }

    /// The trust's answers across the scale as one bar, strongly disagree on the left.
    static func stackedBar(_ distribution: [Int], labels: [String]) -> String {
        let total = max(1, distribution.reduce(0, +))
        let width = 530
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"22\" role=\"img\" aria-label=\"Answers across the scale\">"
        var x = 0.0
        for (i, count) in distribution.enumerated() where count > 0 {
            let w = Double(count) / Double(total) * Double(width)
            s += "<rect x=\"\(String(format: "%.1f", x))\" y=\"0\" width=\"\(String(format: "%.1f", w))\" height=\"20\" fill=\"\(scaleColours[i])\">"
                + "<title>\(HTMLText.escaped(labels[i])): \(count)</title></rect>"
            x += w
        }
        return s + "</svg>\n"
    }

    static func countBars(_ distribution: [Int], labels: [String]) -> String {
        let most = max(1, distribution.max() ?? 1)
        let rowHeight = 18, labelWidth = 220, barWidth = 280
        var s = "<svg class=\"chart\" width=\"\(labelWidth + barWidth + 60)\" height=\"\(labels.count * rowHeight + 4)\" role=\"img\" aria-label=\"Answers per option\">"
        for (i, (label, count)) in zip(labels, distribution).enumerated() {
            let y = i * rowHeight + 2
            let w = Int((Double(count) / Double(most) * Double(barWidth)).rounded())
            s += "<text x=\"0\" y=\"\(y + 13)\">\(HTMLText.escaped(label))</text>"
                + "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(w)\" height=\"\(rowHeight - 5)\" fill=\"#6baed6\"/>"
                + "<text x=\"\(labelWidth + w + 4)\" y=\"\(y + 13)\">\(count)</text>"
        }
        return s + "</svg>\n"
    }

    static let scaleColours = ["#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"]

    static var legend: String {
        "<p class=\"legend\">" + zip(LikertScale.labels, scaleColours).map { label, colour in
            "<svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" fill=\"\(colour)\"/></svg> \(HTMLText.escaped(label))"
        }.joined(separator: " &nbsp; ") + "</p>"
    }

    static let css = """
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
        table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}
        td:first-child,th:first-child{text-align:left}tr.trust{font-weight:bold}.meta{color:#555}
        .chart{display:block;margin:.3rem 0;font-size:12px}.muted{fill:#888;font-style:italic}
        .comments li{margin:.2rem 0}section{margin-top:2rem}
        """
}

private struct HTMLPage {
    var text = ""
    mutating func raw(_ s: String) { text += s }
    mutating func element(_ name: String, _ content: String, cssClass: String? = nil) {
        text += "<\(name)\(cssClass.map { " class=\"\($0)\"" } ?? "")>\(HTMLText.escaped(content))</\(name)>\n"
    }
}
