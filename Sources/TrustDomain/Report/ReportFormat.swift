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
        case .targetExpected(let subject): "target_expected.\(subject.rawValue)"
        case .targetGreaterDepth(let subject): "target_greater_depth.\(subject.rawValue)"
        case .disadvantagedGap(let subject): "disadvantaged_gap.\(subject.rawValue)"
        case .goodLevelOfDevelopment: "gld"
        case .phonicsPass: "phonics_pass"
        case .multiplicationCheckMean: "mtc_mean"
        case .multiplicationCheckFullMarks: "mtc_full_marks"
        }
    }

    var unit: MeasureUnit {
        switch self {
        case .disadvantagedGap: .points
        case .multiplicationCheckMean: .marks
        default: .percent
        }
    }
}

extension FigureKey {
    /// A heading short enough for an A4 column: `RWM`, `Y6 RWM`, `KS2 reading GDS`, `GLD`.
    var label: String {
        let stage: String? = switch year {
        case .year2: "KS1"
        case .year6: "KS2"
        case nil: nil
        case let y?: "Y\(y.rawValue)"
        }
        func subject(_ s: ReportSubject, _ suffix: String) -> String {
            ([stage, s.heading].compactMap { $0 } + (suffix.isEmpty ? [] : [suffix])).joined(separator: " ")
        }
        switch measure {
        case .expected(let s): return subject(s, "")
        case .greaterDepth(let s): return subject(s, "GDS")
        case .onTarget(let s): return subject(s, "on target")
        case .targetExpected(let s): return subject(s, "target EXS+")
        case .targetGreaterDepth(let s): return subject(s, "target GDS")
        case .disadvantagedGap(let s): return "PP gap " + subject(s, "")
        case .goodLevelOfDevelopment: return "GLD"
        case .phonicsPass: return effectiveYear == .year2 ? "Phonics by Y2" : "Phonics Y1"
        case .multiplicationCheckMean: return "MTC mean"
        case .multiplicationCheckFullMarks: return "MTC 25/25"
        }
    }

    /// Whose figure it is.
    var cohortName: String {
        let years = year.map { $0.name } ?? "years 1–6"
        switch measure {
        case .expected, .greaterDepth, .onTarget, .targetExpected, .targetGreaterDepth: return years
        case .disadvantagedGap: return "disadvantaged pupils in \(years)"
        case .goodLevelOfDevelopment: return "reception"
        case .phonicsPass: return effectiveYear == .year2 ? "year 2 pupils with a result" : "year 1 pupils with a result"
        case .multiplicationCheckMean: return "year 4 pupils who took the check"
        case .multiplicationCheckFullMarks: return "year 4 pupils eligible for the check"
        }
    }

    var meaning: String {
        let years = year.map { $0.name } ?? "years 1–6"
        switch measure {
        case .expected(let s): return "% of pupils in \(years) at the expected standard or above in \(s.phrase)"
        case .greaterDepth(let s): return "% of pupils in \(years) at greater depth in \(s.phrase)"
        case .onTarget(let s): return "% of pupils in \(years) at or above their target in \(s.phrase)"
        case .targetExpected(let s): return "% of pupils in \(years) whose FFT20 target in \(s.phrase) is the expected standard or above"
        case .targetGreaterDepth(let s): return "% of pupils in \(years) whose FFT20 target in \(s.phrase) is greater depth"
        case .disadvantagedGap(let s):
            return "other pupils' % expected+ minus disadvantaged (pupil premium) pupils' % in \(s.phrase), \(years); lower is better"
        case .goodLevelOfDevelopment: return "% of reception children with a good level of development"
        case .phonicsPass:
            return effectiveYear == .year2
                ? "% of year 2 pupils who have met the phonics standard (\(DropAggregates.phonicsPassMark) of 40) by the end of year 2, in year 1 or at the retake"
                : "% of year 1 pupils with a phonics result reaching \(DropAggregates.phonicsPassMark) of 40"
        case .multiplicationCheckMean: return "mean multiplication tables check score out of 25 of year 4 pupils who took it"
        case .multiplicationCheckFullMarks: return "% of year 4 pupils eligible for the multiplication tables check who scored 25 out of 25"
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
