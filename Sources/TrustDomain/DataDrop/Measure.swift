/// A number the board report shows, named once so that values, comparisons, national figures
/// and RAG ratings all refer to the same thing. Which pupils it is read for is a `FigureKey`.
public enum Measure: Hashable, Sendable {
    /// % at the expected standard or above.
    case expected(ReportSubject)
    /// % at greater depth.
    case greaterDepth(ReportSubject)
    /// % at or above their own target.
    case onTarget(ReportSubject)
    /// % whose FFT20-informed target is the expected standard or above.
    case targetExpected(ReportSubject)
    /// % whose target is greater depth.
    case targetGreaterDepth(ReportSubject)
    /// Other pupils' % expected+ minus disadvantaged pupils', in percentage points.
    case disadvantagedGap(ReportSubject)
    /// % of reception with a good level of development.
    case goodLevelOfDevelopment
    /// % meeting the phonics standard: year 1 (the check), or year 2 (by the end of year 2).
    case phonicsPass
    /// Mean year 4 multiplication tables check score of those who took it, out of 25.
    case multiplicationCheckMean
    /// % of year 4 pupils eligible for the check who scored 25.
    case multiplicationCheckFullMarks

    /// Gaps are the one kind of measure where a smaller number is the better result.
    public var lowerIsBetter: Bool {
        if case .disadvantagedGap = self { return true }
        return false
    }

    /// Measures read per year group (nil: years 1–6 together); the others have fixed years.
    var isAttainment: Bool {
        switch self {
        case .expected, .greaterDepth, .onTarget, .targetExpected, .targetGreaterDepth, .disadvantagedGap: true
        default: false
        }
    }

    /// The years a measure can be read for; nil is years 1–6 for attainment measures and the
    /// check's own year otherwise.
    public var years: [YearGroup?] {
        switch self {
        case .expected, .greaterDepth, .onTarget, .targetExpected, .targetGreaterDepth, .disadvantagedGap:
            [nil] + YearGroup.assessed
        case .goodLevelOfDevelopment: [nil, .reception]
        case .phonicsPass: [nil, .year1, .year2]
        case .multiplicationCheckMean, .multiplicationCheckFullMarks: [nil, .year4]
        }
    }

    /// The year a check measure's nil year stands for.
    var ownYear: YearGroup? {
        switch self {
        case .goodLevelOfDevelopment: .reception
        case .phonicsPass: .year1
        case .multiplicationCheckMean, .multiplicationCheckFullMarks: .year4
        default: nil
        }
    }
}

extension ReportSubject {
    var label: String { self == .rwm ? "RWM" : rawValue }
}

/// One figure's definition: a measure, for a year group (nil: years 1–6, or the check's own
/// year) and a group of pupils. The report's JSON carries these three fields beside every
/// figure, which is what lets a separate script recompute each one from the stored rows.
public struct FigureKey: Hashable, Sendable {
    public var measure: Measure
    public var year: YearGroup?
    public var group: PupilGroup

    public init(_ measure: Measure, year: YearGroup? = nil, group: PupilGroup = .all) {
        self.measure = measure
        self.year = year
        self.group = group
    }

    /// The year the figure is about, with a check's nil year made explicit.
    var effectiveYear: YearGroup? { year ?? measure.ownYear }
}

/// What a figure rests on: its value, how many pupils meet it (for a percentage), the pupils
/// it is over, and how many of them have a no-result code.
public struct FigureBasis: Hashable, Sendable {
    /// Nil when there are no pupils (or no scores) to base it on.
    public var value: Double?
    public var count: Int?
    /// The denominator; for a gap, the disadvantaged pupils; for the MTC mean, those who took it.
    public var cohort: Int
    /// For a gap, the other pupils too: a gap is as small as its smaller side.
    public var smallestGroup: Int
    public var noResult: NoResultCounts
}

extension DropAggregates {
    /// The figure's value and basis; nil when the year does not apply to the measure.
    public func basis(_ key: FigureKey) -> FigureBasis? {
        guard key.measure.years.contains(key.year) else { return nil }
        func share(_ count: Int, _ total: Int, _ noResult: NoResultCounts) -> FigureBasis {
            FigureBasis(value: Proportion(count, of: total).percent, count: count, cohort: total,
                        smallestGroup: total, noResult: noResult)
        }
        let year = key.year, group = key.group
        func attainment(_ subject: ReportSubject, _ count: (AttainmentCounts) -> Int) -> FigureBasis {
            let c = counts(subject, year: year, group: group)
            return share(count(c), c.pupils, c.noResult)
        }
        switch key.measure {
        case .expected(let s): return attainment(s) { $0.expected }
        case .greaterDepth(let s): return attainment(s) { $0.greaterDepth }
        case .onTarget(let s): return attainment(s) { $0.onTarget }
        case .targetExpected(let s): return attainment(s) { $0.targetExpected }
        case .targetGreaterDepth(let s): return attainment(s) { $0.targetGreaterDepth }
        case .disadvantagedGap(let s):
            guard group == .all else { return nil }
            let pp = counts(s, year: year, group: .pp), others = counts(s, year: year, group: .notPP)
            let value = Proportion(others.expected, of: others.pupils).percent.flatMap { o in
                Proportion(pp.expected, of: pp.pupils).percent.map { o - $0 }
            }
            return FigureBasis(value: value, count: nil, cohort: pp.pupils,
                               smallestGroup: min(pp.pupils, others.pupils), noResult: pp.noResult + others.noResult)
        case .goodLevelOfDevelopment:
            let c = goodLevelOfDevelopment[group] ?? .zero
            return share(c.met, c.pupils, c.noResult)
        case .phonicsPass:
            let c = phonics(key.effectiveYear ?? .year1, group: group)
            return share(c.met, c.pupils, c.noResult)
        case .multiplicationCheckMean:
            let c = multiplicationCheck[group] ?? .zero
            return FigureBasis(value: c.mean, count: nil, cohort: c.took, smallestGroup: c.took, noResult: c.noResult)
        case .multiplicationCheckFullMarks:
            let c = multiplicationCheck[group] ?? .zero
            return share(c.fullMarks, c.eligible, c.noResult)
        }
    }

    /// The figure's value, or nil when there are no pupils or the year does not apply.
    public func value(of measure: Measure, year: YearGroup? = nil, group: PupilGroup = .all) -> Double? {
        basis(FigureKey(measure, year: year, group: group))?.value
    }
}
