import Foundation

/// DfE national figures for England (state-funded schools) for the statutory measures, from
/// `Config/national.json`: several years per measure, each with its source, so a report can
/// say which year it compares against and where the number comes from.
public struct NationalFigures: Sendable, Equatable {
    public struct Figure: Codable, Sendable, Equatable {
        /// The summer the assessments were taken (2019 is the 2018-19 academic year).
        public var year: Int
        public var value: Double
        /// The publication, as a reader would look it up.
        public var source: String
        public var url: String?
    }

    /// By key (`ks2.expected.rwm`, `phonics.y1`, …), oldest year first.
    public var byKey: [String: [Figure]]

    public init(byKey: [String: [Figure]]) { self.byKey = byKey }

    public static let empty = NationalFigures(byKey: [:])

    /// Every key the file may use: the statutory measures, and the KS1 and KS2 subject
    /// measures for disadvantaged and other pupils (the gap "as the DfE reports it").
    public static let knownKeys: Set<String> = {
        var keys: Set<String> = ["gld", "phonics.y1", "phonics.y2", "mtc.mean", "mtc.full_marks"]
        for stage in ["ks1", "ks2"] {
            for s in ReportSubject.allCases {
                keys.insert("\(stage).expected.\(s.rawValue)")
                keys.insert("\(stage).greater_depth.\(s.rawValue)")
                keys.insert("\(stage).expected.\(s.rawValue).disadvantaged")
                keys.insert("\(stage).expected.\(s.rawValue).other")
            }
        }
        return keys
    }()

    /// The latest figure from a summer no later than `summer`: a report on the 2021-22 drops
    /// compares with 2022 at the latest, and with 2019 when 2020 and 2021 had none.
    public func latest(_ key: String, notAfter summer: Int) -> Figure? {
        byKey[key]?.filter { $0.year <= summer }.max { $0.year < $1.year }
    }

    /// Reads and checks the file; an error names the file, the entry, the field and the value.
    public static func load(from data: Data, file: String = "national.json") throws -> NationalFigures {
        struct Entry: Decodable { var key: String; var figures: [Figure] }
        struct Document: Decodable { var measures: [Entry] }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw ConfigError.malformed(file: file, reason: "not the expected shape ({\"measures\": [{\"key\", \"figures\": [{\"year\", \"value\", \"source\"}]}]}): \(error)")
        }
        var byKey: [String: [Figure]] = [:]
        for entry in document.measures {
            func fail(_ field: String, _ value: String, _ why: String) -> ConfigError {
                .invalidValue(file: file, entry: "measure \"\(entry.key)\"", field: field, value: value, reason: why)
            }
            guard knownKeys.contains(entry.key) else {
                throw fail("key", "\"\(entry.key)\"", "is not a statutory measure key (such as ks2.expected.rwm, phonics.y1, gld, mtc.mean)")
            }
            guard byKey[entry.key] == nil else { throw fail("key", "\"\(entry.key)\"", "appears twice") }
            let top = entry.key == "mtc.mean" ? 25.0 : 100.0
            var years: Set<Int> = []
            for figure in entry.figures {
                guard (2000...2100).contains(figure.year), years.insert(figure.year).inserted else {
                    throw fail("year", "\(figure.year)", "is not a year from 2000 to 2100 given once")
                }
                guard figure.value.isFinite, (0...top).contains(figure.value) else {
                    throw fail("\(figure.year) value", "\(figure.value)", "is not from 0 to \(Int(top))")
                }
                guard !figure.source.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw fail("\(figure.year) source", "\"\"", "is empty; name the DfE publication")
                }
            }
            byKey[entry.key] = entry.figures.sorted { $0.year < $1.year }
        }
        return NationalFigures(byKey: byKey)
    }
}

extension FigureKey {
    /// The national figure this figure is compared with, if the DfE publishes one: statutory
    /// measures for all pupils, and KS1/KS2 expected+ for disadvantaged and other pupils.
    var nationalKey: String? {
        let stage: String? = switch effectiveYear {
        case .year2: "ks1"
        case .year6: "ks2"
        default: nil
        }
        switch (measure, group) {
        case (.goodLevelOfDevelopment, .all): return "gld"
        case (.phonicsPass, .all): return effectiveYear == .year2 ? "phonics.y2" : "phonics.y1"
        case (.multiplicationCheckMean, .all): return "mtc.mean"
        case (.multiplicationCheckFullMarks, .all): return "mtc.full_marks"
        case (.expected(let s), .all): return stage.map { "\($0).expected.\(s.rawValue)" }
        case (.greaterDepth(let s), .all): return stage.map { "\($0).greater_depth.\(s.rawValue)" }
        case (.expected(let s), .pp): return stage.map { "\($0).expected.\(s.rawValue).disadvantaged" }
        case (.expected(let s), .notPP): return stage.map { "\($0).expected.\(s.rawValue).other" }
        default: return nil
        }
    }
}
