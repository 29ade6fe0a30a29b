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
    public init(settings: Settings, config: TrustConfig, worker: WorkerOptions, log: Log) {
        let outbox = URL(fileURLWithPath: settings.varDirectory).appendingPathComponent("outbox")
        let smtp = settings.smtpURL
        self.init(config: config, worker: worker, brokers: settings.brokers, databasePath: settings.databasePath,
                  makeTransport: { try makeMailTransport(smtpURL: smtp, outboxDirectory: outbox) },
                  now: settings.clock, log: log)
    }

    public static let queue = "reminder.notify"

    /// The consumer's options: the contract's `reminder.notify` queue, or with `topologyPrefix`
    /// a private copy of it (`<prefix>.reminder.notify`, bound to `reminder.*` and `calendar.*`
    /// on `<prefix>.intake`) so tests and demos can run beside a live system.
    public static func workerOptions(topologyPrefix: String? = nil, consumers: Int = 1, prefetch: Int = 50)
        -> WorkerOptions
    {
        guard let prefix = topologyPrefix else {
            return WorkerOptions(name: "reminder-worker", queue: queue, consumers: consumers, prefetch: prefetch)
        }
        var topology = Topology.isolated(prefix: prefix)
        let name = "\(prefix).\(queue)"
        topology.queues = [.init(name: name, bindings: ["reminder.*", "calendar.*"])]
        return WorkerOptions(name: "reminder-worker", queue: name, topology: topology, consumers: consumers,
                             prefetch: prefetch)
    }

    /// Blocks until `shutdown` is requested (or the consumer fails, which stops the engine).
    /// The consumer finishes and commits its batch; the engine records the e-mails it sent.
    public func run(shutdown: ShutdownSignal) throws {
        try config.forums.checkForReminders()
        let sent = DeliveryEngine(
            kind: ReminderDeliveries(calendar: config.forums), databasePath: databasePath, options: delivery,
            makeTransport: makeTransport,
            announcer: DeliveryAnnouncer(brokers: brokers, exchange: worker.topology.eventsExchange, log: log.child("pump")),
            now: now, log: log.child("pump")
        ).start(thread: "\(worker.name)-pump", until: shutdown)
        let config = self.config
        let consumer = Worker(options: worker, brokers: brokers, databasePath: databasePath, now: now, log: log,
                              shutdown: shutdown) { ReminderHandler(config: config) }
        let consumed = Result { try consumer.run() }
        shutdown.request()
        sent.wait()
        try consumed.get()
    }
}
