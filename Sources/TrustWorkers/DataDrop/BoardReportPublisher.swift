import Foundation
import Store
import TrustDomain
import WorkerKit

/// Produces the termly Board RAG report when the last of the academies' files for a drop
/// has been accepted, and on demand.
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

    /// Aggregates of every academy with accepted data for `drop`.
    static func aggregates(_ drop: DropID, in db: Database) throws -> [AcademyID: DropAggregates] {
        var out: [AcademyID: DropAggregates] = [:]
        for row in try db.query("SELECT academy, aggregates_json FROM drop_aggregates WHERE drop_id = ?",
                                [.text(drop.description)]) {
            guard let academy = row.string(0), let json = row.string(1) else { continue }
            out[AcademyID(academy)] = try JSONEvent.decode(DropAggregates.self, from: json)
        }
        return out
    }

    func publishIfComplete(_ drop: DropID, db: Database, now: Date, log: Log) throws {
        let accepted = try Self.acceptedAcademies(drop, in: db)
        guard accepted.isSuperset(of: config.academyIDs) else { return }
        let result = try generate(drop, db: db, now: now)
        log.info("board report generated", ["drop": drop, "path": result.htmlPath])
    }

    /// Writes the report files and records them; returns the HTML path and the JSON.
    @discardableResult
    public func generate(_ drop: DropID, db: Database, now: Date, out: URL? = nil) throws -> (htmlPath: String, json: String) {
        let current = try Self.aggregates(drop, in: db)
        let totals = DropAggregates.trustTotal(Array(current.values))
        let json = try JSONEvent.string(totals)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        let name = "board-\(drop.description.replacingOccurrences(of: "/", with: "-"))"
        let htmlURL = out ?? outputDirectory.appendingPathComponent("\(name).html")
        try db.execute("""
            INSERT INTO board_reports (drop_id, generated_at, academies, html_path, report_json) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (drop_id) DO UPDATE SET generated_at = excluded.generated_at, academies = excluded.academies,
                html_path = excluded.html_path, report_json = excluded.report_json
            """, [.text(drop.description), .text(ISO8601Text.string(now)), .int(current.count),
                  .text(htmlURL.path), .text(json)])
        return (htmlURL.path, json)
    }
}
