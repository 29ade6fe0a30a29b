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
/// Shapes read: the data drops' state through `DropStates` (the one reading every output
/// shares), and `survey_summaries(survey_id, you_said, updated_at)`, whose `you_said` is a
/// `YouSaid` as JSON.
enum NewsletterSources {
    /// The latest drop anyone has sent a file for, when a file arrived after `since` (the
    /// previous issue's `assembled_at`, or for the first issue the date one period before it):
    /// news, not a repeat of what that issue reported. Counts are the submission state's, so
    /// FAcT says what the Board report and `drop status` say.
    static func dataDrop(in db: Database, since: String, catalog: AcademyCatalog) throws -> DataDropStatusSummary? {
        guard let drop = try DropStates.drops(in: db).last else { return nil }
        let state = try DropStates.load(drop, catalog: catalog, in: db)
        guard let last = state.academies.compactMap({ $0.latest?.receivedAt }).max(), Timestamp.string(last) > since
        else { return nil }
        let later = state.academies.filter { $0.status == .acceptedLaterRefused }
            .map { catalog.academy($0.academy)?.shortName ?? $0.academy.rawValue }
        return DataDropStatusSummary(dropID: drop.description, submitted: state.submitted.count,
                                     expected: state.academies.count, lastUpdated: last,
                                     note: later.isEmpty ? nil
                                        : "a later file from \(later.joined(separator: ", ")) was refused; the earlier data stands")
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
