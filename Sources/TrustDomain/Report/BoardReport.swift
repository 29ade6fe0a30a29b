/// The termly RAG report to the Trust Board as data: what `trustctl report board --json`
/// prints and what the HTML page is drawn from, so the two can never disagree.
///
/// Keys are snake_case whatever encoder is used. Every percentage keeps its count and cohort
/// next to it, and `text` holds the figure exactly as the page prints it (whole percentages,
/// changes with a sign), so a reader of the JSON sees what trustees saw.
public struct BoardReport: Codable, Sendable, Equatable {
    public var title: String
    /// `2021-22/summer`.
    public var drop: String
    /// `Summer 2021-22`.
    public var dropName: String
    /// The drop changes are measured from.
    public var previousDrop: String
    /// The academic year's drops up to and including this one, oldest first: the trend's axis.
    public var yearDrops: [String]
    /// ISO 8601, UTC.
    public var generatedAt: String
    /// As printed: `14 July 2022, 09:30` in UK time.
    public var generatedAtText: String
    /// The month `academies.json` describes (`July 2021`): the published profile's date.
    public var publishedAsOf: String
    /// The measures in table order, with the thresholds they are rated against.
    public var measures: [MeasureInfo]
    public var trust: TrustSummary
    /// Every academy in the catalog, in catalog order, whether or not it submitted.
    public var academies: [AcademyReport]

    enum CodingKeys: String, CodingKey {
        case title, drop, measures, trust, academies
        case dropName = "drop_name"
        case previousDrop = "previous_drop"
        case yearDrops = "year_drops"
        case generatedAt = "generated_at"
        case generatedAtText = "generated_at_text"
        case publishedAsOf = "published_as_of"
    }
}

/// One column of the RAG table and how it is rated.
public struct MeasureInfo: Codable, Sendable, Equatable {
    /// Stable name, matching `Config/thresholds.json` (`expected.rwm`, `gld`, `mtc_mean`).
    public var key: String
    /// Column heading.
    public var label: String
    /// What the figure is, in a sentence.
    public var meaning: String
    /// `percent`, `points` (a gap) or `marks` (MTC mean out of 25).
    public var unit: MeasureUnit
    /// The pupils a figure's `cohort` counts: `years 1–6`, `reception`, …
    public var cohort: String
    public var greenAt: Double
    public var amberAt: Double
    public var lowerIsBetter: Bool

    enum CodingKeys: String, CodingKey {
        case key, label, meaning, unit, cohort
        case greenAt = "green_at"
        case amberAt = "amber_at"
        case lowerIsBetter = "lower_is_better"
    }
}

/// One measure for one academy (or the trust) at one drop.
public struct MeasureFigure: Codable, Sendable, Equatable {
    public var measure: String
    /// Year group code when the figure is for one year (`"1"` … `"6"`); nil for the measure's
    /// usual pupils (years 1–6, or the year the check belongs to).
    public var year: String?
    /// Unrounded; nil when there are no pupils (or no scores yet) to base it on.
    public var value: Double?
    /// As printed: `72%`, `12 pts`, `20.4`, or `—` when there is no value.
    public var text: String
    /// Pupils meeting the measure, for percentages.
    public var count: Int?
    /// Pupils the figure rests on; for a gap, the disadvantaged pupils.
    public var cohort: Int
    /// Rated on the unrounded value; nil when there is no value.
    public var rag: RAG?
    /// Since the previous drop, in the measure's unit, for the same academies at both drops.
    public var change: Double?
    /// As printed: the difference of the two rounded figures (`+3 pts`), so it agrees with
    /// the figures a reader sees.
    public var changeText: String?
    /// Fewer than 10 pupils: one pupil moves the figure by more than 10 points. Shown, never
    /// suppressed (these are not survey answers), but marked.
    public var smallCohort: Bool

    enum CodingKeys: String, CodingKey {
        case measure, year, value, text, count, cohort, rag, change
        case changeText = "change_text"
        case smallCohort = "small_cohort"
    }
}

/// `count` of `total` with the percentage as printed.
public struct ShareFigure: Codable, Sendable, Equatable {
    public var count: Int
    public var total: Int
    public var percent: Double?
    public var text: String
}

/// The disadvantaged (pupil premium) gap in one subject, with both sides shown, because a gap
/// closes for good reasons (disadvantaged pupils catching up) and bad ones (others falling).
public struct GapFigure: Codable, Sendable, Equatable {
    public var subject: ReportSubject
    public var disadvantaged: ShareFigure
    public var otherPupils: ShareFigure
    /// Other pupils' % expected+ minus disadvantaged pupils', in points.
    public var gap: MeasureFigure

    enum CodingKeys: String, CodingKey {
        case subject, disadvantaged, gap
        case otherPupils = "other_pupils"
    }
}

/// The figures for one body of pupils at one drop.
public struct DropFigures: Codable, Sendable, Equatable {
    /// Pupil rows in the drop, nursery to year 6.
    public var pupils: Int
    /// Pupils in years 1–6: the cohort of every subject measure.
    public var assessedPupils: Int
    /// In `BoardReport.measures` order.
    public var measures: [MeasureFigure]
    /// Reading, writing, maths, RWM.
    public var disadvantagedGap: [GapFigure]
    /// RWM % expected+ for each of years 1–6: "a focus on the combined attainment from Y1 so
    /// there are no surprises at the end of Y6".
    public var rwmByYear: [MeasureFigure]

    enum CodingKeys: String, CodingKey {
        case pupils, measures
        case assessedPupils = "assessed_pupils"
        case disadvantagedGap = "disadvantaged_gap"
        case rwmByYear = "rwm_by_year"
    }
}

/// One drop on the year's trend line.
public struct TrendPoint: Codable, Sendable, Equatable {
    public var drop: String
    /// For the trust: how many academies the point sums (those that submitted this report's
    /// drop and that one). Nil for an academy.
    public var academies: Int?
    public var pupils: Int
    /// In `BoardReport.measures` order, without changes.
    public var measures: [MeasureFigure]
}

/// Pupil numbers and context: from the drop, and as `academies.json` publishes them.
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
    /// Nil when the academy has not submitted; percentages nil when head counts were not
    /// recorded with the drop.
    public var drop: PupilProfile?
    /// From `academies.json` (the prospectus, as of its `as_of` month).
    public var published: PupilProfile
}

public struct AcademyReport: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var shortName: String
    public var region: String
    /// `Good (October 2018)`, or the note when there is no judgement.
    public var ofsted: String
    public var ofstedNote: String?
    public var submitted: Bool
    /// `submitted` or `not submitted`.
    public var status: String
    /// Nil when not submitted.
    public var figures: DropFigures?
    /// The academy's drops this academic year up to this one.
    public var trend: [TrendPoint]
    public var profile: ProfileComparison
    /// The submission state's sentence ("accepted …; a later file on … was refused: 1
    /// error"), the same words `drop status` and the e-mails use.
    public var submission: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, region, ofsted, submitted, status, figures, trend, profile, submission
        case shortName = "short_name"
        case ofstedNote = "ofsted_note"
    }
}

/// How many academies are at each rating for one measure.
public struct RAGCount: Codable, Sendable, Equatable {
    public var measure: String
    public var green: Int
    public var amber: Int
    public var red: Int
    /// Submitted, but no pupils or no scores for this measure.
    public var noValue: Int
    public var notSubmitted: Int

    enum CodingKeys: String, CodingKey {
        case measure, green, amber, red
        case noValue = "no_value"
        case notSubmitted = "not_submitted"
    }
}

/// The trust's figures: every count summed over the academies that submitted, so each pupil
/// weighs the same and a small school moves the trust figure only as much as its pupils do.
public struct TrustSummary: Codable, Sendable, Equatable {
    public var academies: Int
    public var submitted: Int
    /// Names of the academies that have not submitted this drop.
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
