import Foundation

extension BoardReport {
    /// The RAG table's columns: the core subjects and RWM across years 1–6, greater depth,
    /// targets and the disadvantaged gap, then the statutory checks and the two key stages.
    public static let columns: [FigureKey] = [
        FigureKey(.expected(.reading)), FigureKey(.expected(.writing)), FigureKey(.expected(.maths)),
        FigureKey(.expected(.rwm)), FigureKey(.greaterDepth(.rwm)), FigureKey(.onTarget(.rwm)),
        FigureKey(.disadvantagedGap(.rwm)), FigureKey(.goodLevelOfDevelopment), FigureKey(.phonicsPass, year: .year1),
        FigureKey(.expected(.rwm), year: .year2), FigureKey(.multiplicationCheckMean),
        FigureKey(.expected(.rwm), year: .year6),
    ]

    /// The statutory measures, in the order a child meets them: EYFS GLD, phonics in year 1
    /// and by the end of year 2, KS1 (year 2), the year 4 MTC, KS2 (year 6).
    public static let statutoryMeasures: [FigureKey] = {
        func stage(_ year: YearGroup) -> [FigureKey] {
            ReportSubject.allCases.map { FigureKey(.expected($0), year: year) }
                + ReportSubject.allCases.map { FigureKey(.greaterDepth($0), year: year) }
        }
        return [FigureKey(.goodLevelOfDevelopment), FigureKey(.phonicsPass, year: .year1),
                FigureKey(.phonicsPass, year: .year2)]
            + stage(.year2)
            + [FigureKey(.multiplicationCheckMean), FigureKey(.multiplicationCheckFullMarks)]
            + stage(.year6)
    }()

    /// The figures every group gets: the statutory measures, then RWM expected+ for the other
    /// year groups and for years 1–6 together.
    public static let headline: [FigureKey] = statutoryMeasures
        + [YearGroup.year1, .year3, .year4, .year5].map { FigureKey(.expected(.rwm), year: $0) }
        + [FigureKey(.expected(.rwm))]

    public static let title = "Termly RAG report to the Trust Board"

    /// Builds the report for every academy in the catalog, in catalog order.
    public init(_ input: BoardReportInput) {
        let drop = input.drop
        let lastYear = DropID(startYear: drop.startYear - 1, term: drop.term)
        let yearDrops = Term.allCases.filter { $0 <= drop.term }.map { DropID(startYear: drop.startYear, term: $0) }
        let maker = FigureMaker(settings: input.thresholds, national: input.national, nationalSummer: drop.startYear)
        let missing = Set(input.notSubmitted)
        var cache: [AcademyID: [DropID: DropAggregates]] = [:]
        func aggregates(_ academy: AcademyID, _ at: DropID) -> DropAggregates? {
            if let known = cache[academy]?[at] { return known }
            guard let pupils = input.pupils[academy]?[at], !pupils.isEmpty else { return nil }
            let value = DropAggregates(pupils)
            cache[academy, default: [:]][at] = value
            return value
        }
        func pupils(_ academy: AcademyID, _ at: DropID) -> [StoredPupil] { input.pupils[academy]?[at] ?? [] }

        var academies: [AcademyReport] = []
        var submitted: [AcademyID] = []
        for academy in input.catalog.academies {
            let id = academy.id
            let now = missing.contains(id) ? nil : aggregates(id, drop)
            if now != nil { submitted.append(id) }
            let figures = now.map { now in
                maker.figures(now, term: drop.term, comparison: aggregates(id, lastYear),
                              progress: maker.progress(pupils(id, drop), pupils(id, drop.previous), since: drop.previous))
            }
            let trend = yearDrops.compactMap { point -> TrendPoint? in
                guard point != drop || now != nil, let values = aggregates(id, point) else { return nil }
                return maker.trendPoint(point, values, academies: nil)
            }
            academies.append(AcademyReport(academy, figures: figures, trend: trend,
                                           drop: now.map { _ in PupilProfile(DropDemographics(pupils(id, drop))) }))
        }

        let now = DropAggregates.trustTotal(submitted.compactMap { aggregates($0, drop) })
        let matched = submitted.filter { aggregates($0, lastYear) != nil }
        let comparison: (now: DropAggregates, then: DropAggregates)? = matched.isEmpty ? nil : (
            DropAggregates.trustTotal(matched.compactMap { aggregates($0, drop) }),
            DropAggregates.trustTotal(matched.compactMap { aggregates($0, lastYear) }))
        let trustFigures = maker.figures(
            now, term: drop.term, comparisonPair: comparison,
            progress: maker.progress(submitted.flatMap { pupils($0, drop) },
                                     submitted.flatMap { pupils($0, drop.previous) }, since: drop.previous))
        let trust = TrustSummary(
            academies: academies.count, submitted: submitted.count,
            notSubmitted: academies.filter { !$0.submitted }.map(\.name),
            figures: trustFigures,
            ragCounts: Self.columns.indices.map { RAGCount(column: $0, academies: academies) },
            trend: yearDrops.compactMap { point in
                let parts = submitted.compactMap { aggregates($0, point) }
                return parts.isEmpty ? nil
                    : maker.trendPoint(point, DropAggregates.trustTotal(parts), academies: parts.count)
            },
            profile: ProfileComparison(
                drop: PupilProfile(DropDemographics(submitted.flatMap { pupils($0, drop) })),
                published: PupilProfile(input.catalog.trustTotals)))

        let support = academies.filter(\.submitted).sorted {
            ($0.red, $0.amber, $1.name) > ($1.red, $1.amber, $0.name)
        }.map {
            SupportRow(academy: $0.id, name: $0.name, red: $0.red, amber: $0.amber, green: $0.green,
                       ofsted: $0.ofsted, ofstedDate: $0.ofstedDate)
        }
        let thresholds = input.thresholds.forTerm(drop.term)
        self.init(
            title: Self.title, drop: drop.description, dropName: ReportFormat.dropName(drop),
            thresholdsTerm: drop.term.rawValue, comparisonDrop: lastYear.description,
            progressFrom: drop.previous.description, yearDrops: yearDrops.map(\.description),
            nationalYear: Self.statutoryMeasures.compactMap { maker.national($0)?.year }.max(),
            smallGroup: input.thresholds.smallGroup, withholdBelow: input.thresholds.withholdBelow,
            generatedAt: ReportFormat.isoUTC(input.generatedAt),
            generatedAtText: ReportFormat.ukDateTime(input.generatedAt),
            publishedAsOf: ReportFormat.month(input.catalog.asOf),
            columns: Self.columns.map { MeasureInfo($0, thresholds, national: maker.national($0)) },
            statutory: Self.statutoryMeasures.map { MeasureInfo($0, thresholds, national: maker.national($0)) },
            summary: SummaryPage(support: support, notSubmitted: trust.notSubmitted, glossary: Self.glossary),
            trust: trust, academies: academies)
    }

    static let glossary: [GlossaryEntry] = [
        GlossaryEntry(term: "EXS+", meaning: "working at the expected standard or above (EXS or GDS)"),
        GlossaryEntry(term: "GDS", meaning: "working at greater depth; at KS2 the DfE's \"higher standard\""),
        GlossaryEntry(term: "RWM", meaning: "reading, writing and maths combined: EXS+ in all three"),
        GlossaryEntry(term: "KS1 / KS2", meaning: "end of year 2 / end of year 6 (the statutory key stages)"),
        GlossaryEntry(term: "GLD", meaning: "good level of development at the end of reception (EYFS profile)"),
        GlossaryEntry(term: "Phonics", meaning: "screening check in year 1 (pass 32/40); year 2 retake for those who did not pass"),
        GlossaryEntry(term: "MTC", meaning: "year 4 multiplication tables check, out of 25"),
        GlossaryEntry(term: "PP", meaning: "pupil premium (disadvantaged) pupils; the gap is others' % minus PP pupils' %"),
        GlossaryEntry(term: "SEND N/K/E", meaning: "no SEND / SEN support / education, health and care plan"),
        GlossaryEntry(term: "EAL", meaning: "English as an additional language"),
        GlossaryEntry(term: "FFT20", meaning: "targets set so pupils make progress like the top 20% of similar pupils nationally"),
        GlossaryEntry(term: "A / D / J", meaning: "absent / disapplied / new arrival not yet assessed: counted in the cohort as not reaching the standard, as the DfE counts them"),
        GlossaryEntry(term: "G / A / R", meaning: "green / amber / red against this term's thresholds"),
    ]
}

/// Turns aggregates into printed, rated figures; one place for counts, denominators,
/// withholding, rounding, ratings and national comparisons, so every table is made the same way.
struct FigureMaker {
    let settings: DropThresholds
    let national: NationalFigures
    let nationalSummer: Int

    func national(_ key: FigureKey) -> NationalReference? {
        guard let name = key.nationalKey, let figure = national.latest(name, notAfter: nationalSummer) else { return nil }
        return NationalReference(value: figure.value, year: figure.year, source: figure.source, url: figure.url,
                                 text: ReportFormat.value(figure.value, key.measure.unit))
    }

    func figures(_ aggregates: DropAggregates, term: Term, comparison: DropAggregates?,
                 progress: ProgressFigures?) -> DropFigures {
        figures(aggregates, term: term, comparisonPair: comparison.map { (aggregates, $0) }, progress: progress)
    }

    /// `comparisonPair` holds the same academies now and a year earlier.
    func figures(_ aggregates: DropAggregates, term: Term,
                 comparisonPair: (now: DropAggregates, then: DropAggregates)?,
                 progress: ProgressFigures?) -> DropFigures {
        let thresholds = settings.forTerm(term)
        func make(_ key: FigureKey, compare: Bool = true) -> MeasureFigure {
            figure(key, aggregates, thresholds: thresholds, comparison: compare ? comparisonPair : nil)
        }
        let years = YearGroup.assessed.map { year in
            YearRow(year: year.rawValue, pupils: aggregates.counts(.reading, year: year).pupils,
                    subjects: ReportSubject.allCases.map { s in
                        YearSubjectFigures(
                            subject: s, expected: make(FigureKey(.expected(s), year: year)),
                            greaterDepth: make(FigureKey(.greaterDepth(s), year: year)),
                            onTarget: make(FigureKey(.onTarget(s), year: year)),
                            targetExpected: make(FigureKey(.targetExpected(s), year: year)),
                            targetGreaterDepth: make(FigureKey(.targetGreaterDepth(s), year: year)))
                    })
        }
        var byGroup = PupilGroup.allCases.map { group in
            BoardReport.headline.map { make(FigureKey($0.measure, year: $0.year, group: group), compare: false) }
        }
        withholdPartners(&byGroup)
        return DropFigures(
            pupils: aggregates.pupilCount, assessedPupils: aggregates.counts(.reading).pupils,
            columns: BoardReport.columns.map { make($0) },
            statutory: BoardReport.statutoryMeasures.map { make($0) },
            years: years,
            groups: zip(PupilGroup.allCases, byGroup).map { GroupFigures(group: $0.rawValue, label: $0.label, figures: $1) },
            disadvantagedGap: ReportSubject.allCases.map { s in
                GapFigure(subject: s, disadvantaged: ShareFigure(aggregates.counts(s, group: .pp)),
                          otherPupils: ShareFigure(aggregates.counts(s, group: .notPP)),
                          gap: make(FigureKey(.disadvantagedGap(s))),
                          year6Disadvantaged: nationalAgainstOthers(
                            make(FigureKey(.expected(s), year: .year6, group: .pp), compare: false), s))
            },
            progress: progress)
    }

    /// The DfE reports the disadvantaged gap against other pupils nationally: the figure's
    /// national comparison is national other pupils' year 6 % expected+.
    private func nationalAgainstOthers(_ figure: MeasureFigure, _ subject: ReportSubject) -> MeasureFigure {
        var figure = figure
        let others = national(FigureKey(.expected(subject), year: .year6, group: .notPP))
        figure.national = others?.value
        figure.vsNational = others.flatMap { n in figure.value.map { $0 - n.value } }
        return figure
    }

    /// A group withheld alone could be recovered from its partners and the total, so every
    /// partner of a withheld group is withheld too.
    private func withholdPartners(_ byGroup: inout [[MeasureFigure]]) {
        for column in BoardReport.headline.indices {
            for group in PupilGroup.allCases where byGroup[group.slot][column].withheld {
                for partner in group.partners where !byGroup[partner.slot][column].withheld {
                    byGroup[partner.slot][column] = Self.withheld(byGroup[partner.slot][column])
                }
            }
        }
    }

    func trendPoint(_ drop: DropID, _ aggregates: DropAggregates, academies: Int?) -> TrendPoint {
        let thresholds = settings.forTerm(drop.term)
        return TrendPoint(drop: drop.description, academies: academies, pupils: aggregates.pupilCount,
                          columns: BoardReport.columns.map { figure($0, aggregates, thresholds: thresholds, comparison: nil) })
    }

    func progress(_ now: [StoredPupil], _ then: [StoredPupil], since: DropID) -> ProgressFigures? {
        guard !then.isEmpty else { return nil }
        let result = PupilProgress.rows(now: now, then: then)
        return result.rows.isEmpty ? nil
            : ProgressFigures(since: since.description, rows: result.rows, notInEarlierDrop: result.joiners)
    }

    func figure(_ key: FigureKey, _ aggregates: DropAggregates, thresholds: RAGThresholds,
                comparison: (now: DropAggregates, then: DropAggregates)?) -> MeasureFigure {
        let basis = aggregates.basis(key)!
        let unit = key.measure.unit
        let reference = national(key)
        var figure = MeasureFigure(
            measure: key.measure.key, year: key.year?.rawValue, group: key.group.rawValue, value: basis.value,
            text: ReportFormat.value(basis.value, unit), count: basis.count, cohort: basis.cohort,
            noResult: basis.noResult, rag: thresholds.rag(for: key, value: basis.value), change: nil,
            changeText: nil, smallCohort: basis.value != nil && basis.smallestGroup < settings.smallGroup,
            withheld: false, national: reference?.value,
            vsNational: reference.flatMap { n in basis.value.map { $0 - n.value } })
        if basis.smallestGroup > 0 && basis.smallestGroup < settings.withholdBelow { return Self.withheld(figure) }
        if let comparison, let now = comparison.now.basis(key), let then = comparison.then.basis(key),
           let current = now.value, let earlier = then.value,
           now.smallestGroup >= settings.withholdBelow, then.smallestGroup >= settings.withholdBelow
        {
            figure.change = current - earlier
            figure.changeText = ReportFormat.change(from: earlier, to: current, unit)
        }
        return figure
    }

    /// No value, count, rating or no-result counts: only the denominator remains.
    static func withheld(_ figure: MeasureFigure) -> MeasureFigure {
        var figure = figure
        figure.value = nil
        figure.count = nil
        figure.text = "withheld"
        figure.rag = nil
        figure.noResult = .zero
        figure.change = nil
        figure.changeText = nil
        figure.vsNational = nil
        figure.smallCohort = false
        figure.withheld = true
        return figure
    }
}

extension ShareFigure {
    init(_ counts: AttainmentCounts) {
        let proportion = Proportion(counts.expected, of: counts.pupils)
        self.init(count: counts.expected, total: counts.pupils, percent: proportion.percent,
                  text: ReportFormat.percent(proportion.percent))
    }
}

extension MeasureInfo {
    init(_ key: FigureKey, _ thresholds: RAGThresholds, national: NationalReference?) {
        let band = thresholds.band(for: key)
        self.init(measure: key.measure.key, year: key.year?.rawValue, label: key.label, meaning: key.meaning,
                  unit: key.measure.unit, cohort: key.cohortName, greenAt: band?.greenAt, amberAt: band?.amberAt,
                  lowerIsBetter: key.measure.lowerIsBetter, national: national)
    }
}

extension PupilProfile {
    init(_ counts: DropDemographics) {
        func percent(_ count: Int) -> Double? { Proportion(count, of: counts.pupils).percent }
        self.init(pupils: counts.pupils, ppPercent: percent(counts.pupilPremium),
                  ealPercent: percent(counts.eal), sendPercent: percent(counts.send))
    }

    init(_ totals: TrustTotals) {
        self.init(pupils: totals.pupils, ppPercent: totals.ppPercent,
                  ealPercent: totals.ealPercent, sendPercent: totals.sendPercent)
    }
}

extension AcademyReport {
    init(_ academy: Academy, figures: DropFigures?, trend: [TrendPoint], drop: PupilProfile?) {
        let date = academy.ofsted.date.map(ReportFormat.month)
        let judgement = academy.ofsted.judgement.map { judgement in
            judgement.rawValue + (date.map { " (\($0))" } ?? "")
        }
        let ratings = figures?.columns.compactMap(\.rag) ?? []
        self.init(
            id: academy.id.rawValue, name: academy.name, shortName: academy.shortName,
            region: academy.region.rawValue,
            ofsted: judgement ?? academy.ofsted.note ?? "No judgement", ofstedDate: date,
            ofstedNote: judgement == nil ? nil : academy.ofsted.note,
            submitted: figures != nil, status: figures != nil ? "submitted" : "not submitted",
            figures: figures, trend: trend,
            profile: ProfileComparison(drop: drop, published: PupilProfile(
                pupils: academy.pupils, ppPercent: academy.ppPercent,
                ealPercent: academy.ealPercent, sendPercent: academy.sendPercent)),
            red: ratings.count { $0 == .red }, amber: ratings.count { $0 == .amber },
            green: ratings.count { $0 == .green })
    }
}

extension RAGCount {
    init(column: Int, academies: [AcademyReport]) {
        let figures = academies.map { $0.figures?.columns[column] }
        func rated(_ rag: RAG) -> Int { figures.count { $0?.rag == rag } }
        let key = BoardReport.columns[column]
        self.init(measure: key.measure.key, year: key.year?.rawValue, green: rated(.green),
                  amber: rated(.amber), red: rated(.red),
                  noValue: figures.count { $0 != nil && $0?.rag == nil },
                  notSubmitted: figures.count { $0 == nil })
    }
}
