import Broker
import Foundation
import Store
import TrustDomain

/// The Scheduler's memory of which reminders it has published, in the shared database, so a
/// restart neither loses a reminder nor publishes one twice.
///
/// The cycle is: `pendingDue(now:)`, publish with confirms, then `markPublished`
/// (`publishPending` does all three). A crash after the broker confirmed but before the mark
/// republishes the same `reminder.due:<occurrence>:<lead>` id, which the worker's ledger drops.
/// Calendar changes recorded by the worker from `calendar.update` are applied on every call, so
/// a moved session is reminded at its new date and a cancelled one not at all.
///
/// Needs the `TrustSchema.all` migrations applied (the Scheduler applies them at start).
public struct ReminderSchedulerState {
    let store: ReminderStore
    public let calendar: ForumCalendar
    public let schoolDays: SchoolDays?

    public init(database: Database, calendar: ForumCalendar, schoolDays: SchoolDays?) {
        store = ReminderStore(db: database)
        self.calendar = calendar
        self.schoolDays = schoolDays
    }

    /// The calendar with every recorded move and cancellation applied.
    public func schedule() throws -> ReminderSchedule {
        try store.schedule(calendar, schoolDays: schoolDays)
    }

    /// Reminders due at `now` (late ones included, see `ReminderPlan`) that are neither
    /// published nor already acted on by the worker.
    public func pendingDue(now: Date) throws -> [ReminderDue] {
        let handled = try store.handledReminderIDs()
        return ReminderPlan.due(schedule: try schedule(), now: now).filter { !handled.contains($0.messageID) }
    }

    /// Call only after the broker confirmed these messages.
    public func markPublished(_ due: [ReminderDue], at now: Date) throws {
        try store.markPublished(due, now: now)
    }

    /// When the Scheduler next has something to do, for sleeping until then. A
    /// `calendar.update` may bring it forward, so sleep at most a few minutes at a time.
    public func nextDueInstant(after now: Date) throws -> Date? {
        ReminderPlan.nextDueInstant(schedule: try schedule(), after: now)
    }

    /// The whole cycle: publishes what is pending to `exchange` with confirms, marks it, and
    /// returns it.
    @discardableResult
    public func publishPending(now: Date, on connection: Connection, exchange: String) throws -> [ReminderDue] {
        let due = try pendingDue(now: now)
        guard !due.isEmpty else { return [] }
        try connection.publishConfirmed(due.map { $0.message(exchange: exchange, now: now) })
        try markPublished(due, at: now)
        return due
    }
}

extension ReminderDue {
    /// The `reminder.due` message for `trust.intake`, with its deterministic id.
    public func message(exchange: String, now: Date) -> OutgoingMessage {
        OutgoingMessage(exchange: exchange, routingKey: ReminderRequest.routingKey,
                        properties: MessageProperties(messageID: messageID, type: ReminderRequest.type,
                                                      contentType: "application/json",
                                                      timestamp: UInt64(max(0, now.timeIntervalSince1970))),
                        body: request.body)
    }
}
