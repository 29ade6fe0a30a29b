import Broker
import Foundation
import SMTPSinkSupport
import Store
import Testing
import TrustDomain
import WorkerKit

@testable import TrustWorkers

/// End to end through the broker: the Scheduler's state helper publishes `reminder.due`, the
/// reminder worker (consumer and delivery pump, in this process) mails the outbox, and Python
/// reads what arrived.
@Suite("Reminder worker", .serialized)
struct ReminderWorkerTests {
    static let ninthSeptember = try! Date("2021-09-09T08:00:00Z", strategy: .iso8601)
    static let english = "english-leaders-2021-09-16"

    private func mails(_ world: ReminderWorld, subject prefix: String) throws -> [DeliveredMail.Parsed] {
        try DeliveredMail.parse(world.outbox).filter { $0.subject.hasPrefix(prefix) }
    }

    /// Starts the worker on 9 September and waits until the English forum's week-ahead reminder
    /// has gone to all 15 English leads.
    private func remindEnglishLeads(_ world: ReminderWorld) throws -> ReminderRun {
        let run = try ReminderRun(world, now: Self.ninthSeptember)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 1 })
        #expect(try world.delivered() == 15)
        return run
    }

    /// On 9 September the Scheduler publishes what is due; the English Leaders Forum of 16
    /// September reaches every active English lead, once, and nobody else.
    @Test func ninthSeptemberTheEnglishForumReachesEveryEnglishLeadAndNobodyElse() throws {
        let world = try ReminderWorld(englishLeads: 2)
        defer { world.cleanUp() }
        try world.declare()
        let run = try ReminderRun(world, now: Self.ninthSeptember)
        // The Scheduler's side: pending reminders, published with confirms, then marked.
        #expect(ReminderWorld.waitFor(10) { try world.count("SELECT count(*) FROM schema_migrations WHERE version = 400") == 1 })
        let db = try Database(path: world.databasePath)
        defer { db.close() }
        let state = ReminderSchedulerState(database: db, calendar: try world.config().forums, schoolDays: try world.config().schoolDays)
        let c = try ReminderWorld.connect()
        defer { c.close() }
        let published = try state.publishPending(now: Self.ninthSeptember, on: c, exchange: world.topology.intakeExchange)
        #expect(published.map(\.messageID) == ["reminder.due:induction-2021-09-14:7",
                                               "reminder.due:curriculum-pedagogy-leads-2021-09-15:7",
                                               "reminder.due:\(Self.english):7"])
        #expect(try state.pendingDue(now: Self.ninthSeptember).isEmpty)
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 3 })
        run.stop()

        let english = try mails(world, subject: "Reminder: English Leaders Forum — Thursday 16 September 2021, full day")
        let leads = try world.englishLeads()
        #expect(leads.count == 30)
        #expect(english.count == 30)
        #expect(Set(english.map(\.to)) == leads)
        #expect(!english.contains { $0.to.hasPrefix("former-") })
        for mail in english {
            #expect(mail.method == "REQUEST" && mail.sequence == 0 && mail.defects == 0)
            #expect(mail.uid == "\(Self.english)@focus-trust.local")
            #expect(mail.start_utc == "2021-09-16 08:00")  // 09:00 BST
        }
        // The two late reminders went to their own audiences: 15 new starters, 15 curriculum leads.
        #expect(try DeliveredMail.parse(world.outbox).count == 60)
        let events = try world.events().filter { $0["_key"] as? String == "reminder.sent" }
        let englishEvent = try #require(events.first { $0["occurrence"] as? String == Self.english })
        #expect(englishEvent["sent"] as? Int == 30 && englishEvent["failed"] as? Int == 0)
        #expect(englishEvent["lead_days"] as? Int == 7 && englishEvent["forum_id"] as? String == "english-leaders")
        #expect(englishEvent["_id"] as? String == "reminder.sent:\(Self.english):reminder:7:30")
        #expect(events.count == 3)
    }

    /// Republishing (same id) is dropped by the ledger; a second request under another id adds
    /// no one, because deliveries are keyed by occurrence, lead time and address.
    @Test func aRepeatedReminderMailsNobodyTwice() throws {
        let world = try ReminderWorld()
        defer { world.cleanUp() }
        let run = try ReminderRun(world, now: Self.ninthSeptember)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        try world.remind(Self.english, forum: "english-leaders", lead: 7, id: "by-hand-1")
        #expect(ReminderWorld.waitFor(20) { try world.count("SELECT count(*) FROM processed_messages") == 2 })
        #expect(ReminderWorld.waitFor(10) { try world.announced() == 1 })
        run.stop()
        #expect(try world.delivered() == 15)
        #expect(try DeliveredMail.parse(world.outbox).count == 15)
        #expect(try world.count("SELECT value FROM worker_counters WHERE name = 'duplicates'") == 1)
    }

    @Test func aMovedSessionUpdatesThoseRemindedAndLaterRemindersFollowIt() throws {
        let world = try ReminderWorld()
        defer { world.cleanUp() }
        let run = try remindEnglishLeads(world)
        let move = CalendarUpdate(occurrenceID: Self.english,
                                  action: .move(date: CalendarDate("2021-09-17")!, start: ClockTime("10:00"), end: nil),
                                  reason: "The venue is needed for exams")
        try world.publish(CalendarUpdate.routingKey, id: "move-1", body: move.body)
        try world.publish(CalendarUpdate.routingKey, id: "move-1", body: move.body)  // a republish
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 2 })

        let moved = try mails(world, subject: "Moved: English Leaders Forum — now Friday 17 September 2021, 10:00–15:30")
        #expect(moved.count == 15)
        #expect(Set(moved.map(\.to)) == (try world.englishLeads()))
        #expect(moved.allSatisfy { $0.method == "REQUEST" && $0.sequence == 1 && $0.start_utc == "2021-09-17 09:00" })
        #expect(moved.allSatisfy { $0.uid == "\(Self.english)@focus-trust.local" })

        // The Scheduler now plans the day-before reminder for the 17th, not the 16th.
        let db = try Database(path: world.databasePath)
        defer { db.close() }
        let state = ReminderSchedulerState(database: db, calendar: try world.config().forums, schoolDays: try world.config().schoolDays)
        let onSixteenth = try Date("2021-09-16T06:30:00Z", strategy: .iso8601)
        #expect(try !state.pendingDue(now: try Date("2021-09-15T06:30:00Z", strategy: .iso8601))
            .contains { $0.occurrenceID == Self.english })
        let due = try #require(try state.pendingDue(now: onSixteenth).first { $0.occurrenceID == Self.english })
        let dayBefore = try Date("2021-09-16T06:00:00Z", strategy: .iso8601)
        #expect(due.leadDays == 1 && due.dueAt == dayBefore)
        let c = try ReminderWorld.connect()
        defer { c.close() }
        try c.publishConfirmed([due.message(exchange: world.topology.intakeExchange, now: onSixteenth)])
        try state.markPublished([due], at: onSixteenth)
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 3 })
        run.stop()
        let reminders = try mails(world, subject: "Reminder: English Leaders Forum — Friday 17 September 2021, 10:00–15:30")
        #expect(reminders.count == 15 && reminders.allSatisfy { $0.sequence == 1 && $0.start_utc == "2021-09-17 09:00" })
        #expect(try world.count("SELECT count(*) FROM reminder_mailings WHERE kind = 'moved'") == 1)
    }

    @Test func aCancelledSessionIsWithdrawnFromThoseRemindedAndRemindsNoOneMore() throws {
        let world = try ReminderWorld()
        defer { world.cleanUp() }
        let run = try remindEnglishLeads(world)
        let cancel = CalendarUpdate(occurrenceID: Self.english, action: .cancel, reason: "Snow closure")
        try world.publish(CalendarUpdate.routingKey, id: "cancel-1", body: cancel.body)
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 2 })
        // A day-before reminder published anyway (by hand, or by a Scheduler that missed the
        // change) mails nobody.
        try world.remind(Self.english, forum: "english-leaders", lead: 1)
        #expect(ReminderWorld.waitFor(20) { try world.count("SELECT count(*) FROM processed_messages") == 3 })
        run.stop()

        let cancelled = try mails(world, subject: "Cancelled: English Leaders Forum — Thursday 16 September 2021")
        let leads = try world.englishLeads()
        #expect(cancelled.count == 15 && Set(cancelled.map(\.to)) == leads)
        #expect(cancelled.allSatisfy { $0.method == "CANCEL" && $0.status == "CANCELLED" && $0.sequence == 1 })
        #expect(try DeliveredMail.parse(world.outbox).count == 30)
        #expect(try world.count("SELECT count(*) FROM reminder_mailings") == 2)
        let db = try Database(path: world.databasePath)
        defer { db.close() }
        let state = ReminderSchedulerState(database: db, calendar: try world.config().forums, schoolDays: try world.config().schoolDays)
        #expect(try !ReminderPlan.all(state.schedule()).contains { $0.occurrenceID == Self.english })
    }

    /// A graceful stop part-way through a mailing records what was sent; the restarted worker
    /// sends the rest. Each person receives exactly one e-mail.
    @Test func stoppingMidMailingLosesNothingAndRepeatsNothing() throws {
        let world = try ReminderWorld(englishLeads: 6)
        defer { world.cleanUp() }
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("smtp"))
        defer { sink.stop() }
        let delivery = DeliveryOptions(chunkSize: 5, idleWait: 0.05)
        let first = try ReminderRun(world, now: Self.ninthSeptember, smtpPort: sink.port, delivery: delivery, sendDelay: 0.01)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        #expect(ReminderWorld.waitFor(20) { sink.received >= 25 })
        first.stop()
        let atStop = sink.received
        #expect(atStop < 90, "the mailing finished before the stop; nothing was tested")
        #expect(try world.delivered() == atStop, "every e-mail sent before the stop is recorded as sent")

        let second = try ReminderRun(world, now: Self.ninthSeptember, smtpPort: sink.port, delivery: delivery)
        #expect(ReminderWorld.waitFor(20) { try world.announced() == 1 })
        second.stop()
        let counts = try sink.receivedCounts()
        #expect(Set(counts.keys) == (try world.englishLeads()))
        #expect(counts.values.allSatisfy { $0 == 1 }, "repeated: \(counts.filter { $0.value > 1 })")
        #expect(counts.count == 90)
    }

    /// The server's verdict is kept per person: a 550 is a failure with the reply, a 451 is
    /// retried later, and neither holds up anyone else.
    @Test func rejectedAndDeferredRecipientsKeepTheServersReply() throws {
        let world = try ReminderWorld()
        defer { world.cleanUp() }
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("smtp"),
                                replies: ["english-1@birstall.example.org=550", "english-1@coppice.example.org=451"])
        defer { sink.stop() }
        let run = try ReminderRun(world, now: Self.ninthSeptember, smtpPort: sink.port)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        #expect(ReminderWorld.waitFor(20) { try world.delivered() == 13 && world.delivered("failed") == 1 })
        run.stop()
        let db = try Database(path: world.databasePath, readOnly: true)
        defer { db.close() }
        let rows = try db.query("SELECT email, status, attempts, reply, not_before FROM reminder_deliveries WHERE status != 'sent' ORDER BY email")
        #expect(rows.map { $0.string("email")! } == ["english-1@birstall.example.org", "english-1@coppice.example.org"])
        #expect(rows[0].string("status") == "failed" && rows[0].string("reply")?.contains("550") == true)
        #expect(rows[1].string("status") == "pending" && rows[1].int("attempts") == 1)
        #expect(rows[1].string("reply")?.contains("451") == true)
        #expect(Stamp.date(rows[1].string("not_before"))! > Self.ninthSeptember.addingTimeInterval(25))
        #expect(try world.count("SELECT count(*) FROM reminder_mailings WHERE settled_at IS NULL") == 1)
        #expect(sink.received == 13)
    }

    /// Without directory.csv nothing can be sent: the reminder is retried, then dead-lettered
    /// with the file named, ready to be replayed once the file is there.
    @Test func aMissingDirectoryIsNamedInTheDeadLetter() throws {
        let world = try ReminderWorld(directory: false)
        defer { world.cleanUp() }
        let run = try ReminderRun(world, now: Self.ninthSeptember)
        try world.remind(Self.english, forum: "english-leaders", lead: 7)
        #expect(ReminderWorld.waitFor(20) {
            try world.count("SELECT count(*) FROM processed_messages WHERE outcome = 'dead-lettered'") == 1
        })
        run.stop()
        let dead = try world.deadLetters()
        let reason = try #require(dead.first?.properties.headers["x-error"]?.stringValue)
        #expect(reason == "gave up after 3 attempts: \(world.configDirectory.path)/directory.csv is missing: reminders need it to know who to remind (columns name,email,academy,roles,active)")
        #expect(try world.count("SELECT count(*) FROM reminder_deliveries") == 0)
    }

    @Test func aMalformedRequestIsDeadLetteredAtOnceWithTheReason() throws {
        let world = try ReminderWorld()
        defer { world.cleanUp() }
        let run = try ReminderRun(world, now: Self.ninthSeptember)
        try world.publish(CalendarUpdate.routingKey, id: "bad-move",
                          body: Array(#"{"occurrence":"english-leaders-2021-09-16","action":"move","date":"2021-09-08"}"#.utf8))
        #expect(ReminderWorld.waitFor(20) { try world.count("SELECT count(*) FROM processed_messages") == 1 })
        run.stop()
        let dead = try world.deadLetters()
        #expect(dead.first?.properties.headers["x-error"]?.stringValue
                == #"calendar.update: "date" "2021-09-08" at 09:00 is in the past"#)
        #expect(try world.count("SELECT count(*) FROM reminder_changes") == 0)
    }
}
