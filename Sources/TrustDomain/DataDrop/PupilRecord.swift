/// Primary year groups. Raw values are the codes academies type in the `year` column, so the
/// enum round-trips the file format without a lookup table.
public enum YearGroup: String, CaseIterable, Comparable, Hashable, Sendable, Codable,
    CodingKeyRepresentable
{
    case nursery = "N", reception = "R"
    case year1 = "1", year2 = "2", year3 = "3", year4 = "4", year5 = "5", year6 = "6"

    /// Years 1–6: the years teachers make reading, writing and maths judgements for, and the
    /// only years the attainment tables cover.
    public static let assessed: [YearGroup] = [.year1, .year2, .year3, .year4, .year5, .year6]

    /// Accepts the code in any case with surrounding whitespace already trimmed. The codes
    /// are spelled out rather than left to `init(rawValue:)`'s generic string lookup, since this
    /// runs for every pupil; a unit test keeps the two in agreement.
    public init?(code: String) {
        switch code.uppercasedCode {
        case "N": self = .nursery
        case "R": self = .reception
        case "1": self = .year1
        case "2": self = .year2
        case "3": self = .year3
        case "4": self = .year4
        case "5": self = .year5
        case "6": self = .year6
        default:
            guard let value = DropSpellings.years[DropSpellings.normalised(code)] else { return nil }
            self = value
        }
    }

    public var isAssessed: Bool { self != .nursery && self != .reception }

    /// How the year reads inside an error sentence ("for a reception pupil", "for year 3").
    public var name: String {
        switch self {
        case .nursery: "nursery"
        case .reception: "reception"
        default: "year \(rawValue)"
        }
    }

    /// Position from nursery (0) to year 6 (7). A switch, because `allCases` builds a new
    /// array on every call and comparisons run per pupil.
    public var rank: Int {
        switch self {
        case .nursery: 0
        case .reception: 1
        case .year1: 2
        case .year2: 3
        case .year3: 4
        case .year4: 5
        case .year5: 6
        case .year6: 7
        }
    }

    public static func < (a: YearGroup, b: YearGroup) -> Bool { a.rank < b.rank }
}

/// Teacher assessment against the year's expected standard. Ordered so "at or above target"
/// and "expected or above" are plain comparisons.
public enum Judgement: String, CaseIterable, Comparable, Hashable, Sendable, Codable {
    /// Below, working towards, expected standard, greater depth.
    case blw = "BLW", wts = "WTS", exs = "EXS", gds = "GDS"

    /// Any case; see `YearGroup.init(code:)` for the spelled-out switch.
    public init?(code: String) {
        switch code.uppercasedCode {
        case "BLW": self = .blw
        case "WTS": self = .wts
        case "EXS": self = .exs
        case "GDS": self = .gds
        default:
            guard let value = DropSpellings.judgements[DropSpellings.normalised(code)] else { return nil }
            self = value
        }
    }

    /// Below (0) to greater depth (3); see `YearGroup.rank` for why not `allCases`.
    public var rank: Int {
        switch self {
        case .blw: 0
        case .wts: 1
        case .exs: 2
        case .gds: 3
        }
    }

    public static func < (a: Judgement, b: Judgement) -> Bool { a.rank < b.rank }
}

/// Census gender codes. Optional in the file because some academies do not return it for
/// every pupil, and no measure depends on it.
public enum Gender: String, CaseIterable, Hashable, Sendable, Codable {
    case female = "F", male = "M", other = "X"

    /// Any case; see `YearGroup.init(code:)` for the spelled-out switch.
    public init?(code: String) {
        switch code.uppercasedCode {
        case "F": self = .female
        case "M": self = .male
        case "X": self = .other
        default:
            guard let value = DropSpellings.genders[DropSpellings.normalised(code)] else { return nil }
            self = value
        }
    }
}

/// Special educational needs and disabilities, as recorded on the school census.
public enum SENDStatus: String, CaseIterable, Hashable, Sendable, Codable, CodingKeyRepresentable {
    case none = "N", senSupport = "K", ehcPlan = "E"

    /// Any case; see `YearGroup.init(code:)` for the spelled-out switch.
    public init?(code: String) {
        switch code.uppercasedCode {
        case "N": self = .none
        case "K": self = .senSupport
        case "E": self = .ehcPlan
        default:
            guard let value = DropSpellings.send[DropSpellings.normalised(code)] else { return nil }
            self = value
        }
    }
}

/// Why a pupil has no judgement or score where one is due: the statutory codes, kept instead of
/// forcing a judgement. Counted as the DfE counts them (`DropAggregates`): in every
/// percentage's cohort, as not reaching the standard; out of every mean.
public enum NoResult: String, CaseIterable, Hashable, Sendable, Codable, CodingKeyRepresentable {
    /// Absent for long periods (or on the day of a check), so there is no evidence to judge.
    case absent = "A"
    /// Disapplied from the assessment or check.
    case disapplied = "D"
    /// Just arrived ("J", the DfE's code for a new arrival) and not yet assessed.
    case newArrival = "J"

    /// Any case; see `YearGroup.init(code:)` for the spelled-out switch.
    public init?(code: String) {
        switch code.uppercasedCode {
        case "A": self = .absent
        case "D": self = .disapplied
        case "J": self = .newArrival
        default: return nil
        }
    }

    /// How a figure names the pupils: "2 absent".
    public var label: String {
        switch self {
        case .absent: "absent"
        case .disapplied: "disapplied"
        case .newArrival: "new arrival"
        }
    }
}

/// A pupil's result in one subject: a judgement, or a statutory code saying why there is none.
public enum Assessment: Hashable, Sendable {
    case judged(Judgement)
    case noResult(NoResult)

    public static let blw = Assessment.judged(.blw), wts = Assessment.judged(.wts)
    public static let exs = Assessment.judged(.exs), gds = Assessment.judged(.gds)

    /// A judgement code or a no-result code, in any case.
    public init?(code: String) {
        if let judgement = Judgement(code: code) {
            self = .judged(judgement)
        } else if let reason = NoResult(code: code) {
            self = .noResult(reason)
        } else {
            return nil
        }
    }

    public var judgement: Judgement? {
        if case .judged(let judgement) = self { return judgement }
        return nil
    }

    public var noResult: NoResult? {
        if case .noResult(let reason) = self { return reason }
        return nil
    }

    /// The code as the file and the store write it.
    public var code: StaticString {
        switch self {
        case .judged(let judgement): judgement.code
        case .noResult(let reason): reason.code
        }
    }
}

/// A statutory check's result (phonics out of 40, MTC out of 25), or why there is none.
public enum CheckResult: Hashable, Sendable, ExpressibleByIntegerLiteral {
    case score(Int)
    case noResult(NoResult)

    public init(integerLiteral value: Int) { self = .score(value) }

    public var score: Int? {
        if case .score(let score) = self { return score }
        return nil
    }

    public var noResult: NoResult? {
        if case .noResult(let reason) = self { return reason }
        return nil
    }
}

/// The three subjects teachers judge. Kept apart from `ReportSubject`, which adds the
/// combined measure, so a pupil's record can never hold a "combined" judgement.
public enum Subject: String, CaseIterable, Hashable, Sendable, Codable {
    case reading, writing, maths
}

/// One value per subject, all three present, so a pupil in years 1–6 can never be
/// half-assessed.
public struct SubjectValues<Value: Hashable & Sendable>: Hashable, Sendable {
    public var reading: Value
    public var writing: Value
    public var maths: Value

    public init(reading: Value, writing: Value, maths: Value) {
        self.reading = reading
        self.writing = writing
        self.maths = maths
    }

    public subscript(subject: Subject) -> Value {
        switch subject {
        case .reading: reading
        case .writing: writing
        case .maths: maths
        }
    }
}

/// Targets (FFT20-informed): always a judgement, never a no-result code.
public typealias SubjectJudgements = SubjectValues<Judgement>
/// Teacher assessments: a judgement or a no-result code per subject.
public typealias SubjectAssessments = SubjectValues<Assessment>

extension SubjectValues where Value == Assessment {
    /// Judgements in all three subjects.
    public init(_ judgements: SubjectJudgements) {
        self.init(reading: .judged(judgements.reading), writing: .judged(judgements.writing),
                  maths: .judged(judgements.maths))
    }
}

/// One valid row of a data drop. The UPN is held only in memory for the length of ingestion;
/// storage keeps a keyed hash, and the file format carries no names at all.
public struct PupilRecord: Hashable, Sendable {
    public var upn: UPN
    public var year: YearGroup
    public var gender: Gender?
    public var pupilPremium: Bool
    public var eal: Bool
    public var send: SENDStatus
    /// Present exactly for years 1–6.
    public var attainment: SubjectAssessments?
    /// Present exactly for years 1–6.
    public var targets: SubjectJudgements?
    /// Present exactly for reception.
    public var goodLevelOfDevelopment: Bool?
    /// Years 1 and 2, optional: the check is taken in June, so earlier drops may have none. For
    /// year 2 it is the pupil's result by the end of year 2: the year 1 score, or the retake
    /// score for a pupil who did not meet the standard in year 1.
    public var phonics: CheckResult?
    /// Year 4 only, and optional: the check is taken in June.
    public var multiplicationCheck: CheckResult?

    public init(upn: UPN, year: YearGroup, gender: Gender? = nil, pupilPremium: Bool = false,
                eal: Bool = false, send: SENDStatus = .none,
                attainment: SubjectAssessments? = nil, targets: SubjectJudgements? = nil,
                goodLevelOfDevelopment: Bool? = nil, phonics: CheckResult? = nil,
                multiplicationCheck: CheckResult? = nil) {
        self.upn = upn
        self.year = year
        self.gender = gender
        self.pupilPremium = pupilPremium
        self.eal = eal
        self.send = send
        self.attainment = attainment
        self.targets = targets
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonics = phonics
        self.multiplicationCheck = multiplicationCheck
    }
}

// The codes as literals, for storage code that binds them without copying. Each must equal
// the case's raw value (unit-tested), which stays the single definition of the file format.
extension YearGroup {
    public var code: StaticString {
        switch self {
        case .nursery: "N"
        case .reception: "R"
        case .year1: "1"
        case .year2: "2"
        case .year3: "3"
        case .year4: "4"
        case .year5: "5"
        case .year6: "6"
        }
    }
}

extension Judgement {
    public var code: StaticString {
        switch self {
        case .blw: "BLW"
        case .wts: "WTS"
        case .exs: "EXS"
        case .gds: "GDS"
        }
    }
}

extension NoResult {
    public var code: StaticString {
        switch self {
        case .absent: "A"
        case .disapplied: "D"
        case .newArrival: "J"
        }
    }
}

extension Gender {
    public var code: StaticString {
        switch self {
        case .female: "F"
        case .male: "M"
        case .other: "X"
        }
    }
}

extension SENDStatus {
    public var code: StaticString {
        switch self {
        case .none: "N"
        case .senSupport: "K"
        case .ehcPlan: "E"
        }
    }
}

extension String {
    /// `uppercased()`, answered without building a new string when the text is ASCII with no
    /// lower-case letters, as nearly every code in a file is. Any other text takes the full
    /// Unicode mapping, so the result is always exactly `uppercased()`.
    var uppercasedCode: String {
        utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x61 && $0 <= 0x7A) }) ? self : uppercased()
    }
}
