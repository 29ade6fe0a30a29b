import Broker
import Foundation
import Store
import TrustDomain
import WorkerKit

/// The Scheduler's work at one instant: publish whatever has fallen due (forum reminders, the
/// next FAcT issue) with confirms, then record it. Everything it knows lives in SQLite, so a
/// restart neither loses nor repeats anything, and after downtime each due item is published
/// once, not once per missed tick.
public final class SchedulerService {
    let db: Database
    let config: TrustConfig
    let topology: Topology
    let log: Log
    let reminders: ReminderSchedulerState
    let alerts: AlertMonitor
    /// Where each job's last success is recorded for the metrics file.
    let metrics: MetricsRegistry
    /// Extra producers (the newsletter's issue schedule) registered by their areas.
    var producers: [(Date, Connection) throws -> [String]] = []

    public init(settings: Settings, topology: Topology = .trust, log: Log, metrics: MetricsRegistry = .process) throws {
        db = try Database(path: settings.databasePath)
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        config = try TrustConfig(directory: settings.configDirectory)
        self.topology = topology
        self.log = log
        reminders = ReminderSchedulerState(database: db, calendar: config.forums, schoolDays: config.schoolDays)
        alerts = try AlertMonitor(settings: settings, db: db, trust: config, topology: topology, log: log.child("alerts"))
        self.metrics = metrics
        try registerNewsletter()
        registerDropCalendar()
    }

    /// One pass; returns the message ids published.
    @discardableResult
    public func tick(now: Date, connection: Connection) throws -> [String] {
        var published = try reminders.publishPending(now: now, on: connection, exchange: topology.intakeExchange)
            .map(\.messageID)
        metrics.jobSucceeded("reminders")
        for produce in producers { published += try produce(now, connection) }
        for id in published { log.info("published", ["message_id": id]) }
        try checkAlerts(now: now, connection: connection)
        return published
    }

    /// The alert pass, after the publishing. Only broker trouble ends the tick (the loop
    /// reconnects); anything else is logged, so alerting never stops the reminders.
    private func checkAlerts(now: Date, connection: Connection) throws {
        do {
            try alerts.evaluate(now: now, connection: connection)
            metrics.jobSucceeded("alerts")
        } catch let error as BrokerError {
            throw error
        } catch {
            log.error("alert pass failed", ["error": error])
        }
    }

    /// Publishes `message` once per (`kind`, `key`): the row is written only after the
    /// broker's confirm, and a crash in between republishes the same deterministic id, which
    /// the consuming worker's ledger ignores.
    func publishOnce(kind: String, key: String, _ message: OutgoingMessage, on connection: Connection,
                     now: Date) throws -> Bool {
        let done = try db.scalar("SELECT count(*) FROM scheduler_published WHERE kind = ? AND key = ?",
                                 [.text(kind), .text(key)])?.int64Value ?? 0
        guard done == 0 else { return false }
        try connection.publishConfirmed([message])
        try db.execute("INSERT INTO scheduler_published (kind, key, message_id, published_at) VALUES (?, ?, ?, ?)",
                       [.text(kind), .text(key), .text(message.properties.messageID ?? key), .text(Timestamp.string(now))])
        return true
    }

    /// The latest key published for `kind` (e.g. the last newsletter issue date).
    func lastPublished(kind: String) throws -> String? {
        try db.scalar("SELECT max(key) FROM scheduler_published WHERE kind = ?", [.text(kind)])?.stringValue
    }

    /// Every 21 days from the anchor in `Config/newsletter.json`, on the term calendar (see
    /// ``NewsletterSchedule``), at its send time: the latest issue date not yet published. After
    /// downtime that is one message for the most recent date, not one per missed date.
    func registerNewsletter() throws {
        let schedule = try NewsletterConfig.load(contentsOf: config.file(NewsletterConfig.fileName))
            .schedule(schoolDays: config.schoolDays)
        producers.append { [unowned self] now, connection in
            let last = try lastPublished(kind: "newsletter").flatMap(CalendarDate.init)
            guard let date = schedule.dueIssue(now: now, lastPublished: last) else {
                metrics.jobSucceeded("newsletter")
                return []
            }
            let message = NewsletterIntake.assemble(date, topology: topology)
            let sent = try publishOnce(kind: "newsletter", key: date.description, message, on: connection, now: now)
            metrics.jobSucceeded("newsletter")
            return sent ? [message.properties.messageID ?? date.description] : []
        }
    }

    /// The drop calendar's reminder and deadline days (`Config/drops.json`), each published
    /// once; the data-drop worker turns them into reminders, chasers and the Board report.
    func registerDropCalendar() {
        let calendar = config.drops
        producers.append { [unowned self] now, connection in
            try DropCalendarIntake.dueEvents(at: now, in: calendar).compactMap { drop, event in
                let message = DropCalendarIntake.message(drop.id, event, topology: topology)
                let sent = try publishOnce(kind: "datadrop-calendar", key: "\(drop.id) \(event.rawValue)", message,
                                           on: connection, now: now)
                return sent ? message.properties.messageID : nil
            }
        }
    }
}
