import Foundation
import Store
import WorkerKit

/// The delivery engines' pauses (`delivery_pauses`, one row per paused kind) as the metrics
/// (`trust_relay_paused`, `trust_deliveries{status="paused"}`) and the relay-paused alert read them.
enum DeliveryPauses {
    /// Since when the relay has been paused (the oldest pause of any kind); nil when it is not.
    static func relayPausedSince(in db: Database) throws -> Date? {
        guard try db.tableExists("delivery_pauses") else { return nil }
        return try db.scalar("SELECT min(paused_at) FROM delivery_pauses")?.stringValue.flatMap(Settings.parseInstant)
    }

    /// Deliveries of `kind` (a ``DeliveryKind``'s name) held back by a pause: its pending rows
    /// while its engine is paused.
    static func pausedDeliveries(kind: String, in db: Database) throws -> Int {
        guard try db.tableExists("delivery_pauses"),
              try db.scalar("SELECT count(*) FROM delivery_pauses WHERE kind = ?", [.text(kind)])?.int64Value ?? 0 > 0
        else { return 0 }
        let table = ["newsletter": "newsletter_deliveries", "reminder": "reminder_deliveries",
                     "datadrop": "drop_notice_deliveries"][kind]
        guard let table, try db.tableExists(table) else { return 0 }
        return Int(try db.scalar("SELECT count(*) FROM \(table) WHERE status = 'pending'")?.int64Value ?? 0)
    }
}
