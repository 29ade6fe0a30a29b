import Broker
import Foundation
import SMTPSinkSupport
import Testing
import TrustDomain
import TrustFixtures
import WorkerKit

@testable import TrustWorkers

/// Who forum reminders reach, end to end: the broker, the reminder worker and its delivery
/// engine, a real SMTP server (the sink), and Python's `email` and `icalendar` on what arrived.
@Suite("Reminder audiences and invitations over SMTP", .serialized)
struct ReminderAudienceTests {
    /// The committed directory.csv and enrolments.csv, so the forum calendar meets the people it
    /// was written for.
    private func world() throws -> (ReminderWorld, [Person]) {
        let world = try ReminderWorld(directory: false)
        let config = try world.config()
        let people = DirectoryGenerator(academies: config.academies.academies).people()
        try Data(DirectoryGenerator.csv(people).utf8).write(to: world.configDirectory.appendingPathComponent(Directory.fileName))
        try FileManager.default.copyItem(at: ReminderWorld.repoRoot.appendingPathComponent("Config/\(Enrolments.fileName)"),
                                         to: world.configDirectory.appendingPathComponent(Enrolments.fileName))
        return (world, people)
    }

    /// The enrolled addresses, read straight from the CSV text.
    private func enrolled(_ forum: String) throws -> Set<String> {
        let text = try String(contentsOf: ReminderWorld.repoRoot.appendingPathComponent("Config/enrolments.csv"), encoding: .utf8)
        return Set(text.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
            .filter { $0[0] == forum }.map { String($0[1]).lowercased() })
    }

    @Test func anEnrolmentForumReachesExactlyTheEnrolledAndYearOneForumOnlyYearOneECTs() throws {
        let (world, people) = try world()
        defer { world.cleanUp() }
        try world.declare()
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let now = try Date("2021-09-22T06:00:00Z", strategy: .iso8601)
        let run = try ReminderRun(world, now: now, smtpPort: sink.port)
        try world.remind("support-staff-training-2021-11-05", forum: "support-staff-training", lead: 1)
        try world.remind("ect-forum-year-one-2021-09-23", forum: "ect-forum-year-one", lead: 1)
        try world.remind("inset-day-2021-11-01", forum: "inset-day", lead: 1)
        #expect(ReminderWorld.waitFor(60) { try world.announced() == 3 })
        run.stop()

        let mails = try DeliveredMail.parse(world.root.appendingPathComponent("inbox"))
        #expect(mails.allSatisfy { $0.defects == 0 })
        // Enrolment: exactly the active people enrolled, whatever their roles; no other support staff.
        let active = Set(people.filter(\.active).map(\.email))
        let training = mails.filter { $0.uid == "support-staff-training-2021-11-05@focus-trust.local" }
        let expected = try enrolled("support-staff-training").intersection(active)
        #expect(expected.count >= 20)
        #expect(Set(training.map(\.to)) == expected)
        #expect(training.count == expected.count)
        #expect(people.filter { $0.active && $0.roles.contains(.supportStaff) }.count > 500)
        // Year one: every active year-one ECT and nobody else, no year-two ECT.
        let yearOne = mails.filter { $0.uid == "ect-forum-year-one-2021-09-23@focus-trust.local" }
        let yearOneECTs = Set(people.filter { $0.active && $0.roles.contains(.ectYear1) }.map(\.email))
        #expect(!yearOneECTs.isEmpty)
        #expect(Set(yearOne.map(\.to)) == yearOneECTs && yearOne.count == yearOneECTs.count)
        let yearTwo = Set(people.filter { $0.roles.contains(.ectYear2) }.map(\.email))
        #expect(!yearTwo.isEmpty && yearTwo.isDisjoint(with: yearOne.map(\.to)))
        // Invitations: parsed by icalendar; Teams link and Outlook's properties where configured.
        for mail in yearOne + training {
            #expect(mail.teams_url.hasPrefix("https://teams.microsoft.com/l/meetup-join/"))
            #expect(mail.location == "Microsoft Teams Meeting")
            #expect(mail.busy == "BUSY" && mail.disallow_counter == "TRUE" && mail.method == "REQUEST")
            #expect(mail.text.contains("Join on Microsoft Teams") || mail.text.contains("Virtual (Microsoft Teams): https://"))
        }
        let inset = mails.filter { $0.uid == "inset-day-2021-11-01@focus-trust.local" }
        #expect(inset.count == people.filter { $0.active && !$0.roles.isSubset(of: [.governor, .trustee]) }.count)
        #expect(inset.allSatisfy { $0.location.hasPrefix("Each academy") && $0.teams_url.isEmpty && $0.busy == "BUSY" })
        #expect(inset.first?.text.contains("INSET Day is in 40 days") == true)
    }

    @Test func aMoveKeepsTheUIDAndRaisesTheSequenceWithTheVenueKept() throws {
        let (world, _) = try world()
        defer { world.cleanUp() }
        try world.declare()
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let now = try Date("2021-09-09T08:00:00Z", strategy: .iso8601)
        let run = try ReminderRun(world, now: now, smtpPort: sink.port)
        try world.remind("english-leaders-2021-09-16", forum: "english-leaders", lead: 7)
        #expect(ReminderWorld.waitFor(30) { try world.announced() == 1 })
        let move = CalendarUpdate(occurrenceID: "english-leaders-2021-09-16",
                                  action: .move(date: CalendarDate("2021-09-17")!, start: nil, end: nil), reason: "Hall needed")
        try world.publish(CalendarUpdate.routingKey, id: "move-1", body: move.body)
        #expect(ReminderWorld.waitFor(30) { try world.announced() == 2 })
        run.stop()
        let mails = try DeliveredMail.parse(world.root.appendingPathComponent("inbox"))
        let moved = mails.filter { $0.subject.hasPrefix("Moved:") }
        #expect(!moved.isEmpty && moved.count == mails.count / 2)
        #expect(Set(mails.map(\.uid)) == ["english-leaders-2021-09-16@focus-trust.local"])
        #expect(moved.allSatisfy { $0.sequence == 1 && $0.location == "Focus-Trust Central Office, Training Room 1" })
        #expect(mails.filter { !$0.subject.hasPrefix("Moved:") }.allSatisfy { $0.sequence == 0 })
    }
}

@Suite("Reminders plan: warnings and enrolments")
struct ReminderPlanWarningTests {
    @Test func emptyAudiencesAndMissingVenuesOrLinksAreReportedNotWidened() throws {
        let world = try ReminderWorld()  // a directory with no support staff and no enrolments file
        defer { world.cleanUp() }
        let overview = try ReminderOverview(config: try world.config(), databasePath: world.databasePath)
        let now = try Date("2021-10-29T08:00:00Z", strategy: .iso8601)
        let warnings = try overview.warnings(now: now, days: 14)
        let empty = warnings.filter { $0.problem == "empty-audience" }.map(\.occurrence)
        #expect(empty.contains("support-staff-training-2021-11-05"))
        #expect(warnings.first { $0.occurrence == "support-staff-training-2021-11-05" }?.detail
            == "nobody is enrolled in support-staff-training (enrolments.csv); nobody will be reminded")
        // The plan counts nobody for it rather than all support staff.
        let plan = try overview.plan(now: now, days: 14)
        #expect(plan.first { $0.occurrence == "support-staff-training-2021-11-05" }?.recipients == 0)
        // In person with no venue in forums.json (IPOPs), and nothing for sessions with one.
        #expect(warnings.contains { $0.occurrence == "ipops-2021-11-04" && $0.problem == "no-venue" })
        #expect(!warnings.contains { $0.occurrence == "inset-day-2021-11-01" && $0.problem == "no-venue" })
        #expect(!warnings.contains { $0.date > "2021-11-12" })
        #expect(try overview.enrolled(forum: nil).isEmpty)
    }
}
