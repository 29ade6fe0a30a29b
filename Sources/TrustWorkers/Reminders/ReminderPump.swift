import Broker
import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// How the delivery pump paces itself.
public struct ReminderPumpOptions: Sendable {
    /// E-mails sent between two commits of their outcomes. A crash can resend at most this
    /// many (sent, not yet recorded); smaller costs one more SQLite commit per chunk.
    public var chunkSize: Int
    /// How often an idle pump looks for new pending deliveries, in seconds.
    public var idlePoll: Double
    /// Pause when the mail server cannot be reached at all: every e-mail would fail alike.
    public var serverBackoff: Backoff
    /// Wait before retrying one recipient the server deferred (a 4xx reply).
    public var recipientBackoff: Backoff

    public init(chunkSize: Int = 10, idlePoll: Double = 0.5, serverBackoff: Backoff = Backoff(base: 1, cap: 300),
                recipientBackoff: Backoff = Backoff(base: 60, cap: 3600)) {
        self.chunkSize = max(1, chunkSize)
        self.idlePoll = idlePoll
        self.serverBackoff = serverBackoff
        self.recipientBackoff = recipientBackoff
    }
}

/// Sends the pending deliveries the handler committed, on its own thread beside the consumer.
///
/// The order is send, then record: e-mails of a chunk are sent one by one and their outcomes
/// committed together. A crash in between resends at most one chunk (`chunkSize` e-mails) on
/// restart, with the same Message-ID; nothing is lost, because a delivery stays pending until
/// its outcome is committed. A graceful stop records what it sent before it exits, so it
/// repeats nothing. Only one pump per database sends at a time (an exclusive `flock` on a file
/// beside the database), so two worker processes never mail the same row.
///
/// `@unchecked Sendable` only to be handed to its thread, which is then its sole user.
final class ReminderPump: @unchecked Sendable {
    let config: TrustConfig
    let databasePath: String
    let makeTransport: @Sendable () throws -> any MailTransport
    let events: ReminderEventPublisher
    let options: ReminderPumpOptions
    let now: @Sendable () -> Date
    let log: Log
    let shutdown: ShutdownSignal

    init(config: TrustConfig, databasePath: String, makeTransport: @escaping @Sendable () throws -> any MailTransport,
         events: ReminderEventPublisher, options: ReminderPumpOptions, now: @escaping @Sendable () -> Date,
         log: Log, shutdown: ShutdownSignal) {
        self.config = config
        self.databasePath = databasePath
        self.makeTransport = makeTransport
        self.events = events
        self.options = options
        self.now = now
        self.log = log
        self.shutdown = shutdown
    }

    /// Runs until shutdown. Mail and broker trouble are waited out; only a database that
    /// cannot be opened ends it.
    func run() throws {
        let lock = try PumpLock(path: databasePath + ".reminder-pump.lock")
        defer { lock.release() }
        while !lock.acquire() {
            log.info("another process is sending reminders; waiting for it to stop")
            if pause(5) { return }
        }
        let store = ReminderStore(db: try Database(path: databasePath))
        defer { store.db.close(); events.close() }
        var transport: (any MailTransport)?
        var serverFailures = 0
        func backOff(_ event: String, _ error: Any) -> Double {
            let delay = options.serverBackoff.delay(attempt: serverFailures)
            serverFailures += 1
            log.warn(event, ["error": error, "in_s": String(format: "%.1f", delay)])
            return delay
        }
        while !shutdown.isRequested {
            var wait = options.idlePoll
            do {
                transport = try transport ?? makeTransport()
                switch try pumpChunk(store, transport: transport!) {
                case .idle: break
                case .worked: wait = 0; serverFailures = 0
                case .serverDown(let reason):
                    transport = nil  // a fresh connection next time
                    wait = backOff("mail server unavailable, pausing", reason)
                }
            } catch let error as MailError {
                wait = backOff("cannot open the mail transport", error)
            } catch let error as StoreError where error.isTransient {
                log.warn("database busy, retrying", ["error": error])
            }
            events.announce(store, now: now())
            if wait > 0, pause(wait) { break }
        }
        log.info("delivery pump stopped")
    }

    private enum ChunkResult {
        case idle, worked, serverDown(String)
    }

    /// Sends up to one chunk and records the outcomes: the unit a crash can repeat.
    private func pumpChunk(_ store: ReminderStore, transport: any MailTransport) throws -> ChunkResult {
        let outcomes = try sendChunk(store, transport: transport)
        guard !outcomes.isEmpty else {
            try store.settle(now: now())
            return .idle
        }
        try store.record(outcomes, now: now())
        if case .unreachable(let reason) = outcomes.last!.1 { return .serverDown(reason) }
        return .worked
    }

    /// Sends a chunk without recording it: the crash window. Stops early on shutdown or when the
    /// server is unreachable, returning what was tried.
    private func sendChunk(_ store: ReminderStore, transport: any MailTransport) throws -> [(PendingDelivery, DeliveryOutcome)] {
        let rows = try store.pending(limit: options.chunkSize, now: now())
        guard !rows.isEmpty else { return [] }
        let schedule = try store.schedule(config.forums)
        var outcomes: [(PendingDelivery, DeliveryOutcome)] = []
        for row in rows {
            if shutdown.isRequested { break }
            let outcome = deliver(row, schedule: schedule, transport: transport)
            outcomes.append((row, outcome))
            if case .unreachable = outcome { break }
        }
        return outcomes
    }

    private func deliver(_ row: PendingDelivery, schedule: ReminderSchedule, transport: any MailTransport)
        -> DeliveryOutcome
    {
        let at = now()
        let mailing = row.mailing
        guard let occurrence = schedule.occurrence(id: mailing.occurrenceID) else {
            return .skipped("occurrence is no longer in forums.json")
        }
        if mailing.kind == .reminder && occurrence.isCancelled { return .skipped("occurrence cancelled") }
        if mailing.kind != .reminder && mailing.step != occurrence.sequence {
            return .skipped("superseded by change \(occurrence.sequence)")
        }
        guard occurrence.scheduled.interval.start > at else {
            return .failed("not sent before the session started" + (row.attempts > 0 ? " (\(row.attempts) attempts)" : ""))
        }
        let mail: OutgoingMail
        do {
            let to = try MailAddress(row.recipient.email, displayName: row.recipient.name)
            mail = OutgoingMail(try ReminderMail.message(mailing.kind.mail(step: mailing.step), for: occurrence,
                                                         calendar: config.forums, to: to, now: at))
        } catch {
            return .failed("cannot build the e-mail: \(error)")
        }
        do {
            let receipt = try transport.send(mail)
            return .sent(reply: receipt.reply ?? receipt.destination, sequence: occurrence.sequence)
        } catch {
            if !error.isTransient { return .failed(error.message) }
            if error.replyCode == nil { return .unreachable(error.message) }
            let delay = options.recipientBackoff.delay(attempt: row.attempts)
            return .retry(error.message, notBefore: at.addingTimeInterval(delay))
        }
    }

    /// Sleeps in short slices; true when shutdown was requested meanwhile.
    private func pause(_ seconds: Double) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while !shutdown.isRequested, until.timeIntervalSinceNow > 0 {
            Thread.sleep(forTimeInterval: min(0.1, max(0, until.timeIntervalSinceNow)))
        }
        return shutdown.isRequested
    }
}

/// Publishes `reminder.sent` for settled mailings with confirms, then marks them announced: a
/// crash in between republishes with the same message id. Broker trouble only delays events;
/// it never holds up mail.
final class ReminderEventPublisher {
    let brokers: [BrokerEndpoint]
    let exchange: String
    let log: Log
    private var connection: Connection?
    private var failures = 0
    private var retryAt = Date.distantPast
    private var endpoint = 0

    init(brokers: [BrokerEndpoint], exchange: String, log: Log) {
        self.brokers = brokers
        self.exchange = exchange
        self.log = log
    }

    func announce(_ store: ReminderStore, now: Date) {
        guard Date() >= retryAt, !brokers.isEmpty else { return }
        do {
            let summaries = try store.unannounced()
            guard !summaries.isEmpty else { return }
            let c = try connection ?? Connection(endpoint: brokers[endpoint % brokers.count], name: "reminder pump events")
            connection = c
            try c.publishConfirmed(summaries.map { s in
                OutgoingMessage(exchange: exchange, routingKey: "reminder.sent",
                                properties: MessageProperties(messageID: s.messageID, type: "reminder.sent",
                                                              contentType: "application/json",
                                                              timestamp: UInt64(Date().timeIntervalSince1970)),
                                body: s.json)
            }, mandatory: false)
            try store.markAnnounced(summaries, now: now)
            failures = 0
            for s in summaries {
                log.info("reminder.sent", ["occurrence": s.mailing.occurrenceID, "kind": s.mailing.kind.rawValue,
                                           "step": s.mailing.step,
                                           "sent": s.sent, "failed": s.failed, "skipped": s.skipped])
            }
        } catch {
            close()
            endpoint += 1
            let delay = Backoff(base: 1, cap: 60).delay(attempt: failures)
            failures += 1
            retryAt = Date().addingTimeInterval(delay)
            log.warn("cannot announce settled mailings yet", ["error": error, "retry_in_s": String(format: "%.1f", delay)])
        }
    }

    func close() {
        connection?.close()
        connection = nil
    }
}

/// An exclusive advisory lock on a file, held for the life of the pump; the kernel drops it
/// when the process dies, so a crashed pump never blocks its successor.
final class PumpLock {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PumpLockError(path: path, reason: String(cString: strerror(errno))) }
    }

    func acquire() -> Bool { flock(fd, LOCK_EX | LOCK_NB) == 0 }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

struct PumpLockError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot open the delivery pump's lock file \(path): \(reason)" }
}
