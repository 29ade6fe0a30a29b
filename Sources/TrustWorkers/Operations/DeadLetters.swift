import Broker
import Foundation
import WorkerKit

/// A message in a dead-letter queue, as an operator needs to see it at night.
public struct DeadLetter: Codable, Sendable {
    public var queue: String
    public var messageID: String?
    public var type: String?
    public var routingKey: String
    public var academy: String?
    public var attempts: Int?
    public var reason: String
    public var failedAt: String?
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case queue, type, academy, attempts, reason, bytes
        case messageID = "message_id", routingKey = "routing_key", failedAt = "failed_at"
    }

    init(queue: String, delivery d: Delivery) {
        let h = d.properties.headers
        let originalKey = h["x-original-routing-key"]?.stringValue ?? Self.deathField(h, "routing-keys") ?? d.routingKey
        self.queue = queue
        messageID = d.properties.messageID
        type = d.properties.type
        routingKey = originalKey
        academy = originalKey.hasPrefix("datadrop.") ? String(originalKey.dropFirst("datadrop.".count)) : nil
        attempts = h["x-attempts"]?.intValue.map(Int.init) ?? Self.deathCount(h)
        // Our runtime says why in x-error; the broker's own dead-lettering (delivery limit)
        // only records a reason code in x-death.
        reason = h["x-error"]?.stringValue
            ?? h["x-first-death-reason"]?.stringValue.map { Self.brokerReason($0) } ?? "unknown"
        failedAt = h["x-failed-at"]?.stringValue
        bytes = d.body.count
    }

    static func brokerReason(_ code: String) -> String {
        switch code {
        case "delivery_limit": return "delivery limit reached: the worker failed or crashed on this message repeatedly"
        case "rejected": return "rejected by a consumer"
        case "expired": return "expired before it was consumed"
        default: return code
        }
    }

    private static func deathTable(_ h: [String: FieldValue]) -> [String: FieldValue]? {
        if case .array(let items)? = h["x-death"], case .table(let t)? = items.first { return t }
        return nil
    }
    private static func deathField(_ h: [String: FieldValue], _ key: String) -> String? {
        if case .array(let keys)? = deathTable(h)?[key] { return keys.first?.stringValue }
        return nil
    }
    private static func deathCount(_ h: [String: FieldValue]) -> Int? {
        deathTable(h)?["count"]?.intValue.map(Int.init)
    }
}

/// Lists, replays and purges dead-letter queues.
///
/// Listing reads messages with `basic.get` and never acks them, so closing the connection
/// returns them all to the queue untouched. Replay publishes a copy to the work queue with
/// confirms and only then acks the dead-letter copy: a crash in between leaves the message
/// in both places, never in neither, and the worker's ledger makes the duplicate harmless.
public struct DeadLetterQueues {
    let connection: Connection
    let topology: Topology

    public init(connection: Connection, topology: Topology = .trust) {
        self.connection = connection
        self.topology = topology
    }

    /// Accepts `datadrop.ingest` or `datadrop.ingest.dead` (with or without a topology prefix).
    public func workQueue(named name: String) throws -> String {
        let base = topology.queue(named: name.hasSuffix(".dead") ? String(name.dropLast(5)) : name)
        guard topology.queues.contains(where: { $0.name == base }) else {
            throw InputError("unknown queue \"\(name)\"; queues are \(topology.queues.map(\.name).joined(separator: ", "))")
        }
        return base
    }

    public func list(_ queues: [String]) throws -> [DeadLetter] {
        var out: [DeadLetter] = []
        for queue in queues {
            var tags: [UInt64] = []
            while let d = try connection.get(Topology.deadQueue(queue)) {
                out.append(DeadLetter(queue: queue, delivery: d))
                tags.append(d.deliveryTag)
            }
            // Back to the queue now, so a second look on this connection sees them too.
            for tag in tags { try connection.reject(tag, requeue: true) }
        }
        return out
    }

    /// Replays the dead letters of `queue` whose id is in `ids` (all when nil); returns the
    /// replayed ids. Messages not chosen stay in the dead-letter queue.
    public func replay(_ queue: String, ids: Set<String>?) throws -> [String] {
        try connection.enableConfirms()
        var replayed: [String] = []
        var keep: [UInt64] = []
        while let d = try connection.get(Topology.deadQueue(queue)) {
            guard ids == nil || ids!.contains(d.properties.messageID ?? "") else {
                keep.append(d.deliveryTag)
                continue
            }
            var copy = d.forwarded(exchange: "", routingKey: queue)
            copy.properties = copy.properties.with { headers in
                for h in ["x-error", "x-attempts", "x-failed-at", "x-last-error", "x-death", "x-first-death-exchange",
                          "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange",
                          "x-last-death-queue", "x-last-death-reason", "x-delivery-count"] {
                    headers[h] = nil
                }
                headers["x-replayed-at"] = .string(Timestamp.string(Date()))
                headers["x-original-routing-key"] = .string(DeadLetter(queue: queue, delivery: d).routingKey)
            }
            try connection.publishConfirmed([copy])
            try connection.ack(d.deliveryTag)
            replayed.append(d.properties.messageID ?? "(no id)")
        }
        // Unchosen messages go back to the queue when the channel closes; reject them now so
        // they are back before this command returns.
        for tag in keep { try connection.reject(tag, requeue: true) }
        return replayed
    }

    @discardableResult
    public func purge(_ queue: String) throws -> Int {
        try connection.purgeQueue(Topology.deadQueue(queue))
    }
}
