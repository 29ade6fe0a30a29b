import Foundation
import Store
import TrustDomain
import WorkerKit

/// Handles `newsletter.item` (store a checked item) and `newsletter.assemble` (build the
/// issue, archive it and write a pending delivery row per recipient). Sending is not done
/// here: e-mail cannot take part in the message's database transaction, so the
/// ``DeliveryEngine`` sends the pending rows after this transaction has committed.
public final class NewsletterHandler: MessageHandler {
    private let setup: NewsletterSetup
    /// The last `context.now` and its text: every message of a batch shares one clock
    /// reading, so it is formatted once per batch rather than once per item.
    private var receivedAt: (now: Date, text: String)?
    /// Prepared once per consumer: an item insert runs per message.
    private var insert: Statement?

    public init(setup: NewsletterSetup) { self.setup = setup }

    public var migrations: [Migration] { TrustSchema.all }

    public func handle(_ message: InboundMessage, context: HandlerContext) throws {
        switch message.routingKey {
        case "newsletter.item": try storeItem(message, context)
        case "newsletter.assemble": try assemble(message, context)
        case "newsletter.preview": try preview(message, context)
        default:
            throw HandlerError.permanent("routing key \"\(message.routingKey)\" is not a newsletter message "
                + "(expected newsletter.item, newsletter.assemble or newsletter.preview)")
        }
    }

    private func storeItem(_ message: InboundMessage, _ context: HandlerContext) throws {
        let item: NewsletterItem
        do {
            item = try NewsletterItem(json: message.body, rules: setup.itemRules)
        } catch {
            throw HandlerError.permanent(error.description)
        }
        // No log line per item: items come in bursts of thousands (a term's archive, a replay),
        // and the worker's counters and the ledger already say what was stored.
        let insert = try self.insert ?? NewsletterStore.prepareInsertItem(in: context.db)
        self.insert = insert
        try NewsletterStore.insertItem(item, messageID: message.messageID, receivedAt: stamp(context.now), with: insert)
        try NewsletterStore.queueNotice(for: item, messageID: message.messageID, now: context.now, setup: setup, in: context.db)
    }

    private func stamp(_ now: Date) -> String {
        if let receivedAt, receivedAt.now == now { return receivedAt.text }
        let text = Timestamp.string(now)
        receivedAt = (now, text)
        return text
    }

    private func assemble(_ message: InboundMessage, _ context: HandlerContext) throws {
        let date = try Self.issueDate(message.body)
        let db = context.db
        if let number = try NewsletterStore.issueNumber(on: date, in: db) {
            context.log.info("newsletter issue already assembled", ["issue": number, "date": date])
            return
        }
        // An issue dated far ahead would go to everyone and then hold back every real issue
        // (they would be "before the latest"), so an issue may be at most one period ahead.
        let schedule = setup.schedule
        let today = CalendarDate(context.now, in: schedule.timeZone)
        let horizon = schedule.nextIssueDate(after: today)
        if date > horizon {
            throw HandlerError.permanent("issue_date \(date) is too far ahead: the next issue is due on \(horizon)")
        }
        let latest = try NewsletterStore.latestIssue(in: db)
        if let latest, latest.date > date {
            throw HandlerError.permanent("issue_date \(date) is before the latest issue, \(setup.newsletter.title) "
                + "\(latest.number) of \(latest.date); issues are assembled in date order")
        }
        let directory: Directory
        do {
            directory = try setup.trust.loadDirectory()
        } catch {
            throw HandlerError.permanent("cannot read the recipients: \(error)")
        }
        let cutoff = Timestamp.string(schedule.cutoffInstant(of: date))
        let items = try NewsletterStore.unissuedItems(in: db, receivedBy: cutoff)
        let issue = try draft(date: date, latest: latest, items: items.map(\.item), context)
        let archive = NewsletterRenderer(issue: issue).archive()
        let path = try writeArchive(archive.html, name: issue.archiveFileName)
        let recipients = directory.active
        try db.execute("""
            INSERT INTO newsletter_issues (number, issue_date, assembled_at, content, html, text, archive_path, recipients, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.int(issue.number), .text(date.description), .text(Timestamp.string(context.now)),
                  .blob(issue.encoded()), .text(archive.html), .text(archive.text), .text(path), .int(recipients.count),
                  .text(setup.editor.approvalRequired ? "awaiting_approval" : "sending")])
        if let lastItem = items.last {
            try db.execute("""
                UPDATE newsletter_items SET issue_number = ? WHERE issue_number IS NULL AND id <= ? AND received_at <= ?
                """, [.int(issue.number), .integer(lastItem.id), .text(cutoff)])
        }
        for person in recipients {
            try db.execute("""
                INSERT INTO newsletter_deliveries (issue_number, email, name, affiliation, roles)
                VALUES (?, ?, ?, ?, ?)
                """, [.int(issue.number), .text(person.email), .text(person.name), .text(person.affiliation.description),
                      .text(person.roles.map(\.rawValue).sorted().joined(separator: ";"))])
        }
        context.log.info("newsletter issue assembled", ["issue": issue.number, "date": date, "items": items.count,
                                                        "recipients": recipients.count, "archive": path])
    }

    /// The issue for `date` after `latest`, from `items` and the sources since the last issue.
    private func draft(date: CalendarDate, latest: (number: Int, date: CalendarDate)?, items: [NewsletterItem],
                       _ context: HandlerContext) throws -> NewsletterIssue {
        // News is what happened after the previous issue was assembled (not on its day, which
        // that issue already reported); the first issue looks back one period.
        let since = try latest.flatMap { try NewsletterStore.assembledAt(issue: $0.number, in: context.db) }
            ?? date.adding(days: -setup.newsletter.periodDays).description
        let enrolments: Enrolments
        do { enrolments = try setup.trust.loadEnrolments() } catch {
            throw HandlerError.permanent("cannot read \(Enrolments.fileName): \(error)")
        }
        return setup.assembler.assemble(
            number: (latest?.number ?? 0) + 1, date: date, items: items,
            dataDrop: try NewsletterSources.dataDrop(in: context.db, since: since, catalog: setup.trust.academies),
            youSaid: try NewsletterSources.youSaid(in: context.db, since: since, log: context.log), enrolments: enrolments)
    }

    /// `newsletter.preview` (`{"to": [addresses]}`): the next issue as it would be assembled
    /// now, stored as a preview (not an issue: nothing is numbered, archived or taken from the
    /// items) with one pending delivery per address, for the preview's delivery engine.
    private func preview(_ message: InboundMessage, _ context: HandlerContext) throws {
        let object = (try? JSONSerialization.jsonObject(with: Data(message.body))) as? [String: Any]
        guard let to = object?["to"] as? [String], !to.isEmpty else {
            throw HandlerError.permanent("newsletter.preview: the body is not {\"to\": [\"address\", …]}")
        }
        if let bad = to.first(where: { !MailAddress.isValid($0) }) {
            throw HandlerError.permanent("newsletter.preview: to \(NewsletterItemError.quoted(bad)) is not a plain e-mail address")
        }
        let db = context.db
        let latest = try NewsletterStore.latestIssue(in: db)
        let schedule = setup.schedule
        let today = CalendarDate(context.now, in: schedule.timeZone)
        let date = schedule.nextIssueDate(after: max(today, latest?.date ?? today))
        let items = try NewsletterStore.unissuedItems(in: db, receivedBy: Timestamp.string(schedule.cutoffInstant(of: date)))
        let issue = try draft(date: date, latest: latest, items: items.map(\.item), context)
        guard try db.execute("""
            INSERT INTO newsletter_previews (message_id, issue_number, issue_date, content, requested_at)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING
            """, [.text(message.messageID), .int(issue.number), .text(date.description), .blob(issue.encoded()),
                  .text(Timestamp.string(context.now))]) == 1 else { return }
        let id = db.lastInsertRowID
        for address in Set(to.map { $0.lowercased() }).sorted() {
            try db.execute("INSERT INTO newsletter_preview_deliveries (preview_id, email) VALUES (?, ?)",
                           [.integer(id), .text(address)])
        }
        context.log.info("newsletter preview stored", ["issue": issue.number, "date": date, "to": to.count])
    }

    static func issueDate(_ body: [UInt8]) throws -> CalendarDate {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw HandlerError.permanent("newsletter.assemble: the body is not a JSON object {\"issue_date\": \"YYYY-MM-DD\"}")
        }
        guard let text = object["issue_date"] as? String else {
            throw HandlerError.permanent("newsletter.assemble: issue_date is missing (expected \"YYYY-MM-DD\")")
        }
        guard let date = CalendarDate(text) else {
            throw HandlerError.permanent("newsletter.assemble: issue_date \(NewsletterItemError.quoted(text)) "
                + "is not a real calendar date (expected YYYY-MM-DD)")
        }
        return date
    }

    /// Written before the transaction commits: if it then rolls back, the retry rewrites the
    /// same file for the same issue, so the archive never disagrees with the database for long.
    private func writeArchive(_ html: String, name: String) throws -> String {
        let url = setup.archiveDirectory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: setup.archiveDirectory, withIntermediateDirectories: true)
            try Data(html.utf8).write(to: url, options: .atomic)
        } catch {
            throw HandlerError.transient("cannot write the archive copy \(url.path): \(error.localizedDescription)")
        }
        return url.path
    }
}
