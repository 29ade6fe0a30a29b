/// The data-drop columns, in the contract's order. Each knows its own rules so the validator is
/// one loop, not fifteen hand-written checks.
public enum DropColumn: String, CaseIterable, Hashable, Sendable {
    case upn, year, gender, pp, eal, send
    case reading, writing, maths
    case readingTarget = "reading_target", writingTarget = "writing_target"
    case mathsTarget = "maths_target"
    case gld, phonics, mtc

    /// The header line the contract asks for, quoted back in header errors.
    public static let header = allCases.map(\.rawValue).joined(separator: ",")

    static let judgements: [DropColumn] = [.reading, .writing, .maths]
    static let targets: [DropColumn] = [.readingTarget, .writingTarget, .mathsTarget]

    /// Position in the contract's order, for rows held in arrays rather than dictionaries.
    var ordinal: Int {
        switch self {
        case .upn: 0
        case .year: 1
        case .gender: 2
        case .pp: 3
        case .eal: 4
        case .send: 5
        case .reading: 6
        case .writing: 7
        case .maths: 8
        case .readingTarget: 9
        case .writingTarget: 10
        case .mathsTarget: 11
        case .gld: 12
        case .phonics: 13
        case .mtc: 14
        }
    }

    /// Whether a row of `year` may fill this column. A switch, not a set or array: it is
    /// consulted for every value of every row.
    func admits(_ year: YearGroup) -> Bool {
        switch self {
        case .upn, .year, .gender, .pp, .eal, .send: true
        case .reading, .writing, .maths, .readingTarget, .writingTarget, .mathsTarget: year.isAssessed
        case .gld: year == .reception
        case .phonics: year == .year1 || year == .year2
        case .mtc: year == .year4
        }
    }

    /// How an error names the years `admits` accepts; nil for columns every row fills.
    var scopeLabel: String? {
        switch self {
        case .upn, .year, .gender, .pp, .eal, .send: nil
        case .reading, .writing, .maths, .readingTarget, .writingTarget, .mathsTarget: "years 1–6"
        case .gld: "reception"
        case .phonics: "years 1 and 2"
        case .mtc: "year 4"
        }
    }

    /// Whether rows in scope must fill it in a drop of `term` (nil: any term's rules at once).
    /// Phonics and MTC are optional because the checks are taken in June; GLD is judged at the
    /// end of reception, so only the summer drop must have it.
    func isRequired(in term: Term?) -> Bool {
        switch self {
        case .gender, .phonics, .mtc: false
        case .gld: term == nil || term == .summer
        default: true
        }
    }

    var allowedValues: String {
        switch self {
        case .upn: "a letter followed by 12 digits"
        case .year: "N, R, 1–6"
        case .gender: "F, M, X or empty"
        case .pp, .eal, .gld: "Y or N"
        case .send: "N, K or E"
        case .reading, .writing, .maths: "BLW, WTS, EXS or GDS\(Self.orNoResult)"
        case .readingTarget, .writingTarget, .mathsTarget: "BLW, WTS, EXS or GDS"
        case .phonics: "a whole number from 0 to 40\(Self.orNoResult)"
        case .mtc: "a whole number from 0 to 25\(Self.orNoResult)"
        }
    }

    /// The statutory no-result codes a judgement or check column also takes.
    static let orNoResult = "; or A absent, D disapplied, J new arrival"

    var invalidReason: String {
        switch self {
        case .upn: "is not a UPN (\(allowedValues))"
        case .year: "is not a primary year (\(allowedValues))"
        case .gender: "is not a gender code (\(allowedValues))"
        case .pp, .eal, .gld: "is not \(allowedValues)"
        case .send: "is not a SEND code (\(allowedValues))"
        case .reading, .writing, .maths, .readingTarget, .writingTarget, .mathsTarget:
            "is not a judgement (\(allowedValues))"
        case .phonics, .mtc: "is not \(allowedValues)"
        }
    }
}

extension UPN.Problem {
    var reason: String {
        switch self {
        case .format: DropColumn.upn.invalidReason
        case .temporary: "is a temporary UPN; use the pupil's permanent UPN"
        case .checkLetter:
            "fails the UPN check-letter test; look for a mistyped digit or letter"
        }
    }
}
