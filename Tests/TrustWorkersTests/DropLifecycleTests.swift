import Broker
import Foundation
import Mail
import Testing
import TrustDomain
import SMTPSinkSupport
@testable import TrustWorkers
import WorkerKit

/// The data-drop lifecycle as the data manager and the academies live it: one submission state
/// behind every output, and the e-mails that follow each file and each calendar day.
@Suite("Data-drop lifecycle: one state, receipts, chasers, the Board report")
struct DropLifecycleTests {
    let drop = DropID("2021-22/autumn")!

    func submission(_ h: Harness, academy: String, body: [UInt8], user: String? = nil) -> OutgoingMessage {
        h.message(routingKey: "datadrop.\(academy)", type: "datadrop.submitted", contentType: "text/csv",
                  id: "drop:\(academy):\(Digest.sha256Hex(body))", body: body, headers: ["x-drop": .string(drop.description)])
    }

    func tick(_ h: Harness, _ event: DropCalendarIntake.Event, id: String? = nil) -> OutgoingMessage {
        var m = DropCalendarIntake.message(drop, event, topology: h.topology)
        if let id { m.properties = MessageProperties(messageID: id, type: m.properties.type, contentType: "application/json") }
        return m
    }

    static func badYear(_ body: [UInt8]) -> [UInt8] {
        Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: ",3,F,", with: ",7,F,").utf8)
    }

    @Test func goodThenBadAndBadThenGoodReadTheSameInEveryOutput() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let birstallGood = DropFixture.csv(school: 1, count: 12, expected: 6)
        let coppiceGood = DropFixture.csv(school: 2, count: 9, expected: 3)
        try h.publish([submission(h, academy: "birstall", body: birstallGood),
                       submission(h, academy: "birstall", body: Self.badYear(DropFixture.csv(school: 1, count: 12, expected: 12))),
                       submission(h, academy: "coppice", body: Self.badYear(coppiceGood)),
                       submission(h, academy: "coppice", body: coppiceGood)])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) { try h.scalar("SELECT count(*) FROM drop_attempts") == 4 }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let db = try h.db()
        defer { db.close() }
        let state = try DropStates.load(drop, catalog: config.academies, in: db)
        #expect(state.submitted == [AcademyID("birstall"), AcademyID("coppice")])
        let birstall = try #require(state[AcademyID("birstall")])
        #expect(birstall.status == .acceptedLaterRefused)
        #expect(birstall.inUse?.pupils == 12)
        #expect(state[AcademyID("coppice")]?.status == .accepted)

        // drop status: table, JSON and CSV.
        let scheduled = try #require(config.drops.drop(drop))
        let rows = try DropStatus.load(db: db, drop: scheduled, academies: config.academies, today: CalendarDate("2021-11-22")!)
        let table = DropStatus.table(rows, drop: scheduled, today: CalendarDate("2021-11-22")!)
        #expect(table.contains("2 of 15 academies have data in use, 21 pupils"), "\(table)")
        #expect(table.contains(birstall.summary))
        let json = try JSONSerialization.jsonObject(with: Data(try JSONEvent.string(rows).utf8)) as? [[String: Any]] ?? []
        let birstallJSON = try #require(json.first { $0["academy"] as? String == "birstall" })
        #expect(birstallJSON["pupils"] as? Int == 12)
        #expect(birstallJSON["status"] as? String == "accepted, later file refused")
        #expect(birstallJSON["attempts"] as? Int == 2)
        #expect(DropStatus.csv(rows).contains("was refused: 12 errors"))

        // The Board report: the accepted file's pupils, and the refusal mentioned.
        let result = try BoardReports(config: config, outputDirectory: h.root.appendingPathComponent("reports"))
            .generate(drop, db: db, now: Date())
        let report = try JSONEvent.decode(BoardReport.self, from: result.json)
        let academy = try #require(report.academies.first { $0.id == "birstall" })
        #expect(academy.submitted)
        #expect(academy.submission == birstall.summary)
        #expect(report.trust.submitted == 2)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'birstall'") == 12)
        let html = try String(contentsOfFile: result.htmlPath, encoding: .utf8)
        #expect(html.contains("Data in use despite a later refused file: Birstall"))

        // FAcT's data line counts the same academies and names the refusal.
        let fact = try #require(try NewsletterSources.dataDrop(in: db, since: "", catalog: config.academies))
        #expect(fact.submitted == report.trust.submitted)
        #expect(fact.line.contains("a later file from Birstall was refused"))
    }

    @Test func academiesAndTheBoardAreToldOnceThroughARealMailServer() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let directory = try config.loadDirectory()
        let sink = try SMTPSink(inbox: h.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let shutdown = ShutdownSignal(), finished = DispatchSemaphore(value: 0)
        let engine = DataDropService.delivery(
            sender: config.drops.mail.sender, databasePath: h.settings.databasePath,
            options: DeliveryOptions(idleWait: 0.1, outage: Backoff(base: 0.1, cap: 0.5)), now: { Date() },
            log: Log(component: "drop-test.delivery", minimum: .warn), shutdown: shutdown) { [port = sink.port] in
            try SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: port))
        }
        Thread.detachNewThread {
            do { try engine.run() } catch { Issue.record("delivery stopped: \(error)") }
            finished.signal()
        }
        defer {
            shutdown.request()
            _ = finished.wait(timeout: .now() + 15)
        }
        // Birstall sends a file whose UPN fails its check; Coppice a good one.
        var bad = String(decoding: DropFixture.csv(school: 1, count: 5, expected: 2), as: UTF8.self)
        let upn = DropFixture.upn(school: 1, 2)
        let broken = String(upn.first == "A" ? "B" : "A") + upn.dropFirst()
        bad = bad.replacingOccurrences(of: upn, with: broken)
        try h.publish([submission(h, academy: "birstall", body: Array(bad.utf8)),
                       submission(h, academy: "coppice", body: DropFixture.csv(school: 2, count: 9, expected: 3)),
                       tick(h, .reminder)])
        let settings = h.settings
        let leads = { (a: String) in Set(directory.audience(roles: [.dataLead], academies: [AcademyID(a)]).map { $0.email.lowercased() }) }
        try h.run({ try DataDropHandler(settings: settings) }) { sink.received >= 2 + 14 * 1 }
        #expect(NewsletterRun.waitFor(30) { (try? h.scalar("SELECT count(*) FROM drop_notice_deliveries WHERE status = 'pending'")) == 0 })
        var mail = try sink.parse()
        let refusal = mail.filter { $0.subject.contains("Birstall's file was refused") }
        #expect(Set(refusal.map { $0.rcpt.lowercased() }) == leads("birstall"))
        #expect(refusal.count == leads("birstall").count)
        #expect(refusal.first?.text.contains("line 4, column upn:") == true, "\(refusal.first?.text ?? "")")
        #expect(refusal.first?.text.contains("fails the UPN check-letter test") == true)
        #expect(!mail.contains { $0.text.contains(broken) || $0.text.contains(upn) }, "a UPN in clear in an e-mail")
        let receipt = mail.filter { $0.subject.contains("Coppice's file accepted (9 pupils)") }
        #expect(Set(receipt.map { $0.rcpt.lowercased() }) == leads("coppice"))
        let reminders = mail.filter { $0.subject.contains("data drop due") }
        #expect(!reminders.contains { leads("coppice").contains($0.rcpt.lowercased()) }, "Coppice has data; no reminder")
        #expect(reminders.contains { leads("birstall").contains($0.rcpt.lowercased()) }, "a refused file is not data")
        #expect(Set(reminders.map { $0.subject }).count == 14)

        // The deadline: chasers to the fourteen, the summary, the Board report, each once,
        // even when the Scheduler's message is replayed under another id.
        let before = sink.received
        try h.publish([tick(h, .deadline), tick(h, .deadline, id: "operator-replay")])
        let reportRoles = Set(directory.audience(roles: [.centralTeam, .trustee]).map { $0.email.lowercased() })
        let managers = Set(directory.audience(roles: [.dataManager]).map { $0.email.lowercased() })
        let expected = before + reminders.count + managers.count + reportRoles.count
        try h.run({ try DataDropHandler(settings: settings) }) { sink.received >= expected }
        Thread.sleep(forTimeInterval: 1)
        #expect(sink.received == expected)
        mail = try sink.parse()
        let chasers = mail.filter { $0.subject.contains("data drop overdue") }
        #expect(Set(chasers.map { $0.rcpt.lowercased() }) == Set(reminders.map { $0.rcpt.lowercased() }))
        let board = mail.filter { $0.subject.hasPrefix("Board RAG report") }
        #expect(Set(board.map { $0.rcpt.lowercased() }) == reportRoles)
        #expect(board.count == reportRoles.count)
        #expect(board.first?.subject.contains("1 of 15 academies") == true)
        #expect(board.first?.text.contains("Not submitted by the deadline: Birstall, Boothroyd") == true)
        #expect(board.first?.structure.contains("text/html") == true)
        let summary = mail.filter { $0.subject.contains("after the deadline") }
        #expect(Set(summary.map { $0.rcpt.lowercased() }) == managers)
        #expect(summary.first?.text.contains("Chased today: Birstall") == true)
        let counts = try sink.receivedCounts()
        #expect(counts.values.allSatisfy { $0 <= 4 }, "someone got the same notice twice")
    }

    /// What `drop check` prints for a file is what the worker tells the academy about it.
    @Test func dropCheckAndTheWorkerGiveIdenticalMessagesForTheHostileCorpus() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let cases = try HostileCase.all().filter { $0.target == "datadrop" && $0.outcome == .rejected }
        #expect(cases.count >= 10)
        var bodies: [String: [UInt8]] = [:]
        try h.publish(try cases.map { c in
            let body = try c.body()
            bodies[c.id ?? c.file] = body
            return c.message(h, body: body)
        })
        let settings = h.settings
        try h.run(seconds: 60, { try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM drop_attempts") == cases.count
        }
        let db = try h.db()
        defer { db.close() }
        for row in try db.query("SELECT message_id, errors_json, error_count FROM drop_attempts") {
            let id = try #require(row.string("message_id")), body = try #require(bodies[id])
            let stored = try JSONEvent.decode([DropValidationError].self, from: row.string("errors_json") ?? "[]")
            guard case .failure(let local) = DropFileCheck.check(body, term: .autumn) else {
                Issue.record("\(id): drop check accepted what the worker refused")
                continue
            }
            #expect(local.errors == stored, "\(id)")
            #expect(local.totalCount == row.int("error_count"), "\(id)")
        }
    }
}
