import Broker
import Foundation
import Store
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

/// Every case in `Tests/Fixtures/hostile/cases.json`, sent one at a time through the real
/// handler in a running worker, each followed by a valid message. For each case: the promised
/// outcome happened with a reason a data manager can act on, no data of it was stored, and the
/// worker went on to process the valid message sent after it.
@Suite("Hostile inputs through the real workers")
struct HostileInputTests {
    @Test func dataDropsAreRejectedOrDeadLetteredWithTheirReasonAndNothingIsStored() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        let probe = DropFixture.csv(school: 9, count: 6, expected: 3)
        let settings = h.settings
        let run = try HostileRun(
            harness: h, target: "datadrop", tables: ["drop_pupils", "drop_aggregates", "board_reports"],
            probe: { id in h.message(routingKey: "datadrop.wilsden", type: "datadrop.submitted", contentType: "text/csv",
                                    id: id, body: probe, headers: ["x-drop": .string("2021-22/autumn")]) })
        try h.run(seconds: 240, { try DataDropHandler(settings: settings) }, until: run.step)
        run.finish()
        // The hostile files all went to birstall: none of them left a pupil or an aggregate.
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy <> 'wilsden'") == 0)
        #expect(try h.scalar("SELECT count(*) FROM drop_aggregates WHERE academy <> 'wilsden'") == 0)
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'wilsden'") == 6)
        let rejected = run.cases.filter { $0.outcome == .rejected }.count
        #expect(try h.scalar("SELECT count(*) FROM drop_attempts WHERE status = 'rejected'") == rejected)
    }

    @Test func surveyExportsAreDeadLetteredWithTheirReasonAndNothingIsStored() throws {
        let h = try Harness(bindings: ["survey.*"])
        defer { h.cleanUp() }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        let library = SurveyLibrary(configDirectory: h.settings.configDirectory)
        let export = SyntheticForms.export(survey: try library.definition("colleagues-2022"),
                                           academies: config.academies, options: .init(respondents: 5))
        let settings = h.settings
        let run = try HostileRun(
            harness: h, target: "survey", tables: ["survey_responses", "survey_answers", "survey_summaries"],
            probe: { id in h.message(routingKey: "survey.colleagues-2022", type: "survey.submitted",
                                     contentType: "text/csv", id: id, body: Array(export.csv.utf8)) })
        try h.run(seconds: 120, { try SurveyHandler(settings) }, until: run.step)
        run.finish()
        #expect(try h.scalar("SELECT count(*) FROM survey_responses") == 5)
    }

    @Test func newsletterMessagesAreDeadLetteredOrMadeSafeAndNothingElseIsStored() throws {
        let h = try Harness(bindings: ["newsletter.*"])
        defer { h.cleanUp() }
        let settings = h.settings
        let setup = try NewsletterSetup(settings: settings)
        let item = try NewsletterItem(title: "Sports day", body: "All academies, 1 July.", category: "trust-news",
                                      academy: nil, author: "Central team", rules: setup.itemRules)
        let run = try HostileRun(
            harness: h, target: "newsletter",
            tables: ["newsletter_items", "newsletter_issues", "newsletter_deliveries"],
            probe: { id in h.message(routingKey: "newsletter.item", type: "newsletter.item",
                                     contentType: "application/json", id: id, body: item.json) })
        try h.run(seconds: 120, { NewsletterHandler(setup: setup) }, until: run.step)
        run.finish()
        // Every valid item (one after each case, one before the first) and the stored case.
        #expect(try h.scalar("SELECT count(*) FROM newsletter_items") == run.cases.count + 2)
    }

    @Test func reminderAndCalendarMessagesAreDeadLetteredWithTheirReasonAndNothingIsStored() throws {
        let h = try Harness(bindings: ["reminder.*", "calendar.*"])
        defer { h.cleanUp() }
        let config = try TrustConfig(directory: h.settings.configDirectory)
        // An occurrence in the past: the valid reminder is processed and, rightly, mails nobody.
        let request = ReminderRequest(forumID: "curriculum-pedagogy-leads",
                                      occurrenceID: "curriculum-pedagogy-leads-2021-09-15", leadDays: 7)
        let run = try HostileRun(
            harness: h, target: "reminder",
            tables: ["reminder_changes", "reminder_published", "reminder_mailings", "reminder_deliveries"],
            probe: { id in h.message(routingKey: ReminderRequest.routingKey, type: ReminderRequest.type,
                                    contentType: "application/json", id: id, body: request.body) })
        try h.run(seconds: 120, { ReminderHandler(config: config) }, until: run.step)
        run.finish()
    }
}

/// Drives one worker through a target's cases: publish a case, wait for its outcome and check
/// it, publish a valid message, wait until it is processed, then the next case. It runs as the
/// harness's `until` condition, polled on the test's thread while the worker runs.
final class HostileRun {
    let harness: Harness
    let cases: [HostileCase]
    let tables: [String]
    /// A valid message with the given id.
    let probe: (String) -> OutgoingMessage
    private var index = 0
    /// The id of the valid message sent last, until it is processed.
    private var awaitingProbe: String?
    private var warmedUp = false
    /// The target's row counts taken just before the current case was published.
    private var before: [Int]?
    private var anonymousErrors = 0
    private var finished = false
    private var started = Date()
    private var slowest: (String, TimeInterval) = ("", 0)
    private var evidence: [Delivery] = []

    init(harness: Harness, target: String, tables: [String], probe: @escaping (String) -> OutgoingMessage) throws {
        self.harness = harness
        self.tables = tables
        self.probe = probe
        cases = try HostileCase.all().filter { $0.target == target }
        #expect(!cases.isEmpty)
        try harness.publish([])  // declares the topology before the first count
    }

    /// Returns true when every case is done, or when something failed and was recorded.
    func step() -> Bool {
        do {
            if index == cases.count {
                finished = true
                return true
            }
            if let id = awaitingProbe {
                guard try harness.scalar("SELECT count(*) FROM processed_messages WHERE message_id = ? AND outcome = 'processed'",
                                         [.text(id)]) == 1 else { return false }
                awaitingProbe = nil
                if warmedUp { index += 1 }
                warmedUp = true
                return false
            }
            if !warmedUp {
                // A valid message first: once it is processed the worker is consuming and its
                // tables exist, so the counts taken before each case mean something.
                return send(probe: "probe:warm-up")
            }
            let current = cases[index]
            guard let before else {
                self.before = try counts()
                anonymousErrors = try harness.scalar("SELECT count(*) FROM worker_errors WHERE message_id IS NULL")
                started = Date()
                try harness.publish([current.message(harness, body: try current.body())])
                return false
            }
            guard let reason = try settled(current) else { return false }
            check(current, reason: reason)
            let elapsed = Date().timeIntervalSince(started)
            if elapsed > slowest.1 { slowest = (current.file, elapsed) }
            // A case that is made safe and stored adds its one item row; any other adds nothing.
            let added = zip(try counts(), before).map { $0 - $1 }
            let expected = tables.indices.map { $0 == 0 && current.outcome == .stored ? 1 : 0 }
            #expect(added == expected, "\(current): rows added per table \(tables): \(added)")
            self.before = nil
            return send(probe: "probe:\(current.file)")
        } catch {
            Issue.record("\(index < cases.count ? cases[index].file : "after the last case"): \(error)")
            return true
        }
    }

    private func send(probe id: String) -> Bool {
        awaitingProbe = id
        do {
            try harness.publish([probe(id)])
            return false
        } catch {
            Issue.record("publishing \(id): \(error)")
            return true
        }
    }

    /// After the run: every case must have been reached.
    func finish() {
        #expect(finished, "stopped at \(index < cases.count ? cases[index].file : "?") (\(awaitingProbe.map { "\($0) was not processed" } ?? "no outcome"))")
        print("hostile \(cases.first?.target ?? ""): \(index) cases; slowest \(slowest.0) \(String(format: "%.2f", slowest.1)) s")
    }

    private func counts() throws -> [Int] {
        try tables.map { try harness.scalar("SELECT count(*) FROM \($0)") }
    }

    /// The message a data manager is shown, once the case's outcome is complete: the rejection
    /// event's error list, or the dead letter's `x-error`; nil while still in progress.
    private func settled(_ c: HostileCase) throws -> String? {
        if c.outcome == .stored {
            guard let id = c.id, try harness.scalar("SELECT count(*) FROM processed_messages WHERE message_id = ? AND outcome = 'processed'",
                                                    [.text(id)]) == 1 else { return nil }
            let db = try harness.db()
            defer { db.close() }
            return try db.scalar("SELECT title FROM newsletter_items WHERE message_id = ?", [.text(id)])?.stringValue ?? ""
        }
        let queue = c.outcome == .rejected ? harness.topology.eventLogQueue! : Topology.deadQueue(harness.topology.queues[0].name)
        evidence += try harness.drain(queue)
        let found: Delivery?
        switch c.outcome {
        case .rejected:
            found = evidence.first { $0.properties.messageID == "datadrop.rejected:\(c.id ?? "")" }
        case .stored:
            found = nil
        case .deadLettered:
            found = evidence.first { $0.properties.headers["x-error"] != nil && $0.properties.messageID == c.id.flatMap { $0.isEmpty ? nil : $0 } }
                ?? evidence.first { $0.properties.headers["x-error"] != nil && (c.id ?? "").isEmpty }
        }
        guard let found else { return nil }
        // The ledger commit follows the dead-letter copy's confirm; wait for it too.
        if let id = c.id, !id.isEmpty {
            let outcome = c.outcome == .rejected ? "processed" : "dead-lettered"
            guard try harness.scalar("SELECT count(*) FROM processed_messages WHERE message_id = ? AND outcome = ?",
                                     [.text(id), .text(outcome)]) == 1 else { return nil }
        } else if try harness.scalar("SELECT count(*) FROM worker_errors WHERE message_id IS NULL") <= anonymousErrors {
            return nil
        }
        evidence.removeAll()
        if c.outcome == .deadLettered { return found.properties.headers["x-error"]?.stringValue ?? "" }
        // The event lists the first errors and counts them all, as `trustctl drop status` shows.
        struct Rejected: Decodable { let errors: [String], error_count: Int }
        let event = try JSONDecoder().decode(Rejected.self, from: Data(found.body))
        let more = event.error_count - event.errors.count
        return (event.errors + (more > 0 ? ["… and \(more) more errors"] : [])).joined(separator: "\n")
    }

    private func check(_ c: HostileCase, reason: String) {
        #expect(reason.contains(c.expect), "\(c): expected «\(c.expect)» in «\(reason.prefix(400))»")
        // What people see is one readable line per problem: no raw control characters.
        #expect(!reason.unicodeScalars.contains {
            $0.properties.generalCategory == .control && ($0 != "\n" || c.outcome == .stored)
        },
                "\(c): control characters in «\(reason.prefix(200))»")
        if c.outcome == .rejected, let id = c.id {
            #expect((try? harness.scalar("SELECT count(*) FROM drop_attempts WHERE message_id = ? AND status = 'rejected'",
                                         [.text(id)])) == 1, "\(c): no rejected attempt recorded")
        }
        if let path = ProcessInfo.processInfo.environment["HOSTILE_TABLE"] {
            // The line with the expected text; when it is long, from the clause holding that text.
            var shown = Substring(reason.split(separator: "\n").first { $0.contains(c.expect) } ?? "")
            if shown.count > 100, let found = shown.range(of: c.expect)?.lowerBound,
               let clause = shown[..<found].range(of: ": ", options: .backwards)?.upperBound {
                shown = "…" + shown[clause...]
            }
            let cell = (shown.count > 100 ? shown.prefix(99) + "…" : shown).replacingOccurrences(of: "|", with: "\\|")
            let row = "| `\(c.file)` | \(c.target) | \(c.outcome.rawValue) | \(cell) |\n"
            // Appending (O_APPEND) keeps rows whole while the targets' tests run in parallel.
            if let file = fopen(path, "a") {
                fputs(row, file)
                fclose(file)
            }
        }
    }
}
