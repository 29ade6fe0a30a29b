/// Values that combine by adding. Every aggregate is built from per-pupil values with `+`, and
/// trust totals are the same `+` across academies, so there is one way to count and a trust
/// figure is weighted by pupils by construction (percentages are never averaged).
protocol Summable {
    static var zero: Self { get }
    static func + (lhs: Self, rhs: Self) -> Self
}

extension Sequence where Element: Summable {
    func summed() -> Element { reduce(.zero, +) }
}

extension Dictionary: Summable where Value: Summable {
    static var zero: Self { [:] }
    static func + (lhs: Self, rhs: Self) -> Self { lhs.merging(rhs, uniquingKeysWith: +) }
}

/// `count` of `total` pupils. The counts are kept, not the percentage, so figures can be
/// combined exactly and a reader can always see how many pupils a percentage stands for.
public struct Proportion: Hashable, Sendable, Codable, Summable {
    public var count: Int
    public var total: Int

    public init(_ count: Int, of total: Int) {
        self.count = count
        self.total = total
    }

    init(_ hit: Bool) { self.init(hit ? 1 : 0, of: 1) }

    public static let zero = Proportion(0, of: 0)

    /// Nil when there are no pupils: "no pupils" is not 0 % and must never become NaN.
    /// Multiplying before dividing keeps whole-number percentages (70 % of 10) exact.
    public var percent: Double? { total == 0 ? nil : Double(count * 100) / Double(total) }

    public static func + (a: Proportion, b: Proportion) -> Proportion {
        Proportion(a.count + b.count, of: a.total + b.total)
    }
}

/// A total of scores and how many pupils they came from, so means combine exactly.
public struct ScoreTotal: Hashable, Sendable, Codable, Summable {
    public var sum: Int
    public var count: Int

    public init(sum: Int, count: Int) {
        self.sum = sum
        self.count = count
    }

    public static let zero = ScoreTotal(sum: 0, count: 0)
    public var mean: Double? { count == 0 ? nil : Double(sum) / Double(count) }

    public static func + (a: ScoreTotal, b: ScoreTotal) -> ScoreTotal {
        ScoreTotal(sum: a.sum + b.sum, count: a.count + b.count)
    }
}

/// The subjects attainment is reported for: each of the three, and all three together.
public enum ReportSubject: String, CaseIterable, Hashable, Sendable, Codable,
    CodingKeyRepresentable
{
    case reading, writing, maths
    /// Reading, writing and maths combined, the headline primary measure: a pupil counts only
    /// when the condition holds in all three subjects.
    case rwm

    // `DropAggregates.init` relies on the combined measure coming last.
    var subjects: [Subject] {
        switch self {
        case .reading: [.reading]
        case .writing: [.writing]
        case .maths: [.maths]
        case .rwm: Subject.allCases
        }
    }
}

/// Attainment of one cohort (a year group, or years 1–6) in one subject.
public struct AttainmentSummary: Hashable, Sendable, Codable, Summable {
    /// At the expected standard or above (EXS or GDS), over the cohort.
    public var expected: Proportion
    /// At greater depth (GDS), over the cohort.
    public var greaterDepth: Proportion
    /// At or above the pupil's own target, over the cohort.
    public var onTarget: Proportion
    /// Expected or above among pupil-premium (disadvantaged) pupils.
    public var disadvantaged: Proportion
    /// Expected or above among all other pupils.
    public var otherPupils: Proportion
    /// Expected or above within each SEND status present.
    public var bySEND: [SENDStatus: Proportion]

    public static let zero = AttainmentSummary(
        expected: .zero, greaterDepth: .zero, onTarget: .zero, disadvantaged: .zero,
        otherPupils: .zero, bySEND: [:])

    public var cohort: Int { expected.total }

    /// Other pupils' % expected+ minus disadvantaged pupils' %, in percentage points: positive
    /// means disadvantaged pupils are behind. Nil unless both groups have pupils.
    public var disadvantagedGap: Double? {
        guard let others = otherPupils.percent, let disadvantaged = disadvantaged.percent else {
            return nil
        }
        return others - disadvantaged
    }

    public func send(_ status: SENDStatus) -> Proportion { bySEND[status] ?? .zero }

    public static func + (a: AttainmentSummary, b: AttainmentSummary) -> AttainmentSummary {
        AttainmentSummary(
            expected: a.expected + b.expected, greaterDepth: a.greaterDepth + b.greaterDepth,
            onTarget: a.onTarget + b.onTarget, disadvantaged: a.disadvantaged + b.disadvantaged,
            otherPupils: a.otherPupils + b.otherPupils, bySEND: a.bySEND + b.bySEND)
    }
}

extension AttainmentSummary {
    /// One pupil's contribution, or nil for nursery and reception pupils.
    init?(_ pupil: PupilRecord, in subject: ReportSubject) {
        guard let attainment = pupil.attainment, let targets = pupil.targets else { return nil }
        func all(_ condition: (Subject) -> Bool) -> Bool { subject.subjects.allSatisfy(condition) }
        let expected = Proportion(all { attainment[$0] >= .exs })
        self.init(
            expected: expected,
            greaterDepth: Proportion(all { attainment[$0] == .gds }),
            onTarget: Proportion(all { attainment[$0] >= targets[$0] }),
            disadvantaged: pupil.pupilPremium ? expected : .zero,
            otherPupils: pupil.pupilPremium ? .zero : expected,
            bySEND: [pupil.send: expected])
    }
}

/// Everything the board report needs about one academy's drop, or, summed, the trust's.
public struct DropAggregates: Hashable, Sendable, Codable, Summable {
    /// Every pupil row, nursery to year 6.
    public var pupilCount: Int
    /// Years 1–6 only; a year with no pupils is absent and reads as an empty summary.
    public var byYear: [YearGroup: [ReportSubject: AttainmentSummary]]
    /// Reception pupils with a good level of development, over all reception pupils.
    public var goodLevelOfDevelopment: Proportion
    /// Year 1 pupils scoring at least the pass mark, over year 1 pupils with a score.
    public var phonicsPass: Proportion
    /// Year 4 multiplication tables check scores.
    public var multiplicationCheck: ScoreTotal

    /// The phonics screening check threshold (out of 40), unchanged since 2012.
    public static let phonicsPassMark = 32

    public static let zero = DropAggregates(
        pupilCount: 0, byYear: [:], goodLevelOfDevelopment: .zero, phonicsPass: .zero,
        multiplicationCheck: .zero)

    public init(pupilCount: Int, byYear: [YearGroup: [ReportSubject: AttainmentSummary]],
                goodLevelOfDevelopment: Proportion, phonicsPass: Proportion,
                multiplicationCheck: ScoreTotal) {
        self.pupilCount = pupilCount
        self.byYear = byYear
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonicsPass = phonicsPass
        self.multiplicationCheck = multiplicationCheck
    }

    /// Aggregates for one academy's drop: every pupil's counts added, in one pass, into flat
    /// integer tallies indexed by year and subject; the summaries (with their per-SEND
    /// dictionaries) are built once per cohort at the end, not once per pupil.
    /// `AttainmentSummary.init(_:in:)` stays the definition of one pupil's contribution; a
    /// unit test holds the two together.
    public init(_ pupils: some Sequence<PupilRecord>) {
        let subjects = ReportSubject.allCases
        var tallies = [CohortTally](repeating: CohortTally(), count: YearGroup.allCases.count * subjects.count)
        var count = 0
        var gld = Proportion.zero, phonics = Proportion.zero, mtc = ScoreTotal.zero
        for pupil in pupils {
            count += 1
            if let g = pupil.goodLevelOfDevelopment { gld = gld + Proportion(g) }
            if let p = pupil.phonics { phonics = phonics + Proportion(p >= Self.phonicsPassMark) }
            if let m = pupil.multiplicationCheck { mtc = mtc + ScoreTotal(sum: m, count: 1) }
            guard let attainment = pupil.attainment, let targets = pupil.targets else { continue }
            let base = pupil.year.rank * subjects.count
            var all = (expected: true, greaterDepth: true, onTarget: true)
            for (s, subject) in Subject.allCases.enumerated() {
                let judgement = attainment[subject]
                let one = (expected: judgement >= .exs, greaterDepth: judgement == .gds,
                           onTarget: judgement >= targets[subject])
                tallies[base + s].add(one, pupil)
                all = (all.expected && one.expected, all.greaterDepth && one.greaterDepth,
                       all.onTarget && one.onTarget)
            }
            tallies[base + subjects.count - 1].add(all, pupil)
        }
        var byYear: [YearGroup: [ReportSubject: AttainmentSummary]] = [:]
        for year in YearGroup.allCases {
            var bySubject: [ReportSubject: AttainmentSummary] = [:]
            for (s, subject) in subjects.enumerated() {
                let tally = tallies[year.rank * subjects.count + s]
                if tally.cohort > 0 { bySubject[subject] = tally.summary }
            }
            if !bySubject.isEmpty { byYear[year] = bySubject }
        }
        self.init(pupilCount: count, byYear: byYear, goodLevelOfDevelopment: gld, phonicsPass: phonics,
                  multiplicationCheck: mtc)
    }

    /// The trust's figures: counts summed across academies, so each pupil weighs the same.
    public static func trustTotal(_ academies: some Sequence<DropAggregates>) -> DropAggregates {
        academies.summed()
    }

    /// One year's summary, or years 1–6 together when `year` is nil.
    public func summary(_ subject: ReportSubject, year: YearGroup? = nil) -> AttainmentSummary {
        guard let year else { return byYear.values.compactMap { $0[subject] }.summed() }
        return byYear[year]?[subject] ?? .zero
    }

    public static func + (a: DropAggregates, b: DropAggregates) -> DropAggregates {
        DropAggregates(
            pupilCount: a.pupilCount + b.pupilCount, byYear: a.byYear + b.byYear,
            goodLevelOfDevelopment: a.goodLevelOfDevelopment + b.goodLevelOfDevelopment,
            phonicsPass: a.phonicsPass + b.phonicsPass,
            multiplicationCheck: a.multiplicationCheck + b.multiplicationCheck)
    }
}

/// Counts for one cohort and subject while pupils are added; becomes an `AttainmentSummary`.
private struct CohortTally {
    var cohort = 0, expected = 0, greaterDepth = 0, onTarget = 0
    var disadvantaged = 0, disadvantagedExpected = 0
    /// Pupils and those at expected+, per `SENDStatus` (none, SEN support, EHC plan).
    var send = [0, 0, 0], sendExpected = [0, 0, 0]

    mutating func add(_ hit: (expected: Bool, greaterDepth: Bool, onTarget: Bool), _ pupil: PupilRecord) {
        let e = hit.expected ? 1 : 0
        cohort += 1
        expected += e
        greaterDepth += hit.greaterDepth ? 1 : 0
        onTarget += hit.onTarget ? 1 : 0
        if pupil.pupilPremium {
            disadvantaged += 1
            disadvantagedExpected += e
        }
        let s = Self.slot(pupil.send)
        send[s] += 1
        sendExpected[s] += e
    }

    var summary: AttainmentSummary {
        var bySEND: [SENDStatus: Proportion] = [:]
        for status in SENDStatus.allCases where send[Self.slot(status)] > 0 {
            bySEND[status] = Proportion(sendExpected[Self.slot(status)], of: send[Self.slot(status)])
        }
        return AttainmentSummary(
            expected: Proportion(expected, of: cohort), greaterDepth: Proportion(greaterDepth, of: cohort),
            onTarget: Proportion(onTarget, of: cohort),
            disadvantaged: Proportion(disadvantagedExpected, of: disadvantaged),
            otherPupils: Proportion(expected - disadvantagedExpected, of: cohort - disadvantaged),
            bySEND: bySEND)
    }

    private static func slot(_ status: SENDStatus) -> Int {
        switch status {
        case .none: 0
        case .senSupport: 1
        case .ehcPlan: 2
        }
    }
}
