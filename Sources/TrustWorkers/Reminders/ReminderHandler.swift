import Foundation
import Store
import TrustDomain
import WorkerKit

/// The `reminder.notify` queue's handler: `reminder.due` queues e-mails to an occurrence's
/// audience, `calendar.update` moves or cancels an occurrence and queues notices to everyone
/// already mailed about it. Nothing is sent here: deliveries are committed as pending with the
/// message's ledger row, and the delivery pump sends them, so a redelivered message can never
/// mail anyone twice.
public final class ReminderHandler: MessageHandler {
    let config: TrustConfig

    public init(config: TrustConfig) {
        self.config = config
    }

    public var migrations: [Migration] { TrustSchema.all }

    public func handle(_ message: InboundMessage, context: HandlerContext) throws {
        let inbox = ReminderInbox(config: config, store: ReminderStore(db: context.db), now: context.now,
                                  log: context.log)
        // A retried message comes back from its retry queue under the queue's name, so the
        // routing key only tells on the first attempt; the type travels with every copy.
        let known = [ReminderRequest.type, CalendarUpdate.type]
        let kind = [message.routingKey, message.type ?? ""].first(where: known.contains) ?? message.routingKey
        do {
            switch kind {
            case ReminderRequest.type:
                try inbox.remind(ReminderRequest.parse(message.body), messageID: message.messageID)
            case CalendarUpdate.type:
                try inbox.apply(CalendarUpdate.parse(message.body), messageID: message.messageID)
            default:
                throw HandlerError.permanent(
                    "routing key \"\(message.routingKey)\" and type \"\(message.type ?? "")\" are neither reminder.due nor calendar.update")
            }
        } catch let error as ReminderMessageError {
            throw HandlerError.permanent(error.description)
        } catch let error as ReminderDirectoryError {
            // Someone can fix or restore the file; the retries give them a few minutes, and a
            // dead-lettered reminder can be replayed afterwards.
            throw HandlerError.transient(error.description)
        }
    }
}

/// What the handler does, on a database connection already inside the message's transaction;
/// separate from `HandlerContext` so tests can drive it directly.
struct ReminderInbox {
    let config: TrustConfig
    let store: ReminderStore
    let now: Date
    let log: Log

    func remind(_ request: ReminderRequest, messageID: String) throws {
        let schedule = try store.schedule(config.forums, schoolDays: config.schoolDays)
        let occurrence = try schedule.occurrence(for: request)
        if occurrence.isCancelled || occurrence.scheduled.interval.start <= now {
            log.info("reminder not needed", ["occurrence": occurrence.id, "lead_days": request.leadDays,
                                             "why": occurrence.isCancelled ? "cancelled" : "already started"])
            return
        }
        let people = ReminderAudience.people(for: occurrence.scheduled, in: try config.reminderDirectory(),
                                             academies: config.academies, enrolments: try config.reminderEnrolments())
        let mailing = Mailing(occurrenceID: occurrence.id, forumID: occurrence.forum.id, kind: .reminder,
                              step: request.leadDays)
        let added = try store.enqueue(mailing, people: people.map(Recipient.init), messageID: messageID, now: now)
        log.info("reminder queued", ["occurrence": occurrence.id, "lead_days": request.leadDays,
                                     "audience": people.count, "new": added])
    }

    func apply(_ update: CalendarUpdate, messageID: String) throws {
        let schedule = try store.schedule(config.forums, schoolDays: config.schoolDays)
        guard let change = try schedule.change(for: update, now: now) else {
            log.info("calendar update changes nothing", ["occurrence": update.occurrenceID])
            return
        }
        try store.save(change, messageID: messageID, now: now)
        try store.skipPending(change.occurrenceID, kinds: [.moved, .cancelled],
                             reason: "superseded by change \(change.sequence)", now: now)
        if change.status == .cancelled {
            try store.skipPending(change.occurrenceID, kinds: [.reminder], reason: "occurrence cancelled", now: now)
        }
        let invited = try store.invited(to: change.occurrenceID)
        let forum = schedule.occurrence(id: change.occurrenceID)!.forum.id
        try store.enqueue(Mailing(notice: change, forumID: forum), people: invited, messageID: messageID, now: now)
        log.info("occurrence \(change.status.rawValue)", ["occurrence": change.occurrenceID,
                                                          "sequence": change.sequence, "notices": invited.count])
    }
}

extension Recipient {
    init(_ person: Person) { self.init(email: person.email, name: person.name) }
}

/// `directory.csv` is missing or wrong; the message names the file and what to do.
struct ReminderDirectoryError: Error, CustomStringConvertible {
    let description: String
}

extension TrustConfig {
    /// `enrolments.csv`, with a problem reported like the directory's, so it can be fixed and
    /// the reminder replayed.
    func reminderEnrolments() throws(ReminderDirectoryError) -> Enrolments {
        do { return try loadEnrolments() } catch {
            throw ReminderDirectoryError(description: "\(file(Enrolments.fileName).path): \(error)")
        }
    }

    /// The directory, with a missing file reported by its path rather than as Foundation's
    /// generic "file not found", since it is the one config file that may not exist yet.
    func reminderDirectory() throws(ReminderDirectoryError) -> Directory {
        let url = file(Directory.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReminderDirectoryError(description: "\(url.path) is missing: reminders need it to know who to remind (columns \(Directory.columns.joined(separator: ",")))")
        }
        do {
            return try loadDirectory()
        } catch {
            throw ReminderDirectoryError(description: "\(url.path): \(error)")
        }
    }
}
