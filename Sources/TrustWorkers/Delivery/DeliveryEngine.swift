import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// How a delivery engine paces itself, for every kind of mail; the defaults suit one relay and
/// a thousand recipients.
public struct DeliveryOptions: Sendable {
    /// E-mails sent between two commits of their outcomes: the most a crash (kill -9, power
    /// cut) can send twice, those the server accepted since the last commit. One by default:
    /// a WAL commit costs about 0.05 ms against 2–4 ms for an SMTP exchange.
    public var chunkSize: Int
    /// Pause when nothing is due, and between a standby's tries of the sender lock: how long
    /// new mail, or a stopped sender's successor, may wait.
    public var idleWait: Double
    /// Backoff while the relay is unreachable: every recipient would fail alike, so the engine
    /// waits as a whole and no row changes.
    public var outage: Backoff
    /// Backoff for one recipient the server defers (4xx), while the others go on.
    public var deferral: Backoff
    /// Deferrals after which a recipient is failed, with the server's last reply.
    public var maxDeferrals: Int
    /// The relay's limits per sending mailbox (`mail.json`); unlimited by default.
    public var pacing: RelayLimits
    /// Backoff while the relay refuses the sender (authentication, throttling): the whole
    /// engine pauses, nobody's row changes. A spent daily quota waits for the next day instead.
    public var senderRefusal: Backoff

    public init(chunkSize: Int = 1, idleWait: Double = 0.25, outage: Backoff = Backoff(base: 0.5, cap: 30),
                deferral: Backoff = Backoff(base: 60, cap: 3_600), maxDeferrals: Int = 8,
                pacing: RelayLimits = .unlimited, senderRefusal: Backoff = Backoff(base: 60, cap: 1_800)) {
        self.chunkSize = max(1, chunkSize)
        self.idleWait = idleWait
        self.outage = outage
        self.deferral = deferral
        self.maxDeferrals = max(1, maxDeferrals)
        self.pacing = pacing
        self.senderRefusal = senderRefusal
    }
}

/// A pending row as the engine sees it.
protocol DeliveryRow {
    /// Sends tried so far, which sets the next deferral's backoff.
    var attempts: Int { get }
}

/// What a kind makes of a due row.
enum Composition {
    case send(OutgoingMail)
    /// Deliberately not sent (cancelled, superseded): not a failure.
    case skip(String)
    /// Cannot be sent (the e-mail cannot be built, or it is too late): failed without trying.
    case fail(String)
}

/// How one row ended this round, written by its kind in the chunk's transaction.
enum DeliveryOutcome: Equatable {
    /// Accepted, with the server's reply (or the outbox file).
    case sent(reply: String)
    case failed(String)
    case skipped(String)
    /// Deferred by the server (4xx): tried again from `until`.
    case deferred(String, until: Date)

    /// The one reading of a failed send. Unless the failure is about this recipient (its
    /// scope), every recipient would fail alike: without a reply code (refused, timed out,
    /// connection lost, the transport's own set-up) or with a reply about the sender
    /// (authentication, throttling, quota). Then nil: the engine pauses and the row stays as
    /// it is. A 5xx reply about the recipient fails it; a 4xx defers it with backoff, and
    /// fails it after `maxDeferrals`.
    init?(failure error: MailError, attempts: Int, at now: Date, options: DeliveryOptions) {
        guard error.scope == .recipient else { return nil }
        switch error.replyCode {
        case .some(500...599):
            self = .failed(error.message)
        case .some(400...499) where attempts + 1 >= options.maxDeferrals:
            self = .failed("gave up after \(attempts + 1) deferrals: \(error.message)")
        case .some(400...499):
            self = .deferred(error.message, until: now.addingTimeInterval(options.deferral.delay(attempt: attempts)))
        default:
            return nil
        }
    }
}

extension DeliveryOutcome {
    /// `SET` clause shared by the `pending | sent | failed` ledgers; bind ``ledgerValues``.
    static let ledgerUpdate = "status = ?, attempts = ?, reply = ?, next_attempt_at = ?, updated_at = ?"

    /// The values for ``ledgerUpdate``: the row's new status, attempts, the reply or reason,
    /// when a deferred row may be tried again, and `now`.
    func ledgerValues(attempts: Int, at now: Date) -> [SQLValue] {
        let (status, reply, retryAt): (String, String, Date?) =
            switch self {
            case .sent(let reply): ("sent", reply, nil)
            case .failed(let reason), .skipped(let reason): ("failed", reason, nil)
            case .deferred(let reason, let until): ("pending", reason, until)
            }
        return [.text(status), .int(attempts + 1), .text(reply), .optional(retryAt.map(Timestamp.string)),
                .text(Timestamp.string(now))]
    }
}

/// One kind of pending e-mail (the newsletter, reminders): its SQL and its e-mail. The engine
/// calls it on its own thread and connection, with `now` from its injected clock.
protocol DeliveryKind: SendableMetatype {
    associatedtype Row: DeliveryRow
    associatedtype Settled
    /// Names the sender lock, `<database>.<name>-sender.lock`.
    var name: String { get }
    /// Up to `limit` pending rows that may be tried at `now`, in sending order.
    func due(at now: Date, limit: Int, in db: Database) throws -> [Row]
    /// The e-mail for `row`, or why it is not sent. A throw means the store itself is damaged.
    mutating func compose(_ row: Row, at now: Date, in db: Database) throws -> Composition
    /// Writes a chunk's outcomes; the engine commits them with `settle` in one transaction.
    func record(_ outcomes: [(Row, DeliveryOutcome)], at now: Date, in db: Database) throws
    /// Marks mailings with nothing left pending as settled; cheap, and no write, when none is.
    func settle(at now: Date, in db: Database) throws
    /// Settled mailings whose event the broker has not yet confirmed.
    func unannounced(in db: Database) throws -> [Settled]
    func event(for settled: Settled) -> DeliveryEvent
    func markAnnounced(_ settled: [Settled], at now: Date, in db: Database) throws
}

/// Sends one kind's pending e-mails and records each outcome: the only delivery pump.
///
/// Runs on a thread of its own, with its own connection and mail transport, beside the
/// consumer that commits the pending rows. Send, then record: a chunk's e-mails go one by one
/// and their outcomes commit in one transaction, so a crash repeats at most one chunk (with
/// the same Message-ID) and loses nothing, because a row stays pending until its outcome
/// commits; a graceful stop finishes the e-mail in hand and commits it.
///
/// Only the holder of the store's sender lock sends, so however many worker processes share a
/// store, each recipient gets one message. The others stand by, trying the lock every
/// `idleWait`, and one takes over when the holder stops or dies (the kernel drops its lock).
///
/// `@unchecked Sendable` only to be handed to its thread, which is then its sole user.
final class DeliveryEngine<Kind: DeliveryKind>: Service, @unchecked Sendable {
    let name: String
    private let shutdown: ShutdownSignal
    private var kind: Kind
    private let databasePath: String
    private let options: DeliveryOptions
    private let makeTransport: @Sendable () throws -> any MailTransport
    private let announcer: DeliveryAnnouncer?
    private let now: @Sendable () -> Date
    private let log: Log
    /// When old `relay_sends` rows are next deleted (hourly, with a commit).
    private var nextPrune = ContinuousClock.now

    /// Runs (on its own thread, as a ``Service``) until `shutdown` is requested.
    init(kind: Kind, databasePath: String, options: DeliveryOptions,
         makeTransport: @escaping @Sendable () throws -> any MailTransport, announcer: DeliveryAnnouncer?,
         now: @escaping @Sendable () -> Date, log: Log, shutdown: ShutdownSignal) {
        name = "\(kind.name)-delivery"
        self.shutdown = shutdown
        self.kind = kind
        self.databasePath = databasePath
        self.options = options
        self.makeTransport = makeTransport
        self.announcer = announcer
        self.now = now
        self.log = log
    }

    /// Sends until shutdown is requested. Trouble with the lock file, the database, the relay
    /// or the broker is logged and waited out; none of it ends the run.
    func run() {
        let stop = shutdown
        guard let db = retrying("cannot open the database", stop, openDatabase) else { return }
        defer { db.close() }
        let lockPath = "\(databasePath).\(kind.name)-sender.lock"
        guard let lock = retrying("cannot open the sender lock", stop, { try SenderLock(path: lockPath) }) else { return }
        defer { lock.release() }
        if !lock.acquire() {
            log.info("another process is sending; standing by", ["lock": lockPath])
            while !lock.acquire() {
                if pause(options.idleWait, stop) { return }
            }
        }
        log.info("sending", ["lock": lockPath, "chunk": options.chunkSize])
        var transport: (any MailTransport)?
        var failures = 0
        while !stop.isRequested {
            var wait = 0.0
            do {
                if let paused = try DeliveryPause.current(kind: kind.name, in: db), now() < paused.resumeAt {
                    // Waits on the engine's clock in short slices: a resumed sender or an
                    // operator's change of clock (tests, demos) is seen within idleWait.
                    announce(db)
                    if pause(options.idleWait, stop) { break }
                    continue
                }
                let current = try transport ?? makeTransport()
                transport = current
                switch try round(db, transport: current, stop: stop) {
                case .idle: wait = options.idleWait
                case .worked: break
                case .paced(let until): wait = min(max(0.001, until.timeIntervalSince(now())), options.idleWait)
                }
                failures = 0
            } catch let refusal as SenderRefusal {
                transport = nil  // new credentials or tokens on the next connection
                do { try recordPause(refusal, db) } catch { log.warn("cannot record the sender's pause", ["error": error]) }
            } catch {
                if error is DeliveryOutage { transport = nil }  // a fresh connection next time
                wait = options.outage.delay(attempt: failures)
                failures += 1
                log.warn(error is DeliveryOutage ? "mail relay unavailable; deliveries stay pending" : "delivery error",
                         ["error": error, "retry_in_s": String(format: "%.1f", wait), "attempt": failures])
            }
            announce(db)
            if wait > 0, pause(wait, stop) { break }
        }
        log.info("delivery stopped")
    }

    private enum RoundResult {
        /// Nothing was due.
        case idle
        case worked
        /// The relay's limits allow the next message at this instant, and nothing was sent.
        case paced(Date)
    }

    /// Pauses the whole engine for a sender-level refusal: a spent quota until the next day
    /// (UTC midnight, or an hour when that is sooner than an hour away), anything else with
    /// the sender backoff. The first refusal of an episode inserts the row, whose
    /// `delivery.paused` event is then announced once; later ones only move `resume_at`.
    private func recordPause(_ refusal: SenderRefusal, _ db: Database) throws {
        let at = now()
        let previous = try DeliveryPause.current(kind: kind.name, in: db)
        let attempts = (previous?.attempts ?? 0) + 1
        let resumeAt: Date
        if refusal.error.scope == .quota {
            resumeAt = max(DeliveryPause.nextUTCMidnight(after: at), at.addingTimeInterval(3_600))
        } else {
            resumeAt = at.addingTimeInterval(options.senderRefusal.delay(attempt: attempts - 1))
        }
        let pause = DeliveryPause(kind: kind.name, sender: refusal.sender, reason: refusal.error.scope == .quota ? "quota" : "sender",
                                  reply: refusal.error.message, pausedAt: previous?.pausedAt ?? at, resumeAt: resumeAt,
                                  attempts: attempts)
        try db.transaction { try pause.save(in: db) }
        log.warn(previous == nil ? "the relay refuses the sender; every delivery paused, none failed"
                    : "the relay still refuses the sender; deliveries stay paused",
                 ["sender": refusal.sender, "reason": pause.reason, "reply": refusal.error.message,
                  "resume_at": Timestamp.string(resumeAt), "attempt": attempts])
    }

    /// Sends up to one chunk and commits its outcomes: the unit a crash can repeat. Stops early
    /// on `stop`, when the relay's limits say wait, or on an outage or a refused sender, which
    /// it throws after committing what was tried.
    private func round(_ db: Database, transport: any MailTransport, stop: ShutdownSignal) throws -> RoundResult {
        let rows = try kind.due(at: now(), limit: options.chunkSize, in: db)
        guard !rows.isEmpty else {
            try kind.settle(at: now(), in: db)
            return .idle
        }
        var outcomes: [(Kind.Row, DeliveryOutcome)] = []
        var sends: [(sender: String, send: RelaySend)] = []
        var failure: (any Error)?
        var pacedUntil: Date?
        do {
            rows: for row in rows {
                if stop.isRequested { break }
                switch try kind.compose(row, at: now(), in: db) {
                case .skip(let reason): outcomes.append((row, .skipped(reason)))
                case .fail(let reason): outcomes.append((row, .failed(reason)))
                case .send(let mail):
                    let sender = mail.sender.address.lowercased()
                    if let until = try nextSend(sender, recipients: mail.recipients.count, db), until > now() {
                        pacedUntil = until
                        break rows
                    }
                    do {
                        let receipt = try transport.send(mail)
                        outcomes.append((row, .sent(reply: receipt.reply ?? receipt.destination)))
                        sends.append((sender, RelaySend(at: now(), recipients: mail.recipients.count)))
                    } catch {
                        guard let outcome = DeliveryOutcome(failure: error, attempts: row.attempts, at: now(),
                                                            options: options)
                        else {
                            failure = error.scope == .relay ? DeliveryOutage(error: error) as any Error
                                : SenderRefusal(error: error, sender: sender)
                            break rows
                        }
                        if case .deferred = outcome { log.info("delivery deferred", ["reply": error.message]) }
                        outcomes.append((row, outcome))
                    }
                }
            }
        } catch {
            try commit(outcomes, sends, db, stop)  // the e-mails already handed over must not go again
            throw error
        }
        try commit(outcomes, sends, db, stop)
        if let failure { throw failure }
        if let pacedUntil, outcomes.isEmpty { return .paced(pacedUntil) }
        return .worked
    }

    /// When the relay's limits let `sender` send next, from the history every engine on this
    /// database shares; nil without limits. The day's rows are read only when the day's sum
    /// says they matter.
    private func nextSend(_ sender: String, recipients: Int, _ db: Database) throws -> Date? {
        guard options.pacing != .unlimited else { return nil }
        let at = now()
        func history(since: Date) throws -> [RelaySend] {
            try db.query("SELECT sent_at_ms, recipients FROM relay_sends WHERE sender = ? AND sent_at_ms > ?",
                         [.text(sender), .integer(RelaySendLog.milliseconds(since))]).map {
                RelaySend(at: RelaySendLog.date($0.int64("sent_at_ms") ?? 0), recipients: $0.int("recipients") ?? 1)
            }
        }
        var recent = try history(since: at.addingTimeInterval(-RelayPacer.minute))
        if let perDay = options.pacing.recipientsPerDay,
           try RelaySendLog.recipients(sender, since: at.addingTimeInterval(-RelayPacer.day), in: db) + recipients > perDay {
            recent = try history(since: at.addingTimeInterval(-RelayPacer.day))
        }
        return RelayPacer(limits: options.pacing).nextSend(recipients: recipients, history: recent, now: at)
    }

    /// Outcomes must reach the store: each sent one stands for an e-mail handed over, and
    /// losing it would send that e-mail again. A busy store is waited out, not skipped. The
    /// relay's history is written with them, and a message accepted ends a sender's pause.
    private func commit(_ outcomes: [(Kind.Row, DeliveryOutcome)], _ sends: [(sender: String, send: RelaySend)],
                        _ db: Database, _ stop: ShutdownSignal) throws {
        guard !outcomes.isEmpty else { return }
        var attempt = 0
        while true {
            do {
                let resumed = try db.transaction {
                    let at = now()
                    try kind.record(outcomes, at: at, in: db)
                    try kind.settle(at: at, in: db)
                    for (sender, send) in sends { try RelaySendLog.append(sender: sender, kind: kind.name, send, in: db) }
                    if sends.isEmpty { return false }
                    if ContinuousClock.now >= nextPrune {
                        try RelaySendLog.prune(before: at.addingTimeInterval(-2 * RelayPacer.day), in: db)
                        nextPrune = .now + .seconds(3_600)
                    }
                    return try DeliveryPause.clear(kind: kind.name, in: db)
                }
                if resumed { log.info("the relay accepts the sender again; deliveries resumed") }
                return
            } catch let error as StoreError where error.isTransient && !stop.isRequested {
                let delay = options.outage.delay(attempt: attempt)
                attempt += 1
                log.warn("store busy; retrying the commit of outcomes", ["error": error, "attempt": attempt])
                _ = pause(delay, stop)
            }
        }
    }

    /// Publishes the events of settled mailings, then marks them announced: a crash in between
    /// republishes them under the same message ids.
    private func announce(_ db: Database) {
        guard let announcer, announcer.isReady else { return }
        do {
            if let paused = try DeliveryPause.current(kind: kind.name, in: db), paused.announcedAt == nil {
                let event = paused.event
                guard announcer.publish([event], at: now()) else { return }
                try db.transaction { try DeliveryPause.markAnnounced(kind: kind.name, at: now(), in: db) }
                log.info(event.routingKey, ["id": event.messageID, "summary": String(decoding: event.body, as: UTF8.self)])
            }
            let settled = try kind.unannounced(in: db)
            guard !settled.isEmpty else { return }
            let events = settled.map { kind.event(for: $0) }
            guard announcer.publish(events, at: now()) else { return }
            try db.transaction { try kind.markAnnounced(settled, at: now(), in: db) }
            for event in events {
                log.info(event.routingKey, ["id": event.messageID, "summary": String(decoding: event.body, as: UTF8.self)])
            }
        } catch {
            log.warn("cannot read or mark settled mailings; will retry", ["error": error])
        }
    }

    /// The engine's own connection, migrated, so it may start before the consumer has migrated
    /// a fresh database.
    private func openDatabase() throws -> Database {
        let db = try Database(path: databasePath)
        do {
            try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        } catch {
            db.close()
            throw error
        }
        return db
    }

    /// `body`'s result, retried with the outage backoff until it succeeds; nil on `stop`.
    private func retrying<T>(_ what: String, _ stop: ShutdownSignal, _ body: () throws -> T) -> T? {
        var attempt = 0
        while !stop.isRequested {
            do { return try body() } catch {
                let delay = options.outage.delay(attempt: attempt)
                attempt += 1
                log.error(what, ["error": error, "retry_in_s": String(format: "%.1f", delay)])
                if pause(delay, stop) { break }
            }
        }
        return nil
    }

    /// Sleeps in short slices on the monotonic clock (the injected one may stand still or
    /// jump); true when `stop` was requested meanwhile.
    private func pause(_ seconds: Double, _ stop: ShutdownSignal) -> Bool {
        let until = ContinuousClock.now + .seconds(seconds)
        while !stop.isRequested {
            let left = (until - .now) / .seconds(1)
            if left <= 0 { break }
            Thread.sleep(forTimeInterval: min(0.1, left))
        }
        return stop.isRequested
    }
}

/// The relay could not be reached: nobody's row was changed and the engine backs off whole.
struct DeliveryOutage: Error, CustomStringConvertible {
    let error: MailError
    var description: String { error.message }
}

/// The relay refused the sender (authentication, throttling, quota): nobody's row was changed
/// and the engine pauses whole.
struct SenderRefusal: Error, CustomStringConvertible {
    let error: MailError
    let sender: String
    var description: String { error.message }
}
