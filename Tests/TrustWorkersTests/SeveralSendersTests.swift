import Foundation
import SMTPSinkSupport
import Testing

@testable import TrustWorkers

/// Two and three real worker executables on one database and one queue, mailing a real SMTP
/// server: whatever the number of processes, each recipient receives exactly one message. With
/// three, the process holding the sender lock is stopped part-way and another takes over; one
/// killed outright is taken over too.
@Suite("Several senders on one store", .serialized)
struct SeveralSendersTests {
    /// Every process has had time to start its delivery pump before there is anything to send,
    /// so they all contend for the same pending rows.
    private static func waitUntilRunning(_ processes: [Process], schema: () throws -> Bool) {
        #expect(NewsletterRun.waitFor(60) { try schema() }, "no worker migrated the database")
        Thread.sleep(forTimeInterval: 2)
        #expect(processes.allSatisfy { $0.isRunning }, "a worker exited at start")
    }

    /// The pid the sender lock's holder wrote into the lock file.
    private static func holder(of lockFile: String, among processes: [Process]) throws -> Process {
        let text = try String(contentsOfFile: lockFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(processes.first { "\($0.processIdentifier)" == text && $0.isRunning },
                            "lock file \(lockFile) names \(text), not a running worker")
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()  // SIGTERM: finish, record, exit 0
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(arguments: [2, 3])
    func newsletterWorkersOnOneStoreSendEachRecipientOneCopy(workers: Int) throws {
        let run = try NewsletterRun(recipients: nil)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let processes = try (0..<workers).map { _ in try NewsletterCrashTests.start(run, smtpPort: sink.port) }
        defer { processes.forEach(Self.stop) }
        Self.waitUntilRunning(processes) {
            try run.count("SELECT count(*) FROM schema_migrations WHERE version = 300") == 1
        }
        try run.publish([try run.item("Several senders"), run.assemble("2021-09-24")])
        var handedOver = 0
        if workers == 3 {
            #expect(NewsletterRun.waitFor(120) { sink.received >= 300 })
            Self.stop(try Self.holder(of: run.db + ".newsletter-sender.lock", among: processes))
            handedOver = sink.received
        }
        let settled = NewsletterRun.waitFor(240) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE announced_at IS NOT NULL") == 1
        }
        #expect(settled, "issue not settled; \((try? run.issues()) ?? [])")
        processes.forEach(Self.stop)

        let counts = try sink.receivedCounts()
        let expected = Set(run.recipients.map { $0.email.lowercased() })
        let total = counts.values.reduce(0, +)
        print("newsletter, \(workers) workers on one store: \(total) messages for \(counts.count) of \(expected.count) "
            + "recipients, \(counts.values.filter { $0 > 1 }.count) with more than one"
            + (workers == 3 ? "; the sender was stopped after \(handedOver) and another took over" : ""))
        #expect(expected.count == 1_049)
        #expect(Set(counts.keys) == expected, "missing \(expected.subtracting(counts.keys).count)")
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts.values.filter { $0 > 1 }.count) recipients got two or more")
        #expect(total == expected.count)
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'") == expected.count)
        #expect(try run.events().filter { $0.routingKey == "newsletter.sent" }.map(\.properties.messageID)
            == ["newsletter.sent:1"])
    }

    /// The kernel drops a dead sender's lock: the standby takes over, and the only repeat
    /// possible is the message the dead one had handed over but not yet recorded.
    @Test func whenTheSenderIsKilledTheStandbyTakesOverAndNobodyIsMissed() throws {
        let run = try NewsletterRun(recipients: nil)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let processes = try (0..<2).map { _ in try NewsletterCrashTests.start(run, smtpPort: sink.port) }
        defer { processes.forEach(Self.stop) }
        Self.waitUntilRunning(processes) {
            try run.count("SELECT count(*) FROM schema_migrations WHERE version = 300") == 1
        }
        try run.publish([try run.item("Sender killed"), run.assemble("2021-09-24")])
        #expect(NewsletterRun.waitFor(120) { sink.received >= 300 })
        let holder = try Self.holder(of: run.db + ".newsletter-sender.lock", among: processes)
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let atKill = sink.received
        let settled = NewsletterRun.waitFor(240) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE announced_at IS NOT NULL") == 1
        }
        #expect(settled, "issue not settled; \((try? run.issues()) ?? [])")
        processes.forEach(Self.stop)

        let counts = try sink.receivedCounts()
        let expected = Set(run.recipients.map { $0.email.lowercased() })
        let repeats = counts.values.reduce(0) { $0 + $1 - 1 }
        print("newsletter, sender killed after \(atKill) of \(expected.count): the standby sent the rest, "
            + "\(repeats) repeat(s)")
        #expect(Set(counts.keys) == expected, "missing \(expected.subtracting(counts.keys).count)")
        #expect(repeats <= DeliveryOptions().chunkSize)
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'") == expected.count)
    }

    @Test(arguments: [2, 3])
    func reminderWorkersOnOneStoreSendEachRecipientOneReminder(workers: Int) throws {
        let world = try ReminderWorld(englishLeads: 70)
        defer { world.cleanUp() }
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("smtp"))
        defer { sink.stop() }
        try world.declare()
        let processes = try (0..<workers).map { _ in try ReminderCrashTests.start(world, smtpPort: sink.port) }
        defer { processes.forEach(Self.stop) }
        Self.waitUntilRunning(processes) {
            try world.count("SELECT count(*) FROM schema_migrations WHERE version = 400") == 1
        }
        try world.remind(ReminderWorkerTests.english, forum: "english-leaders", lead: 7)
        var handedOver = 0
        if workers == 3 {
            #expect(ReminderWorld.waitFor(120) { sink.received >= 300 })
            Self.stop(try Self.holder(of: world.databasePath + ".reminder-sender.lock", among: processes))
            handedOver = sink.received
        }
        #expect(ReminderWorld.waitFor(240) { try world.announced() == 1 }, "the mailing did not settle")
        processes.forEach(Self.stop)

        let counts = try sink.receivedCounts()
        let expected = try world.englishLeads()
        let total = counts.values.reduce(0, +)
        print("reminders, \(workers) workers on one store: \(total) e-mails for \(counts.count) of \(expected.count) "
            + "recipients, \(counts.values.filter { $0 > 1 }.count) with more than one"
            + (workers == 3 ? "; the sender was stopped after \(handedOver) and another took over" : ""))
        #expect(expected.count == 1_050)
        #expect(Set(counts.keys) == expected, "missing \(expected.subtracting(counts.keys).count)")
        #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts.values.filter { $0 > 1 }.count) recipients got two or more")
        #expect(total == expected.count)
        #expect(try world.delivered() == expected.count)
        #expect(try world.events().filter { $0["_key"] as? String == "reminder.sent" }.count == 1)
    }
}
