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

/// The three subjects teachers judge. Kept apart from `ReportSubject`, which adds the
/// combined measure, so a pupil's record can never hold a "combined" judgement.
public enum Subject: String, CaseIterable, Hashable, Sendable, Codable {
    case reading, writing, maths
}

/// Judgements (or targets) for the three subjects. A value type with all three present, so a
/// pupil in years 1–6 can never be half-assessed.
public struct SubjectJudgements: Hashable, Sendable, Codable {
    public var reading: Judgement
    public var writing: Judgement
    public var maths: Judgement

    public init(reading: Judgement, writing: Judgement, maths: Judgement) {
        self.reading = reading
        self.writing = writing
        self.maths = maths
    }

    public subscript(subject: Subject) -> Judgement {
        switch subject {
        case .reading: reading
        case .writing: writing
        case .maths: maths
        }
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
    public var attainment: SubjectJudgements?
    /// Present exactly for years 1–6.
    public var targets: SubjectJudgements?
    /// Present exactly for reception.
    public var goodLevelOfDevelopment: Bool?
    /// Year 1 only, and optional: the check is taken in June, so earlier drops may have none.
    public var phonics: Int?
    /// Year 4 only, and optional: the check is taken in June.
    public var multiplicationCheck: Int?

    public init(upn: UPN, year: YearGroup, gender: Gender? = nil, pupilPremium: Bool = false,
                eal: Bool = false, send: SENDStatus = .none,
                attainment: SubjectJudgements? = nil, targets: SubjectJudgements? = nil,
                goodLevelOfDevelopment: Bool? = nil, phonics: Int? = nil,
                multiplicationCheck: Int? = nil) {
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
