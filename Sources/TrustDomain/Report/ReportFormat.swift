import Foundation

/// What kind of number a measure is, which decides how it is printed.
public enum MeasureUnit: String, Codable, Sendable {
    /// % of pupils, printed whole: `72%`.
    case percent
    /// Percentage points between two groups: `12 pts`.
    case points
    /// A mean mark (MTC, out of 25), printed to one decimal: `20.4`.
    case marks
}

extension Measure {
    /// The name `Config/thresholds.json` uses, so a trustee reading the JSON and a data
    /// manager editing thresholds see the same words.
    var key: String {
        switch self {
        case .expected(let subject): "expected.\(subject.rawValue)"
        case .greaterDepth(let subject): "greater_depth.\(subject.rawValue)"
        case .onTarget(let subject): "on_target.\(subject.rawValue)"
        case .disadvantagedGap(let subject): "disadvantaged_gap.\(subject.rawValue)"
        case .goodLevelOfDevelopment: "gld"
        case .phonicsPass: "phonics_pass"
        case .multiplicationCheckMean: "mtc_mean"
        }
    }

    var unit: MeasureUnit {
        switch self {
        case .disadvantagedGap: .points
        case .multiplicationCheckMean: .marks
        default: .percent
        }
    }

    /// A table heading short enough for an A4 column.
    var heading: String {
        switch self {
        case .expected(let subject): subject.heading
        case .greaterDepth(let subject): "\(subject.heading) GDS"
        case .onTarget(let subject): "\(subject.heading) on target"
        case .disadvantagedGap(let subject): "PP gap \(subject.heading)"
        case .goodLevelOfDevelopment: "GLD"
        case .phonicsPass: "Phonics"
        case .multiplicationCheckMean: "MTC"
        }
    }

    /// Whose figure it is, when not simply every pupil in years 1–6.
    var cohortName: String {
        switch self {
        case .expected, .greaterDepth, .onTarget: "years 1–6"
        case .disadvantagedGap: "disadvantaged pupils in years 1–6"
        case .goodLevelOfDevelopment: "reception"
        case .phonicsPass: "year 1 pupils with a score"
        case .multiplicationCheckMean: "year 4 pupils with a score"
        }
    }

    var meaning: String {
        switch self {
        case .expected(let subject):
            "% of pupils in years 1–6 at the expected standard or above in \(subject.phrase)"
        case .greaterDepth(let subject):
            "% of pupils in years 1–6 at greater depth in \(subject.phrase)"
        case .onTarget(let subject):
            "% of pupils in years 1–6 at or above their target in \(subject.phrase)"
        case .disadvantagedGap(let subject):
            "other pupils' % expected+ minus disadvantaged (pupil premium) pupils' % in \(subject.phrase), years 1–6; lower is better"
        case .goodLevelOfDevelopment: "% of reception children with a good level of development"
        case .phonicsPass:
            "% of year 1 pupils with a phonics score reaching \(DropAggregates.phonicsPassMark) of 40, of those with a score"
        case .multiplicationCheckMean:
            "mean year 4 multiplication tables check score out of 25, of those with a score"
        }
    }
}

extension ReportSubject {
    var heading: String {
        switch self {
        case .reading: "Reading"
        case .writing: "Writing"
        case .maths: "Maths"
        case .rwm: "RWM"
        }
    }

    var phrase: String { self == .rwm ? "reading, writing and maths combined (RWM)" : rawValue }
}

/// Numbers and dates as the report prints them. Integer arithmetic throughout, so output does
/// not depend on the host's locale.
enum ReportFormat {
    static let missing = "—"

    static func value(_ value: Double?, _ unit: MeasureUnit) -> String {
        guard let value else { return missing }
        switch unit {
        case .percent: return "\(whole(value))%"
        case .points: return "\(signed(whole(value), plus: "")) pts"
        case .marks: return tenths(Self.tenths(value), plus: "")
        }
    }

    /// The difference of the rounded figures, so `72%` after `69%` reads `+3 pts` even when
    /// the unrounded change is 2.6.
    static func change(from previous: Double, to current: Double, _ unit: MeasureUnit) -> String {
        switch unit {
        case .percent, .points: return "\(signed(whole(current) - whole(previous), plus: "+")) pts"
        case .marks: return tenths(tenths(current) - tenths(previous), plus: "+")
        }
    }

    static func percent(_ value: Double?) -> String { Self.value(value, .percent) }

    static func whole(_ value: Double) -> Int { Int(value.rounded()) }

    private static func tenths(_ value: Double) -> Int { Int((value * 10).rounded()) }

    /// `+3`, `−3` (a true minus sign), and `±0` when asked for a sign and there is no change.
    private static func signed(_ value: Int, plus: String) -> String {
        value < 0 ? "−\(-value)" : value == 0 && !plus.isEmpty ? "±0" : "\(plus)\(value)"
    }

    private static func tenths(_ value: Int, plus: String) -> String {
        let magnitude = abs(value)
        let digits = "\(magnitude / 10).\(magnitude % 10)"
        return value < 0 ? "−" + digits : value == 0 && !plus.isEmpty ? "±" + digits : plus + digits
    }

    /// `2022-07-14T08:30:00Z`.
    static func isoUTC(_ date: Date) -> String {
        let f = UTCDateFields(date)
        return "\(UTCDateFields.pad(f.year, 4))-\(UTCDateFields.pad(f.month))-\(UTCDateFields.pad(f.day))T"
            + "\(UTCDateFields.pad(f.hour)):\(UTCDateFields.pad(f.minute)):\(UTCDateFields.pad(f.second))Z"
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    /// `14 July 2022, 09:30` in UK time. British Summer Time runs from 01:00 UTC on the last
    /// Sunday of March to 01:00 UTC on the last Sunday of October; computed here rather than
    /// from the host's time zone database so the page is the same on every machine.
    static func ukDateTime(_ date: Date) -> String {
        let year = UTCDateFields(date).year
        let summer = date >= lastSundayOneAM(year: year, month: 3)
            && date < lastSundayOneAM(year: year, month: 10)
        let f = UTCDateFields(date.addingTimeInterval(summer ? 3600 : 0))
        return "\(f.day) \(monthNames[f.month - 1]) \(f.year), "
            + "\(UTCDateFields.pad(f.hour)):\(UTCDateFields.pad(f.minute))"
    }

    private static func lastSundayOneAM(year: Int, month: Int) -> Date {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(secondsFromGMT: 0)!
        let last = utc.date(from: DateComponents(year: year, month: month, day: 31, hour: 1))!
        let sinceSunday = UTCDateFields(last).weekday
        return last.addingTimeInterval(-Double(sinceSunday) * 86_400)
    }

    /// `October 2018`.
    static func month(_ month: YearMonth) -> String {
        "\(monthNames[month.month - 1]) \(month.year)"
    }

    /// `Summer 2021-22`.
    static func dropName(_ drop: DropID) -> String { "\(drop.term.name) \(drop.academicYear)" }
}

extension Term {
    /// `Autumn`, as a heading or the start of a sentence.
    var name: String {
        switch self {
        case .autumn: "Autumn"
        case .spring: "Spring"
        case .summer: "Summer"
        }
    }
}
