import Broker
import Foundation
import Store
import TrustDomain
import WorkerKit

/// The system-wide figures of the metrics file, read when it is written: the store's (mail,
/// drops, incidents) and the broker's (queue depths). One process exports them, the
/// Scheduler, so node_exporter never sees the same series from two files.
public enum SystemMetrics {
    /// Registers the store's and the broker's collectors with `registry`.
    public static func register(settings: Settings, topology: Topology, in registry: MetricsRegistry = .process) {
        let store = StoreReader(path: settings.databasePath)
        registry.register { try store.families() }
        let broker = BrokerReader(brokers: settings.brokers, topology: topology)
        registry.register { try broker.families() }
    }

    /// The delivery tables and the statuses each can hold.
    static let deliveryTables: [(kind: String, table: String, statuses: [String])] = [
        ("newsletter", "newsletter_deliveries", ["pending", "sent", "failed"]),
        ("reminder", "reminder_deliveries", ["pending", "sent", "failed", "skipped"]),
        ("alert", "alert_deliveries", ["pending", "sent", "failed"]),
    ]

    static func storeFamilies(_ db: Database) throws -> [MetricFamily] {
        var deliveries: [([(String, String)], Double)] = []
        for (kind, table, statuses) in deliveryTables where try db.tableExists(table) {
            var counts: [String: Int] = [:]
            for row in try db.query("SELECT status, count(*) FROM \(table) GROUP BY status") {
                counts[row.string(0) ?? "?"] = row.int(1) ?? 0
            }
            for status in statuses { deliveries.append(([("kind", kind), ("status", status)], Double(counts[status] ?? 0))) }
            deliveries.append(([("kind", kind), ("status", "paused")],
                               Double(try DeliveryPauses.pausedDeliveries(kind: kind, in: db))))
        }
        var out = [
            MetricFamily("trust_deliveries", .gauge, help: "E-mails in the delivery tables, by kind and status.", deliveries),
            MetricFamily("trust_relay_paused", .gauge, help: "1 while the mail relay is paused, else 0.",
                         [([], try DeliveryPauses.relayPausedSince(in: db) == nil ? 0 : 1)]),
        ]
        if try db.tableExists("drop_attempts") {
            var files: [([(String, String)], Double)] = []
            for row in try db.query("SELECT drop_id, status, count(*) FROM drop_attempts GROUP BY drop_id, status ORDER BY 1, 2") {
                let outcome = row.string(1) == "accepted" ? "accepted" : "refused"
                files.append(([("drop", row.string(0) ?? "?"), ("outcome", outcome)], Double(row.int(2) ?? 0)))
            }
            out.append(MetricFamily("trust_drop_files_total", .counter,
                                    help: "Data-drop files received, by drop and whether they were accepted.", files))
        }
        if try db.tableExists("alert_incidents") {
            var open: [String: Int] = [:]
            for row in try db.query("SELECT rule, count(*) FROM alert_incidents WHERE resolved_at IS NULL GROUP BY rule") {
                open[row.string(0) ?? "?"] = row.int(1) ?? 0
            }
            out.append(MetricFamily("trust_alert_incidents_open", .gauge, help: "Open alert incidents, by rule.",
                                    AlertRule.allCases.map { ([("rule", $0.rawValue)], Double(open[$0.rawValue] ?? 0)) }))
        }
        return out
    }

    /// A read-only connection of its own, opened on first use (the store may not exist yet).
    final class StoreReader: @unchecked Sendable {
        private let path: String
        private var db: Database?
        private let lock = NSLock()

        init(path: String) { self.path = path }

        func families() throws -> [MetricFamily] {
            try lock.withLock {
                guard FileManager.default.fileExists(atPath: path) else { return [] }
                let db = try self.db ?? Database(path: path, readOnly: true)
                self.db = db
                return try storeFamilies(db)
            }
        }
    }

    /// A broker connection of its own, opened on first use and again after a failure.
    final class BrokerReader: @unchecked Sendable {
        private let brokers: [BrokerEndpoint]
        private let topology: Topology
        private var connection: Connection?
        private let lock = NSLock()

        init(brokers: [BrokerEndpoint], topology: Topology) {
            self.brokers = brokers
            self.topology = topology
        }

        deinit { connection?.close() }

        func families() throws -> [MetricFamily] {
            try lock.withLock {
                do {
                    let c = try connection ?? Connection.first(of: brokers, name: "metrics")
                    connection = c
                    return Self.families(try QueueDepths.read(topology, on: c))
                } catch {
                    connection?.close()
                    connection = nil
                    throw error
                }
            }
        }

        static func families(_ depths: [QueueDepths]) -> [MetricFamily] {
            func gauge(_ name: String, _ help: String, _ value: (QueueDepths) -> Int) -> MetricFamily {
                MetricFamily(name, .gauge, help: help, depths.map { ([("queue", $0.queue)], Double(value($0))) })
            }
            return [
                gauge("trust_queue_messages", "Messages ready in the work queue.", \.ready),
                gauge("trust_queue_consumers", "Consumers attached to the work queue.", \.consumers),
                gauge("trust_queue_retrying_messages", "Messages waiting in the queue's retry queues.", \.retrying),
                gauge("trust_queue_dead_letters", "Messages in the queue's dead-letter queue.", \.deadLetters),
            ]
        }
    }
}

/// One work queue's depths from passive declares, which any connection may make.
struct QueueDepths: Equatable {
    let queue: String
    let ready: Int
    let consumers: Int
    let retrying: Int
    let deadLetters: Int

    /// Every work queue of `topology`; a queue the broker does not have counts as empty.
    static func read(_ topology: Topology, on c: Connection) throws(BrokerError) -> [QueueDepths] {
        func counts(_ name: String) throws(BrokerError) -> (messages: Int, consumers: Int) {
            do {
                let counts = try c.declareQueue(name, passive: true)
                return (counts.messages, counts.consumers)
            } catch .server(_, _, _, connectionClosed: false) {
                return (0, 0)  // not declared yet; the channel is reopened on next use
            }
        }
        return try topology.queues.map { q throws(BrokerError) in
            let work = try counts(q.name)
            var retrying = 0
            for i in topology.retryDelays.indices { retrying += try counts(Topology.retryQueue(q.name, attempt: i + 1)).messages }
            return QueueDepths(queue: q.name, ready: work.messages, consumers: work.consumers, retrying: retrying,
                               deadLetters: try counts(Topology.deadQueue(q.name)).messages)
        }
    }
}
