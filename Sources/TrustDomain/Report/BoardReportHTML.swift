extension BoardReport {
    /// The report as one self-contained HTML page for trustees and headteachers: a one-page
    /// summary first (headline statutory figures against national, who needs support most,
    /// who did not submit, a glossary), then the trust's tables and a page per academy. Inline
    /// CSS and SVG only — no scripts, fonts or images to fetch — so it can be e-mailed,
    /// archived and printed on A4 as it is. Every rating carries a letter as well as a colour.
    public func html() -> String { BoardReportPage(report: self).render() }
}

private typealias H = HTMLText

/// Builds the page section by section from the report model alone.
private struct BoardReportPage {
    let report: BoardReport

    private var trust: TrustSummary { report.trust }
    private var comparisonName: String { DropID(report.comparisonDrop).map(ReportFormat.dropName) ?? report.comparisonDrop }
    private var progressName: String { DropID(report.progressFrom).map(ReportFormat.dropName) ?? report.progressFrom }

    func render() -> String {
        [head, summaryPage, statutoryPage, ragPage, subjectCharts, yearsPage, groupsPage, disadvantaged,
         progressPage, trendPage, profiles, academyPages, notes, "</body>\n</html>\n"].joined(separator: "\n")
    }

    // MARK: Page furniture

    private var head: String {
        """
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Focus-Trust · \(H.escaped(report.title)) · \(H.escaped(report.dropName))</title>
        <style>\(Self.styleSheet)</style>
        </head>
        <body>
        """
    }

    // MARK: Summary

    /// The statutory figures the summary page leads with.
    private static let summaryKeys: [FigureKey] = [
        FigureKey(.goodLevelOfDevelopment), FigureKey(.phonicsPass, year: .year1), FigureKey(.phonicsPass, year: .year2),
        FigureKey(.expected(.rwm), year: .year2), FigureKey(.multiplicationCheckMean),
        FigureKey(.expected(.reading), year: .year6), FigureKey(.expected(.writing), year: .year6),
        FigureKey(.expected(.maths), year: .year6), FigureKey(.expected(.rwm), year: .year6),
        FigureKey(.greaterDepth(.rwm), year: .year6),
    ]

    private var summaryPage: String {
        let rows = Self.summaryKeys.compactMap { key -> String? in
            guard let index = BoardReport.statutoryMeasures.firstIndex(of: key) else { return nil }
            let info = report.statutory[index], figure = trust.figures.statutory[index]
            return "<tr><th class=\"name\">\(H.escaped(info.label))</th>\(ragCell(figure))<td>\(basis(figure, info))</td>\(nationalCells(figure, info))</tr>"
        }
        let support = report.summary.support.prefix(5).map { row in
            "<tr><th class=\"name\">\(H.escaped(row.name))</th><td class=\"\(row.red > 0 ? "red" : "")\">\(row.red)</td><td>\(row.amber)</td><td>\(row.green)</td><td class=\"name\">\(H.escaped(row.ofstedDate ?? row.ofsted))</td></tr>"
        }
        let refusedLater = report.academies.filter { $0.submitted && $0.submission?.contains("refused") == true }
            .map { "\(H.escaped($0.shortName)): \(H.escaped($0.submission ?? ""))" }
        let missing = (report.summary.notSubmitted.isEmpty
            ? "<p class=\"complete\">All \(trust.academies) academies submitted.</p>"
            : "<p class=\"missing\">Not submitted (\(report.summary.notSubmitted.count)): \(report.summary.notSubmitted.map(H.escaped).joined(separator: ", ")). They are not in the trust figures.</p>")
            + (refusedLater.isEmpty ? ""
                : "<p class=\"missing\">Data in use despite a later refused file: \(refusedLater.joined(separator: "; ")).</p>")
        let glossary = report.summary.glossary.map { "<dt>\(H.escaped($0.term))</dt><dd>\(H.escaped($0.meaning))</dd>" }
        return """
            <section class="summary">
            <header class="cover">
            <p class="kicker">Focus-Trust · Termly RAG shared with the Board</p>
            <h1>\(H.escaped(report.title))</h1>
            <p class="drop">\(H.escaped(report.dropName)) data drop · summary</p>
            <p class="meta">\(trust.submitted) of \(trust.academies) academies submitted · \(H.count(trust.figures.pupils)) pupils · rated against the \(H.escaped(report.thresholdsTerm)) thresholds · generated \(H.escaped(report.generatedAtText)) (UK time)</p>
            </header>
            \(missing)
            <h2>Statutory measures: trust against national</h2>
            <p class="lead">\(nationalLead)</p>
            <table class="rag compact">
            <thead><tr><th class="name">Measure</th><th>Trust</th><th>Pupils</th><th>National</th><th>Trust − national</th></tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            <div class="two">
            <div>
            <h3>Academies needing support most</h3>
            <p class="note">By red ratings in the \(report.columns.count) RAG columns (then amber), with the latest Ofsted inspection: support allocated according to need.</p>
            <table class="rag compact">
            <thead><tr><th class="name">Academy</th><th>R</th><th>A</th><th>G</th><th class="name">Last Ofsted</th></tr></thead>
            <tbody>\(support.joined())</tbody>
            </table>
            </div>
            <div>
            <h3>Glossary</h3>
            <dl class="glossary">\(glossary.joined())</dl>
            </div>
            </div>
            </section>
            """
    }

    private var nationalLead: String {
        guard let year = report.nationalYear else { return "No national figures are configured (Config/national.json)." }
        return "National: England, state-funded schools, the latest DfE figures up to summer \(year) (each figure's year and source are in the notes). Like-for-like changes are against \(H.escaped(comparisonName)) where it exists."
    }

    /// National figure with its year, and the difference in points.
    private func nationalCells(_ figure: MeasureFigure, _ info: MeasureInfo) -> String {
        guard let national = info.national else { return "<td class=\"none\">no national figure</td><td></td>" }
        let difference = figure.vsNational.map { ReportFormat.change(from: national.value, to: national.value + $0, info.unit) } ?? ""
        return "<td>\(H.escaped(national.text)) <span class=\"n\">\(national.year)</span></td><td>\(H.escaped(difference))</td>"
    }

    /// What a figure rests on, in words: "31 of 50 pupils; 2 absent".
    private func basis(_ figure: MeasureFigure, _ info: MeasureInfo) -> String {
        if figure.withheld { return "\(H.count(figure.cohort)) pupils: figure withheld" }
        guard figure.value != nil else { return "no pupils with a result yet" }
        var text: String
        switch info.unit {
        case .points: text = "\(H.count(figure.cohort)) disadvantaged pupils"
        case .marks: text = "mean of \(H.count(figure.cohort)) scores"
        case .percent: text = "\(H.count(figure.count ?? 0)) of \(H.count(figure.cohort))"
        }
        let codes = NoResult.allCases.compactMap { reason -> String? in
            let n = figure.noResult[reason]
            return n > 0 ? "\(n) \(reason.label)" : nil
        }
        if !codes.isEmpty { text += "; " + codes.joined(separator: ", ") }
        return text
    }

    private func smallMark(_ figure: MeasureFigure) -> String {
        figure.smallCohort ? "<sup class=\"small\" title=\"fewer than \(report.smallGroup) pupils\">†</sup>" : ""
    }

    /// A rated figure: colour and letter, with the change underneath when asked.
    private func ragCell(_ figure: MeasureFigure, change: Bool = false, n: Bool = false) -> String {
        if figure.withheld { return "<td class=\"none\">withheld</td>" }
        guard figure.value != nil else { return "<td class=\"none\">\(ReportFormat.missing)</td>" }
        let letter = figure.rag.map { "<span class=\"tag\">\($0.letter)</span>" } ?? ""
        let changeText = change ? figure.changeText.map { "<span class=\"chg\">\(H.escaped($0))</span>" } ?? "" : ""
        let count = n ? "<span class=\"n\">\(figure.count.map { "\(H.count($0))/" } ?? "n ")\(H.count(figure.cohort))</span>" : ""
        return "<td class=\"r \(figure.rag?.rawValue ?? "none")\"><span class=\"v\">\(H.escaped(figure.text))</span>\(smallMark(figure))\(letter)\(changeText)\(count)</td>"
    }

    // MARK: Statutory

    private var statutoryPage: String {
        """
        <section class="page">
        <h2>Statutory measures: trust</h2>
        <p class="lead">Each figure with the pupils it rests on; pupils recorded absent (A), disapplied (D) or newly arrived (J) are in the cohort as not reaching the standard, as the DfE counts them. Changes are against \(H.escaped(comparisonName)) (same drop, same year group, a year earlier) where that drop exists.</p>
        \(statutoryTable(trust.figures))
        </section>
        """
    }

    private func statutoryTable(_ figures: DropFigures) -> String {
        let rows = zip(report.statutory, figures.statutory).map { info, figure in
            "<tr><th class=\"name\">\(H.escaped(info.label))</th>\(ragCell(figure))<td>\(basis(figure, info))</td><td>\(H.escaped(figure.changeText ?? ""))</td>\(nationalCells(figure, info))</tr>"
        }
        return """
            <table class="rag compact">
            <thead><tr><th class="name">Measure</th><th>Figure</th><th>Pupils</th><th>Change</th><th>National</th><th>vs national</th></tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            """
    }

    // MARK: RAG

    private var ragPage: String {
        let glance = zip(report.columns, trust.ragCounts).map { info, count in
            let cells = [(count.green, "green"), (count.amber, "amber"), (count.red, "red")]
                .map { "<td class=\"\($0.0 > 0 ? $0.1 : "")\">\($0.0)</td>" }.joined()
            return "<tr><th class=\"name\">\(H.escaped(info.label))</th>\(cells)<td>\(count.noValue)</td><td>\(count.notSubmitted)</td></tr>"
        }
        let headings = report.columns.map { "<th>\(H.escaped($0.label))</th>" }.joined()
        func row(_ name: String, _ figures: DropFigures?, _ rowClass: String) -> String {
            guard let figures else {
                return "<tr><th class=\"name\">\(H.escaped(name))</th><td class=\"missing\" colspan=\"\(report.columns.count + 1)\">not submitted</td></tr>"
            }
            return "<tr class=\"\(rowClass)\"><th class=\"name\">\(H.escaped(name))</th><td>\(H.count(figures.assessedPupils))</td>\(figures.columns.map { ragCell($0, change: true) }.joined())</tr>"
        }
        let rows = [row("Trust", trust.figures, "trust")] + report.academies.map { row($0.shortName, $0.figures, "") }
        return """
            <section class="page">
            <h2>RAG by academy</h2>
            <p class="lead">Rated against the \(H.escaped(report.thresholdsTerm)) thresholds (each drop has its own: a November drop is not a July one). Each cell: the figure, its rating (G green, A amber, R red) and, where a like-for-like figure exists, the change since \(H.escaped(comparisonName)). † fewer than \(report.smallGroup) pupils.</p>
            <table class="rag">
            <thead><tr><th class="name">Academy</th><th>Pupils Y1–6</th>\(headings)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            \(trust.figures.columns.allSatisfy { $0.change == nil } ? "<p class=\"note\">No change column: no academy has a \(H.escaped(comparisonName)) drop to compare with like for like.</p>" : "")
            <h3 class="gap-above">RAG at a glance</h3>
            <table class="glance">
            <thead><tr><th class="name">Measure</th><th>Green (G)</th><th>Amber (A)</th><th>Red (R)</th><th>No figure</th><th>Not submitted</th></tr></thead>
            <tbody>\(glance.joined())</tbody>
            </table>
            </section>
            """
    }

    private var subjectCharts: String {
        let figures = ReportSubject.allCases.map { subject in
            "<figure><figcaption>\(H.escaped(subject.heading)): % expected+ (years 1–6)</figcaption>\(BoardReportCharts.expectedBars(report, subject: subject))</figure>"
        }
        return """
            <section class="page">
            <h2>% at the expected standard or above, by subject</h2>
            <p class="lead">Bars are coloured by rating and labelled with the figure and its letter. The dashed line is where green starts, the dotted line where amber starts.</p>
            <div class="charts">
            \(figures.joined(separator: "\n"))
            </div>
            </section>
            """
    }

    // MARK: Year groups

    private var yearsPage: String {
        """
        <section class="page">
        <h2>Year groups: trust</h2>
        <p class="lead">"A focus on the combined attainment from Y1 so there are no surprises at the end of Y6." For each year and subject: % EXS+ and % GDS (rated), with pupils, beside the % of pupils whose FFT20 target is EXS+ and GDS, and % at or above target.</p>
        \(yearTable(trust.figures))
        </section>
        """
    }

    private func yearTable(_ figures: DropFigures) -> String {
        let heads = ReportSubject.allCases.map { "<th colspan=\"3\">\(H.escaped($0.heading))</th>" }.joined()
        let sub = ReportSubject.allCases.map { _ in "<th>EXS+</th><th>GDS</th><th>FFT20 target EXS+ / GDS · on target</th>" }.joined()
        let rows = figures.years.map { row in
            let cells = row.subjects.map { s in
                ragCell(s.expected, change: true, n: true) + ragCell(s.greaterDepth, n: true)
                    + "<td class=\"tgt\">\(H.escaped(s.targetExpected.text)) / \(H.escaped(s.targetGreaterDepth.text))<span class=\"n\">on target \(H.escaped(s.onTarget.text))</span></td>"
            }
            return "<tr><th class=\"name\">Year \(row.year)<span class=\"n\">\(H.count(row.pupils)) pupils</span></th>\(cells.joined())</tr>"
        }
        return """
            <table class="rag years">
            <thead><tr><th class="name" rowspan="2">Year</th>\(heads)</tr><tr>\(sub)</tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            """
    }

    // MARK: Groups

    /// The group table's columns: a readable subset of `BoardReport.headline` (the JSON has all).
    private static let groupColumns: [FigureKey] = [
        FigureKey(.goodLevelOfDevelopment), FigureKey(.phonicsPass, year: .year1), FigureKey(.expected(.rwm), year: .year2),
        FigureKey(.multiplicationCheckMean), FigureKey(.expected(.rwm), year: .year6), FigureKey(.expected(.rwm)),
    ]

    private var groupsPage: String {
        """
        <section class="page">
        <h2>Groups of pupils: trust</h2>
        <p class="lead">Headline measures for each group. † fewer than \(report.smallGroup) pupils; a group of fewer than \(report.withholdBelow) is withheld (and so is its partner group, so it cannot be worked out from the total).</p>
        \(groupTable(trust.figures))
        </section>
        """
    }

    private func groupTable(_ figures: DropFigures) -> String {
        let columns = Self.groupColumns.map { key in BoardReport.headline.firstIndex(of: key)! }
        let heads = Self.groupColumns.map { "<th>\(H.escaped($0.label))</th>" }.joined()
        let rows = figures.groups.map { group in
            "<tr class=\"\(group.group == PupilGroup.all.rawValue ? "trust" : "")\"><th class=\"name\">\(H.escaped(group.label))</th>\(columns.map { ragCell(group.figures[$0], n: true) }.joined())</tr>"
        }
        return """
            <table class="rag compact">
            <thead><tr><th class="name">Group</th>\(heads)</tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            """
    }

    // MARK: Disadvantaged

    private var disadvantaged: String {
        let heads = ReportSubject.allCases.map { "<th>\(H.escaped($0.heading)) gap</th>" }.joined()
        func row(_ name: String, _ figures: DropFigures?, _ rowClass: String) -> String {
            guard let figures else {
                return "<tr><th class=\"name\">\(H.escaped(name))</th><td class=\"missing\" colspan=\"7\">not submitted</td></tr>"
            }
            let gaps = figures.disadvantagedGap.map { ragCell($0.gap) }.joined()
            let rwm = figures.disadvantagedGap.last!
            let ks2 = rwm.year6Disadvantaged
            return "<tr class=\"\(rowClass)\"><th class=\"name\">\(H.escaped(name))</th><td>\(H.count(rwm.disadvantaged.total))</td><td>\(H.count(rwm.otherPupils.total))</td>\(gaps)\(ragCell(ks2, n: true))</tr>"
        }
        let rows = [row("Trust", trust.figures, "trust")] + report.academies.map { row($0.shortName, $0.figures, "") }
        let others = trust.figures.disadvantagedGap.last?.year6Disadvantaged.national
        let othersText = others.map { "national other pupils: \(ReportFormat.percent($0))" } ?? "no national figure for other pupils"
        return """
            <section class="page">
            <h2>Disadvantaged pupils: the pupil premium gap</h2>
            <p class="lead">The gap is other pupils' % expected+ minus disadvantaged pupils' %, in points: lower is better. The last column is year 6 disadvantaged pupils' RWM % beside national other pupils, the gap as the DfE reports it (\(H.escaped(othersText))).</p>
            <figure><figcaption>RWM % expected+ (years 1–6): disadvantaged and other pupils</figcaption>\(BoardReportCharts.gapDumbbell(report))</figure>
            <table class="rag">
            <thead><tr><th class="name">Academy</th><th>PP pupils Y1–6</th><th>Other pupils Y1–6</th>\(heads)<th>KS2 RWM PP</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            </section>
            """
    }

    // MARK: Progress

    private var progressPage: String {
        """
        <section class="page">
        <h2>Same pupils since \(H.escaped(progressName))</h2>
        \(progressTable(trust.figures.progress))
        </section>
        """
    }

    private func progressTable(_ progress: ProgressFigures?) -> String {
        guard let progress else {
            return "<p class=\"note\">No comparison: none of these pupils are in a \(H.escaped(progressName)) drop.</p>"
        }
        let rows = progress.rows.map { r in
            "<tr><th class=\"name\">\(H.escaped(r.subject.heading)), year \(r.year)</th><td>\(r.matched)</td><td>\(r.up)</td><td>\(r.held)</td><td>\(r.down)</td><td>\(r.onTrack)</td><td>\(r.noResult)</td></tr>"
        }
        return """
            <p class="lead">Pupils matched by their pseudonymous key (never by UPN) in both drops. Bands: BLW, WTS, EXS, GDS. \(progress.notInEarlierDrop) pupils in years 1–6 were not in the earlier drop.</p>
            <table class="rag compact progress">
            <thead><tr><th class="name">Subject, year now</th><th>Matched</th><th>Up a band</th><th>Held</th><th>Fell</th><th>On track for target</th><th>A/D/J at either drop</th></tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            """
    }

    // MARK: Trend

    private var trendPage: String {
        let heads = trust.trend.map { point in
            "<th>\(H.escaped(DropID(point.drop)?.term.name ?? point.drop))<span class=\"n\">\(point.academies ?? 0) academies</span></th>"
        }
        let rows = BoardReportCharts.trendSeries.map { series in
            let column = BoardReport.columns.firstIndex(of: FigureKey(.expected(series.subject)))!
            return "<tr><th class=\"name\">\(H.escaped(series.subject.heading))</th>\(trust.trend.map { ragCell($0.columns[column]) }.joined())</tr>"
        }
        return """
            <section class="page">
            <h2>Through \(H.escaped(DropID(report.drop)?.academicYear ?? "the year"))</h2>
            <p class="lead">Each drop rated against its own term's thresholds.</p>
            <div class="charts">
            <figure><figcaption>Trust: % expected+ at each drop</figcaption>\(BoardReportCharts.trustTrend(report))</figure>
            <div><table class="rag compact">
            <thead><tr><th class="name">Trust % expected+</th>\(heads.joined())</tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table></div>
            </div>
            </section>
            """
    }

    // MARK: Context

    private var profiles: String {
        func row(_ name: String, ofsted: String, _ profile: ProfileComparison, _ rowClass: String) -> String {
            let drop = profile.drop
            func pair(_ dropValue: Double?, _ published: Double?) -> String {
                "<td>\(drop == nil ? "not submitted" : ReportFormat.percent(dropValue))</td><td class=\"pub\">\(ReportFormat.percent(published))</td>"
            }
            return "<tr class=\"\(rowClass)\"><th class=\"name\">\(H.escaped(name))</th><td class=\"name\">\(H.escaped(ofsted))</td>"
                + "<td>\(drop.map { H.count($0.pupils) } ?? "not submitted")</td><td class=\"pub\">\(H.count(profile.published.pupils))</td>"
                + pair(drop?.ppPercent, profile.published.ppPercent)
                + pair(drop?.ealPercent, profile.published.ealPercent)
                + pair(drop?.sendPercent, profile.published.sendPercent) + "</tr>"
        }
        let rows = [row("Trust", ofsted: "", trust.profile, "trust")]
            + report.academies.map { row($0.shortName, ofsted: $0.ofsted, $0.profile, "") }
        return """
            <section class="page">
            <h2>Who the figures describe</h2>
            <p class="lead">Each academy's pupils as submitted in this drop, beside its published profile (academies.json, \(H.escaped(report.publishedAsOf))).</p>
            <table class="profile">
            <thead><tr><th class="name" rowspan="2">Academy</th><th class="name" rowspan="2">Ofsted</th><th colspan="2">Pupils</th><th colspan="2">% pupil premium</th><th colspan="2">% EAL</th><th colspan="2">% SEND</th></tr>
            <tr><th>drop</th><th>published</th><th>drop</th><th>published</th><th>drop</th><th>published</th><th>drop</th><th>published</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            </section>
            """
    }

    // MARK: Academies

    private var academyPages: String {
        report.academies.map(academyPage).joined(separator: "\n")
    }

    private func academyPage(_ academy: AcademyReport) -> String {
        let note = academy.ofstedNote.map { " (\(H.escaped($0)))" } ?? ""
        var facts = "\(H.escaped(regionName(academy.region))) · Ofsted: \(H.escaped(academy.ofsted))\(note)"
        if let submission = academy.submission { facts += " · Data: \(H.escaped(submission))" }
        if let drop = academy.profile.drop {
            facts += "<br>\(H.count(drop.pupils)) pupils in the drop (\(H.count(academy.profile.published.pupils)) published) · PP \(ReportFormat.percent(drop.ppPercent)) · EAL \(ReportFormat.percent(drop.ealPercent)) · SEND \(ReportFormat.percent(drop.sendPercent))"
        }
        var body = "<p class=\"facts\">\(facts)</p>"
        if let figures = academy.figures {
            let columns = zip(report.columns, figures.columns).map { info, figure in
                "<tr><th class=\"name\">\(H.escaped(info.label))</th>\(ragCell(figure))<td>\(basis(figure, info))</td><td>\(H.escaped(figure.changeText ?? ""))</td></tr>"
            }
            body += """
                <p class="rated">Ratings: <b>\(academy.red)</b> red · <b>\(academy.amber)</b> amber · <b>\(academy.green)</b> green</p>
                <div class="two">
                <div><h4>RAG measures</h4><table class="rag compact"><thead><tr><th class="name">Measure</th><th>Figure</th><th>Pupils</th><th>Change</th></tr></thead><tbody>\(columns.joined())</tbody></table></div>
                <div><h4>Statutory measures</h4>\(statutoryTable(figures))</div>
                </div>
                <h4>Year groups</h4>
                \(yearTable(figures))
                <div class="two">
                <div><h4>Groups</h4>\(groupTable(figures))</div>
                <div><h4>Same pupils since \(H.escaped(progressName))</h4>\(progressTable(figures.progress))</div>
                </div>
                """
        } else {
            body += "<p class=\"missing\">Not submitted for \(H.escaped(report.dropName)).</p>"
        }
        return "<section class=\"page academy\" id=\"academy-\(H.escaped(academy.id))\">\n<h2>\(H.escaped(academy.name))</h2>\n\(body)\n</section>"
    }

    private func regionName(_ region: String) -> String {
        switch Region(rawValue: region) {
        case .northWest: "Greater Manchester"
        case .westYorkshire: "West Yorkshire"
        case .cheshire: "Cheshire"
        case nil: region
        }
    }

    // MARK: Notes

    private var notes: String {
        let rows = report.columns.map { info -> String in
            let rule = info.lowerIsBetter ? "at or below" : "at or above"
            guard let green = info.greenAt, let amber = info.amberAt else { return "" }
            return "<tr><th class=\"name\">\(H.escaped(info.label))</th><td class=\"name\">\(H.escaped(info.meaning))</td><td class=\"green\">\(rule) \(threshold(green, info))</td><td class=\"amber\">\(rule) \(threshold(amber, info))</td></tr>"
        }
        let sources = report.statutory.compactMap { info -> String? in
            guard let national = info.national else { return nil }
            return "<li><b>\(H.escaped(info.label))</b> \(H.escaped(national.text)) (\(national.year)): \(H.escaped(national.source))</li>"
        }
        return """
            <section class="page">
            <h2>How to read this report</h2>
            <table class="key">
            <thead><tr><th class="name">Measure</th><th class="name">What it is</th><th>Green (G)</th><th>Amber (A)</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            <ul class="notes">
            <li>Below amber is red (R). Thresholds are the trust's own for the \(H.escaped(report.thresholdsTerm)) drop (Config/thresholds.json); ratings use the unrounded figure.</li>
            <li>Pupils recorded A (absent), D (disapplied) or J (new arrival, not yet assessed) are in every percentage's cohort as not reaching the standard and out of every mean, as the DfE counts them for KS1/KS2 teacher assessment, KS2 tests, phonics and the MTC.</li>
            <li>† a figure over fewer than \(report.smallGroup) pupils. Figures over fewer than \(report.withholdBelow) pupils are withheld. Nothing in this report identifies a pupil.</li>
            <li>Targets are FFT20-informed. Same-pupil progress matches pupils by a keyed pseudonym, never by UPN.</li>
            </ul>
            <h3>National figures compared with</h3>
            <ul class="notes sources">\(sources.joined())</ul>
            </section>
            """
    }

    private func threshold(_ value: Double, _ info: MeasureInfo) -> String {
        let number = value == value.rounded() ? "\(Int(value))" : "\(value)"
        switch info.unit {
        case .percent: return "\(number)%"
        case .points: return "\(number) pts"
        case .marks: return number
        }
    }

    // MARK: Style

    static let styleSheet = """
        @page { size: A4; margin: 12mm 11mm 14mm;
          @bottom-center { content: "Focus-Trust · Termly RAG report · page " counter(page) " of " counter(pages); font: 8pt Arial, sans-serif; color: #555; } }
        :root { --ink: #1a1a1a; --muted: #555b61; --rule: #c4c9ce; --green: #1b5e20; --green-bg: #d9eeda; --amber: #6d4400; --amber-bg: #fde8b8; --red: #8e1616; --red-bg: #f8d4d2; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { font-family: "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: var(--ink); background: #fff; font-size: 15px; line-height: 1.4; max-width: 250mm; margin: 0 auto; padding: 8mm 6mm; }
        @media print { body { font-size: 9.5pt; max-width: none; padding: 0; } }
        h1 { font-size: 1.9em; margin: 1mm 0; }
        h2 { font-size: 1.35em; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 2px solid var(--ink); break-after: avoid; page-break-after: avoid; }
        h3 { font-size: 1.1em; margin: 0 0 1mm; break-after: avoid; page-break-after: avoid; }
        h3.gap-above { margin-top: 5mm; }
        p { margin: 0 0 2mm; }
        .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8em; color: var(--muted); margin: 0; }
        .drop { font-size: 1.3em; font-weight: 600; margin: 0; }
        .meta, .lead, .note, .facts { color: var(--muted); }
        .note { font-size: .8em; }
        .values { letter-spacing: .04em; }
        .values.foot { margin-top: 4mm; border-top: 1px solid var(--rule); padding-top: 2mm; font-size: .85em; }
        .cover { border-bottom: 4px solid var(--ink); padding-bottom: 2mm; }
        section.page { break-before: page; page-break-before: always; }
        section.summary { min-height: 0; }
        .two { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; align-items: start; }
        h4 { font-size: 1em; margin: 2mm 0 1mm; break-after: avoid; page-break-after: avoid; }
        dl.glossary { margin: 0; font-size: .8em; display: grid; grid-template-columns: auto 1fr; gap: .4mm 2mm; }
        dl.glossary dt { font-weight: 700; } dl.glossary dd { margin: 0; }
        table.years td, table.years th { font-size: .9em; padding: .5mm .7mm; }
        td.tgt { color: var(--muted); white-space: nowrap; }
        .rated { margin: 0 0 1mm; }
        @media print { section.summary { font-size: 9pt; } section.summary table { font-size: .78em; } }
        .missing { color: var(--red); font-weight: 600; }
        .complete { color: var(--green); font-weight: 600; }
        .tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 2mm; }
        .tile { border: 1px solid var(--rule); border-left: 3mm solid #9aa0a6; padding: 1.5mm 2mm; break-inside: avoid; page-break-inside: avoid; }
        .tile.green { border-left-color: var(--green); } .tile.amber { border-left-color: #c98a00; } .tile.red { border-left-color: var(--red); }
        .tile .tl { font-weight: 600; margin: 0; }
        .tile .big { font-size: 1.7em; font-weight: 700; margin: 0; white-space: nowrap; }
        .tile .big .tag { font-size: .45em; vertical-align: middle; margin-left: .4em; }
        .tile.green .tag { color: var(--green); background: var(--green-bg); } .tile.amber .tag { color: var(--amber); background: var(--amber-bg); } .tile.red .tag { color: var(--red); background: var(--red-bg); }
        .tile .sub { font-size: .78em; color: var(--muted); margin: 0; }
        table { border-collapse: collapse; width: 100%; font-size: .82em; margin: 0 0 3mm; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th, td { border: 1px solid var(--rule); padding: .8mm 1.1mm; text-align: right; vertical-align: top; }
        thead th { background: #eceff1; text-align: center; vertical-align: bottom; }
        .name { text-align: left; }
        th.name { font-weight: 600; }
        tr.trust th, tr.trust td { border-bottom: 2px solid var(--ink); font-weight: 700; }
        td.green, .r.green { background: var(--green-bg); color: var(--green); }
        td.amber, .r.amber { background: var(--amber-bg); color: var(--amber); }
        td.red, .r.red { background: var(--red-bg); color: var(--red); }
        td.r { white-space: nowrap; }
        td.none { color: var(--muted); text-align: center; }
        td.missing { text-align: center; font-style: italic; }
        td.pub { color: var(--muted); }
        .r .tag { display: inline-block; min-width: 1.3em; margin-left: .3em; border: 1px solid currentColor; border-radius: 2px; text-align: center; font-size: .85em; font-weight: 700; line-height: 1.2; }
        .tag { font-weight: 700; border-radius: 2px; padding: 0 .25em; }
        .r .chg, .r .n, th .n { display: block; font-size: .82em; font-weight: 400; color: #333; }
        sup.small { font-weight: 700; margin-left: .1em; }
        table.key td, table.key th { font-size: .95em; }
        table.key td.green, table.key td.amber { white-space: nowrap; }
        table.detail td, table.detail th { width: 11%; } table.detail th.name { width: auto; }
        .notes { font-size: .9em; padding-left: 5mm; }
        .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; align-items: start; }
        .panels { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; }
        .panels figure { border: 1px solid var(--rule); padding: .5mm; }
        figure { margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }
        figcaption { font-weight: 600; font-size: .9em; margin-bottom: 1mm; }
        svg { display: block; width: 100%; height: auto; }
        svg .t { font-size: 9px; fill: var(--ink); }
        svg text { paint-order: stroke; stroke: #fff; stroke-width: 2.2px; stroke-linejoin: round; }
        svg .tick { font-size: 8px; fill: #444; }
        svg .b { font-weight: 700; }
        svg .muted { fill: var(--muted); font-style: italic; }
        svg .green-text { fill: var(--green); font-weight: 700; }
        svg .grid { stroke: #e3e6e8; stroke-width: .6; }
        svg .ax, svg .sep { stroke: #8a9095; stroke-width: .7; }
        svg .thr { stroke-width: 1.2; fill: none; }
        svg .thr.green { stroke: var(--green); stroke-dasharray: 4 2; }
        svg .thr.amber { stroke: #a86f00; stroke-dasharray: 1.2 1.8; }
        svg .bar.green { fill: #3d8b4a; } svg .bar.amber { fill: #eeb32b; } svg .bar.red { fill: #c0392b; } svg .bar.none { fill: #9aa0a6; }
        svg .line { fill: none; stroke-width: 1.5; }
        svg .s1 { stroke: #1a1a1a; fill: #1a1a1a; } svg .s2 { stroke: #1f4e79; fill: #1f4e79; } svg .s3 { stroke: #7b3f00; fill: #7b3f00; } svg .s4 { stroke: #000; fill: #000; }
        svg .line.s2 { stroke-dasharray: 5 3; fill: none; } svg .line.s3 { stroke-dasharray: 1.5 2; fill: none; } svg .line.s4 { stroke-width: 2.4; fill: none; } svg .line.s1 { fill: none; }
        svg .pp { fill: #fff; stroke: var(--ink); stroke-width: 1.4; }
        svg .others { fill: var(--ink); }
        svg .gapline { stroke: #9aa0a6; stroke-width: 3; }
        @media screen and (max-width: 160mm) { .tiles { grid-template-columns: repeat(2, 1fr); } .charts { grid-template-columns: 1fr; } .panels { grid-template-columns: repeat(2, 1fr); } }
        """
}
