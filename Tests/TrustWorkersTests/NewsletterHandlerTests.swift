import Broker
import Mail
import SMTPSinkSupport
import Foundation
import Store
import Testing
import TrustDomain
@testable import TrustWorkers
import WorkerKit

@Suite("Newsletter handler", .serialized)
struct NewsletterHandlerTests {
    func raw(_ run: NewsletterRun, _ routingKey: String, id: String, _ body: String) -> OutgoingMessage {
        OutgoingMessage(exchange: run.topology.intakeExchange, routingKey: routingKey,
                        properties: MessageProperties(messageID: id, type: routingKey, contentType: "application/json"),
                        body: Array(body.utf8))
    }

    @Test func badInputIsDeadLetteredNamingTheFieldAndValue() throws {
        let run = try NewsletterRun(recipients: 3)
        defer { run.cleanUp() }
        try run.publish([
            raw(run, "newsletter.item", id: "bad-category", #"{"title":"T","body":"B","category":"sport","author":"A"}"#),
            raw(run, "newsletter.item", id: "no-author", #"{"title":"T","body":"B","category":"dates"}"#),
            raw(run, "newsletter.item", id: "http-link", #"{"title":"T","body":"[x](http://e.org)","category":"dates","author":"A"}"#),
            raw(run, "newsletter.assemble", id: "bad-date", #"{"issue_date":"2021-02-30"}"#),
            raw(run, "newsletter.publish", id: "bad-key", "{}"),
            try run.item("A good one"),
        ])
        try run.startWorker()
        #expect(NewsletterRun.waitFor(20) { try run.count("SELECT count(*) FROM processed_messages") == 6 })
        run.stop()
        let reasons = Dictionary(uniqueKeysWithValues: try run.dead().map {
            ($0.properties.messageID ?? "", $0.properties.headers["x-error"]?.stringValue ?? "")
        })
        #expect(reasons == [
            "bad-category": "newsletter item: category \"sport\" is not a newsletter category (expected one of: trust-news, "
                + "teaching-and-learning, wellbeing, celebrations, governance, vacancies, dates)",
            "no-author": "newsletter item: author is missing",
            "http-link": "newsletter item: body \"http://e.org\" is a plain http:// address; only https:// links are allowed",
            "bad-date": "newsletter.assemble: issue_date \"2021-02-30\" is not a real calendar date (expected YYYY-MM-DD)",
            "bad-key": "routing key \"newsletter.publish\" is not a newsletter message (expected newsletter.item, newsletter.assemble or newsletter.preview)",
        ])
        #expect(try run.count("SELECT count(*) FROM newsletter_items") == 1)
    }

    @Test func issuesTakeOnlyNewItemsAreNumberedInOrderAndAreIdempotent() throws {
        let run = try NewsletterRun(recipients: 5)
        defer { run.cleanUp() }
        run.now.set(try Date("2021-09-01T08:00:00Z", strategy: .iso8601))
        try run.publish([try run.item("First"), try run.item("Second", category: "vacancies"), run.assemble("2021-09-03")])
        try run.startWorker()
        #expect(NewsletterRun.waitFor(20) { try run.issues().count == 1 })
        run.now.set(try Date("2021-09-10T08:00:00Z", strategy: .iso8601))
        try run.publish([
            try run.item("Third"), try run.item("Third"),  // the same item twice: one message id, stored once
            run.assemble("2021-09-24"),
            run.assemble("2021-09-24", messageID: "again-24"),
            run.assemble("2021-09-03", messageID: "again-03"),
            run.assemble("2021-09-10", messageID: "out-of-order"),
        ])
        #expect(NewsletterRun.waitFor(20) {
            try run.count("SELECT count(*) FROM processed_messages WHERE outcome IN ('processed', 'dead-lettered')") == 8
        })
        run.stop()
        let issues = try run.issues()
        #expect(issues.map(\.number) == [1, 2])
        #expect(issues.map(\.issueDate) == ["2021-09-03", "2021-09-24"])
        #expect(issues.map(\.items) == [2, 1])
        #expect(issues.map(\.pending) == [5, 5])
        #expect(issues.allSatisfy { $0.recipients == 5 && $0.sent == 0 })
        let dead = try run.dead()
        #expect(dead.map(\.properties.messageID) == ["out-of-order"])
        #expect(dead.first?.properties.headers["x-error"]?.stringValue
            == "issue_date 2021-09-10 is before the latest issue, FAcT 2 of 2021-09-24; issues are assembled in date order")
        // The stored issue is the one the pump renders: sections in config order.
        let content = try #require(try run.rows("SELECT content FROM newsletter_issues WHERE number = 1").first?.blob("content"))
        let issue = try NewsletterIssue.decode(content)
        #expect(issue.sections.map(\.categoryID) == ["trust-news", "vacancies"])
        #expect(FileManager.default.fileExists(atPath: issues[1].archive))
        #expect(issues[1].archive.hasSuffix("var/newsletters/FAcT-2-2021-09-24.html"))
    }

    @Test func aDirectoryMistakeDeadLettersTheIssueWithTheLine() throws {
        let run = try NewsletterRun(recipients: 2)
        defer { run.cleanUp() }
        let file = run.configDirectory.appendingPathComponent(Directory.fileName)
        try (String(contentsOf: file, encoding: .utf8) + "Pat Doe,pat.doe@example.org,hogwarts,governor,Y\n")
            .write(to: file, atomically: true, encoding: .utf8)
        try run.publish([run.assemble("2021-09-03")])
        try run.startWorker()
        #expect(NewsletterRun.waitFor(20) { try run.count("SELECT count(*) FROM processed_messages") == 1 })
        run.stop()
        let reason = try run.dead().first?.properties.headers["x-error"]?.stringValue
        #expect(reason == "cannot read the recipients: directory.csv line 6, column academy: \"hogwarts\" "
            + "is not an academy id from academies.json or \"central\"")
        #expect(try run.issues().isEmpty)
    }
}

/// Reading the other areas' tables: present or absent, well-formed or not.
@Suite("Newsletter sources")
struct NewsletterSourcesTests {
    let since = "2021-09-03"
    let log = Log(component: "test", minimum: .error)

    @Test func nothingWhenTheTablesDoNotExist() throws {
        let db = try Database(path: ":memory:")
        #expect(try NewsletterSources.dataDrop(in: db, since: "", catalog: Self.catalog) == nil)
        #expect(try NewsletterSources.youSaid(in: db, since: since, log: log) == nil)
    }

    static let catalog = try! TrustConfig(directory: Harness.repoRoot.appendingPathComponent("Config").path).academies

    @Test func theLatestDropWithNewActivityCountsAcademiesWithDataInUse() throws {
        let db = try Database(path: ":memory:")
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        func attempt(_ academy: String, _ drop: String, _ status: String, _ at: String) throws {
            try db.execute("""
                INSERT INTO drop_attempts (academy, drop_id, message_id, status, received_at, pupils, error_count)
                VALUES (?, ?, 'm', ?, ?, ?, ?)
                """, [.text(academy), .text(drop), .text(status), .text(at), status == "accepted" ? .int(10) : .null,
                      .int(status == "accepted" ? 0 : 2)])
        }
        for (index, academy) in ["birstall", "boothroyd", "coppice"].enumerated() {
            try attempt(academy, "2021-22/autumn", "accepted", "2021-09-1\(index + 5)T10:00:00Z")
        }
        // Coppice's later file is refused: its data stands, and the line says so.
        try attempt("coppice", "2021-22/autumn", "rejected", "2021-09-18T10:00:00Z")
        try attempt("deeplish", "2021-22/autumn", "rejected", "2021-09-20T10:00:00Z")
        try attempt("deeplish", "2020-21/summer", "accepted", "2021-07-01T10:00:00Z")
        let summary = try #require(try NewsletterSources.dataDrop(in: db, since: "2021-09-03T00:00:00.000Z",
                                                                  catalog: Self.catalog))
        #expect(summary.dropID == "2021-22/autumn")
        #expect(summary.submitted == 3)
        #expect(summary.expected == 15)
        #expect(summary.lastUpdated == Settings.parseInstant("2021-09-20T10:00:00Z"))
        #expect(summary.line.contains("a later file from Coppice was refused; the earlier data stands"), "\(summary.line)")
        // The window starts at the previous issue's assembly, not its day: a file that issue
        // already reported (10:00, assembled 10:30) is not news again; one after it is.
        #expect(try NewsletterSources.dataDrop(in: db, since: "2021-09-20T10:30:00.000Z", catalog: Self.catalog) == nil)
        #expect(try NewsletterSources.dataDrop(in: db, since: "2021-09-20T07:30:00.000Z", catalog: Self.catalog)?.submitted == 3)
    }

    @Test func theLatestYouSaidSummaryWhenItIsNew() throws {
        let db = try Database(path: ":memory:")
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        func item(_ id: String, _ text: String, _ percent: Double) -> String {
            #"{"questionID":"\#(id)","text":"\#(text)","percentAgree":\#(percent),"mean":4,"n":40}"#
        }
        let said = #"{"surveyID":"staff-2021","title":"Staff survey 2021","audience":"colleagues","responses":120,"themes":["#
            + #"{"themeID":"ft-4","title":"Wellbeing","percentAgree":70,"strongest":\#(item("a", "I feel valued", 91.6)),"weakest":\#(item("b", "Workload", 48))},"#
            + #"{"themeID":"ft-2","title":"Learning","percentAgree":80,"strongest":\#(item("c", "I learn", 85)),"weakest":null}]}"#
        try db.execute("INSERT INTO survey_summaries VALUES ('old', 'colleagues', 'Old', ?, '2021-06-01T09:00:00Z')",
                       [.text(said.replacingOccurrences(of: "staff-2021", with: "old"))])
        try db.execute("INSERT INTO survey_summaries VALUES ('staff-2021', 'colleagues', 'Staff survey 2021', ?, '2021-09-10T09:00:00Z')",
                       [.text(said)])
        #expect(try NewsletterSources.youSaid(in: db, since: since, log: log) == YouSaidSummary(
            surveyTitle: "Staff survey 2021",
            strongest: [.init(text: "I feel valued", percentAgree: 91.6), .init(text: "I learn", percentAgree: 85)],
            weakest: [.init(text: "Workload", percentAgree: 48)]))
        #expect(try NewsletterSources.youSaid(in: db, since: "2021-09-11", log: log) == nil)
        try db.execute("UPDATE survey_summaries SET you_said = 'not json' WHERE survey_id = 'staff-2021'")
        #expect(try NewsletterSources.youSaid(in: db, since: since, log: log) == nil)
    }
}

/// The editorial cut-off and the author's notice, through the worker and the notices' delivery
/// engine to a real SMTP server.
@Suite("Newsletter cut-off and author notices", .serialized)
struct NewsletterNoticeTests {
    @Test func anItemAfterTheCutOffWaitsAndItsAuthorIsToldWhichIssueOnAWorkingDay() throws {
        let run = try NewsletterRun(recipients: 3)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        func item(_ title: String) throws -> OutgoingMessage {
            NewsletterIntake.item(try NewsletterItem(title: title, body: "Hello.", category: "trust-news", academy: nil,
                                                     author: "Amira Khan", authorEmail: "amira.khan@birstall.focus-trust.local",
                                                     rules: run.setup.itemRules), topology: run.topology)
        }
        run.now.set(try Date("2021-09-01T08:00:00Z", strategy: .iso8601))
        try run.startWorker()
        try run.publish([run.assemble("2021-09-03")])
        #expect(NewsletterRun.waitFor(20) { try run.issues().count == 1 })
        // Saturday 18 September: before the 24th's cut-off (Wednesday 22nd, 12:00), at a weekend.
        run.now.set(try Date("2021-09-18T10:00:00Z", strategy: .iso8601))
        try run.publish([try item("Early")])
        #expect(NewsletterRun.waitFor(20) { try run.count("SELECT count(*) FROM newsletter_notices") == 1 })
        // Thursday 23rd: after the cut-off, so it is promised the next issue, 15 October.
        run.now.set(try Date("2021-09-23T10:00:00Z", strategy: .iso8601))
        try run.publish([try item("Late"), run.assemble("2021-09-24")])
        #expect(NewsletterRun.waitFor(20) { try run.issues().count == 2 })
        run.stop()
        #expect(try run.issues().map(\.items) == [0, 1])
        let notices = try run.rows("SELECT title, issue_number, issue_date, not_before FROM newsletter_notices ORDER BY item_id")
        #expect(notices.map { $0.string("title") ?? "" } == ["Early", "Late"])
        #expect(notices.map { $0.int("issue_number") ?? 0 } == [2, 3])
        #expect(notices.map { $0.string("issue_date") ?? "" } == ["2021-09-24", "2021-10-15"])
        // The weekend's notice waits for Monday 07:30 London (06:30 UTC); Thursday's goes at once.
        #expect(notices.map { $0.string("not_before") ?? "" } == ["2021-09-20T06:30:00.000Z", "2021-09-23T10:00:00.000Z"])

        // The notices' engine sends them through the SMTP server, each once, when due.
        let shutdown = ShutdownSignal(), finished = DispatchSemaphore(value: 0)
        let port = sink.port
        let engine = DeliveryEngine(kind: NewsletterNotices(setup: run.setup), databasePath: run.db,
                                    options: DeliveryOptions(idleWait: 0.05),
                                    makeTransport: { try makeMailTransport(smtpURL: "smtp://127.0.0.1:\(port)", outboxDirectory: run.setup.outboxDirectory) },
                                    announcer: nil, now: Settings.clock(fixed: try Date("2021-09-23T10:00:00Z", strategy: .iso8601)),
                                    log: Log(component: "notice-test", minimum: .warn), shutdown: shutdown)
        Thread.detachNewThread { engine.run(); finished.signal() }
        #expect(NewsletterRun.waitFor(20) { try run.count("SELECT count(*) FROM newsletter_notices WHERE status = 'sent'") == 2 })
        shutdown.request()
        #expect(finished.wait(timeout: .now() + 15) == .success)
        let mails = try sink.parse()
        #expect(Set(mails.map(\.subject)) == ["Your item for FAcT 2 — Friday 24 September 2021",
                                             "Your item for FAcT 3 — Friday 15 October 2021"])
        #expect(mails.allSatisfy { $0.rcpt == "amira.khan@birstall.focus-trust.local" && $0.defects == 0 })
    }
}
