import Foundation
import Store
import TrustDomain
import WorkerKit

/// The one place submission state is read: `drop_attempts`, every file as the worker handled
/// it, turned into a `DropSubmissionState`. The Board report, `drop status`, FAcT and the
/// calendar's e-mails all come through here.
public enum DropStates {
    public static func load(_ drop: DropID, catalog: AcademyCatalog, in db: Database) throws -> DropSubmissionState {
        var attempts: [AcademyID: [DropAttempt]] = [:]
        if try db.tableExists("drop_attempts") {
            for row in try db.query("""
                SELECT id, academy, status, received_at, submitted_by, pupils, error_count FROM drop_attempts
                WHERE drop_id = ? ORDER BY id
                """, [.text(drop.description)]) {
                guard let academy = row.string("academy"), let status = row.string("status"),
                      let outcome = DropAttempt.Outcome(rawValue: status),
                      let received = row.string("received_at").flatMap(Settings.parseInstant)
                else { continue }
                attempts[AcademyID(academy), default: []].append(DropAttempt(
                    sequence: row.int("id") ?? 0, outcome: outcome, receivedAt: received,
                    submittedBy: row.string("submitted_by"), pupils: row.int("pupils"),
                    errorCount: row.int("error_count") ?? 0))
            }
        }
        return DropSubmissionState(drop: drop, catalog: catalog, attempts: attempts)
    }

    /// Drops anyone has sent a file for, oldest first.
    public static func drops(in db: Database) throws -> [DropID] {
        guard try db.tableExists("drop_attempts") else { return [] }
        return try db.query("SELECT DISTINCT drop_id FROM drop_attempts").compactMap { $0.string(0).flatMap(DropID.init) }.sorted()
    }

    /// The errors of `academy`'s latest refused file, as the academy was told them.
    static func latestErrors(_ academy: AcademyID, _ drop: DropID, in db: Database) throws -> [String] {
        guard let json = try db.scalar("""
            SELECT errors_json FROM drop_attempts WHERE academy = ? AND drop_id = ? AND status = 'rejected'
            ORDER BY id DESC LIMIT 1
            """, [.text(academy.rawValue), .text(drop.description)])?.stringValue else { return [] }
        return try JSONDecoder().decode([DropValidationError].self, from: Data(json.utf8)).map(\.description)
    }
}
