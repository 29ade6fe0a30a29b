import Foundation

/// An occurrence's state after `calendar.update` messages: where it now stands and how many
/// times it changed. Stored by the reminder worker, read by everything that plans or mails, so
/// that `forums.json` stays the published calendar and changes are data with a history.
public struct OccurrenceChange: Sendable, Equatable {
    public enum Status: String, Sendable {
        case moved, cancelled
    }

    public let occurrenceID: String
    public let status: Status
    /// Where the occurrence now stands; for a cancellation, where it stood when cancelled.
    public let slot: Slot
    /// Where it stood before this change, so a notice can say "was Thursday 16 September".
    public let previous: Slot
    /// The iCalendar SEQUENCE: 0 as published, one more per change, so calendar clients replace
    /// the event they hold instead of adding a second one.
    public let sequence: Int
    public let reason: String?

    public init(occurrenceID: String, status: Status, slot: Slot, previous: Slot, sequence: Int,
                reason: String?) {
        self.occurrenceID = occurrenceID
        self.status = status
        self.slot = slot
        self.previous = previous
        self.sequence = sequence
        self.reason = reason
    }

    /// A date with a start and end on the wall clock.
    public struct Slot: Sendable, Equatable {
        public let date: CalendarDate
        public let start: ClockTime
        public let end: ClockTime

        public init(date: CalendarDate, start: ClockTime, end: ClockTime) {
            self.date = date
            self.start = start
            self.end = end
        }
    }
}

/// An occurrence as it now stands: the published one with any change applied.
public struct PlannedOccurrence: Sendable, Equatable {
    /// Date, times and instants are the current ones; everything else is as published.
    public let scheduled: ScheduledOccurrence
    public let change: OccurrenceChange?

    public var id: String { scheduled.occurrence.id }
    public var forum: Forum { scheduled.forum }
    public var sequence: Int { change?.sequence ?? 0 }
    public var isCancelled: Bool { change?.status == .cancelled }
    public var slot: OccurrenceChange.Slot {
        OccurrenceChange.Slot(date: scheduled.occurrence.date, start: scheduled.occurrence.start,
                              end: scheduled.occurrence.end)
    }
}

/// The forum calendar with its changes applied: what the planner, the mailer and `trustctl`
/// all read, so a moved session is reminded, mailed and listed at its new time everywhere.
public struct ReminderSchedule: Sendable {
    public let calendar: ForumCalendar
    /// The working days reminders are moved onto; nil treats every day as one (unit tests of
    /// the other rules).
    public let schoolDays: SchoolDays?
    public let changes: [String: OccurrenceChange]

    public init(calendar: ForumCalendar, schoolDays: SchoolDays? = nil, changes: [OccurrenceChange] = []) {
        self.calendar = calendar
        self.schoolDays = schoolDays
        self.changes = Dictionary(changes.map { ($0.occurrenceID, $0) }, uniquingKeysWith: { $1 })
    }

    public func occurrence(id: String) -> PlannedOccurrence? {
        calendar.occurrence(id: id).map(planned)
    }

    /// The occurrence a `reminder.due` names, checked against the forum it claims.
    public func occurrence(for request: ReminderRequest) throws(ReminderMessageError) -> PlannedOccurrence {
        let type = ReminderRequest.type
        guard let found = occurrence(id: request.occurrenceID) else {
            throw ReminderMessageError(type, "\"occurrence\" \"\(request.occurrenceID)\" is not an occurrence id in forums.json")
        }
        guard found.forum.id == request.forumID else {
            throw ReminderMessageError(type, "\"forum_id\" \"\(request.forumID)\" is not the forum of occurrence \"\(found.id)\" (\"\(found.forum.id)\")")
        }
        return found
    }

    /// Every occurrence, cancelled ones included, in order of their current start.
    public var occurrences: [PlannedOccurrence] {
        calendar.schedule.map(planned).sorted {
            ($0.scheduled.interval.start, $0.id) < ($1.scheduled.interval.start, $1.id)
        }
    }

    private func planned(_ published: ScheduledOccurrence) -> PlannedOccurrence {
        guard let change = changes[published.occurrence.id] else {
            return PlannedOccurrence(scheduled: published, change: nil)
        }
        let o = published.occurrence
        let moved = ForumOccurrence(
            id: o.id, date: change.slot.date, start: change.slot.start, end: change.slot.end, mode: o.mode,
            session: o.session, topic: o.topic, audience: o.audience, regions: o.regions, note: o.note,
            location: o.location, onlineURL: o.onlineURL)
        return PlannedOccurrence(
            scheduled: ScheduledOccurrence(forum: published.forum, occurrence: moved,
                                           interval: moved.interval(in: calendar.timeZone),
                                           audience: published.audience, leadDays: published.leadDays),
            change: change)
    }

    /// The change `update` makes to the occurrence as it stands at `now`, or nil when it
    /// changes nothing (the same move twice, a second cancel), so a repeated request sends no
    /// second notice. Refuses what cannot be honoured, in words for whoever sent it.
    public func change(for update: CalendarUpdate, now: Date) throws(ReminderMessageError)
        -> OccurrenceChange?
    {
        let type = CalendarUpdate.type
        guard let current = occurrence(id: update.occurrenceID) else {
            throw ReminderMessageError(type, "\"occurrence\" \"\(update.occurrenceID)\" is not an occurrence id in forums.json")
        }
        let slot = current.slot
        func changed(_ status: OccurrenceChange.Status, _ to: OccurrenceChange.Slot) -> OccurrenceChange {
            OccurrenceChange(occurrenceID: current.id, status: status, slot: to, previous: slot,
                             sequence: current.sequence + 1, reason: update.reason)
        }
        if update.action == .cancel && current.isCancelled { return nil }
        guard !current.isCancelled else {
            throw ReminderMessageError(type, "occurrence \"\(current.id)\" is cancelled; add a new occurrence to forums.json instead of moving it")
        }
        guard current.scheduled.interval.start > now else {
            throw ReminderMessageError(type, "occurrence \"\(current.id)\" has already started (\(slot.date) \(slot.start)), so it can no longer be changed")
        }
        switch update.action {
        case .cancel:
            return changed(.cancelled, slot)
        case .move(let date, let start, let end):
            let target = OccurrenceChange.Slot(date: date, start: start ?? slot.start, end: end ?? slot.end)
            guard target.start < target.end else {
                throw ReminderMessageError(type, "\"end\" \"\(target.end)\" is not after start \"\(target.start)\"")
            }
            guard date.instant(at: target.start, in: calendar.timeZone) > now else {
                throw ReminderMessageError(type, "\"date\" \"\(date)\" at \(target.start) is in the past")
            }
            return target == slot ? nil : changed(.moved, target)
        }
    }
}
