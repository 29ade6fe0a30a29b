import Broker
import Foundation
import Mail
import Store
import TrustDomain
import WorkerKit

/// How the delivery pump paces itself; the defaults suit one relay and a thousand recipients.
public struct DeliveryPumpOptions: Sendable {
    /// Recipients marked sent per transaction. A crash (kill -9, power cut) can re-send at most
    /// this many: the ones the server accepted since the last commit. The default is one: a
    /// WAL commit costs about 0.05 ms against 2–4 ms for an SMTP exchange, so recording each
    /// message as soon as it is accepted is nearly free and bounds a crash to one repeat.
    public var chunkSize: Int
    /// Pause when nothing is pending: also how long a new issue may wait before sending starts.
    public var idleWait: Double
    /// Backoff while the relay is unreachable: every recipient would fail alike, so the pump
    /// waits as a whole and nobody's row changes.
    public var outage: Backoff
    /// Backoff for one recipient whose mailbox the server defers (4xx), while others go on.
    public var deferral: Backoff
    /// Deferrals after which a recipient is marked failed, with the server's last reply.
    public var maxDeferrals: Int

    public init(chunkSize: Int = 1, idleWait: Double = 0.25, outage: Backoff = Backoff(base: 0.5, cap: 30),
                deferral: Backoff = Backoff(base: 60, cap: 3_600), maxDeferrals: Int = 8) {
        self.chunkSize = max(1, chunkSize)
        self.idleWait = idleWait
        self.outage = outage
        self.deferral = deferral
        self.maxDeferrals = maxDeferrals
    }
}

/// Sends pending newsletter deliveries and records each outcome in the ledger.
///
/// Runs on its own thread with its own database connection and mail transport, beside the
/// worker that writes the pending rows. A row moves from `pending` to `sent` (the server
/// accepted it; its reply is kept) or `failed` (a 5xx reply, a bad address, or too many
/// deferrals), and a row that is `sent` is never picked again, so re-running an issue never
/// re-sends to anyone already served. Outcomes are committed every `chunkSize` messages.
public final class DeliveryPump {
    private let setup: NewsletterSetup
    private let db: Database
    private let options: DeliveryPumpOptions
    private let transport: any MailTransport
    private let announcer: NewsletterAnnouncer?
    private let log: Log
    private let stop: ShutdownSignal
    private var renderers: [Int: (renderer: NewsletterRenderer, date: Date)] = [:]
    private var announceRetryAt = Date.distantPast
    private var announceFailures = 0
    /// Rows read per query: reading is cheap, committing is what bounds a crash's repeats.
    private static let page = 100

    /// Opens the pump's own connection and applies the schema, so the pump may start before
    /// the worker has migrated a fresh database.
    public init(setup: NewsletterSetup, databasePath: String, options: DeliveryPumpOptions = DeliveryPumpOptions(),
                transport: any MailTransport, announcer: NewsletterAnnouncer?, log: Log, stop: ShutdownSignal) throws {
        self.setup = setup
        db = try Database(path: databasePath)
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        self.options = options
        self.transport = transport
        self.announcer = announcer
        self.log = log
        self.stop = stop
    }

    deinit { db.close() }

    /// Sends and settles until `stop` is requested; the message in hand is finished and its
    /// outcome committed before returning.
    public func run() {
        var outages = 0
        while !stop.isRequested {
            do {
                let attempted = try sendDue()
                outages = 0
                try settle()
                if attempted == 0 { pause(options.idleWait) }
            } catch {
                let delay = options.outage.delay(attempt: outages)
                outages += 1
                let what = error is DeliveryOutage ? "mail relay unavailable; deliveries stay pending" : "delivery pump error"
                log.warn(what, ["error": error, "retry_in_s": String(format: "%.1f", delay), "attempt": outages])
                pause(delay)
            }
        }
    }

    /// Sends a page of due deliveries, committing outcomes every `chunkSize` messages; returns
    /// how many it picked. Throws ``DeliveryOutage`` (after committing what was done) when the
    /// relay cannot be reached, leaving the rest pending untouched.
    @discardableResult
    public func sendDue() throws -> Int {
        let rows = try db.query("""
            SELECT issue_number, email, name, affiliation, roles, attempts FROM newsletter_deliveries
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
            ORDER BY issue_number, email LIMIT ?
            """, [.text(Timestamp.string(Date())), .int(max(options.chunkSize, Self.page))])
        guard !rows.isEmpty else { return 0 }
        var outcomes: [Outcome] = []
        var outage: MailError?
        for row in rows where !stop.isRequested {
            let issue = row.int("issue_number") ?? 0
            let email = row.string("email") ?? ""
            let attempts = row.int("attempts") ?? 0
            let recipient = setup.recipient(name: row.string("name") ?? "", email: email,
                                            affiliation: row.string("affiliation") ?? "", roles: row.string("roles") ?? "")
            let mail: OutgoingMail
            do {
                let (renderer, date) = try issueRenderer(issue)
                mail = OutgoingMail(try renderer.message(for: recipient, from: setup.newsletter.senderAddress, date: date))
            } catch let error as MIMEError {
                outcomes.append(Outcome(issue: issue, email: email, status: "failed", attempts: attempts + 1,
                                        reply: "not sent: \(error)"))
                continue
            }
            do {
                let receipt = try transport.send(mail)
                outcomes.append(Outcome(issue: issue, email: email, status: "sent", attempts: attempts + 1,
                                        reply: receipt.reply ?? receipt.destination))
            } catch {
                guard let outcome = settleFailure(error, issue: issue, email: email, attempts: attempts) else {
                    outage = error
                    break
                }
                outcomes.append(outcome)
            }
            if outcomes.count >= options.chunkSize {
                try commit(outcomes)
                outcomes.removeAll(keepingCapacity: true)
            }
        }
        try commit(outcomes)
        if let outage { throw DeliveryOutage(error: outage) }
        return rows.count
    }

    /// What a failed send means for its row, or nil when the relay itself is the problem.
    private func settleFailure(_ error: MailError, issue: Int, email: String, attempts: Int) -> Outcome? {
        switch error.replyCode {
        case .some(500...599):
            return Outcome(issue: issue, email: email, status: "failed", attempts: attempts + 1, reply: error.message)
        case .some(400...499):
            if attempts + 1 >= options.maxDeferrals {
                return Outcome(issue: issue, email: email, status: "failed", attempts: attempts + 1,
                               reply: "gave up after \(attempts + 1) deferrals: \(error.message)")
            }
            let retryAt = Date().addingTimeInterval(options.deferral.delay(attempt: attempts))
            log.info("delivery deferred", ["issue": issue, "attempt": attempts + 1, "reply": error.message])
            return Outcome(issue: issue, email: email, status: "pending", attempts: attempts + 1, reply: error.message,
                           nextAttemptAt: retryAt)
        default:
            return nil
        }
    }

    /// Marks issues with nothing pending as settled and announces each once on trust.events.
    public func settle() throws {
        // Looked for first, so the common case (nothing settled) takes no write lock.
        let settled = try db.query("""
            SELECT number FROM newsletter_issues i WHERE settled_at IS NULL AND NOT EXISTS (
                SELECT 1 FROM newsletter_deliveries d WHERE d.issue_number = i.number AND d.status = 'pending')
            """).compactMap { $0.int("number") }
        for number in settled {
            try db.execute("UPDATE newsletter_issues SET settled_at = ? WHERE number = ?",
                           [.text(Timestamp.string(Date())), .int(number)])
        }
        guard let announcer, Date() >= announceRetryAt else { return }
        let due = Set(try db.query("""
            SELECT number FROM newsletter_issues WHERE settled_at IS NOT NULL AND announced_at IS NULL
            """).compactMap { $0.int("number") })
        guard !due.isEmpty else { return }
        for summary in try NewsletterStore.issueSummaries(in: db) where due.contains(summary.number) {
            do {
                try announcer.announce(summary)
                announceFailures = 0
            } catch {
                announceFailures += 1
                announceRetryAt = Date().addingTimeInterval(min(60, Double(1 << min(announceFailures, 6))))
                log.warn("newsletter.sent not announced yet; will retry", ["issue": summary.number, "error": error])
                return
            }
            try db.execute("UPDATE newsletter_issues SET announced_at = ? WHERE number = ?",
                           [.text(Timestamp.string(Date())), .int(summary.number)])
            log.info("newsletter issue settled", ["issue": summary.number, "sent": summary.sent, "failed": summary.failed])
        }
    }

    private func issueRenderer(_ number: Int) throws -> (renderer: NewsletterRenderer, date: Date) {
        if let cached = renderers[number] { return cached }
        guard let row = try db.query("SELECT content, assembled_at FROM newsletter_issues WHERE number = ?", [.int(number)]).first,
              let content = row.blob("content")
        else { throw NewsletterDataError(description: "newsletter issue \(number) has deliveries but no stored issue") }
        let entry = (NewsletterRenderer(issue: try NewsletterIssue.decode(content)),
                     row.string("assembled_at").flatMap(Settings.parseInstant) ?? Date())
        renderers = [number: entry]
        return entry
    }

    /// Outcomes must reach the ledger: each stands for an e-mail already handed over, and
    /// losing it would send that e-mail again. A locked database is waited out, not skipped.
    private func commit(_ outcomes: [Outcome]) throws {
        guard !outcomes.isEmpty else { return }
        var attempt = 0
        while true {
            do {
                try db.transaction {
                    let now = Timestamp.string(Date())
                    for o in outcomes {
                        try db.execute("""
                            UPDATE newsletter_deliveries SET status = ?, attempts = ?, reply = ?, next_attempt_at = ?, updated_at = ?
                            WHERE issue_number = ? AND email = ? AND status = 'pending'
                            """, [.text(o.status), .int(o.attempts), .optional(o.reply),
                                  .optional(o.nextAttemptAt.map(Timestamp.string)), .text(now), .int(o.issue), .text(o.email)])
                    }
                }
                return
            } catch let error as StoreError where error.isTransient && attempt < 20 {
                attempt += 1
                log.warn("delivery ledger busy; retrying the commit", ["error": error, "attempt": attempt])
                Thread.sleep(forTimeInterval: 0.25 * Double(attempt))
            }
        }
    }

    private func pause(_ seconds: Double) {
        let until = Date().addingTimeInterval(seconds)
        while !stop.isRequested, until.timeIntervalSinceNow > 0 {
            Thread.sleep(forTimeInterval: min(0.1, max(0, until.timeIntervalSinceNow)))
        }
    }

    private struct Outcome {
        let issue: Int
        let email: String
        let status: String
        let attempts: Int
        let reply: String?
        var nextAttemptAt: Date? = nil
    }
}

/// The relay could not be reached (refused, timed out, connection lost): nobody's row was
/// changed and the pump backs off as a whole.
public struct DeliveryOutage: Error, CustomStringConvertible {
    public let error: MailError
    public var description: String { error.message }
}

/// The ledger refers to an issue that is not stored: a damaged database, not a relay problem.
struct NewsletterDataError: Error, CustomStringConvertible {
    let description: String
}

/// Tells the world an issue has gone out: `newsletter.sent` on the events exchange.
public protocol NewsletterAnnouncer: AnyObject {
    func announce(_ summary: NewsletterIssueSummary) throws
}

/// Publishes `newsletter.sent` with confirms on its own connection (the worker's connections
/// belong to its consumer thread). The message id is `newsletter.sent:<number>`: a crash between
/// the broker's confirm and the ledger's update publishes it again, with the same id.
public final class BrokerAnnouncer: NewsletterAnnouncer {
    private let brokers: [BrokerEndpoint]
    private let exchange: String
    private var connection: Connection?
    private var endpointIndex = 0

    public init(brokers: [BrokerEndpoint], exchange: String) {
        self.brokers = brokers
        self.exchange = exchange
    }

    deinit { connection?.close() }

    public func announce(_ summary: NewsletterIssueSummary) throws {
        let body: [String: Any] = [
            "issue": summary.number, "issue_date": summary.issueDate, "recipients": summary.recipients,
            "sent": summary.sent, "failed": summary.failed, "items": summary.items,
        ]
        let message = OutgoingMessage(
            exchange: exchange, routingKey: "newsletter.sent",
            properties: MessageProperties(messageID: "newsletter.sent:\(summary.number)", type: "newsletter.sent",
                                          contentType: "application/json", timestamp: UInt64(Date().timeIntervalSince1970)),
            body: Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
        do {
            if connection == nil {
                connection = try Connection(endpoint: brokers[endpointIndex % brokers.count], name: "newsletter announcer")
            }
            try connection!.publishConfirmed([message], mandatory: false)
        } catch {
            connection?.close()
            connection = nil
            endpointIndex += 1
            throw error
        }
    }
}
