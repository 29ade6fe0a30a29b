extension BoardReport {
    /// The report as one self-contained HTML page for trustees and headteachers: headline
    /// figures first, then the RAG table, charts and a page per academy. Inline CSS and SVG
    /// only — no scripts, fonts or images to fetch — so it can be e-mailed, archived and
    /// printed on A4 as it is. Every rating carries a letter as well as a colour, so it reads
    /// the same in black and white.
    public func html() -> String { BoardReportPage(report: self).render() }
}

private typealias H = HTMLText

/// Builds the page section by section from the report model alone.
private struct BoardReportPage {
    let report: BoardReport

    private var trust: TrustSummary { report.trust }
    /// "Spring" within the same academic year, "Summer 2020-21" across years.
    private var previousName: String {
        guard let previous = DropID(report.previousDrop), let drop = DropID(report.drop) else {
            return report.previousDrop
        }
        return previous.startYear == drop.startYear
            ? previous.term.name : ReportFormat.dropName(previous)
    }

    func render() -> String {
        [head, cover, headline, glance, ragTable, subjectCharts, progress, disadvantaged,
         profiles, academyPages, notes, "</body>\n</html>\n"].joined(separator: "\n")
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

    private var cover: String {
        """
        <header class="cover">
        <p class="kicker">Focus-Trust · Termly RAG shared with the Board</p>
        <h1>\(H.escaped(report.title))</h1>
        <p class="drop">\(H.escaped(report.dropName)) data drop</p>
        <p class="meta">\(trust.submitted) of \(trust.academies) academies submitted · \(H.count(trust.figures.pupils)) pupils in the drop · generated \(H.escaped(report.generatedAtText)) (UK time)</p>
        <p class="values"><b>Care</b> · <b>Dare</b> · <b>Fair</b> · <b>Share</b></p>
        </header>
        """
    }

    // MARK: Headline

    private var headline: String {
        let tiles = report.measures.indices.map { column in
            tile(report.measures[column], trust.figures.measures[column])
        }
        return """
            <section>
            <h2>Headline figures for the trust</h2>
            <p class="lead">Every pupil counts once: trust figures add up the pupils of the \(trust.submitted) academies that submitted, so a large school weighs more than a small one. Years 1–6: \(H.count(trust.figures.assessedPupils)) pupils. Changes are since \(H.escaped(previousName)), for the same academies.</p>
            \(missingNotice)
            <div class="tiles">
            \(tiles.joined(separator: "\n"))
            </div>
            </section>
            """
    }

    private var missingNotice: String {
        let refusedLater = report.academies.filter { $0.submitted && $0.submission?.contains("refused") == true }
            .map { "\(H.escaped($0.shortName)): \(H.escaped($0.submission ?? ""))" }
        let later = refusedLater.isEmpty ? ""
            : "<p class=\"missing\">Data in use despite a later refused file: \(refusedLater.joined(separator: "; ")).</p>"
        guard !trust.notSubmitted.isEmpty else {
            return "<p class=\"complete\">All \(trust.academies) academies have submitted.</p>" + later
        }
        let names = trust.notSubmitted.map(H.escaped).joined(separator: ", ")
        return "<p class=\"missing\">Not submitted: \(names). Their figures are not in the trust totals.</p>" + later
    }

    private func tile(_ info: MeasureInfo, _ figure: MeasureFigure) -> String {
        let rating = figure.rag.map { "<span class=\"tag\">\($0.word)</span>" } ?? ""
        let change = figure.changeText.map { "\(H.escaped($0)) since \(H.escaped(previousName))<br>" } ?? ""
        return """
            <div class="tile \(figure.rag?.rawValue ?? "none")"><p class="tl">\(H.escaped(info.label))</p><p class="big">\(H.escaped(figure.text))\(smallMark(figure))\(rating)</p><p class="sub">\(change)\(H.escaped(basis(figure, info)))</p></div>
            """
    }

    /// What a figure rests on, in words: "2,803 of 4,171 pupils".
    private func basis(_ figure: MeasureFigure, _ info: MeasureInfo) -> String {
        guard figure.value != nil else {
            return info.cohort.hasSuffix("with a score") ? "no scores in this drop" : "no pupils"
        }
        switch info.unit {
        case .points: return "\(H.count(figure.cohort)) disadvantaged pupils"
        case .marks: return "mean of \(H.count(figure.cohort)) scores"
        case .percent: return "\(H.count(figure.count ?? 0)) of \(H.count(figure.cohort)) pupils"
        }
    }

    private func smallMark(_ figure: MeasureFigure) -> String {
        figure.smallCohort ? "<sup class=\"small\" title=\"fewer than 10 pupils\">†</sup>" : ""
    }

    // MARK: RAG

    private var glance: String {
        let rows = zip(report.measures, trust.ragCounts).map { info, count in
            let cells = [(count.green, "green"), (count.amber, "amber"), (count.red, "red")]
                .map { "<td class=\"\($0.0 > 0 ? $0.1 : "")\">\($0.0)</td>" }.joined()
            return "<tr><th class=\"name\">\(H.escaped(info.label))</th>\(cells)<td>\(count.noValue)</td><td>\(count.notSubmitted)</td></tr>"
        }
        return """
            <section>
            <h2>RAG at a glance</h2>
            <p class="lead">How many academies are green, amber and red on each measure.</p>
            <table class="glance">
            <thead><tr><th class="name">Measure</th><th>Green (G)</th><th>Amber (A)</th><th>Red (R)</th><th>No figure</th><th>Not submitted</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            </section>
            """
    }

    private var ragTable: String {
        let headings = report.measures.map { "<th>\(H.escaped($0.label))</th>" }.joined()
        let trustRow = ragRow(name: "Trust", figures: trust.figures, rowClass: "trust")
        let rows = report.academies.map { academy in
            academy.figures.map { ragRow(name: academy.shortName, figures: $0, rowClass: "") }
                ?? "<tr><th class=\"name\">\(H.escaped(academy.shortName))</th><td class=\"missing\" colspan=\"\(report.measures.count + 1)\">not submitted</td></tr>"
        }
        return """
            <section class="page">
            <h2>RAG by academy</h2>
            <p class="lead">Each cell: the figure, its rating (G green, A amber, R red) and the change since \(H.escaped(previousName)). Years 1–6 pupils are the cohort of the subject measures; other cohorts are shown as n. † fewer than 10 pupils.</p>
            <table class="rag">
            <thead><tr><th class="name">Academy</th><th>Pupils Y1–6</th>\(headings)</tr></thead>
            <tbody>
            \(trustRow)
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            </section>
            """
    }

    private func ragRow(name: String, figures: DropFigures, rowClass: String) -> String {
        let cells = zip(report.measures, figures.measures).map { info, figure in
            ragCell(figure, cohort: info.cohort != Measure.expected(.rwm).cohortName)
        }
        return "<tr class=\"\(rowClass)\"><th class=\"name\">\(H.escaped(name))</th><td>\(H.count(figures.assessedPupils))</td>\(cells.joined())</tr>"
    }

    /// A rated figure: colour and letter, the change underneath, and its own cohort when it
    /// is not the years 1–6 cohort of the row.
    private func ragCell(_ figure: MeasureFigure, cohort: Bool, showChange: Bool = true) -> String {
        guard figure.value != nil else { return "<td class=\"none\">\(ReportFormat.missing)</td>" }
        let change = showChange ? figure.changeText.map { "<span class=\"chg\">\(H.escaped($0))</span>" } : nil
        let n = cohort ? "<span class=\"n\">n \(H.count(figure.cohort))</span>" : ""
        return "<td class=\"r \(figure.rag?.rawValue ?? "none")\">\(rated(figure))\(change ?? "")\(n)</td>"
    }

    /// The figure, its small-cohort mark and its rating letter.
    private func rated(_ figure: MeasureFigure) -> String {
        let letter = figure.rag.map { "<span class=\"tag\">\($0.letter)</span>" } ?? ""
        return "<span class=\"v\">\(H.escaped(figure.text))</span>\(smallMark(figure))\(letter)"
    }

    // MARK: Charts

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

    private var progress: String {
        let rwm = report.measures[BoardReport.columns.firstIndex(of: .expected(.rwm))!]
        let panels = [BoardReportCharts.rwmPanel(title: "Trust", trend: trust.trend, submitted: true, info: rwm)]
            + report.academies.map {
                BoardReportCharts.rwmPanel(title: $0.shortName, trend: $0.trend,
                                           submitted: $0.submitted, info: rwm)
            }
        return """
            <section class="page">
            <h2>Progress through \(H.escaped(academicYear))</h2>
            <div class="charts">
            <figure><figcaption>Trust: % expected+ at each drop</figcaption>\(BoardReportCharts.trustTrend(report))</figure>
            <div>\(trendTable)</div>
            </div>
            <h3 class="gap-above">RWM % expected+ by academy, drop by drop</h3>
            <p class="lead">"A focus on the combined attainment from Y1 so there are no surprises at the end of Y6." The dashed line is the green threshold (\(ReportFormat.whole(rwm.greenAt))%).</p>
            <div class="panels">
            \(panels.map { "<figure>\($0)</figure>" }.joined(separator: "\n"))
            </div>
            </section>
            """
    }

    private var academicYear: String {
        report.yearDrops.first.flatMap(DropID.init)?.academicYear ?? "the year"
    }

    private var trendTable: String {
        let heads = trust.trend.map { point in
            "<th>\(H.escaped(DropID(point.drop)?.term.name ?? point.drop))<span class=\"n\">\(point.academies ?? 0) academies</span></th>"
        }
        let rows = BoardReportCharts.trendSeries.map { series in
            let column = BoardReport.columns.firstIndex(of: .expected(series.subject))!
            let cells = trust.trend.map { ragCell($0.measures[column], cohort: false) }
            return "<tr><th class=\"name\">\(H.escaped(series.subject.heading))</th>\(cells.joined())</tr>"
        }
        return """
            <table class="rag compact">
            <thead><tr><th class="name">Trust % expected+</th>\(heads.joined())</tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            <p class="note">Each drop counts the academies that submitted it and this drop.</p>
            """
    }

    private var disadvantaged: String {
        let heads = ReportSubject.allCases.map { "<th>\(H.escaped($0.heading)) gap</th>" }.joined()
        func row(_ name: String, _ figures: DropFigures?, _ rowClass: String) -> String {
            guard let figures else {
                return "<tr><th class=\"name\">\(H.escaped(name))</th><td class=\"missing\" colspan=\"6\">not submitted</td></tr>"
            }
            let gaps = figures.disadvantagedGap.map { ragCell($0.gap, cohort: false) }.joined()
            let rwm = figures.disadvantagedGap.last!
            return "<tr class=\"\(rowClass)\"><th class=\"name\">\(H.escaped(name))</th><td>\(H.count(rwm.disadvantaged.total))</td><td>\(H.count(rwm.otherPupils.total))</td>\(gaps)</tr>"
        }
        let rows = [row("Trust", trust.figures, "trust")]
            + report.academies.map { row($0.shortName, $0.figures, "") }
        return """
            <section class="page">
            <h2>Disadvantaged pupils: the pupil premium gap</h2>
            <p class="lead">The gap is other pupils' % expected+ minus disadvantaged pupils' %, in percentage points: lower is better, and a negative gap means disadvantaged pupils are ahead. Both groups are shown because a gap can close for the wrong reason. In the changes, + means the gap widened. Fair: "be fair, honest and inclusive".</p>
            <figure><figcaption>RWM % expected+: disadvantaged and other pupils</figcaption>\(BoardReportCharts.gapDumbbell(report))</figure>
            <table class="rag">
            <thead><tr><th class="name">Academy</th><th>PP pupils Y1–6</th><th>Other pupils Y1–6</th>\(heads)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
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
            <p class="lead">Each academy's pupils as submitted in this drop, beside its published profile (academies.json, \(H.escaped(report.publishedAsOf))). A large difference is worth a question: a wrong export, or a school that has changed.</p>
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

    private var academyPages: String {
        """
        <section class="page">
        <h2>Academy by academy</h2>
        \(report.academies.map(academyPage).joined(separator: "\n"))
        </section>
        """
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
            let years = figures.rwmByYear.map { ragCell($0, cohort: $0.cohort > 0, showChange: false) }
            body += """
                \(detailTable(academy.trend, current: figures))
                <table class="rag years">
                <thead><tr><th class="name">RWM % expected+</th>\(YearGroup.assessed.map { "<th>Year \($0.rawValue)</th>" }.joined())</tr></thead>
                <tbody><tr><th class="name">\(H.escaped(report.dropName))</th>\(years.joined())</tr></tbody>
                </table>
                """
        } else {
            body += "<p class=\"missing\">Not submitted for \(H.escaped(report.dropName)).</p>"
            if !academy.trend.isEmpty { body += detailTable(academy.trend, current: nil) }
        }
        return "<article class=\"academy\">\n<h3>\(H.escaped(academy.name))</h3>\n\(body)\n</article>"
    }

    /// Measures down the side; the year's earlier drops, then this drop rated, with its change
    /// and the pupils it rests on.
    private func detailTable(_ trend: [TrendPoint], current: DropFigures?) -> String {
        let earlier = report.yearDrops.dropLast().compactMap(DropID.init)
        let rows = report.measures.indices.map { column in
            var cells = "<th class=\"name\">\(H.escaped(report.measures[column].label))</th>"
            for drop in earlier {
                let figure = trend.first { $0.drop == drop.description }?.measures[column]
                cells += "<td>\(figure.map { H.escaped($0.text) + smallMark($0) } ?? "")</td>"
            }
            if let figure = current?.measures[column] {
                cells += figure.value == nil ? ragCell(figure, cohort: false)
                    : "<td class=\"r \(figure.rag?.rawValue ?? "none")\">\(rated(figure))</td>"
                cells += "<td>\(H.escaped(figure.changeText ?? ""))</td><td>\(figure.value == nil ? "" : H.count(figure.cohort))</td>"
            }
            return "<tr>\(cells)</tr>"
        }
        let head = earlier.map { "<th>\($0.term.name)</th>" }.joined()
            + (current == nil ? "" : "<th>\(H.escaped(report.dropName))</th><th>Change</th><th>Pupils (n)</th>")
        return """
            <table class="rag detail">
            <thead><tr><th class="name">Measure</th>\(head)</tr></thead>
            <tbody>\(rows.joined())</tbody>
            </table>
            """
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
        let rows = report.measures.map { info in
            let rule = info.lowerIsBetter ? "at or below" : "at or above"
            return "<tr><th class=\"name\">\(H.escaped(info.label))</th><td class=\"name\">\(H.escaped(info.meaning))</td><td class=\"green\">\(rule) \(threshold(info.greenAt, info))</td><td class=\"amber\">\(rule) \(threshold(info.amberAt, info))</td></tr>"
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
            <li>Below amber is red (R). Every rating is printed as a letter as well as a colour. Thresholds are the trust's own (Config/thresholds.json), set near national figures so that green means at or above typical national attainment.</li>
            <li>Ratings use the unrounded figure, so 74.6% prints as 75% but is below a 75% threshold.</li>
            <li>Percentages are whole numbers; changes are the difference of the printed figures, in percentage points (pts). — means no pupils, or no scores yet: the phonics screening check and the multiplication tables check are taken in June.</li>
            <li>† marks a figure resting on fewer than 10 pupils, where one child moves it by more than 10 points. Nothing is hidden; read these with care.</li>
            <li>Teacher assessments against the trust's agreed assessment protocols; targets are FFT20-informed. Nothing in this report identifies a pupil.</li>
            </ul>
            <p class="values foot"><b>Care</b> for children, adults and the learning environment · <b>Dare</b> to do things differently · <b>Fair</b>, honest and inclusive · <b>Share</b> expertise and best practice for the benefit of all learners.</p>
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
        .academy { break-inside: avoid; page-break-inside: avoid; margin: 0 0 6mm; }
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
