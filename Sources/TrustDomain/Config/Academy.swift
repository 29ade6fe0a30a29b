/// One of the trust's academies as the seed describes it at the end of 2020-21. The figures are
/// context for reports (a 5-point gap means more in a school of 192 than in one of 642), not
/// live data: live pupil data arrives in data drops.
public struct Academy: Codable, Sendable, Equatable, Identifiable {
    public let id: AcademyID
    /// The full name, as Ofsted and letters use it.
    public let name: String
    /// The name people say, used in tables where the full name would not fit.
    public let shortName: String
    /// Children on roll, nursery to year 6.
    public let pupils: Int
    /// Whether `pupils` counts a nursery class: schools with one are not comparable
    /// like-for-like with those without.
    public let includesNursery: Bool
    /// Percentage of pupils eligible for the pupil premium.
    public let ppPercent: Double
    /// Percentage of pupils with English as an additional language.
    public let ealPercent: Double
    /// Percentage of pupils with special educational needs or disabilities.
    public let sendPercent: Double
    /// Which of the trust's three areas, because forums and peer groups are arranged by area.
    public let region: Region
    public let ofsted: OfstedInspection
    /// The inspection before joining or before the latest one, kept to show the journey.
    public let previousOfsted: OfstedInspection?

    enum CodingKeys: String, CodingKey {
        case id, name, pupils, region, ofsted
        case shortName = "short_name"
        case includesNursery = "includes_nursery"
        case ppPercent = "pp_percent"
        case ealPercent = "eal_percent"
        case sendPercent = "send_percent"
        case previousOfsted = "previous_ofsted"
    }
}

/// The trust's three areas. Sessions are sometimes split by area (the leadership programme
/// runs a Greater Manchester and Rudheath session and a West Yorkshire one), so an area is data,
/// not a free-text label.
public enum Region: String, CaseIterable, Sendable, ConfigVocabulary {
    /// Greater Manchester: Oldham, Rochdale, Tameside, Trafford.
    case northWest = "north-west"
    /// Kirklees and Bradford.
    case westYorkshire = "west-yorkshire"
    /// Rudheath, grouped with the Greater Manchester schools for some sessions.
    case cheshire

    static let vocabularyName = "region"
    public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
}

/// An Ofsted inspection outcome as reported, to the month.
public struct OfstedInspection: Codable, Sendable, Equatable {
    /// `nil` when there is no judgement yet (an academy not yet inspected as an academy); the
    /// note then says why, rather than a judgement being made up.
    public let judgement: OfstedJudgement?
    public let date: YearMonth?
    /// What the headline judgement leaves out, e.g. "outstanding personal development".
    public let note: String?
}

/// Overall effectiveness in the words the reports used. Older frameworks are kept (Satisfactory
/// was grade 3 before September 2012; Special Measures is the category people name rather than
/// "Inadequate"), because rewording a historical judgement would misquote it.
public enum OfstedJudgement: String, CaseIterable, Sendable, ConfigVocabulary {
    case outstanding = "Outstanding"
    case good = "Good"
    case requiresImprovement = "Requires Improvement"
    case satisfactory = "Satisfactory"
    case inadequate = "Inadequate"
    case seriousWeaknesses = "Serious Weaknesses"
    case specialMeasures = "Special Measures"

    static let vocabularyName = "Ofsted judgement"
    public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
}
