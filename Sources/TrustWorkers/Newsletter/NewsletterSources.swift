import Foundation
import Store
import TrustDomain
import WorkerKit

/// Reads what other areas have stored that an issue reports on: the current data drop and the
/// latest survey's "you said" summary. Both tables belong to other workers and may not exist
/// (a fresh database, a deployment without that worker), so each read first checks that its
/// table is there and otherwise reports nothing. A malformed row is skipped, never allowed to
/// stop an issue.
///
/// Assumed shapes (owned by the data-drop and survey areas):
/// - `drop_submissions(academy, drop_id, status, received_at)`: one row per academy and drop;
///   `drop_id` like `2021-22/autumn`; `received_at` ISO-8601 UTC; a status of `rejected`,
///   `failed` or `invalid` does not count as submitted.
/// - `survey_you_said(survey_id, title, summary_json, updated_at)`: `summary_json` is
///   `{"strongest": [{"text", "percent_agree"}], "weakest": [...]}`, `updated_at` ISO-8601.
enum NewsletterSources {
    /// The latest drop, when it has had a submission since the previous issue (or, for the
    /// first issue, in the period before it): a drop still collecting files, or one that
    /// completed since readers last heard. Older drops are history, not news.
    static func dataDrop(in db: Database, since: CalendarDate, expected: Int) throws -> DataDropStatusSummary? {
        guard try NewsletterStore.tableExists("drop_submissions", in: db) else { return nil }
        let rows = try db.query("""
            SELECT drop_id, count(DISTINCT academy) AS submitted, max(received_at) AS last
            FROM drop_submissions WHERE status NOT IN ('rejected', 'failed', 'invalid')
            GROUP BY drop_id
            """)
        let latest = rows.compactMap { row -> (DropID, Row)? in
            guard let id = row.string("drop_id").flatMap(DropID.init) else { return nil }
            return (id, row)
        }.max { $0.0 < $1.0 }
        guard let (id, row) = latest, let last = row.string("last"), last.prefix(10) >= since.description else { return nil }
        return DataDropStatusSummary(dropID: id.description, submitted: row.int("submitted") ?? 0, expected: expected,
                                     lastUpdated: Settings.parseInstant(last))
    }

    /// The most recently updated summary, when it changed since the previous issue.
    static func youSaid(in db: Database, since: CalendarDate, log: Log) throws -> YouSaidSummary? {
        guard try NewsletterStore.tableExists("survey_you_said", in: db) else { return nil }
        guard let row = try db.query("""
            SELECT survey_id, title, summary_json, updated_at FROM survey_you_said
            ORDER BY updated_at DESC LIMIT 1
            """).first,
            let updated = row.string("updated_at"), updated.prefix(10) >= since.description
        else { return nil }
        let json = row.blob("summary_json") ?? Array((row.string("summary_json") ?? "").utf8)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            log.warn("survey_you_said summary_json is not a JSON object; left out of the issue",
                     ["survey": row.string("survey_id") ?? ""])
            return nil
        }
        func statements(_ key: String) -> [YouSaidSummary.Statement] {
            ((object[key] as? [[String: Any]]) ?? []).compactMap { entry in
                guard let text = entry["text"] as? String,
                      let percent = (entry["percent_agree"] ?? entry["percentAgree"]) as? Double else { return nil }
                return YouSaidSummary.Statement(text: text, percentAgree: percent)
            }
        }
        let summary = YouSaidSummary(surveyTitle: row.string("title") ?? row.string("survey_id") ?? "Survey",
                                     strongest: statements("strongest"), weakest: statements("weakest"))
        return summary.strongest.isEmpty && summary.weakest.isEmpty ? nil : summary
    }
}
