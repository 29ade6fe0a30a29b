import Foundation

extension BoardReport {
    /// The RAG table's columns: the three subjects and the combined measure the trust
    /// focuses on, then greater depth, targets, the disadvantaged gap and the statutory checks.
    public static let columns: [Measure] = [
        .expected(.reading), .expected(.writing), .expected(.maths), .expected(.rwm),
        .greaterDepth(.rwm), .onTarget(.rwm), .disadvantagedGap(.rwm),
        .goodLevelOfDevelopment, .phonicsPass, .multiplicationCheckMean,
    ]

    /// Below this many pupils a figure is marked, not hidden.
    public static let smallCohort = 10

    public static let title = "Termly RAG report to the Trust Board"

    /// Builds the report for every academy in the catalog, in catalog order. Aggregates for
    /// ids the catalog does not list are ignored: ingestion refuses such drops, and a report
    /// is no place to discover them.
    public init(_ input: BoardReportInput) {
        let drop = input.drop
        let yearDrops = Term.allCases.filter { $0 <= drop.term }
            .map { DropID(startYear: drop.startYear, term: $0) }
        let maker = FigureMaker(thresholds: input.thresholds)

        var academies: [AcademyReport] = []
        var submitted: [(drops: [DropID: DropAggregates], demographics: DropDemographics?)] = []
        for academy in input.catalog.academies {
            let drops = input.aggregates[academy.id] ?? [:]
            let current = drops[drop]
            let demographics = current == nil ? nil : input.demographics[academy.id]
            if current != nil { submitted.append((drops, demographics)) }
            academies.append(AcademyReport(
                academy, figures: current.map { now in
                    maker.figures(now, change: drops[drop.previous].map { (now, $0) })
                },
                trend: yearDrops.compactMap { point in
                    drops[point].map { maker.trendPoint(point, $0, academies: nil) }
                },
                drop: current.map { PupilProfile($0.pupilCount, demographics) }))
        }

        let now = DropAggregates.trustTotal(submitted.map { $0.drops[drop]! })
        let matched = submitted.filter { $0.drops[drop.previous] != nil }
        let change = matched.isEmpty ? nil : (
            DropAggregates.trustTotal(matched.map { $0.drops[drop]! }),
            DropAggregates.trustTotal(matched.map { $0.drops[drop.previous]! }))
        // Percentages over only some academies would pass for the trust's; show none instead.
        let counted = submitted.compactMap(\.demographics)
        let allCounted = counted.count == submitted.count && !counted.isEmpty
        let trust = TrustSummary(
            academies: academies.count, submitted: submitted.count,
            notSubmitted: academies.filter { !$0.submitted }.map(\.name),
            figures: maker.figures(now, change: change),
            ragCounts: Self.columns.indices.map { RAGCount(column: $0, academies: academies) },
            trend: yearDrops.compactMap { point in
                let parts = submitted.compactMap { $0.drops[point] }
                return parts.isEmpty ? nil
                    : maker.trendPoint(point, DropAggregates.trustTotal(parts), academies: parts.count)
            },
            profile: ProfileComparison(
                drop: PupilProfile(now.pupilCount, allCounted ? counted.summed() : nil),
                published: PupilProfile(input.catalog.trustTotals)))

        self.init(
            title: Self.title, drop: drop.description, dropName: ReportFormat.dropName(drop),
            previousDrop: drop.previous.description, yearDrops: yearDrops.map(\.description),
            generatedAt: ReportFormat.isoUTC(input.generatedAt),
            generatedAtText: ReportFormat.ukDateTime(input.generatedAt),
            publishedAsOf: ReportFormat.month(input.catalog.asOf),
            measures: Self.columns.map { MeasureInfo($0, input.thresholds) },
            trust: trust, academies: academies)
    }
}

/// Turns aggregates into printed, rated figures; one place for counts, cohorts, rounding and
/// ratings so the trust row and the academy rows are made the same way.
private struct FigureMaker {
    let thresholds: RAGThresholds

    /// `change` pairs the same pupils' academies now and at the previous drop.
    func figures(_ aggregates: DropAggregates,
                 change: (now: DropAggregates, then: DropAggregates)?) -> DropFigures {
        DropFigures(
            pupils: aggregates.pupilCount,
            assessedPupils: aggregates.summary(.reading).cohort,
            measures: BoardReport.columns.map { figure($0, nil, aggregates, change: change) },
            disadvantagedGap: ReportSubject.allCases.map { subject in
                let summary = aggregates.summary(subject)
                return GapFigure(
                    subject: subject, disadvantaged: ShareFigure(summary.disadvantaged),
                    otherPupils: ShareFigure(summary.otherPupils),
                    gap: figure(.disadvantagedGap(subject), nil, aggregates, change: change))
            },
            rwmByYear: YearGroup.assessed.map { figure(.expected(.rwm), $0, aggregates, change: change) })
    }

    func trendPoint(_ drop: DropID, _ aggregates: DropAggregates, academies: Int?) -> TrendPoint {
        TrendPoint(drop: drop.description, academies: academies, pupils: aggregates.pupilCount,
                   measures: BoardReport.columns.map { figure($0, nil, aggregates, change: nil) })
    }

    func figure(_ measure: Measure, _ year: YearGroup?, _ aggregates: DropAggregates,
                change: (now: DropAggregates, then: DropAggregates)?) -> MeasureFigure {
        let value = aggregates.value(of: measure, year: year)
        let basis = Self.basis(measure, year, aggregates)
        var figure = MeasureFigure(
            measure: measure.key, year: year?.rawValue, value: value,
            text: ReportFormat.value(value, measure.unit), count: basis.count,
            cohort: basis.cohort, rag: thresholds.rag(for: measure, value: value),
            change: nil, changeText: nil, smallCohort: value != nil && basis.small)
        if let change, let now = change.now.value(of: measure, year: year),
            let then = change.then.value(of: measure, year: year)
        {
            figure.change = now - then
            figure.changeText = ReportFormat.change(from: then, to: now, measure.unit)
        }
        return figure
    }

    /// How many pupils a figure counts and rests on. A gap is small when either group is.
    private static func basis(_ measure: Measure, _ year: YearGroup?, _ aggregates: DropAggregates)
        -> (count: Int?, cohort: Int, small: Bool)
    {
        func share(_ proportion: Proportion) -> (Int?, Int, Bool) {
            (proportion.count, proportion.total, isSmall(proportion.total))
        }
        switch measure {
        case .expected(let subject): return share(aggregates.summary(subject, year: year).expected)
        case .greaterDepth(let subject):
            return share(aggregates.summary(subject, year: year).greaterDepth)
        case .onTarget(let subject): return share(aggregates.summary(subject, year: year).onTarget)
        case .disadvantagedGap(let subject):
            let summary = aggregates.summary(subject, year: year)
            let groups = [summary.disadvantaged.total, summary.otherPupils.total]
            return (nil, groups[0], groups.contains(where: isSmall))
        case .goodLevelOfDevelopment: return share(aggregates.goodLevelOfDevelopment)
        case .phonicsPass: return share(aggregates.phonicsPass)
        case .multiplicationCheckMean:
            let scores = aggregates.multiplicationCheck.count
            return (nil, scores, isSmall(scores))
        }
    }

    private static func isSmall(_ pupils: Int) -> Bool {
        pupils > 0 && pupils < BoardReport.smallCohort
    }
}

extension ShareFigure {
    init(_ proportion: Proportion) {
        self.init(count: proportion.count, total: proportion.total, percent: proportion.percent,
                  text: ReportFormat.percent(proportion.percent))
    }
}

extension MeasureInfo {
    init(_ measure: Measure, _ thresholds: RAGThresholds) {
        // Decoded thresholds always have every band; the fallback only guards code edits.
        let band = thresholds.band(for: measure) ?? RAGThresholds.defaults.band(for: measure)!
        self.init(key: measure.key, label: measure.heading, meaning: measure.meaning,
                  unit: measure.unit, cohort: measure.cohortName, greenAt: band.greenAt,
                  amberAt: band.amberAt,
                  lowerIsBetter: measure.lowerIsBetter)
    }
}

extension PupilProfile {
    /// A drop's profile: percentages only when head counts were recorded with it.
    init(_ pupils: Int, _ counts: DropDemographics?) {
        func percent(_ count: KeyPath<DropDemographics, Int>) -> Double? {
            counts.flatMap { Proportion($0[keyPath: count], of: $0.pupils).percent }
        }
        self.init(pupils: pupils, ppPercent: percent(\.pupilPremium),
                  ealPercent: percent(\.eal), sendPercent: percent(\.send))
    }

    init(_ totals: TrustTotals) {
        self.init(pupils: totals.pupils, ppPercent: totals.ppPercent,
                  ealPercent: totals.ealPercent, sendPercent: totals.sendPercent)
    }
}

extension AcademyReport {
    init(_ academy: Academy, figures: DropFigures?, trend: [TrendPoint], drop: PupilProfile?) {
        let judgement = academy.ofsted.judgement.map { judgement in
            judgement.rawValue + (academy.ofsted.date.map { " (\(ReportFormat.month($0)))" } ?? "")
        }
        self.init(
            id: academy.id.rawValue, name: academy.name, shortName: academy.shortName,
            region: academy.region.rawValue,
            ofsted: judgement ?? academy.ofsted.note ?? "No judgement",
            ofstedNote: judgement == nil ? nil : academy.ofsted.note,
            submitted: figures != nil, status: figures != nil ? "submitted" : "not submitted",
            figures: figures, trend: trend,
            profile: ProfileComparison(drop: drop, published: PupilProfile(
                pupils: academy.pupils, ppPercent: academy.ppPercent,
                ealPercent: academy.ealPercent, sendPercent: academy.sendPercent)))
    }
}

extension RAGCount {
    init(column: Int, academies: [AcademyReport]) {
        let figures = academies.map { $0.figures?.measures[column] }
        func rated(_ rag: RAG) -> Int { figures.count { $0?.rag == rag } }
        self.init(measure: BoardReport.columns[column].key, green: rated(.green),
                  amber: rated(.amber), red: rated(.red),
                  noValue: figures.count { $0 != nil && $0?.rag == nil },
                  notSubmitted: figures.count { $0 == nil })
    }
}
