import Broker
import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// The reminder worker process: the `reminder.notify` consumer and the delivery engine, sharing
/// one shutdown signal and one database file. Built here rather than in `main.swift` so tests
/// run exactly what the executable runs, on an isolated topology.
public struct ReminderService: Sendable {
    public var config: TrustConfig
    public var worker: WorkerOptions
    public var brokers: [BrokerEndpoint]
    public var databasePath: String
    public var makeTransport: @Sendable () throws -> any MailTransport
    public var delivery: DeliveryOptions
    public var now: @Sendable () -> Date
    public var log: Log

    public init(config: TrustConfig, worker: WorkerOptions, brokers: [BrokerEndpoint], databasePath: String,
                makeTransport: @escaping @Sendable () throws -> any MailTransport,
                delivery: DeliveryOptions = DeliveryOptions(), now: @escaping @Sendable () -> Date,
                log: Log) {
        self.config = config
        self.worker = worker
        self.brokers = brokers
        self.databasePath = databasePath
        self.makeTransport = makeTransport
        self.delivery = delivery
        self.now = now
        self.log = log
    }

    /// The service as the environment configures it: `TRUST_SMTP_URL` or else `.eml` files in
    /// `$TRUST_VAR/outbox`, and the TRUST_NOW clock.
    public init(settings: Settings, config: TrustConfig, worker: WorkerOptions, log: Log) throws {
        let relay = try RelaySetup(settings: settings,
                                   outboxDirectory: URL(fileURLWithPath: settings.varDirectory).appendingPathComponent("outbox"))
        self.init(config: config, worker: worker, brokers: settings.brokers, databasePath: settings.databasePath,
                  makeTransport: { try relay.makeTransport() },
                  delivery: DeliveryOptions(chunkSize: settings.deliveryChunk ?? 1, pacing: relay.limits),
                  now: settings.clock, log: log)
    }

    /// The worker process's services as `settings` configure them. Throws for a bad config or
    /// `TRUST_SMTP_URL`, so the process stops at start rather than at every send.
    public static func services(settings: Settings, shutdown: ShutdownSignal, log: Log) throws -> [any Service] {
        let service = try ReminderService(
            settings: settings, config: try TrustConfig(directory: settings.configDirectory),
            worker: settings.workerOptions(name: "reminder-worker", queue: queue, topology: settings.topology, prefetch: 50),
            log: log)
        _ = try service.makeTransport()
        return try service.services(shutdown: shutdown)
    }

    public static let queue = "reminder.notify"

    /// The consumer's options: the `reminder.notify` queue of the trust's topology, or of its
    /// private copy under `topologyPrefix` (`Topology.trust(prefix:)`).
    public static func workerOptions(topologyPrefix: String? = nil, consumers: Int = 1, prefetch: Int = 50)
        -> WorkerOptions
    {
        let topology = Topology.trust(prefix: topologyPrefix)
        return WorkerOptions(name: "reminder-worker", queue: topology.queue(named: queue), topology: topology,
                             consumers: consumers, prefetch: prefetch)
    }

    /// The process's services: the delivery engine and the consumer, sharing `shutdown` and
    /// one database file. Throws when the forum calendar cannot drive reminders.
    public func services(shutdown: ShutdownSignal) throws -> [any Service] {
        try config.forums.checkForReminders()
        let config = self.config
        return [
            DeliveryEngine(
                kind: ReminderDeliveries(calendar: config.forums), databasePath: databasePath, options: delivery,
                makeTransport: makeTransport,
                announcer: DeliveryAnnouncer(brokers: brokers, exchange: worker.topology.eventsExchange, log: log.child("pump")),
                now: now, log: log.child("pump"), shutdown: shutdown),
            Worker(options: worker, brokers: brokers, databasePath: databasePath, now: now, log: log,
                   shutdown: shutdown) { ReminderHandler(config: config) },
        ]
    }

    /// Runs the services until `shutdown` is requested (or one fails, which stops the other):
    /// the consumer commits its batch; the engine records the e-mails it sent.
    public func run(shutdown: ShutdownSignal) throws {
        try ServiceGroup.run(services(shutdown: shutdown), shutdown: shutdown, log: log)
    }
}
