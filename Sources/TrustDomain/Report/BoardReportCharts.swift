/// The report's charts, drawn from the report model alone. Every chart repeats its numbers as
/// text beside the marks and sits next to a table with the same figures, so nothing depends
/// on telling colours apart.
enum BoardReportCharts {
    /// One row of a chart: the trust first, then each academy.
    struct Row {
        var label: String
        var figure: MeasureFigure?
        var isTrust = false
    }

    static func rows(_ report: BoardReport, _ figures: (DropFigures) -> MeasureFigure) -> [Row] {
        [Row(label: "Trust", figure: figures(report.trust.figures), isTrust: true)]
            + report.academies.map { academy in
                Row(label: HTMLText.truncated(academy.shortName, to: 16),
                    figure: academy.figures.map(figures))
            }
    }

    /// Horizontal bars of % expected+ for one subject, with the green and amber thresholds
    /// drawn across them: bars first, then the thresholds, then the labels on top.
    static func expectedBars(_ report: BoardReport, subject: ReportSubject) -> String {
        let column = BoardReport.columns.firstIndex(of: FigureKey(.expected(subject)))!
        let info = report.columns[column]
        let rows = rows(report) { $0.columns[column] }
        let rowHeight = 15.0, top = 20.0, left = 88.0, plotWidth = 180.0
        let bottom = top + Double(rows.count) * rowHeight
        var canvas = SVGCanvas(width: 330, height: bottom + 18)
        func x(_ percent: Double) -> Double { left + plotWidth * min(max(percent, 0), 100) / 100 }
        func baseline(_ index: Int) -> Double { top + Double(index) * rowHeight + 10.5 }

        for tick in stride(from: 0.0, through: 100, by: 25) {
            canvas.line(x(tick), top - 2, x(tick), bottom, class: "grid")
            canvas.text("\(Int(tick))%", x: x(tick), y: bottom + 11, anchor: .middle, class: "tick")
        }
        for (index, row) in rows.enumerated() {
            guard let figure = row.figure, let value = figure.value else { continue }
            canvas.rect(x: left, y: baseline(index) - 8.5, width: x(value) - left,
                        height: rowHeight - 4, class: "bar \(figure.rag?.rawValue ?? "none")")
        }
        canvas.line(left - 2, top + rowHeight, left + plotWidth + 4, top + rowHeight, class: "sep")
        thresholdLines(&canvas, info: info, x: x, top: top, bottom: bottom)
        for (index, row) in rows.enumerated() {
            let y = baseline(index)
            let weight = row.isTrust ? "t b" : "t"
            canvas.text(row.label, x: left - 4, y: y, anchor: .end, class: weight)
            if let figure = row.figure, let value = figure.value {
                canvas.text(figureLabel(figure), x: x(value) + 3, y: y, class: weight)
            } else {
                canvas.text(row.figure == nil ? "not submitted" : "no pupils", x: left + 3, y: y,
                            class: "t muted")
            }
        }
        return canvas.svg(label: "\(info.label): % of pupils in years 1–6 at the expected standard or above, by academy, with the green threshold at \(Int(info.greenAt ?? 0))%")
    }

    /// `72% G`, with the small-cohort mark when it applies.
    static func figureLabel(_ figure: MeasureFigure) -> String {
        figure.text + (figure.rag.map { " " + $0.letter } ?? "") + (figure.smallCohort ? " †" : "")
    }

    private static func thresholdLines(_ canvas: inout SVGCanvas, info: MeasureInfo,
                                       x: (Double) -> Double, top: Double, bottom: Double) {
        guard let greenAt = info.greenAt, let amberAt = info.amberAt else { return }
        canvas.line(x(amberAt), top - 4, x(amberAt), bottom, class: "thr amber")
        canvas.line(x(greenAt), top - 4, x(greenAt), bottom, class: "thr green")
        canvas.text("amber \(Int(amberAt))%", x: x(amberAt) - 2, y: top - 7,
                    anchor: .end, class: "tick")
        canvas.text("green \(Int(greenAt))%", x: x(greenAt) + 2, y: top - 7,
                    class: "tick green-text")
    }

    /// The four subject lines a series of drops draws, each with its own dash and marker.
    static let trendSeries: [(subject: ReportSubject, marker: SVGCanvas.Marker, style: String)] = [
        (.reading, .circle, "s1"), (.writing, .square, "s2"), (.maths, .triangle, "s3"),
        (.rwm, .diamond, "s4"),
    ]

    /// The trust's % expected+ in each subject across the year's drops.
    static func trustTrend(_ report: BoardReport) -> String {
        let slots = Term.allCases
        var canvas = SVGCanvas(width: 330, height: 190)
        let top = 12.0, bottom = 150.0
        func x(_ slot: Int) -> Double { 60 + Double(slot) * 110 }
        func y(_ percent: Double) -> Double { bottom - (bottom - top) * percent / 100 }
        for tick in stride(from: 0.0, through: 100, by: 25) {
            canvas.line(40, y(tick), 300, y(tick), class: "grid")
            canvas.text("\(Int(tick))%", x: 36, y: y(tick) + 3, anchor: .end, class: "tick")
        }
        for (slot, term) in slots.enumerated() {
            canvas.text(term.name, x: x(slot), y: bottom + 13, anchor: .middle,
                        class: "tick")
        }
        for (number, series) in trendSeries.enumerated() {
            let column = BoardReport.columns.firstIndex(of: FigureKey(.expected(series.subject)))!
            let points = report.trust.trend.compactMap { point -> (x: Double, y: Double)? in
                guard let term = DropID(point.drop)?.term,
                    let value = point.columns[column].value
                else { return nil }
                return (x(slots.firstIndex(of: term)!), y(value))
            }
            canvas.polyline(points, class: "line \(series.style)")
            for point in points {
                canvas.marker(series.marker, x: point.x, y: point.y, class: "mark \(series.style)")
            }
            let legendX = 20 + Double(number) * 78
            canvas.line(legendX, 178, legendX + 22, 178, class: "line \(series.style)")
            canvas.marker(series.marker, x: legendX + 11, y: 178, class: "mark \(series.style)")
            canvas.text(series.subject.heading, x: legendX + 26, y: 181, class: "t")
        }
        return canvas.svg(label: "Trust % expected+ in reading, writing, maths and RWM at each drop of \(report.yearDrops.first.flatMap(DropID.init)?.academicYear ?? "the year")")
    }

    /// One small panel per academy: RWM % expected+ at each drop of the year, against green.
    /// Every panel has the same 0–100 % scale, so the panels can be compared at a glance.
    static func rwmPanel(title: String, trend: [TrendPoint], submitted: Bool,
                         info: MeasureInfo) -> String {
        let column = BoardReport.columns.firstIndex(of: FigureKey(.expected(.rwm)))!
        var canvas = SVGCanvas(width: 160, height: 112)
        let top = 24.0, bottom = 92.0
        func x(_ term: Term) -> Double { 38 + Double(Term.allCases.firstIndex(of: term)!) * 50 }
        func y(_ percent: Double) -> Double { bottom - (bottom - top) * percent / 100 }
        canvas.text(HTMLText.truncated(title, to: 24), x: 4, y: 11, class: "t b")
        for tick in [0.0, 50, 100] {
            canvas.line(22, y(tick), 154, y(tick), class: tick == 0 ? "ax" : "grid")
            canvas.text("\(Int(tick))", x: 19, y: y(tick) + 3, anchor: .end, class: "tick")
        }
        if let greenAt = info.greenAt { canvas.line(22, y(greenAt), 154, y(greenAt), class: "thr green") }
        for term in Term.allCases {
            canvas.text(String(term.name.prefix(3)), x: x(term), y: 105, anchor: .middle,
                        class: "tick")
        }
        let points = trend.compactMap { point -> (at: (x: Double, y: Double), figure: MeasureFigure)? in
            guard let term = DropID(point.drop)?.term, let value = point.columns[column].value
            else { return nil }
            return ((x(term), y(value)), point.columns[column])
        }
        canvas.polyline(points.map(\.at), class: "line s4")
        for point in points {
            canvas.marker(.diamond, x: point.at.x, y: point.at.y, size: 2.6, class: "mark s4")
        }
        for point in points {
            canvas.text(figureLabel(point.figure), x: point.at.x, y: point.at.y - 6,
                        anchor: .middle, class: "tick b")
        }
        if !submitted {
            canvas.text("not submitted", x: 154, y: 11, anchor: .end, class: "tick muted")
        }
        return canvas.svg(label: "\(title): RWM % expected+ at each drop this year")
    }

    /// Disadvantaged and other pupils' RWM % expected+ per academy, joined by a line whose
    /// length is the gap: open circle for disadvantaged, filled for others.
    static func gapDumbbell(_ report: BoardReport) -> String {
        let subject = ReportSubject.rwm
        let gapIndex = ReportSubject.allCases.firstIndex(of: subject)!
        let rows = rows(report) { $0.disadvantagedGap[gapIndex].gap }
        let gaps = [report.trust.figures.disadvantagedGap[gapIndex]]
            + report.academies.map { $0.figures?.disadvantagedGap[gapIndex] }
        let rowHeight = 15.0, top = 26.0, left = 112.0, plotWidth = 300.0
        let bottom = top + Double(rows.count) * rowHeight
        func label(_ gap: GapFigure) -> String {
            "gap \(figureLabel(gap.gap)) · PP \(gap.disadvantaged.text) (\(HTMLText.count(gap.disadvantaged.total))) · others \(gap.otherPupils.text) (\(HTMLText.count(gap.otherPupils.total)))"
        }
        // Wide enough for the longest label in bold (about 5.6 px a character at 9 px), so the
        // trust's label, the longest, is never cut off at the edge.
        let longest = gaps.compactMap { $0.map(label)?.count }.max() ?? 0
        var canvas = SVGCanvas(width: left + plotWidth + 10 + Double(longest) * 5.6 + 8, height: bottom + 18)
        func x(_ percent: Double) -> Double { left + plotWidth * percent / 100 }

        canvas.marker(.circle, x: left + 4, y: 9, class: "pp")
        canvas.text("disadvantaged (pupil premium) pupils", x: left + 12, y: 12, class: "t")
        canvas.marker(.circle, x: left + 196, y: 9, class: "others")
        canvas.text("other pupils", x: left + 204, y: 12, class: "t")
        for tick in stride(from: 0.0, through: 100, by: 25) {
            canvas.line(x(tick), top - 2, x(tick), bottom, class: "grid")
            canvas.text("\(Int(tick))%", x: x(tick), y: bottom + 11, anchor: .middle, class: "tick")
        }
        for (index, (row, gap)) in zip(rows, gaps).enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            canvas.text(row.label, x: left - 6, y: y + 3.5, anchor: .end,
                        class: row.isTrust ? "t b" : "t")
            guard let gap else {
                canvas.text("not submitted", x: left + 3, y: y + 3.5, class: "t muted")
                continue
            }
            guard let pp = gap.disadvantaged.percent, let others = gap.otherPupils.percent else {
                canvas.text("no gap: one of the groups has no pupils", x: left + 3, y: y + 3.5,
                            class: "t muted")
                continue
            }
            canvas.line(x(pp), y, x(others), y, class: "gapline")
            canvas.marker(.circle, x: x(others), y: y, class: "others")
            canvas.marker(.circle, x: x(pp), y: y, class: "pp")
            canvas.text(label(gap), x: left + plotWidth + 10, y: y + 3.5, class: row.isTrust ? "t b" : "t")
        }
        canvas.line(left - 2, top + rowHeight, left + plotWidth + 4, top + rowHeight, class: "sep")
        return canvas.svg(label: "RWM % expected+ of disadvantaged and other pupils, by academy")
    }
}

extension RAG {
    /// The letter printed beside every rated figure, so the rating survives black-and-white
    /// printing and colour blindness.
    var letter: String {
        switch self {
        case .green: "G"
        case .amber: "A"
        case .red: "R"
        }
    }

    var word: String {
        switch self {
        case .green: "Green"
        case .amber: "Amber"
        case .red: "Red"
        }
    }
}
