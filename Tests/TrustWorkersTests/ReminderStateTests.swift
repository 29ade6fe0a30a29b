import Foundation
import Store
import Testing
import TrustDomain
import WorkerKit

@testable import TrustWorkers

/// The database side without a broker: the Scheduler's memory, calendar changes, the race
/// between a change and an e-mail in flight, and what trustctl shows.
@Suite("Reminder state")
struct ReminderStateTests {
    let world: ReminderWorld
    let db: Database
    let config: TrustConfig
    let now = try! Date("2021-09-09T06:30:00Z", strategy: .iso8601)

    init() throws {
        world = try ReminderWorld()
        db = try Database(path: world.databasePath)
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        config = try world.config()
    }

    private func finish() {
        db.close()
        world.cleanUp()
    }

    private var state: ReminderSchedulerState { ReminderSchedulerState(database: db, calendar: config.forums, schoolDays: config.schoolDays) }
    private var store: ReminderStore { ReminderStore(db: db) }
    private func inbox(at time: Date? = nil) -> ReminderInbox {
        ReminderInbox(config: config, store: store, now: time ?? now, log: Log(component: "test", minimum: .warn))
    }

    private func apply(_ update: CalendarUpdate, id: String) throws {
        try db.transaction { try inbox().apply(update, messageID: id) }
    }

    @Test func aRestartedSchedulerNeitherRepeatsNorForgets() throws {
        defer { finish() }
        let due = try state.pendingDue(now: now)
        #expect(due.map(\.messageID) == ["reminder.due:induction-2021-09-14:7",
                                         "reminder.due:curriculum-pedagogy-leads-2021-09-15:7",
                                         "reminder.due:english-leaders-2021-09-16:7"])
        try state.markPublished(Array(due.prefix(2)), at: now)
        // A new process, a new connection: only the unpublished one is still pending.
        let reopened = try Database(path: world.databasePath)
        defer { reopened.close() }
        let restarted = ReminderSchedulerState(database: reopened, calendar: config.forums, schoolDays: config.schoolDays)
        #expect(try restarted.pendingDue(now: now).map(\.messageID) == ["reminder.due:english-leaders-2021-09-16:7"])
        try restarted.markPublished(try restarted.pendingDue(now: now), at: now)
        #expect(try restarted.pendingDue(now: now).isEmpty)
        #expect(try restarted.nextDueInstant(after: now) == (try Date("2021-09-10T06:00:00Z", strategy: .iso8601)))
        let row = try #require(try reopened.query("SELECT * FROM reminder_published WHERE occurrence_id = 'induction-2021-09-14'").first)
        #expect(row.string("due_at") == "2021-09-07T06:00:00.000Z" && row.int("lead_days") == 7)
    }

    @Test func aReminderTheWorkerAlreadyActedOnIsNotPublishedAgain() throws {
        defer { finish() }
        try db.transaction {
            try inbox().remind(ReminderRequest(forumID: "english-leaders", occurrenceID: "english-leaders-2021-09-16",
                                               leadDays: 7), messageID: "by-hand")
        }
        #expect(try !state.pendingDue(now: now).contains { $0.occurrenceID == "english-leaders-2021-09-16" })
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries") == 15)
    }

    @Test func changesRecordedByTheWorkerReshapeThePlan() throws {
        defer { finish() }
        try apply(CalendarUpdate(occurrenceID: "induction-2021-09-14",
                                 action: .move(date: CalendarDate("2021-09-20")!, start: nil, end: nil)), id: "m1")
        try apply(CalendarUpdate(occurrenceID: "curriculum-pedagogy-leads-2021-09-15", action: .cancel), id: "c1")
        #expect(try state.pendingDue(now: now).map(\.messageID) == ["reminder.due:english-leaders-2021-09-16:7"])
        let induction = try #require(try state.schedule().occurrence(id: "induction-2021-09-14"))
        #expect(induction.slot.date == CalendarDate("2021-09-20") && induction.sequence == 1)
        #expect(try ReminderPlan.all(state.schedule()).first { $0.occurrenceID == "induction-2021-09-14" }?.dueAt
                == (try Date("2021-09-13T06:00:00Z", strategy: .iso8601)))
        // Nobody had been mailed, so nobody needs telling.
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries") == 0)
    }

    /// The pump composed an e-mail before a move committed and recorded it after: the handler
    /// could not see that person as reminded, so recording the send queues their notice.
    @Test func anEmailInFlightDuringAMoveIsFollowedByTheNotice() throws {
        defer { finish() }
        let occurrence = "english-leaders-2021-09-16"
        try db.transaction {
            try inbox().remind(ReminderRequest(forumID: "english-leaders", occurrenceID: occurrence, leadDays: 7),
                               messageID: "r7")
        }
        let inFlight = try store.pending(limit: 3, now: now, calendar: config.forums)
        try apply(CalendarUpdate(occurrenceID: occurrence, action: .move(date: CalendarDate("2021-09-17")!, start: nil,
                                                                         end: nil)), id: "m1")
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries d JOIN reminder_mailings m ON m.id = d.mailing_id WHERE m.kind = 'moved'") == 0)
        #expect(inFlight.allSatisfy { $0.occurrence?.sequence == 0 })
        try store.record(inFlight.map { ($0, .sent(reply: "250 ok")) }, now: now)
        let notified = try db.query("""
            SELECT d.email FROM reminder_deliveries d JOIN reminder_mailings m ON m.id = d.mailing_id
            WHERE m.kind = 'moved' AND m.step = 1 AND d.status = 'pending' ORDER BY d.email
            """).map { $0.string(0)! }
        #expect(notified == inFlight.map(\.recipient.email).sorted())
        // A second change supersedes the first notice; the cancellation also withdraws the
        // reminders not yet sent.
        try apply(CalendarUpdate(occurrenceID: occurrence, action: .cancel), id: "c1")
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries WHERE status = 'pending'") == 3)
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries WHERE reply = 'superseded by change 2'") == 3)
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries WHERE reply = 'occurrence cancelled'") == 12)
    }

    @Test func theOperatorsPlanShowsWhatGoesOutWhenAndToHowMany() throws {
        defer { finish() }
        let overview = try ReminderOverview(config: config, databasePath: world.databasePath)
        let plan = try overview.plan(now: now, days: 2)
        #expect(plan.map { "\($0.status) \($0.dueLocal) \($0.occurrence) \($0.leadDays) \($0.recipients)" } == [
            "late 2021-09-07 07:00 induction-2021-09-14 7 15",
            "late 2021-09-08 07:00 curriculum-pedagogy-leads-2021-09-15 7 15",
            "due 2021-09-09 07:00 english-leaders-2021-09-16 7 15",
            "scheduled 2021-09-10 07:00 ect-safeguarding-2021-09-17 7 15",
        ])
        try state.markPublished(Array(try state.pendingDue(now: now).prefix(1)), at: now)
        #expect(try ReminderOverview(config: config, databasePath: world.databasePath).plan(now: now, days: 2).count == 3)
        // Before any worker has run there is no database, and the plan is the calendar's.
        #expect(try ReminderOverview(config: config, databasePath: world.root.appendingPathComponent("none.sqlite").path)
            .plan(now: now, days: 2).count == 4)
    }

    @Test func theCalendarListingShowsChanges() throws {
        defer { finish() }
        try apply(CalendarUpdate(occurrenceID: "english-leaders-2021-09-16",
                                 action: .move(date: CalendarDate("2021-09-17")!, start: nil, end: nil)), id: "m1")
        try apply(CalendarUpdate(occurrenceID: "induction-2021-09-14", action: .cancel), id: "c1")
        let listed = try ReminderOverview(config: config, databasePath: world.databasePath)
            .occurrences(from: CalendarDate("2021-09-14"), to: CalendarDate("2021-09-17"))
        #expect(listed.map { "\($0.date) \($0.occurrence) \($0.status) \($0.length)" } == [
            "2021-09-14 induction-2021-09-14 cancelled 09:30–12:00",
            "2021-09-15 curriculum-pedagogy-leads-2021-09-15 scheduled full day",
            "2021-09-17 ect-safeguarding-2021-09-17 scheduled full day",
            "2021-09-17 english-leaders-2021-09-16 moved full day",
        ])
        #expect(listed[3].previousDate == "2021-09-16" && listed[3].sequence == 1)
    }

    @Test func aMissingDirectoryIsAUserErrorNamingTheFile() throws {
        let bare = try ReminderWorld(directory: false)
        defer { bare.cleanUp(); finish() }
        do {
            _ = try ReminderOverview(config: try bare.config(), databasePath: bare.databasePath).plan(now: now, days: 1)
            Issue.record("planned without a directory")
        } catch let error as InputError {
            #expect(error.description.hasPrefix("\(bare.configDirectory.path)/directory.csv is missing"))
        }
    }
}
