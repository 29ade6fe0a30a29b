import Broker
import Foundation
import Store

/// The transactional outbox: events are rows written in the same transaction as the effects
/// they announce, and published after commit. A crash between publish and delete publishes a
/// row again on restart; events carry deterministic message ids so receivers can tell.
final class Outbox {
    let eventsExchange: String
    /// Set when this thread added rows since its last flush, so the hot path (no events)
    /// never queries the table.
    private var pending = true

    init(eventsExchange: String) {
        self.eventsExchange = eventsExchange
    }

    func add(exchange: String, routingKey: String, messageID: String, type: String,
             contentType: String, body: [UInt8], in db: Database) throws {
        try db.execute("""
            INSERT INTO outbox (exchange, routing_key, message_id, type, content_type, body, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(exchange), .text(routingKey), .text(messageID), .text(type), .text(contentType),
                  .blob(body), .text(Timestamp.now())])
        pending = true
    }

    /// Publishes every committed row with confirms through `publish`, deleting each chunk once
    /// confirmed.
    func flush(db: Database, publish: ([OutgoingMessage], _ mandatory: Bool) throws -> Void) throws {
        guard pending else { return }
        while true {
            let rows = try db.query("""
                SELECT id, exchange, routing_key, message_id, type, content_type, body
                FROM outbox ORDER BY id LIMIT 500
                """)
            guard let last = rows.last?.int64("id") else { break }
            let messages = rows.map { row in
                OutgoingMessage(
                    exchange: row.string("exchange") ?? eventsExchange,
                    routingKey: row.string("routing_key") ?? "",
                    properties: MessageProperties(
                        messageID: row.string("message_id"), type: row.string("type"),
                        contentType: row.string("content_type"),
                        timestamp: UInt64(Date().timeIntervalSince1970)),
                    body: row.blob("body") ?? [])
            }
            // Events are broadcast: no subscriber is not an error, so not mandatory.
            try publish(messages, false)
            try db.execute("DELETE FROM outbox WHERE id <= ?", [.integer(last)])
        }
        pending = false
    }
}
