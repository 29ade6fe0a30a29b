import Foundation
import Store
import TrustDomain
import WorkerKit

/// Produces the termly Board RAG report: automatically when the last academy's file for a
/// drop has been accepted, and on demand (`trustctl report board`).
public struct BoardReports {
    let config: TrustConfig
    let outputDirectory: URL

    public init(config: TrustConfig, outputDirectory: URL) {
        self.config = config
        self.outputDirectory = outputDirectory
    }

    /// Academies with accepted data for `drop`.
    static func acceptedAcademies(_ drop: DropID, in db: Database) throws -> Set<AcademyID> {
        Set(try db.query("SELECT academy FROM drop_submissions WHERE drop_id = ? AND accepted_at IS NOT NULL",
                         [.text(drop.description)]).compactMap { row in row.string(0).map { AcademyID($0) } })
    }

    func publishIfComplete(_ drop: DropID, db: Database, now: Date, log: Log) throws {
        guard try Self.acceptedAcademies(drop, in: db).isSuperset(of: config.academyIDs) else { return }
        let result = try generate(drop, db: db, now: now)
        log.info("board report generated", ["drop": drop, "path": result.htmlPath])
    }

    /// The thresholds in `Config/thresholds.json`, or the documented defaults without it.
    func thresholds() throws -> RAGThresholds {
        let url = config.file("thresholds.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return .defaults }
        do {
            return try JSONDecoder().decode(RAGThresholds.self, from: data)
        } catch {
            throw InputError("thresholds.json: \(error)")
        }
    }

    /// Builds the report from every stored drop (the report picks this drop, the year's
    /// earlier ones and the previous one), writes the HTML and JSON beside each other, and
    /// records them. Returns the HTML path and the JSON.
    @discardableResult
    public func generate(_ drop: DropID, db: Database, now: Date, out: URL? = nil) throws -> (htmlPath: String, json: String) {
        var aggregates: [AcademyID: [DropID: DropAggregates]] = [:]
        var demographics: [AcademyID: DropDemographics] = [:]
        for row in try db.query("SELECT academy, drop_id, aggregates_json, demographics_json FROM drop_aggregates") {
            guard let academy = row.string(0).map({ AcademyID($0) }), let d = row.string(1).flatMap(DropID.init),
                  let json = row.string(2) else { continue }
            aggregates[academy, default: [:]][d] = try JSONEvent.decode(DropAggregates.self, from: json)
            if d == drop, let text = row.string(3) {
                demographics[academy] = try JSONEvent.decode(DropDemographics.self, from: text)
            }
        }
        let report = BoardReport(BoardReportInput(drop: drop, catalog: config.academies, aggregates: aggregates,
                                                  demographics: demographics, thresholds: try thresholds(),
                                                  generatedAt: now))
        let json = try JSONEvent.string(report)
        let name = "board-\(drop.description.replacingOccurrences(of: "/", with: "-"))"
        let htmlURL = out ?? outputDirectory.appendingPathComponent("\(name).html")
        try FileManager.default.createDirectory(at: htmlURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(report.html().utf8).write(to: htmlURL, options: .atomic)
        try Data(json.utf8).write(to: htmlURL.deletingPathExtension().appendingPathExtension("json"), options: .atomic)
        let submitted = aggregates.values.filter { $0[drop] != nil }.count
        try db.execute("""
            INSERT INTO board_reports (drop_id, generated_at, academies, html_path, report_json) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (drop_id) DO UPDATE SET generated_at = excluded.generated_at, academies = excluded.academies,
                html_path = excluded.html_path, report_json = excluded.report_json
            """, [.text(drop.description), .text(ISO8601Text.string(now)), .int(submitted), .text(htmlURL.path), .text(json)])
        return (htmlURL.path, json)
    }
}
