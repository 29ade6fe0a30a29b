import Foundation

/// The trust-wide figures the seed prints under the academies. They are kept, not recomputed,
/// so the file can be checked against the seed: a typo in one academy's row shows up as a total
/// that no longer adds up.
public struct TrustTotals: Codable, Sendable, Equatable {
    public let pupils: Int
    public let ppPercent: Double
    public let ealPercent: Double
    public let sendPercent: Double

    enum CodingKeys: String, CodingKey {
        case pupils
        case ppPercent = "pp_percent"
        case ealPercent = "eal_percent"
        case sendPercent = "send_percent"
    }
}

/// `Config/academies.json`: the academies every worker validates ids against and every report
/// lists, checked on load so a bad edit fails at start-up, not half-way through a report.
public struct AcademyCatalog: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "academies.json"

    /// How far, in percentage points, a trust percentage may sit from the pupil-weighted
    /// average of the academies' percentages. The seed's own figures are up to 0.84 points
    /// apart (its academy percentages evidently use other denominators, such as excluding
    /// nursery), while a mistyped academy figure moves the average by more than a point.
    public static let percentTolerance = 1.0

    /// The month the figures describe.
    public let asOf: YearMonth
    public let trustTotals: TrustTotals
    /// In file order, which is the seed's alphabetical order.
    public let academies: [Academy]

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case trustTotals = "trust_totals"
        case academies
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError)
        -> AcademyCatalog
    {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> AcademyCatalog {
        try loadDocument(contentsOf: url)
    }

    public func academy(_ id: AcademyID) -> Academy? {
        academies.first { $0.id == id }
    }

    /// A percentage over the whole trust, each academy counting by its pupils: what a
    /// trust-level figure means, unlike a plain mean that lets a school of 192 weigh as much as
    /// one of 642.
    public func weightedPercent(_ column: KeyPath<Academy, Double>) -> Double {
        let pupils = academies.reduce(0) { $0 + $1.pupils }
        guard pupils > 0 else { return 0 }
        let weighted = academies.reduce(0.0) { $0 + Double($1.pupils) * $1[keyPath: column] }
        return weighted / Double(pupils)
    }

    /// The three percentage columns with their JSON names, so each rule is written once.
    private static var percentColumns:
        [(field: String, academy: KeyPath<Academy, Double>, total: KeyPath<TrustTotals, Double>)]
    {
        [
            ("pp_percent", \.ppPercent, \.ppPercent),
            ("eal_percent", \.ealPercent, \.ealPercent),
            ("send_percent", \.sendPercent, \.sendPercent),
        ]
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        var seen: [String: String] = [:]
        for (index, academy) in academies.enumerated() {
            let position = ConfigEntry.numbered("academy", index)
            try check.slug(academy.id.rawValue, entry: position)
            try check.unique(academy.id.rawValue, entry: position, seen: &seen)
            let entry = ConfigEntry.named("academy", academy.id.rawValue)
            try check.notBlank(academy.name, entry: entry, field: "name")
            try check.notBlank(academy.shortName, entry: entry, field: "short_name")
            try check.require(academy.pupils > 0, entry: entry, field: "pupils",
                              value: academy.pupils, "is not a positive number of pupils")
            for column in Self.percentColumns {
                try check.percentage(academy[keyPath: column.academy], entry: entry,
                                     field: column.field)
            }
        }
        try validateTotals(check)
    }

    private func validateTotals(_ check: ConfigValidator) throws(ConfigError) {
        let sum = academies.reduce(0) { $0 + $1.pupils }
        try check.require(sum == trustTotals.pupils, entry: nil, field: "trust_totals.pupils",
                          value: trustTotals.pupils,
                          "does not match the academies' pupils, which add up to \(sum)")
        for column in Self.percentColumns {
            let field = "trust_totals.\(column.field)"
            let declared = trustTotals[keyPath: column.total]
            try check.percentage(declared, entry: nil, field: field)
            let average = weightedPercent(column.academy)
            try check.require(
                abs(average - declared) <= Self.percentTolerance, entry: nil, field: field,
                value: declared,
                "is more than \(ConfigValue.text(Self.percentTolerance)) point from the "
                    + "academies' pupil-weighted average (\(String(format: "%.2f", average)))")
        }
    }
}
