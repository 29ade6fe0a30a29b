import Foundation
import Store
import TrustDomain
import WorkerKit

/// One reminder in `trustctl reminders plan`.
public struct PlannedReminder: Codable, Sendable, Equatable {
    /// `due` (due now, not yet published), `late` (due more than an hour ago, not yet published:
    /// the Scheduler is behind) or `scheduled` (falls due later in the window).
    public let status: String
    public let dueAt: String
    /// The due instant on London clocks, as people read it.
    public let dueLocal: String
    public let forumID: String
    public let occurrence: String
    public let occurrenceDate: String
    public let leadDays: Int
    public let recipients: Int
}

/// One occurrence in `trustctl forums list`.
public struct ListedOccurrence: Codable, Sendable, Equatable {
    public let occurrence: String
    public let forumID: String
    public let title: String
    public let date: String
    public let start: String
    public let end: String
    public let length: String
    public let mode: String
    public let audience: [String]
    public let regions: [String]?
    /// `scheduled`, `moved` or `cancelled`.
    public let status: String
    public let sequence: Int
    public let previousDate: String?
}

/// What the operator commands show, read from the config and (read-only) the shared database,
/// so they can be run beside live workers and before the database exists.
public struct ReminderOverview {
    public let config: TrustConfig
    let changes: [OccurrenceChange]
    let handled: Set<String>

    public init(config: TrustConfig, databasePath: String) throws {
        self.config = config
        guard FileManager.default.fileExists(atPath: databasePath) else {
            (changes, handled) = ([], [])
            return
        }
        let db = try Database(path: databasePath, readOnly: true)
        defer { db.close() }
        let store = ReminderStore(db: db)
        (changes, handled) = try db.tableExists("reminder_changes") ? (try store.changes(), try store.handledReminderIDs()) : ([], [])
    }

    public var schedule: ReminderSchedule { ReminderSchedule(calendar: config.forums, changes: changes) }

    /// Reminders due and not yet published, then those falling due within `days` of `now`,
    /// each with the number of people it would reach today. Needs `directory.csv`.
    public func plan(now: Date, days: Int) throws -> [PlannedReminder] {
        let schedule = self.schedule
        let directory: Directory
        do { directory = try config.reminderDirectory() } catch { throw InputError(error.description) }
        let due = ReminderPlan.due(schedule: schedule, now: now).filter { !handled.contains($0.messageID) }
        let later = ReminderPlan.upcoming(schedule: schedule, after: now, until: now.addingTimeInterval(Double(days) * 86_400))
        return (due + later).compactMap { item in
            guard let occurrence = schedule.occurrence(id: item.occurrenceID) else { return nil }
            let status = item.dueAt > now ? "scheduled" : (now.timeIntervalSince(item.dueAt) > 3600 ? "late" : "due")
            return PlannedReminder(
                status: status, dueAt: Stamp.text(item.dueAt), dueLocal: Self.london(item.dueAt, config.forums.timeZone),
                forumID: item.forumID, occurrence: item.occurrenceID,
                occurrenceDate: occurrence.slot.date.description, leadDays: item.leadDays,
                recipients: ReminderAudience.people(for: occurrence.scheduled, in: directory,
                                                    academies: config.academies).count)
        }
    }

    /// Occurrences (as they now stand) whose date falls in `from...to`, cancelled ones included.
    public func occurrences(from: CalendarDate?, to: CalendarDate?) -> [ListedOccurrence] {
        schedule.occurrences.filter { o in
            (from.map { o.slot.date >= $0 } ?? true) && (to.map { o.slot.date <= $0 } ?? true)
        }.map { o in
            ListedOccurrence(
                occurrence: o.id, forumID: o.forum.id, title: o.forum.title, date: o.slot.date.description,
                start: o.slot.start.description, end: o.slot.end.description,
                length: ReminderMail.length(of: o.slot, defaults: config.forums.defaultTimes),
                mode: o.scheduled.occurrence.mode.rawValue, audience: o.scheduled.audience.map(\.rawValue),
                regions: o.scheduled.occurrence.regions?.map(\.rawValue),
                status: o.change?.status.rawValue ?? "scheduled", sequence: o.sequence,
                previousDate: o.change?.status == .moved ? o.change?.previous.date.description : nil)
        }
    }

    /// "2021-09-09 07:00" on London clocks.
    static func london(_ instant: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        let time = ClockTime(hour: c.hour!, minute: c.minute!)!
        return "\(CalendarDate(instant, in: zone)) \(time)"
    }
}
