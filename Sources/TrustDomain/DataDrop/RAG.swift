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

/// The thresholds the board report rates against; the shape of `Config/thresholds.json`:
///
/// ```json
/// { "expected": { "reading": { "green_at": 75, "amber_at": 65 } },
///   "greater_depth": { "rwm": { "green_at": 10, "amber_at": 6 } },
///   "on_target": { "green_at": 75, "amber_at": 60 },
///   "disadvantaged_gap": { "green_at": 10, "amber_at": 20 },
///   "gld": { "green_at": 70, "amber_at": 60 },
///   "phonics_pass": { "green_at": 80, "amber_at": 70 },
///   "mtc_mean": { "green_at": 20, "amber_at": 17 } }
/// ```
/// Every key is optional and anything left out keeps its default, so the file only needs to
/// say where the trust departs from the defaults. Percent measures are in percent, the gap in
/// percentage points, the MTC mean in marks out of 25.
///
/// The defaults are trust-chosen, not official: they approximate national figures for
/// England in 2023–24 (KS2 expected standard about 74 % reading, 72 % writing, 73 % maths,
/// 61 % combined; higher standard about 28 % reading, 24 % maths, 13 % writing at greater
/// depth, 8 % combined; GLD about 68 %; phonics about 80 %; MTC mean about 20.6) so that green
/// means "at or above typical national attainment". On-target has no national equivalent;
/// its defaults are a starting point for the trust to tune.
public struct RAGThresholds: Hashable, Sendable, Codable {
    public var expected: [ReportSubject: RAGBand]
    public var greaterDepth: [ReportSubject: RAGBand]
    public var onTarget: RAGBand
    public var disadvantagedGap: RAGBand
    public var goodLevelOfDevelopment: RAGBand
    public var phonicsPass: RAGBand
    public var multiplicationCheckMean: RAGBand

    public init(expected: [ReportSubject: RAGBand], greaterDepth: [ReportSubject: RAGBand],
                onTarget: RAGBand, disadvantagedGap: RAGBand, goodLevelOfDevelopment: RAGBand,
                phonicsPass: RAGBand, multiplicationCheckMean: RAGBand) {
        self.expected = expected
        self.greaterDepth = greaterDepth
        self.onTarget = onTarget
        self.disadvantagedGap = disadvantagedGap
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonicsPass = phonicsPass
        self.multiplicationCheckMean = multiplicationCheckMean
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
        multiplicationCheckMean: RAGBand(greenAt: 20, amberAt: 17))

    /// The band for a measure; nil only if a subject was removed from a dictionary in code.
    public func band(for measure: Measure) -> RAGBand? {
        switch measure {
        case .expected(let subject): expected[subject]
        case .greaterDepth(let subject): greaterDepth[subject]
        case .onTarget: onTarget
        case .disadvantagedGap: disadvantagedGap
        case .goodLevelOfDevelopment: goodLevelOfDevelopment
        case .phonicsPass: phonicsPass
        case .multiplicationCheckMean: multiplicationCheckMean
        }
    }

    /// Nil when there is no value: an empty cohort is shown as "no pupils", never as red.
    public func rag(for measure: Measure, value: Double?) -> RAG? {
        guard let value, let band = band(for: measure) else { return nil }
        return band.rag(value, lowerIsBetter: measure.lowerIsBetter)
    }

    enum CodingKeys: String, CodingKey {
        case expected
        case greaterDepth = "greater_depth"
        case onTarget = "on_target"
        case disadvantagedGap = "disadvantaged_gap"
        case goodLevelOfDevelopment = "gld"
        case phonicsPass = "phonics_pass"
        case multiplicationCheckMean = "mtc_mean"
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
            multiplicationCheckMean: try single(.multiplicationCheckMean, base.multiplicationCheckMean))
        for measure in Measure.all {
            guard let band = self.band(for: measure), !band.isOrdered(lowerIsBetter: measure.lowerIsBetter)
            else { continue }
            let rule = measure.lowerIsBetter
                ? "lower is better, so green_at must not be above amber_at"
                : "green_at must not be below amber_at"
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "thresholds for \(measure): \(rule) (green_at \(band.greenAt), amber_at \(band.amberAt))"))
        }
    }
}
