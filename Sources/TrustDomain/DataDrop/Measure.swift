/// A number the board report shows, named once so that values, changes since the last drop
/// and RAG ratings all refer to the same thing.
public enum Measure: Hashable, Sendable, CustomStringConvertible {
    /// % at the expected standard or above.
    case expected(ReportSubject)
    /// % at greater depth.
    case greaterDepth(ReportSubject)
    /// % at or above target.
    case onTarget(ReportSubject)
    /// Other pupils' % expected+ minus disadvantaged pupils', in percentage points.
    case disadvantagedGap(ReportSubject)
    /// % of reception with a good level of development.
    case goodLevelOfDevelopment
    /// % of year 1 with a phonics score at or above the pass mark.
    case phonicsPass
    /// Mean year 4 multiplication tables check score, out of 25 (a score, not a percentage).
    case multiplicationCheckMean

    public static let all: [Measure] =
        ReportSubject.allCases.flatMap {
            [.expected($0), .greaterDepth($0), .onTarget($0), .disadvantagedGap($0)]
        } + [.goodLevelOfDevelopment, .phonicsPass, .multiplicationCheckMean]

    /// Gaps are the one kind of measure where a smaller number is the better result.
    public var lowerIsBetter: Bool {
        if case .disadvantagedGap = self { return true }
        return false
    }

    /// The year groups a measure can be read for: nil stands for years 1–6 together for the
    /// subject measures, and for the measure's own year for the others.
    public var years: [YearGroup?] {
        switch self {
        case .expected, .greaterDepth, .onTarget, .disadvantagedGap: [nil] + YearGroup.assessed
        case .goodLevelOfDevelopment: [nil, .reception]
        case .phonicsPass: [nil, .year1]
        case .multiplicationCheckMean: [nil, .year4]
        }
    }

    public var description: String {
        switch self {
        case .expected(let s): "\(s.label) % expected+"
        case .greaterDepth(let s): "\(s.label) % greater depth"
        case .onTarget(let s): "\(s.label) % on target"
        case .disadvantagedGap(let s): "\(s.label) disadvantaged gap"
        case .goodLevelOfDevelopment: "reception % GLD"
        case .phonicsPass: "year 1 % phonics pass"
        case .multiplicationCheckMean: "year 4 MTC mean"
        }
    }
}

extension ReportSubject {
    var label: String { self == .rwm ? "RWM" : rawValue }
}

/// One measure at two drops. `change` is in percentage points (or MTC marks), current minus
/// previous, so for a gap a positive change means the gap widened.
public struct MeasureChange: Hashable, Sendable {
    public let measure: Measure
    public let year: YearGroup?
    public let previous: Double?
    public let current: Double?

    public var change: Double? {
        guard let previous, let current else { return nil }
        return current - previous
    }
}

extension DropAggregates {
    /// The measure's value, or nil when there are no pupils to base it on or the year does not
    /// apply (phonics for year 3, say). `year` nil means years 1–6 together.
    public func value(of measure: Measure, year: YearGroup? = nil) -> Double? {
        guard measure.years.contains(year) else { return nil }
        switch measure {
        case .expected(let subject): return summary(subject, year: year).expected.percent
        case .greaterDepth(let subject): return summary(subject, year: year).greaterDepth.percent
        case .onTarget(let subject): return summary(subject, year: year).onTarget.percent
        case .disadvantagedGap(let subject): return summary(subject, year: year).disadvantagedGap
        case .goodLevelOfDevelopment: return goodLevelOfDevelopment.percent
        case .phonicsPass: return phonicsPass.percent
        case .multiplicationCheckMean: return multiplicationCheck.mean
        }
    }

    /// Change in one measure since an earlier drop; nil when either drop has no value.
    public func change(in measure: Measure, year: YearGroup? = nil,
                       since previous: DropAggregates) -> Double? {
        compare(measure, year, with: previous).change
    }

    /// Every measure for every year it applies to, compared with an earlier drop.
    public func changes(since previous: DropAggregates) -> [MeasureChange] {
        Measure.all.flatMap { measure in
            measure.years.map { compare(measure, $0, with: previous) }
        }
    }

    private func compare(_ measure: Measure, _ year: YearGroup?,
                         with previous: DropAggregates) -> MeasureChange {
        MeasureChange(measure: measure, year: year,
                      previous: previous.value(of: measure, year: year),
                      current: value(of: measure, year: year))
    }
}
