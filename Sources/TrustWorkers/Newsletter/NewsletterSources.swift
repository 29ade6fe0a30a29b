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
/// - `survey_summaries(survey_id, you_said, updated_at)`: `you_said` is a `YouSaid` as JSON.
enum NewsletterSources {
    /// `since` is the previous issue's `assembled_at` (or, for the first issue, the date one
    /// period before it): what that issue already reported is not news again.
    ///
    /// The latest drop, when it has had a submission since the previous issue (or, for the
    /// first issue, in the period before it): a drop still collecting files, or one that
    /// completed since readers last heard. Older drops are history, not news.
    static func dataDrop(in db: Database, since: String, expected: Int) throws -> DataDropStatusSummary? {
        guard try db.tableExists("drop_submissions") else { return nil }
        let rows = try db.query("""
            SELECT drop_id, count(DISTINCT academy) AS submitted, max(received_at) AS last
            FROM drop_submissions WHERE status NOT IN ('rejected', 'failed', 'invalid')
            GROUP BY drop_id
            """)
        let latest = rows.compactMap { row -> (DropID, Row)? in
            guard let id = row.string("drop_id").flatMap(DropID.init) else { return nil }
            return (id, row)
        }.max { $0.0 < $1.0 }
        guard let (id, row) = latest, let last = row.string("last"), last > since else { return nil }
        return DataDropStatusSummary(dropID: id.description, submitted: row.int("submitted") ?? 0, expected: expected,
                                     lastUpdated: Settings.parseInstant(last))
    }

    /// The most recently updated survey summary (the survey worker's `survey_summaries`), when
    /// it changed since the previous issue: the three best-received statements across themes
    /// and the three least.
    static func youSaid(in db: Database, since: String, log: Log) throws -> YouSaidSummary? {
        guard try db.tableExists("survey_summaries"),
              let row = try db.query("SELECT survey_id, you_said, updated_at FROM survey_summaries ORDER BY updated_at DESC LIMIT 1").first,
              let updated = row.string("updated_at"), updated > since,
              let json = row.string("you_said")
        else { return nil }
        let said: YouSaid
        do {
            said = try JSONDecoder().decode(YouSaid.self, from: Data(json.utf8))
        } catch {
            log.warn("survey summary unreadable; left out of the issue", ["survey": row.string("survey_id") ?? ""])
            return nil
        }
        func statement(_ item: YouSaid.Item) -> YouSaidSummary.Statement {
            YouSaidSummary.Statement(text: item.text, percentAgree: item.percentAgree)
        }
        let strongest = said.themes.map(\.strongest).sorted { $0.percentAgree > $1.percentAgree }.prefix(3)
        let weakest = said.themes.compactMap(\.weakest).sorted { $0.percentAgree < $1.percentAgree }.prefix(3)
        guard !strongest.isEmpty else { return nil }
        return YouSaidSummary(surveyTitle: said.title, strongest: strongest.map(statement), weakest: weakest.map(statement))
    }
}
