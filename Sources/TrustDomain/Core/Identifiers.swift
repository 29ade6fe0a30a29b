/// An academy's stable id: the lower-case slug used in routing keys (`datadrop.<id>`), broker
/// user names and `Config/academies.json`. A distinct type so an academy id can never be
/// confused with a survey id or a forum id in a signature.
public struct AcademyID: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: AcademyID, b: AcademyID) -> Bool { a.rawValue < b.rawValue }

    /// Slugs are what people type on the command line and what the broker sees in routing
    /// keys, so only lower-case ASCII letters, digits and single inner hyphens are allowed.
    public static func isValidSlug(_ s: String) -> Bool {
        guard let first = s.utf8.first, let last = s.utf8.last, s.utf8.count <= 40,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return false }
        var previousHyphen = false
        for b in s.utf8 {
            let hyphen = b == UInt8(ascii: "-")
            let ok = hyphen || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            if !ok || (hyphen && previousHyphen) { return false }
            previousHyphen = hyphen
        }
        return true
    }
}

/// The three data-drop terms, in the order they happen within an academic year.
public enum Term: String, CaseIterable, Comparable, Sendable, Codable {
    case autumn, spring, summer
    var order: Int {
        switch self {
        case .autumn: 0
        case .spring: 1
        case .summer: 2
        }
    }
    public static func < (a: Term, b: Term) -> Bool { a.order < b.order }
}

/// A data drop: academic year plus term, written `2026-27/autumn`. Drops sort in time order so
/// "the previous drop" and "the year's drops" are plain comparisons.
public struct DropID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The calendar year the academic year starts in (2026 for 2026-27).
    public let startYear: Int
    public let term: Term

    public init(startYear: Int, term: Term) {
        self.startYear = startYear
        self.term = term
    }

    /// Parses `YYYY-YY/term`; the second year must follow the first (2026-27, not 2026-28).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let term = Term(rawValue: String(parts[1])) else { return nil }
        let years = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard years.count == 2, years[0].count == 4, years[1].count == 2,
            years[0].allSatisfy(\.isASCII), years[1].allSatisfy(\.isASCII),
            let start = Int(years[0]), let end = Int(years[1]),
            start >= 2000, start < 2100, end == (start + 1) % 100
        else { return nil }
        self.init(startYear: start, term: term)
    }

    public var academicYear: String {
        let end = (startYear + 1) % 100
        return "\(startYear)-\(end < 10 ? "0" : "")\(end)"
    }
    public var description: String { "\(academicYear)/\(term.rawValue)" }

    /// The drop before this one, crossing into the previous academic year after autumn.
    public var previous: DropID {
        switch term {
        case .autumn: DropID(startYear: startYear - 1, term: .summer)
        case .spring: DropID(startYear: startYear, term: .autumn)
        case .summer: DropID(startYear: startYear, term: .spring)
        }
    }

    public static func < (a: DropID, b: DropID) -> Bool {
        (a.startYear, a.term.order) < (b.startYear, b.term.order)
    }
}
