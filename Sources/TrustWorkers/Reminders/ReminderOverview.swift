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

/// A problem `trustctl reminders plan` shows the organiser ahead of a session.
public struct PlanWarning: Codable, Sendable, Equatable {
    public let occurrence: String
    public let date: String
    /// `empty-audience`, `no-venue` or `no-link`.
    public let problem: String
    public let detail: String
}

/// One enrolment in `trustctl forums enrolled`; only `active` people are invited.
public struct EnrolledPerson: Codable, Sendable, Equatable {
    public let forumID: String
    public let email: String
    public let name: String
    /// `active`, `inactive` or `not in directory`.
    public let status: String
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

    public var schedule: ReminderSchedule { ReminderSchedule(calendar: config.forums, schoolDays: config.schoolDays, changes: changes) }

    /// Reminders due and not yet published, then those falling due within `days` of `now`,
    /// each with the number of people it would reach today. Needs `directory.csv`.
    public func plan(now: Date, days: Int) throws -> [PlannedReminder] {
        let schedule = self.schedule
        let (directory, enrolments) = try people()
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
                                                    academies: config.academies, enrolments: enrolments).count)
        }
    }

    /// What the organiser must fix before the sessions of the next `days` days (default
    /// forums.json's `venue_warning_days`, else 14): a session nobody would be invited to (an
    /// enrolment forum with no one enrolled, a role no one holds), which is never mailed to a
    /// wider group instead, and an in-person session with no venue or a virtual one with no
    /// link.
    public func warnings(now: Date, days: Int? = nil) throws -> [PlanWarning] {
        let (directory, enrolments) = try people()
        let horizon = now.addingTimeInterval(Double(days ?? config.forums.venueWarningDays ?? 14) * 86_400)
        return schedule.occurrences.filter { !$0.isCancelled && $0.scheduled.interval.start > now
            && $0.scheduled.interval.start <= horizon }.flatMap { o -> [PlanWarning] in
            var found: [PlanWarning] = []
            let date = o.slot.date.description
            if ReminderAudience.people(for: o.scheduled, in: directory, academies: config.academies,
                                       enrolments: enrolments).isEmpty {
                found.append(PlanWarning(occurrence: o.id, date: date, problem: "empty-audience",
                                         detail: o.forum.isByEnrolment
                                            ? "nobody is enrolled in \(o.forum.id) (\(Enrolments.fileName)); nobody will be reminded"
                                            : "nobody active holds \(o.scheduled.audience.map(\.rawValue).joined(separator: ", ")); nobody will be reminded"))
            }
            let session = o.scheduled.occurrence
            if session.mode == .inPerson && (session.location ?? o.forum.location) == nil {
                found.append(PlanWarning(occurrence: o.id, date: date, problem: "no-venue",
                                         detail: "in person, but no location in forums.json"))
            }
            if session.mode == .virtual && (session.onlineURL ?? o.forum.onlineURL) == nil {
                found.append(PlanWarning(occurrence: o.id, date: date, problem: "no-link",
                                         detail: "virtual, but no online_url in forums.json"))
            }
            return found
        }
    }

    /// Who enrolled people are and who the directory holds, as input errors for the commands.
    private func people() throws -> (Directory, Enrolments) {
        do { return (try config.reminderDirectory(), try config.reminderEnrolments()) } catch {
            throw InputError(error.description)
        }
    }

    /// `forums enrolled`: each enrolment forum's people, with whether the directory knows them.
    public func enrolled(forum: String?) throws -> [EnrolledPerson] {
        let (directory, enrolments) = try people()
        let byEmail = Dictionary(directory.people.map { ($0.email.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        return config.forums.forums.filter { $0.isByEnrolment && (forum == nil || $0.id == forum) }.flatMap { f in
            enrolments.enrolled(in: f.id).sorted().map { email in
                let person = byEmail[email]
                return EnrolledPerson(forumID: f.id, email: email, name: person?.name ?? "",
                                      status: person == nil ? "not in directory" : (person!.active ? "active" : "inactive"))
            }
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
