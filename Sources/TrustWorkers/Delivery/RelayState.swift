import Foundation
import Store
import TrustDomain
import WorkerKit

/// `relay_sends`: what each sending mailbox handed to the relay, the pacer's shared history.
enum RelaySendLog {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    static func append(sender: String, kind: String, _ send: RelaySend, in db: Database) throws {
        try db.execute("INSERT INTO relay_sends (sender, kind, sent_at_ms, recipients) VALUES (?, ?, ?, ?)",
                       [.text(sender), .text(kind), .integer(milliseconds(send.at)), .int(send.recipients)])
    }

    /// Recipients `sender` was sent to after `since`.
    static func recipients(_ sender: String, since: Date, in db: Database) throws -> Int {
        Int(try db.scalar("SELECT coalesce(sum(recipients), 0) FROM relay_sends WHERE sender = ? AND sent_at_ms > ?",
                          [.text(sender), .integer(milliseconds(since))])?.int64Value ?? 0)
    }

    /// The history of the last day for `sender`, for estimates.
    static func history(_ sender: String, before now: Date, in db: Database) throws -> [RelaySend] {
        try db.query("SELECT sent_at_ms, recipients FROM relay_sends WHERE sender = ? AND sent_at_ms > ?",
                     [.text(sender), .integer(milliseconds(now.addingTimeInterval(-RelayPacer.day)))]).map {
            RelaySend(at: date($0.int64("sent_at_ms") ?? 0), recipients: $0.int("recipients") ?? 1)
        }
    }

    static func prune(before: Date, in db: Database) throws {
        try db.execute("DELETE FROM relay_sends WHERE sent_at_ms < ?", [.integer(milliseconds(before))])
    }
}

/// A delivery engine paused by a sender-level refusal: a `delivery_pauses` row.
public struct DeliveryPause: Sendable, Equatable, Codable {
    public let kind: String
    public let sender: String
    /// `sender` (authentication, throttling: backoff) or `quota` (until the next day).
    public let reason: String
    public let reply: String
    public let pausedAt: Date
    public let resumeAt: Date
    public let attempts: Int
    public var announcedAt: Date?

    enum CodingKeys: String, CodingKey {
        case kind, sender, reason, reply, attempts
        case pausedAt = "paused_at", resumeAt = "resume_at", announcedAt = "announced_at"
    }

    /// The pause of `kind`'s engine, if any (none before the table exists).
    public static func current(kind: String, in db: Database) throws -> DeliveryPause? {
        try all(in: db, kind: kind).first
    }

    /// Every paused engine, by kind.
    public static func all(in db: Database, kind: String? = nil) throws -> [DeliveryPause] {
        guard try db.tableExists("delivery_pauses") else { return [] }
        return try db.query("""
            SELECT kind, sender, reason, reply, paused_at, resume_at, attempts, announced_at FROM delivery_pauses
            \(kind == nil ? "" : "WHERE kind = ?") ORDER BY kind
            """, kind.map { [.text($0)] } ?? []).map { row in
            func instant(_ name: String) -> Date? { row.string(name).flatMap(Settings.parseInstant) }
            return DeliveryPause(kind: row.string("kind") ?? "", sender: row.string("sender") ?? "",
                                 reason: row.string("reason") ?? "", reply: row.string("reply") ?? "",
                                 pausedAt: instant("paused_at") ?? .distantPast, resumeAt: instant("resume_at") ?? .distantPast,
                                 attempts: row.int("attempts") ?? 0, announcedAt: instant("announced_at"))
        }
    }

    func save(in db: Database) throws {
        try db.execute("""
            INSERT INTO delivery_pauses (kind, sender, reason, reply, paused_at, resume_at, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind) DO UPDATE SET reason = excluded.reason, reply = excluded.reply,
                resume_at = excluded.resume_at, attempts = excluded.attempts
            """, [.text(kind), .text(sender), .text(reason), .text(reply), .text(Timestamp.string(pausedAt)),
                  .text(Timestamp.string(resumeAt)), .int(attempts)])
    }

    /// Ends `kind`'s pause; true if there was one.
    static func clear(kind: String, in db: Database) throws -> Bool {
        try db.execute("DELETE FROM delivery_pauses WHERE kind = ?", [.text(kind)]) > 0
    }

    static func markAnnounced(kind: String, at now: Date, in db: Database) throws {
        try db.execute("UPDATE delivery_pauses SET announced_at = ? WHERE kind = ?", [.text(Timestamp.string(now)), .text(kind)])
    }

    /// `delivery.paused` on trust.events, one per episode (its id names the kind and when the
    /// episode began), for the operator: the relay refuses the sender and nothing is sent.
    var event: DeliveryEvent {
        let body: [String: Any] = ["kind": kind, "sender": sender, "reason": reason, "reply": reply,
                                   "paused_at": Timestamp.string(pausedAt), "resume_at": Timestamp.string(resumeAt)]
        return DeliveryEvent(routingKey: "delivery.paused", messageID: "delivery.paused:\(kind):\(Timestamp.string(pausedAt))",
                             body: Array(try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
    }

    /// 00:00 UTC of the day after `date`.
    static func nextUTCMidnight(after date: Date) -> Date {
        let day = 86_400.0
        return Date(timeIntervalSince1970: ((date.timeIntervalSince1970 / day).rounded(.down) + 1) * day)
    }
}
