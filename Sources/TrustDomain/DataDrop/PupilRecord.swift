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

    /// Accepts the code in any case with surrounding whitespace already trimmed.
    public init?(code: String) { self.init(rawValue: code.uppercased()) }

    public var isAssessed: Bool { self != .nursery && self != .reception }

    /// How the year reads inside an error sentence ("for a reception pupil", "for year 3").
    public var name: String {
        switch self {
        case .nursery: "nursery"
        case .reception: "reception"
        default: "year \(rawValue)"
        }
    }

    public static func < (a: YearGroup, b: YearGroup) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Teacher assessment against the year's expected standard. Ordered so "at or above target"
/// and "expected or above" are plain comparisons.
public enum Judgement: String, CaseIterable, Comparable, Hashable, Sendable, Codable {
    /// Below, working towards, expected standard, greater depth.
    case blw = "BLW", wts = "WTS", exs = "EXS", gds = "GDS"

    public init?(code: String) { self.init(rawValue: code.uppercased()) }

    public static func < (a: Judgement, b: Judgement) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Census gender codes. Optional in the file because some academies do not return it for
/// every pupil, and no measure depends on it.
public enum Gender: String, CaseIterable, Hashable, Sendable, Codable {
    case female = "F", male = "M", other = "X"
    public init?(code: String) { self.init(rawValue: code.uppercased()) }
}

/// Special educational needs and disabilities, as recorded on the school census.
public enum SENDStatus: String, CaseIterable, Hashable, Sendable, Codable, CodingKeyRepresentable {
    case none = "N", senSupport = "K", ehcPlan = "E"
    public init?(code: String) { self.init(rawValue: code.uppercased()) }
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
