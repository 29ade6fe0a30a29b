/// Red, amber, green: the trust board's termly rating. Ordered worst to best.
public enum RAG: String, CaseIterable, Comparable, Hashable, Sendable, Codable {
    case red, amber, green

    public static func < (a: RAG, b: RAG) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where green and amber start for one measure. For most measures a value at or above
/// `greenAt` is green and at or above `amberAt` amber; for gaps (lower is better) a value at or
/// below `greenAt` is green and at or below `amberAt` amber. The direction belongs to the
/// measure, not to the file, so a config edit cannot turn a gap upside down.
public struct RAGBand: Hashable, Sendable, Codable {
    public var greenAt: Double
    public var amberAt: Double

    public init(greenAt: Double, amberAt: Double) {
        self.greenAt = greenAt
        self.amberAt = amberAt
    }

    enum CodingKeys: String, CodingKey {
        case greenAt = "green_at"
        case amberAt = "amber_at"
    }

    /// Percentages such as 2/3 carry rounding noise; a value within a billionth of a
    /// boundary counts as on it, so 75 % never rates amber against a 75 % threshold.
    public func rag(_ value: Double, lowerIsBetter: Bool) -> RAG {
        let tolerance = 1e-9
        func reaches(_ threshold: Double) -> Bool {
            lowerIsBetter ? value <= threshold + tolerance : value >= threshold - tolerance
        }
        return reaches(greenAt) ? .green : reaches(amberAt) ? .amber : .red
    }

    func isOrdered(lowerIsBetter: Bool) -> Bool {
        lowerIsBetter ? greenAt <= amberAt : greenAt >= amberAt
    }
}

/// One drop's thresholds: the shape of each term in `Config/thresholds.json` (below). Percent
/// measures are in percent, the gap in percentage points, the MTC mean in marks out of 25.
/// `expected` and `greater_depth` bands apply to every year group's figure in that subject.
/// Keys left out keep the summer defaults (`RAGThresholds.defaults`), so autumn and spring
/// should state every key: a summer threshold rates a November drop red everywhere.
///
/// The summer defaults are trust-chosen, near national figures for England (KS2 2023–24:
/// about 74 % reading, 72 % writing, 73 % maths, 61 % combined; GLD about 68 %; phonics about
/// 80 %; MTC mean about 20.6), so that green in summer means at or above typical national
/// attainment. On-target has no national equivalent.
public struct RAGThresholds: Hashable, Sendable, Codable {
    public var expected: [ReportSubject: RAGBand]
    public var greaterDepth: [ReportSubject: RAGBand]
    public var onTarget: RAGBand
    public var disadvantagedGap: RAGBand
    public var goodLevelOfDevelopment: RAGBand
    public var phonicsPass: RAGBand
    /// Year 2: met the phonics standard by the end of year 2.
    public var phonicsYear2: RAGBand
    public var multiplicationCheckMean: RAGBand
    public var multiplicationCheckFullMarks: RAGBand

    public init(expected: [ReportSubject: RAGBand], greaterDepth: [ReportSubject: RAGBand],
                onTarget: RAGBand, disadvantagedGap: RAGBand, goodLevelOfDevelopment: RAGBand,
                phonicsPass: RAGBand, phonicsYear2: RAGBand, multiplicationCheckMean: RAGBand,
                multiplicationCheckFullMarks: RAGBand) {
        self.expected = expected
        self.greaterDepth = greaterDepth
        self.onTarget = onTarget
        self.disadvantagedGap = disadvantagedGap
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonicsPass = phonicsPass
        self.phonicsYear2 = phonicsYear2
        self.multiplicationCheckMean = multiplicationCheckMean
        self.multiplicationCheckFullMarks = multiplicationCheckFullMarks
    }

    public static let defaults = RAGThresholds(
        expected: [
            .reading: RAGBand(greenAt: 75, amberAt: 65),
            .writing: RAGBand(greenAt: 70, amberAt: 60),
            .maths: RAGBand(greenAt: 75, amberAt: 65),
            .rwm: RAGBand(greenAt: 65, amberAt: 55),
        ],
        greaterDepth: [
            .reading: RAGBand(greenAt: 20, amberAt: 12),
            .writing: RAGBand(greenAt: 20, amberAt: 12),
            .maths: RAGBand(greenAt: 20, amberAt: 12),
            .rwm: RAGBand(greenAt: 10, amberAt: 6),
        ],
        onTarget: RAGBand(greenAt: 75, amberAt: 60),
        disadvantagedGap: RAGBand(greenAt: 10, amberAt: 20),
        goodLevelOfDevelopment: RAGBand(greenAt: 70, amberAt: 60),
        phonicsPass: RAGBand(greenAt: 80, amberAt: 70),
        phonicsYear2: RAGBand(greenAt: 90, amberAt: 85),
        multiplicationCheckMean: RAGBand(greenAt: 20, amberAt: 17),
        multiplicationCheckFullMarks: RAGBand(greenAt: 30, amberAt: 20))

    /// The band a figure is rated against; nil for measures that are not rated (the share
    /// of pupils with an EXS or GDS target describes the targets, not attainment).
    public func band(for key: FigureKey) -> RAGBand? {
        switch key.measure {
        case .expected(let subject): expected[subject]
        case .greaterDepth(let subject): greaterDepth[subject]
        case .onTarget: onTarget
        case .targetExpected, .targetGreaterDepth: nil
        case .disadvantagedGap: disadvantagedGap
        case .goodLevelOfDevelopment: goodLevelOfDevelopment
        case .phonicsPass: key.year == .year2 ? phonicsYear2 : phonicsPass
        case .multiplicationCheckMean: multiplicationCheckMean
        case .multiplicationCheckFullMarks: multiplicationCheckFullMarks
        }
    }

    /// Nil when there is no value: an empty cohort is shown as "no pupils", never as red.
    public func rag(for key: FigureKey, value: Double?) -> RAG? {
        guard let value, let band = band(for: key) else { return nil }
        return band.rag(value, lowerIsBetter: key.measure.lowerIsBetter)
    }

    /// The rating of a measure's figure for years 1–6 (or the check's own year).
    public func rag(for measure: Measure, value: Double?) -> RAG? { rag(for: FigureKey(measure), value: value) }

    enum CodingKeys: String, CodingKey {
        case expected
        case greaterDepth = "greater_depth"
        case onTarget = "on_target"
        case disadvantagedGap = "disadvantaged_gap"
        case goodLevelOfDevelopment = "gld"
        case phonicsPass = "phonics_pass"
        case phonicsYear2 = "phonics_y2"
        case multiplicationCheckMean = "mtc_mean"
        case multiplicationCheckFullMarks = "mtc_full_marks"
    }

    /// Every rated band with its name, for checks and the report's key.
    var namedBands: [(name: String, band: RAGBand, lowerIsBetter: Bool)] {
        ReportSubject.allCases.flatMap { s in
            [("expected.\(s.rawValue)", expected[s]!, false), ("greater_depth.\(s.rawValue)", greaterDepth[s]!, false)]
        } + [("on_target", onTarget, false), ("disadvantaged_gap", disadvantagedGap, true),
             ("gld", goodLevelOfDevelopment, false), ("phonics_pass", phonicsPass, false),
             ("phonics_y2", phonicsYear2, false), ("mtc_mean", multiplicationCheckMean, false),
             ("mtc_full_marks", multiplicationCheckFullMarks, false)]
    }

    /// Missing keys keep their defaults; a band whose green is on the wrong side of its amber
    /// is refused with the measure named, because it would rate every academy backwards.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let base = Self.defaults
        func single(_ key: CodingKeys, _ fallback: RAGBand) throws -> RAGBand {
            try container.decodeIfPresent(RAGBand.self, forKey: key) ?? fallback
        }
        func perSubject(_ key: CodingKeys, _ fallback: [ReportSubject: RAGBand]) throws
            -> [ReportSubject: RAGBand]
        {
            let given = try container.decodeIfPresent([ReportSubject: RAGBand].self, forKey: key)
            return fallback.merging(given ?? [:]) { _, new in new }
        }
        self.init(
            expected: try perSubject(.expected, base.expected),
            greaterDepth: try perSubject(.greaterDepth, base.greaterDepth),
            onTarget: try single(.onTarget, base.onTarget),
            disadvantagedGap: try single(.disadvantagedGap, base.disadvantagedGap),
            goodLevelOfDevelopment: try single(.goodLevelOfDevelopment, base.goodLevelOfDevelopment),
            phonicsPass: try single(.phonicsPass, base.phonicsPass),
            phonicsYear2: try single(.phonicsYear2, base.phonicsYear2),
            multiplicationCheckMean: try single(.multiplicationCheckMean, base.multiplicationCheckMean),
            multiplicationCheckFullMarks: try single(.multiplicationCheckFullMarks, base.multiplicationCheckFullMarks))
        for (name, band, lowerIsBetter) in namedBands where !band.isOrdered(lowerIsBetter: lowerIsBetter) {
            let rule = lowerIsBetter
                ? "lower is better, so green_at must not be above amber_at"
                : "green_at must not be below amber_at"
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "thresholds for \(name): \(rule) (green_at \(band.greenAt), amber_at \(band.amberAt))"))
        }
    }
}

/// `Config/thresholds.json`: each drop rated against its own term's thresholds (a November
/// drop is not a July one), and the group sizes below which figures are marked or withheld.
///
/// ```json
/// { "small_group": 10, "withhold_below": 5,
///   "by_drop": { "autumn": { "expected": { "rwm": { "green_at": 45, "amber_at": 35 } }, … },
///                "spring": { … }, "summer": { … } } }
/// ```
public struct DropThresholds: Hashable, Sendable, Codable {
    public var byTerm: [Term: RAGThresholds]
    /// Figures over fewer pupils than this are marked (one pupil moves them by over 10 points).
    public var smallGroup: Int
    /// Figures over fewer pupils than this are withheld, so no pupil can be identified.
    public var withholdBelow: Int

    public init(byTerm: [Term: RAGThresholds], smallGroup: Int = 10, withholdBelow: Int = 5) {
        self.byTerm = byTerm
        self.smallGroup = smallGroup
        self.withholdBelow = withholdBelow
    }

    /// Summer defaults for every term: what tests use when terms do not matter.
    public static let defaults = DropThresholds(byTerm: Dictionary(uniqueKeysWithValues: Term.allCases.map {
        ($0, RAGThresholds.defaults)
    }))

    public func forTerm(_ term: Term) -> RAGThresholds { byTerm[term] ?? .defaults }

    enum CodingKeys: String, CodingKey {
        case byTerm = "by_drop"
        case smallGroup = "small_group"
        case withholdBelow = "withhold_below"
    }

    /// Every term is required, so no drop is silently rated with another term's numbers.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let terms = try container.nestedContainer(keyedBy: TermKey.self, forKey: .byTerm)
        var byTerm: [Term: RAGThresholds] = [:]
        for term in Term.allCases {
            guard let key = TermKey(stringValue: term.rawValue), terms.contains(key) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: decoder.codingPath + [CodingKeys.byTerm],
                    debugDescription: "by_drop has no \"\(term.rawValue)\" entry; give thresholds for autumn, spring and summer"))
            }
            byTerm[term] = try terms.decode(RAGThresholds.self, forKey: key)
        }
        let small = try container.decodeIfPresent(Int.self, forKey: .smallGroup) ?? 10
        let withhold = try container.decodeIfPresent(Int.self, forKey: .withholdBelow) ?? 5
        guard (1...100).contains(small), (0...small).contains(withhold) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "small_group \(small) must be 1 to 100 and withhold_below \(withhold) 0 to small_group"))
        }
        self.init(byTerm: byTerm, smallGroup: small, withholdBelow: withhold)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var terms = container.nestedContainer(keyedBy: TermKey.self, forKey: .byTerm)
        for (term, thresholds) in byTerm { try terms.encode(thresholds, forKey: TermKey(stringValue: term.rawValue)!) }
        try container.encode(smallGroup, forKey: .smallGroup)
        try container.encode(withholdBelow, forKey: .withholdBelow)
    }

    private struct TermKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
