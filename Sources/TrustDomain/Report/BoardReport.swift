/// The termly RAG report to the Trust Board as data: what `trustctl report board --json`
/// prints and what the HTML page is drawn from, so the two can never disagree.
///
/// Every figure carries its definition (`measure`, `year`, `group`), its count and
/// denominator, the pupils in that denominator with a no-result code, and `text` exactly as
/// the page prints it, so a reader of the JSON sees what trustees saw and a script can
/// recompute every number from the stored pupil rows.
public struct BoardReport: Codable, Sendable, Equatable {
    public var title: String
    /// `2021-22/autumn`.
    public var drop: String
    /// `Autumn 2021-22`.
    public var dropName: String
    /// The term whose thresholds rate this drop (`autumn`).
    public var thresholdsTerm: String
    /// Like-for-like comparison: the same drop a year earlier (same year groups, other pupils).
    public var comparisonDrop: String
    /// Same-pupil progress is measured from this drop.
    public var progressFrom: String
    /// The academic year's drops up to and including this one, oldest first.
    public var yearDrops: [String]
    /// The latest summer whose national figures the report compares with (nil: none known).
    public var nationalYear: Int?
    public var smallGroup: Int
    public var withholdBelow: Int
    /// ISO 8601, UTC.
    public var generatedAt: String
    /// As printed: `14 July 2022, 09:30` in UK time.
    public var generatedAtText: String
    /// The month `academies.json` describes (`July 2021`).
    public var publishedAsOf: String
    /// The RAG table's columns, with the thresholds they are rated against.
    public var columns: [MeasureInfo]
    /// The statutory measures, with the national figure each is compared with.
    public var statutory: [MeasureInfo]
    public var summary: SummaryPage
    public var trust: TrustSummary
    /// Every academy in the catalog, in catalog order, whether or not it submitted.
    public var academies: [AcademyReport]

    enum CodingKeys: String, CodingKey {
        case title, drop, columns, statutory, summary, trust, academies
        case dropName = "drop_name"
        case thresholdsTerm = "thresholds_term"
        case comparisonDrop = "comparison_drop"
        case progressFrom = "progress_from"
        case yearDrops = "year_drops"
        case nationalYear = "national_year"
        case smallGroup = "small_group"
        case withholdBelow = "withhold_below"
        case generatedAt = "generated_at"
        case generatedAtText = "generated_at_text"
        case publishedAsOf = "published_as_of"
    }
}

/// A national figure as compared: its value, the summer it is from and its source.
public struct NationalReference: Codable, Sendable, Equatable {
    public var value: Double
    public var year: Int
    public var source: String
    public var url: String?
    public var text: String
}

/// One kind of figure and how it is rated.
public struct MeasureInfo: Codable, Sendable, Equatable {
    /// `expected.rwm`, `gld`, `mtc_mean`: the measure, as `Config/thresholds.json` names it.
    public var measure: String
    /// Year group code (`"6"`) or nil for years 1–6 (or the check's own year).
    public var year: String?
    public var label: String
    public var meaning: String
    /// `percent`, `points` (a gap) or `marks` (MTC mean out of 25).
    public var unit: MeasureUnit
    public var cohort: String
    /// Nil for measures that are not rated.
    public var greenAt: Double?
    public var amberAt: Double?
    public var lowerIsBetter: Bool
    public var national: NationalReference?

    enum CodingKeys: String, CodingKey {
        case measure, year, label, meaning, unit, cohort, national
        case greenAt = "green_at"
        case amberAt = "amber_at"
        case lowerIsBetter = "lower_is_better"
    }
}

/// One figure for one body of pupils at one drop.
public struct MeasureFigure: Codable, Sendable, Equatable {
    public var measure: String
    public var year: String?
    /// `all`, `pp`, `not_pp`, `send_n`, `send_k`, `send_e`, `eal`, `not_eal`, `girls`, `boys`.
    public var group: String
    /// Unrounded; nil when there are no pupils (or scores), or when withheld.
    public var value: Double?
    /// As printed: `72%`, `12 pts`, `20.4`, `—` (no pupils) or `withheld`.
    public var text: String
    /// Pupils meeting the measure (percentages); nil when withheld.
    public var count: Int?
    /// The denominator: pupils the figure is over (for a gap, the disadvantaged pupils; for
    /// the MTC mean, those who took the check).
    public var cohort: Int
    /// Pupils in the denominator with a no-result code (counted as not meeting the standard).
    public var noResult: NoResultCounts
    public var rag: RAG?
    /// Against the same drop a year earlier, in the measure's unit.
    public var change: Double?
    /// The difference of the printed figures (`+3 pts`).
    public var changeText: String?
    /// Fewer pupils than `small_group`: read with care.
    public var smallCohort: Bool
    /// Fewer pupils than `withhold_below` (or a partner group that is): no value or count is
    /// given, so no pupil can be identified.
    public var withheld: Bool
    /// The national figure compared with, and this figure minus it in points (or marks).
    public var national: Double?
    public var vsNational: Double?

    enum CodingKeys: String, CodingKey {
        case measure, year, group, value, text, count, cohort, rag, change, withheld, national
        case noResult = "no_result"
        case changeText = "change_text"
        case smallCohort = "small_cohort"
        case vsNational = "vs_national"
    }
}

/// `count` of `total` with the percentage as printed.
public struct ShareFigure: Codable, Sendable, Equatable {
    public var count: Int
    public var total: Int
    public var percent: Double?
    public var text: String
}

/// The disadvantaged gap in one subject, years 1–6, both sides shown (a gap closes for good
/// and bad reasons), and the year 6 disadvantaged figure beside national other pupils.
public struct GapFigure: Codable, Sendable, Equatable {
    public var subject: ReportSubject
    public var disadvantaged: ShareFigure
    public var otherPupils: ShareFigure
    public var gap: MeasureFigure
    /// Year 6 disadvantaged pupils' % expected+, with the national figure for other
    /// (non-disadvantaged) pupils in `national`: the gap as the DfE reports it.
    public var year6Disadvantaged: MeasureFigure

    enum CodingKeys: String, CodingKey {
        case subject, disadvantaged, gap
        case otherPupils = "other_pupils"
        case year6Disadvantaged = "year6_disadvantaged"
    }
}

/// One year group's figures in one subject.
public struct YearSubjectFigures: Codable, Sendable, Equatable {
    public var subject: ReportSubject
    public var expected: MeasureFigure
    public var greaterDepth: MeasureFigure
    public var onTarget: MeasureFigure
    /// % of pupils whose FFT20 target is EXS+ / GDS, beside % achieving.
    public var targetExpected: MeasureFigure
    public var targetGreaterDepth: MeasureFigure

    enum CodingKeys: String, CodingKey {
        case subject, expected
        case greaterDepth = "greater_depth"
        case onTarget = "on_target"
        case targetExpected = "target_expected"
        case targetGreaterDepth = "target_greater_depth"
    }
}

public struct YearRow: Codable, Sendable, Equatable {
    public var year: String
    public var pupils: Int
    public var subjects: [YearSubjectFigures]
}

/// Every headline figure for one group of pupils.
public struct GroupFigures: Codable, Sendable, Equatable {
    public var group: String
    public var label: String
    /// In `BoardReport.headline` order: the statutory measures, then RWM expected+ for each
    /// of years 1–6 and for years 1–6 together.
    public var figures: [MeasureFigure]
}

/// Same pupils, two drops: how many moved up a band (BLW < WTS < EXS < GDS), held or fell,
/// and how many are now at or above their target. Pupils are matched by pseudonymous key.
public struct ProgressRow: Codable, Sendable, Equatable {
    public var subject: ReportSubject
    /// The pupils' year group now.
    public var year: String
    /// Pupils with a judgement in this subject at both drops.
    public var matched: Int
    public var up: Int
    public var held: Int
    public var down: Int
    /// Of the matched pupils, those at or above their target now.
    public var onTrack: Int
    /// Pupils at both drops with a no-result code at either.
    public var noResult: Int

    enum CodingKeys: String, CodingKey {
        case subject, year, matched, up, held, down
        case onTrack = "on_track"
        case noResult = "no_result"
    }
}

public struct ProgressFigures: Codable, Sendable, Equatable {
    public var since: String
    public var rows: [ProgressRow]
    /// Pupils in years 1–6 now who were not in the earlier drop (joiners).
    public var notInEarlierDrop: Int

    enum CodingKeys: String, CodingKey {
        case since, rows
        case notInEarlierDrop = "not_in_earlier_drop"
    }
}

/// The figures for one body of pupils at one drop.
public struct DropFigures: Codable, Sendable, Equatable {
    public var pupils: Int
    /// Pupils in years 1–6.
    public var assessedPupils: Int
    /// In `BoardReport.columns` order.
    public var columns: [MeasureFigure]
    /// In `BoardReport.statutory` order.
    public var statutory: [MeasureFigure]
    /// Years 1–6.
    public var years: [YearRow]
    /// Every group, `all` first.
    public var groups: [GroupFigures]
    public var disadvantagedGap: [GapFigure]
    /// Nil when none of these pupils are in an earlier drop.
    public var progress: ProgressFigures?

    enum CodingKeys: String, CodingKey {
        case pupils, columns, statutory, years, groups, progress
        case assessedPupils = "assessed_pupils"
        case disadvantagedGap = "disadvantaged_gap"
    }
}

/// One drop on the year's trend line.
public struct TrendPoint: Codable, Sendable, Equatable {
    public var drop: String
    /// For the trust: how many academies the point sums. Nil for an academy.
    public var academies: Int?
    public var pupils: Int
    /// In `BoardReport.columns` order, rated with that drop's term thresholds.
    public var columns: [MeasureFigure]
}

public struct PupilProfile: Codable, Sendable, Equatable {
    public var pupils: Int
    public var ppPercent: Double?
    public var ealPercent: Double?
    public var sendPercent: Double?

    enum CodingKeys: String, CodingKey {
        case pupils
        case ppPercent = "pp_percent"
        case ealPercent = "eal_percent"
        case sendPercent = "send_percent"
    }
}

public struct ProfileComparison: Codable, Sendable, Equatable {
    /// Nil when the academy has not submitted.
    public var drop: PupilProfile?
    /// From `academies.json`.
    public var published: PupilProfile
}

public struct AcademyReport: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var shortName: String
    public var region: String
    /// `Good (October 2018)`, or the note when there is no judgement.
    public var ofsted: String
    /// `October 2018`; nil when never inspected.
    public var ofstedDate: String?
    public var ofstedNote: String?
    public var submitted: Bool
    /// `submitted` or `not submitted`.
    public var status: String
    public var figures: DropFigures?
    public var trend: [TrendPoint]
    public var profile: ProfileComparison
    /// Red, amber and green ratings in the RAG table's columns.
    public var red: Int
    public var amber: Int
    public var green: Int
    /// The submission state's sentence ("accepted …; a later file on … was refused: 1
    /// error"), the same words `drop status` and the e-mails use.
    public var submission: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, region, ofsted, submitted, status, figures, trend, profile, red, amber, green, submission
        case shortName = "short_name"
        case ofstedDate = "ofsted_date"
        case ofstedNote = "ofsted_note"
    }
}

/// How many academies are at each rating for one column.
public struct RAGCount: Codable, Sendable, Equatable {
    public var measure: String
    public var year: String?
    public var green: Int
    public var amber: Int
    public var red: Int
    public var noValue: Int
    public var notSubmitted: Int

    enum CodingKeys: String, CodingKey {
        case measure, year, green, amber, red
        case noValue = "no_value"
        case notSubmitted = "not_submitted"
    }
}

/// The trust's figures: every count summed over the academies that submitted.
public struct TrustSummary: Codable, Sendable, Equatable {
    public var academies: Int
    public var submitted: Int
    /// Names of the academies that have not submitted this drop (an input to the report).
    public var notSubmitted: [String]
    public var figures: DropFigures
    public var ragCounts: [RAGCount]
    public var trend: [TrendPoint]
    public var profile: ProfileComparison

    enum CodingKeys: String, CodingKey {
        case academies, submitted, figures, trend, profile
        case notSubmitted = "not_submitted"
        case ragCounts = "rag_counts"
    }
}

/// An academy on the summary page's "support by need" list.
public struct SupportRow: Codable, Sendable, Equatable {
    public var academy: String
    public var name: String
    public var red: Int
    public var amber: Int
    public var green: Int
    public var ofsted: String
    public var ofstedDate: String?

    enum CodingKeys: String, CodingKey {
        case academy, name, red, amber, green, ofsted
        case ofstedDate = "ofsted_date"
    }
}

public struct GlossaryEntry: Codable, Sendable, Equatable {
    public var term: String
    public var meaning: String
}

/// The one-page summary in front of the report.
public struct SummaryPage: Codable, Sendable, Equatable {
    /// Academies that submitted, most red ratings first (then most amber), with Ofsted dates.
    public var support: [SupportRow]
    public var notSubmitted: [String]
    public var glossary: [GlossaryEntry]

    enum CodingKeys: String, CodingKey {
        case support, glossary
        case notSubmitted = "not_submitted"
    }
}
