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

    public static let zero = Proportion(0, of: 0)

    /// Nil when there are no pupils: "no pupils" is not 0 % and must never become NaN.
    /// Multiplying before dividing keeps whole-number percentages (70 % of 10) exact.
    public var percent: Double? { total == 0 ? nil : Double(count * 100) / Double(total) }

    public static func + (a: Proportion, b: Proportion) -> Proportion {
        Proportion(a.count + b.count, of: a.total + b.total)
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

    var subjects: [Subject] {
        switch self {
        case .reading: [.reading]
        case .writing: [.writing]
        case .maths: [.maths]
        case .rwm: Subject.allCases
        }
    }
}

/// The groups every headline figure is also shown for. `all` is every pupil; a pupil is in one
/// of each pair (and one SEND status), and in girls or boys when the census gender is F or M.
public enum PupilGroup: String, CaseIterable, Hashable, Sendable, Codable, CodingKeyRepresentable {
    case all
    case pp, notPP = "not_pp"
    case sendNone = "send_n", senSupport = "send_k", ehcPlan = "send_e"
    case eal, notEAL = "not_eal"
    case girls, boys

    /// The groups a pupil belongs to, `all` first.
    static func of(_ pupil: some AssessedPupil) -> [PupilGroup] {
        var groups: [PupilGroup] = [.all, pupil.pupilPremium ? .pp : .notPP]
        switch pupil.send {
        case .none: groups.append(.sendNone)
        case .senSupport: groups.append(.senSupport)
        case .ehcPlan: groups.append(.ehcPlan)
        }
        groups.append(pupil.eal ? .eal : .notEAL)
        switch pupil.gender {
        case .female: groups.append(.girls)
        case .male: groups.append(.boys)
        case .other, nil: break
        }
        return groups
    }

    /// The groups that, with this one, make up all pupils (or all pupils of a known gender):
    /// withholding one of them alone would let the others and the total give it back.
    public var partners: [PupilGroup] {
        switch self {
        case .all: []
        case .pp, .notPP: [.pp, .notPP]
        case .sendNone, .senSupport, .ehcPlan: [.sendNone, .senSupport, .ehcPlan]
        case .eal, .notEAL: [.eal, .notEAL]
        case .girls, .boys: [.girls, .boys]
        }
    }

    public var label: String {
        switch self {
        case .all: "All pupils"
        case .pp: "Pupil premium"
        case .notPP: "Not pupil premium"
        case .sendNone: "No SEND (N)"
        case .senSupport: "SEN support (K)"
        case .ehcPlan: "EHC plan (E)"
        case .eal: "EAL"
        case .notEAL: "Not EAL"
        case .girls: "Girls"
        case .boys: "Boys"
        }
    }

    /// Position in `allCases`, for flat tallies.
    var slot: Int {
        switch self {
        case .all: 0
        case .pp: 1
        case .notPP: 2
        case .sendNone: 3
        case .senSupport: 4
        case .ehcPlan: 5
        case .eal: 6
        case .notEAL: 7
        case .girls: 8
        case .boys: 9
        }
    }
}

/// What the aggregates read from a pupil: a validated record, or a row read back from the
/// store (which has a pseudonymous key and no UPN).
public protocol AssessedPupil {
    var year: YearGroup { get }
    var gender: Gender? { get }
    var pupilPremium: Bool { get }
    var eal: Bool { get }
    var send: SENDStatus { get }
    var attainment: SubjectAssessments? { get }
    var targets: SubjectJudgements? { get }
    var goodLevelOfDevelopment: Bool? { get }
    var phonics: CheckResult? { get }
    var multiplicationCheck: CheckResult? { get }
}

extension PupilRecord: AssessedPupil {}

/// Pupils with a statutory no-result code, by code. They are inside the cohort they belong to
/// (see `AttainmentCounts`), so a figure can say "50 pupils, of whom 2 absent".
public struct NoResultCounts: Hashable, Sendable, Codable, Summable {
    public var absent = 0
    public var disapplied = 0
    public var newArrival = 0

    public init(absent: Int = 0, disapplied: Int = 0, newArrival: Int = 0) {
        self.absent = absent
        self.disapplied = disapplied
        self.newArrival = newArrival
    }

    public static let zero = NoResultCounts()
    public var total: Int { absent + disapplied + newArrival }

    public subscript(reason: NoResult) -> Int {
        get {
            switch reason {
            case .absent: absent
            case .disapplied: disapplied
            case .newArrival: newArrival
            }
        }
        set {
            switch reason {
            case .absent: absent = newValue
            case .disapplied: disapplied = newValue
            case .newArrival: newArrival = newValue
            }
        }
    }

    public static func + (a: Self, b: Self) -> Self {
        NoResultCounts(absent: a.absent + b.absent, disapplied: a.disapplied + b.disapplied,
                       newArrival: a.newArrival + b.newArrival)
    }

    enum CodingKeys: String, CodingKey {
        case absent, disapplied
        case newArrival = "new_arrival"
    }
}

/// Teacher-assessment counts for one cohort: a year group, in one subject, for one group.
///
/// The DfE rule for "% reaching the expected standard" (KS1 and KS2 teacher assessment, KS2
/// tests): every eligible pupil is in the denominator, and a pupil recorded absent (A),
/// disapplied (D) or just arrived (J) counts as not reaching the standard. So `pupils`
/// includes `noResult`, and those pupils are in none of the other counts.
public struct AttainmentCounts: Hashable, Sendable, Codable, Summable {
    /// The denominator: every pupil in the cohort, with or without a result.
    public var pupils = 0
    /// At the expected standard or above (EXS or GDS) — in every subject, for RWM.
    public var expected = 0
    /// At greater depth (GDS).
    public var greaterDepth = 0
    /// At or above their own target.
    public var onTarget = 0
    /// Whose (FFT20-informed) target is EXS or above.
    public var targetExpected = 0
    /// Whose target is GDS.
    public var targetGreaterDepth = 0
    /// Pupils with a no-result code (for RWM: in any subject, counted under the first such
    /// subject's code in reading, writing, maths order).
    public var noResult = NoResultCounts()

    public static let zero = AttainmentCounts()

    public static func + (a: Self, b: Self) -> Self {
        var sum = a
        sum.pupils += b.pupils
        sum.expected += b.expected
        sum.greaterDepth += b.greaterDepth
        sum.onTarget += b.onTarget
        sum.targetExpected += b.targetExpected
        sum.targetGreaterDepth += b.targetGreaterDepth
        sum.noResult = a.noResult + b.noResult
        return sum
    }

    enum CodingKeys: String, CodingKey {
        case pupils, expected
        case greaterDepth = "greater_depth"
        case onTarget = "on_target"
        case targetExpected = "target_expected"
        case targetGreaterDepth = "target_greater_depth"
        case noResult = "no_result"
    }
}

/// A pass/fail check (GLD, phonics) for one cohort and group. Phonics follows the DfE rule:
/// pupils recorded absent (A) or disapplied (D) stay in the denominator as not meeting the
/// standard (J is counted the same way); pupils with nothing recorded yet are not counted.
public struct CheckCounts: Hashable, Sendable, Codable, Summable {
    public var pupils = 0
    public var met = 0
    public var noResult = NoResultCounts()

    public static let zero = CheckCounts()

    public static func + (a: Self, b: Self) -> Self {
        CheckCounts(pupils: a.pupils + b.pupils, met: a.met + b.met, noResult: a.noResult + b.noResult)
    }

    enum CodingKeys: String, CodingKey {
        case pupils, met
        case noResult = "no_result"
    }
}

/// The multiplication tables check for one group. The DfE rule: the mean is over pupils who
/// took the check; the share with full marks is over every eligible pupil, including those
/// absent, just arrived or not taking it.
public struct MTCCounts: Hashable, Sendable, Codable, Summable {
    /// Pupils with a score or a no-result code.
    public var eligible = 0
    /// Pupils with a score.
    public var took = 0
    public var scoreSum = 0
    /// Scores of 25.
    public var fullMarks = 0
    public var noResult = NoResultCounts()

    public static let zero = MTCCounts()

    public static func + (a: Self, b: Self) -> Self {
        MTCCounts(eligible: a.eligible + b.eligible, took: a.took + b.took, scoreSum: a.scoreSum + b.scoreSum,
                  fullMarks: a.fullMarks + b.fullMarks, noResult: a.noResult + b.noResult)
    }

    public var mean: Double? { took == 0 ? nil : Double(scoreSum) / Double(took) }

    enum CodingKeys: String, CodingKey {
        case eligible, took
        case scoreSum = "score_sum"
        case fullMarks = "full_marks"
        case noResult = "no_result"
    }
}

/// Everything the board report counts about one academy's drop, or, summed, the trust's:
/// every cohort by pupil group, so group figures add up across academies exactly as the
/// whole-cohort figures do.
public struct DropAggregates: Hashable, Sendable, Codable, Summable {
    /// Every pupil row, nursery to year 6.
    public var pupilCount: Int
    /// Years 1–6; a year, subject or group with no pupils is absent and reads as zero.
    public var attainment: [YearGroup: [ReportSubject: [PupilGroup: AttainmentCounts]]]
    /// Reception pupils with a good level of development.
    public var goodLevelOfDevelopment: [PupilGroup: CheckCounts]
    /// Phonics: year 1 (the check), year 2 (met the standard by the end of year 2).
    public var phonics: [YearGroup: [PupilGroup: CheckCounts]]
    /// Year 4 multiplication tables check.
    public var multiplicationCheck: [PupilGroup: MTCCounts]

    /// The phonics screening check threshold (out of 40), unchanged since 2012.
    public static let phonicsPassMark = 32
    /// Full marks in the multiplication tables check.
    public static let multiplicationFullMarks = 25

    public static let zero = DropAggregates(pupilCount: 0, attainment: [:], goodLevelOfDevelopment: [:],
                                            phonics: [:], multiplicationCheck: [:])

    public init(pupilCount: Int, attainment: [YearGroup: [ReportSubject: [PupilGroup: AttainmentCounts]]],
                goodLevelOfDevelopment: [PupilGroup: CheckCounts], phonics: [YearGroup: [PupilGroup: CheckCounts]],
                multiplicationCheck: [PupilGroup: MTCCounts]) {
        self.pupilCount = pupilCount
        self.attainment = attainment
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonics = phonics
        self.multiplicationCheck = multiplicationCheck
    }

    /// Aggregates for one academy's drop, in one pass into flat tallies indexed by year,
    /// subject and group; the dictionaries are built once at the end, not once per pupil.
    public init<P: AssessedPupil>(_ pupils: some Sequence<P>) {
        let subjects = ReportSubject.allCases, groups = PupilGroup.allCases
        let years = YearGroup.allCases.count
        func index(_ year: YearGroup, _ subject: Int, _ group: PupilGroup) -> Int {
            (year.rank * subjects.count + subject) * groups.count + group.slot
        }
        var tallies = [AttainmentCounts](repeating: .zero, count: years * subjects.count * groups.count)
        var checks = [CheckCounts](repeating: .zero, count: years * groups.count)
        var mtc = [MTCCounts](repeating: .zero, count: groups.count)
        var count = 0
        for pupil in pupils {
            count += 1
            let memberships = PupilGroup.of(pupil)
            func addCheck(_ one: CheckCounts) {
                for group in memberships {
                    let at = pupil.year.rank * groups.count + group.slot
                    checks[at] = checks[at] + one
                }
            }
            if let gld = pupil.goodLevelOfDevelopment { addCheck(CheckCounts(pupils: 1, met: gld ? 1 : 0)) }
            if let phonics = pupil.phonics {
                var one = CheckCounts(pupils: 1, met: (phonics.score ?? 0) >= Self.phonicsPassMark ? 1 : 0)
                if let reason = phonics.noResult { one.noResult[reason] = 1 }
                addCheck(one)
            }
            if let check = pupil.multiplicationCheck {
                var one = MTCCounts(eligible: 1)
                if let score = check.score {
                    one.took = 1
                    one.scoreSum = score
                    one.fullMarks = score == Self.multiplicationFullMarks ? 1 : 0
                }
                if let reason = check.noResult { one.noResult[reason] = 1 }
                for group in memberships { mtc[group.slot] = mtc[group.slot] + one }
            }
            guard let attainment = pupil.attainment, let targets = pupil.targets else { continue }
            for (s, subject) in subjects.enumerated() {
                let one = AttainmentCounts(pupil: attainment, targets: targets, in: subject.subjects)
                for group in memberships {
                    tallies[index(pupil.year, s, group)] = tallies[index(pupil.year, s, group)] + one
                }
            }
        }
        var attainment: [YearGroup: [ReportSubject: [PupilGroup: AttainmentCounts]]] = [:]
        var gld: [PupilGroup: CheckCounts] = [:], phonics: [YearGroup: [PupilGroup: CheckCounts]] = [:]
        var mtcByGroup: [PupilGroup: MTCCounts] = [:]
        for year in YearGroup.allCases {
            for (s, subject) in subjects.enumerated() {
                for group in groups where tallies[index(year, s, group)].pupils > 0 {
                    attainment[year, default: [:]][subject, default: [:]][group] = tallies[index(year, s, group)]
                }
            }
            for group in groups where checks[year.rank * groups.count + group.slot].pupils > 0 {
                let counts = checks[year.rank * groups.count + group.slot]
                if year == .reception { gld[group] = counts } else { phonics[year, default: [:]][group] = counts }
            }
        }
        for group in groups where mtc[group.slot].eligible > 0 { mtcByGroup[group] = mtc[group.slot] }
        self.init(pupilCount: count, attainment: attainment, goodLevelOfDevelopment: gld, phonics: phonics,
                  multiplicationCheck: mtcByGroup)
    }

    /// The trust's figures: counts summed across academies, so each pupil weighs the same.
    public static func trustTotal(_ academies: some Sequence<DropAggregates>) -> DropAggregates {
        academies.summed()
    }

    /// One year's counts, or years 1–6 together when `year` is nil.
    public func counts(_ subject: ReportSubject, year: YearGroup? = nil, group: PupilGroup = .all)
        -> AttainmentCounts
    {
        guard let year else {
            return YearGroup.assessed.map { counts(subject, year: $0, group: group) }.summed()
        }
        return attainment[year]?[subject]?[group] ?? .zero
    }

    public func phonics(_ year: YearGroup, group: PupilGroup = .all) -> CheckCounts {
        phonics[year]?[group] ?? .zero
    }

    public static func + (a: DropAggregates, b: DropAggregates) -> DropAggregates {
        DropAggregates(
            pupilCount: a.pupilCount + b.pupilCount, attainment: a.attainment + b.attainment,
            goodLevelOfDevelopment: a.goodLevelOfDevelopment + b.goodLevelOfDevelopment,
            phonics: a.phonics + b.phonics, multiplicationCheck: a.multiplicationCheck + b.multiplicationCheck)
    }

    enum CodingKeys: String, CodingKey {
        case attainment, phonics
        case pupilCount = "pupil_count"
        case goodLevelOfDevelopment = "gld"
        case multiplicationCheck = "mtc"
    }
}

extension AttainmentCounts {
    /// One pupil's contribution to a subject (or, with all three, to RWM): the definition of
    /// each count, which `DropAggregates.init` adds up.
    init(pupil attainment: SubjectAssessments, targets: SubjectJudgements, in subjects: [Subject]) {
        func all(_ condition: (Subject) -> Bool) -> Int { subjects.allSatisfy(condition) ? 1 : 0 }
        self.init()
        pupils = 1
        expected = all { subject in attainment[subject].judgement.map { $0 >= .exs } ?? false }
        greaterDepth = all { attainment[$0].judgement == .gds }
        onTarget = all { subject in attainment[subject].judgement.map { $0 >= targets[subject] } ?? false }
        targetExpected = all { targets[$0] >= .exs }
        targetGreaterDepth = all { targets[$0] == .gds }
        if let reason = subjects.lazy.compactMap({ attainment[$0].noResult }).first { noResult[reason] = 1 }
    }
}
