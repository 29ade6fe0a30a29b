import Broker
import Foundation
import Mail
import SMTPSinkSupport
import Synchronization
import Testing
import TrustDomain
import TrustWorkers
import WorkerKit

/// A clock the test moves: real time plus an offset (a day, to see a quota pause end).
final class MovableClock: Sendable {
    private let offset = Mutex<Double>(0)
    func advance(_ seconds: Double) { offset.withLock { $0 += seconds } }
    var now: @Sendable () -> Date { { [self] in Date().addingTimeInterval(offset.withLock { $0 }) } }
}

/// Sending within the relay's rules, against the real broker and the real SMTP sink
/// (aiosmtpd with an authenticator, and its loopback OAuth token endpoint).
@Suite("Relay rules over SMTP", .serialized)
struct RelayRulesTests {
    static let sender = "fact@focus-trust.local"

    @Test func xoauth2TokensFromTheTokenEndpointAreRefreshedAndNoMailFails() throws {
        let run = try NewsletterRun(recipients: 12)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"), oauth: "fact-app:s3cret", tokenLifetime: 2)
        defer { sink.stop() }
        // mail.json and a 0600 secret file, read through the worker's own RelaySetup.
        let secret = run.root.appendingPathComponent("fact-oauth.secret")
        try Data("s3cret\n".utf8).write(to: secret)
        chmod(secret.path, 0o600)
        let mailJSON: [String: Any] = [
            "relays": [["host": "127.0.0.1", "messages_per_minute": 120, "recipients_per_day": NSNull()]],
            "senders": [["address": Self.sender, "auth": "xoauth2", "username": Self.sender, "tenant_id": "t-1",
                         "client_id": "fact-app", "client_secret_file": secret.path, "scope": MailConfig.Sender.defaultScope,
                         "token_endpoint": "http://127.0.0.1:\(sink.tokenPort!)/token"]],
        ]
        try JSONSerialization.data(withJSONObject: mailJSON).write(to: run.configDirectory.appendingPathComponent("mail.json"))
        let settings = try Settings.fromEnvironment(["TRUST_CONFIG": run.configDirectory.path,
                                                     "TRUST_SMTP_URL": "smtp://127.0.0.1:\(sink.port)",
                                                     "TRUST_AMQP_URL": NewsletterRun.brokerURL])
        let relay = try RelaySetup(settings: settings, outboxDirectory: run.setup.outboxDirectory)
        #expect(relay.limits == RelayLimits(messagesPerMinute: 120, recipientsPerDay: nil))

        try run.publish([try run.item("Tokens"), run.assemble("2021-09-24")])
        try run.startWorker()
        try run.startDelivery(smtpPort: nil, pacing: relay.limits, transport: { try relay.makeTransport() })
        let settled = NewsletterRun.waitFor(60) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE settled_at IS NOT NULL") == 1
        }
        run.stop()
        #expect(settled, "\((try? run.issues()) ?? [])")
        let summary = try #require(try run.issues().first)
        #expect((summary.sent, summary.failed, summary.pending) == (12, 0, 0))
        let arrivals = try sink.arrivals()
        #expect(arrivals.count == 12 && Set(arrivals.map(\.recipient)) == Set(run.recipients.map { $0.email.lowercased() }))
        #expect(arrivals.allSatisfy { $0.auth == "XOAUTH2 \(Self.sender)" })
        // 12 messages at 120 a minute take about 6 s; 2-s tokens are fetched again every 1.6 s.
        let issued = sink.tokensIssued(), auths = sink.authLog()
        print("XOAUTH2: \(issued.count) tokens issued, \(auths.count) AUTHs, over \(String(format: "%.1f", arrivals.last!.at - arrivals.first!.at)) s")
        #expect(issued.count >= 3, "tokens were not refreshed: \(issued)")
        #expect(!auths.isEmpty && auths.allSatisfy { $0 == "XOAUTH2 \(Self.sender) ok" }, "\(auths)")
    }

    @Test func anExposedSecretFileStopsTheWorkerWithAClearError() throws {
        let run = try NewsletterRun(recipients: 1)
        defer { run.cleanUp() }
        let secret = run.root.appendingPathComponent("exposed.secret")
        try Data("s3cret".utf8).write(to: secret)
        chmod(secret.path, 0o644)
        let mailJSON: [String: Any] = ["relays": [], "senders": [[
            "address": Self.sender, "auth": "login", "username": Self.sender, "password_file": secret.path]]]
        try JSONSerialization.data(withJSONObject: mailJSON).write(to: run.configDirectory.appendingPathComponent("mail.json"))
        let settings = try Settings.fromEnvironment(["TRUST_CONFIG": run.configDirectory.path, "TRUST_AMQP_URL": NewsletterRun.brokerURL])
        let error = try #require(throws: InputError.self) {
            try RelaySetup(settings: settings, outboxDirectory: run.setup.outboxDirectory)
        }
        #expect(error.description == "mail.json: sender \"\(Self.sender)\": password_file \"\(secret.path)\" is readable by "
            + "others (mode 644); chmod 600 it")
    }

    @Test(arguments: [("auth", "535 5.7.3 Authentication unsuccessful"),
                      ("data", "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException")])
    func aRefusedSenderPausesEveryoneFailsNobodyAndEveryoneGetsOneMessageOnceFixed(stage: String, reply: String) throws {
        let recipients = 30
        let run = try NewsletterRun(recipients: recipients)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"), logins: ["\(Self.sender):pw"])
        defer { sink.stop() }
        try sink.answer(stage, with: reply)
        let clock = MovableClock()
        try run.publish([try run.item("Refused"), run.assemble("2021-09-24")])
        try run.startWorker()
        let port = sink.port
        try run.startDelivery(smtpPort: nil, now: clock.now, transport: {
            SenderRoutedTransport(relay: NewsletterRun.smtp(port), identities: [Self.sender: .login(username: Self.sender, password: "pw")])
        })
        #expect(NewsletterRun.waitFor(30) {
            try run.count("SELECT count(*) FROM delivery_pauses WHERE kind = 'newsletter' AND announced_at IS NOT NULL") == 1
        })
        Thread.sleep(forTimeInterval: 2)  // several more refusals (backoff 0.1–0.5 s; a quota waits a day)
        let pause = try #require(try run.rows("SELECT reason, attempts FROM delivery_pauses").first)
        #expect(pause.string("reason") == (stage == "data" ? "quota" : "sender"))
        if stage == "auth" { #expect((pause.int("attempts") ?? 0) > 1) }
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'failed'") == 0)
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'pending'") == recipients)
        #expect(sink.received == 0)

        try sink.answer(stage, with: nil)  // the relay is fixed (a password reset, the next day's quota)
        if stage == "data" { clock.advance(25 * 3_600) }
        let settled = NewsletterRun.waitFor(60) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE settled_at IS NOT NULL") == 1
        }
        #expect(settled, "\((try? run.issues()) ?? [])")
        Thread.sleep(forTimeInterval: 0.5)
        run.stop()
        let (byRecipient, duplicates) = ReceivedMessage.tally(try sink.parse())
        #expect(Set(byRecipient.keys) == Set(run.recipients.map(\.email)) && duplicates == 0)
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'") == recipients)
        #expect(try run.count("SELECT count(*) FROM delivery_pauses") == 0)
        let paused = try run.events().filter { $0.routingKey == "delivery.paused" }
        #expect(paused.count == 1, "one operator event per pause, not one per refusal")
        let body = try JSONSerialization.jsonObject(with: Data(try #require(paused.first).body)) as? [String: Any]
        #expect((body?["reply"] as? String)?.contains(reply) == true && body?["sender"] as? String == Self.sender)
    }

    @Test func pacingAt120AMinuteSpreads240RecipientsOverTwoMinutesWithNoMinuteOver120() throws {
        let recipients = 240
        let run = try NewsletterRun(recipients: recipients)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let limits = RelayLimits(messagesPerMinute: 120, recipientsPerDay: 10_000)
        try run.publish([try run.item("Paced"), run.assemble("2021-09-24")])
        try run.startWorker()
        let started = Date()
        try run.startDelivery(smtpPort: sink.port, pacing: limits)
        // Half way, `news issues` estimates the finish from what is pending at this pace.
        #expect(NewsletterRun.waitFor(90) { sink.received >= 120 })
        let midway = try run.write { db in
            try NewsletterProgress.withEstimates(try NewsletterIssueSummary.all(in: db), sender: Self.sender, limits: limits,
                                                 in: db, now: Date())
        }.first
        let settled = NewsletterRun.waitFor(120) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE settled_at IS NOT NULL") == 1
        }
        let elapsed = Date().timeIntervalSince(started)
        run.stop()
        #expect(settled)
        let arrivals = try sink.arrivals().map(\.at)
        #expect(arrivals.count == recipients)
        let span = arrivals.last! - arrivals.first!
        // The most arrivals in any 60 s window starting at an arrival, and in any whole minute
        // counted from the first arrival.
        let busiestWindow = arrivals.indices.map { i in arrivals[i...].prefix { $0 < arrivals[i] + 60 }.count }.max() ?? 0
        let perMinute = Dictionary(grouping: arrivals) { Int(($0 - arrivals.first!) / 60) }.mapValues(\.count)
        let estimate = try #require(midway?.estimatedFinish.flatMap(Settings.parseInstant))
        let finishedAt = Date(timeIntervalSince1970: arrivals.last!)
        print("pacing 120/min: 240 messages, first to last \(String(format: "%.1f", span)) s, whole run "
            + "\(String(format: "%.1f", elapsed)) s, busiest 60-s window \(busiestWindow), per minute \(perMinute.sorted { $0.key < $1.key }.map(\.value)), "
            + "midway estimate off by \(String(format: "%.1f", estimate.timeIntervalSince(finishedAt))) s")
        #expect(span >= 120, "240 messages at 120 a minute must take two minutes")
        #expect(busiestWindow <= 120 && perMinute.values.allSatisfy { $0 <= 120 })
        #expect(abs(estimate.timeIntervalSince(finishedAt)) < 10)
        #expect(try run.count("SELECT count(*) FROM relay_sends WHERE sender = ?", [.text(Self.sender)]) == recipients)
    }

    /// An issue to `recipients` being sent at 1,200 a minute, once `sent` have arrived.
    private func sendingIssue(_ title: String, to recipients: Int, until sent: Int) throws -> (NewsletterRun, SMTPSink) {
        let run = try NewsletterRun(recipients: recipients)
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        try run.publish([try run.item(title), run.assemble("2021-09-24")])
        try run.startWorker()
        try run.startDelivery(smtpPort: sink.port, pacing: RelayLimits(messagesPerMinute: 1_200, recipientsPerDay: nil))
        #expect(NewsletterRun.waitFor(60) { sink.received >= sent })
        return (run, sink)
    }

    @Test func pausedMidSendThenResumedEveryoneGetsExactlyOneMessage() throws {
        let recipients = 200
        let (run, sink) = try sendingIssue("Pause drill", to: recipients, until: 50)
        defer { run.cleanUp() }
        defer { sink.stop() }
        let message = try run.write { try NewsletterControls.apply(.pause, issue: 1, in: $0, at: Date()) }
        Thread.sleep(forTimeInterval: 1)  // honoured within a message: at most the one in flight lands
        let atPause = sink.received
        Thread.sleep(forTimeInterval: 3)
        #expect(sink.received == atPause, "the pump sent after the pause")
        let paused = try #require(try run.issues().first)
        #expect(paused.state == "paused" && paused.sent == atPause && paused.pending == recipients - atPause)
        #expect(throws: InputError.self) { try run.write { try NewsletterControls.apply(.pause, issue: 1, in: $0, at: Date()) } }
        try run.write { _ = try NewsletterControls.apply(.resume, issue: 1, in: $0, at: Date()) }
        let settled = NewsletterRun.waitFor(60) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE settled_at IS NOT NULL") == 1
        }
        run.stop()
        #expect(settled)
        let (byRecipient, duplicates) = ReceivedMessage.tally(try sink.parse())
        print("pause/resume: \(message); \(atPause) before the pause, \(byRecipient.count) recipients, \(duplicates) duplicates")
        #expect(Set(byRecipient.keys) == Set(run.recipients.map(\.email)) && duplicates == 0)
        let done = try #require(try run.issues().first)
        #expect(done.state == "sending" && done.sent == recipients && done.pending == 0)
    }

    @Test func cancelledMidSendNobodyAfterTheCancelGetsIt() throws {
        let recipients = 200
        let (run, sink) = try sendingIssue("Cancel drill", to: recipients, until: 40)
        defer { run.cleanUp() }
        defer { sink.stop() }
        let message = try run.write { try NewsletterControls.apply(.cancel, issue: 1, in: $0, at: Date()) }
        let cancelledAt = Date().timeIntervalSince1970
        #expect(NewsletterRun.waitFor(20) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE announced_at IS NOT NULL") == 1
        })
        Thread.sleep(forTimeInterval: 2)
        run.stop()
        let summary = try #require(try run.issues().first)
        let arrivals = try sink.arrivals()
        print("cancel: \(message); \(summary.sent) sent, \(summary.cancelled) cancelled, "
            + "\(arrivals.filter { $0.at > cancelledAt }.count) arrived after the cancel")
        #expect(summary.state == "cancelled" && summary.pending == 0 && summary.failed == 0)
        #expect(summary.sent + summary.cancelled == recipients && summary.cancelled > 0)
        #expect(arrivals.count == summary.sent, "only those recorded as sent arrived")
        #expect(arrivals.filter { $0.at > cancelledAt + 0.5 }.isEmpty, "someone got it after the cancel")
        let cancelled = Set(try run.rows("SELECT email FROM newsletter_deliveries WHERE status = 'cancelled'")
            .compactMap { $0.string("email")?.lowercased() })
        #expect(cancelled.isDisjoint(with: arrivals.map(\.recipient)))
        let event = try #require(try run.events().first { $0.routingKey == "newsletter.sent" })
        let body = try JSONSerialization.jsonObject(with: Data(event.body)) as? [String: Any]
        #expect(body?["sent"] as? Int == summary.sent && body?["cancelled"] as? Int == summary.cancelled)
        #expect(throws: InputError.self) { try run.write { try NewsletterControls.apply(.resume, issue: 1, in: $0, at: Date()) } }
    }

    @Test func aPreviewGoesToThePreviewListAndTheIssueWaitsForApproval() throws {
        let run = try NewsletterRun(recipients: 20, editor: NewsletterEditorConfig(previewTo: ["editor@focus-trust.local"],
                                                                                   approvalRequired: true))
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        try run.publish([try run.item("Previewed"), NewsletterIntake.preview(to: run.setup.editor.previewTo + ["Head@Focus-Trust.local"],
                                                                              topology: run.topology)])
        try run.startWorker()
        run.startPreviewDelivery(smtpPort: sink.port)
        try run.startDelivery(smtpPort: sink.port)
        #expect(NewsletterRun.waitFor(30) { sink.received == 2 })
        let previews = try sink.parse()
        #expect(Set(previews.map(\.rcpt)) == ["editor@focus-trust.local", "head@focus-trust.local"])
        #expect(previews.allSatisfy { $0.subject.hasPrefix("[Preview] FAcT 1 — ") && $0.message_id.hasPrefix("<preview-1.") })
        // Not an issue: nothing numbered, the item still waits for the real one.
        #expect(try run.count("SELECT count(*) FROM newsletter_issues") == 0)
        #expect(try run.count("SELECT count(*) FROM newsletter_items WHERE issue_number IS NULL") == 1)

        try run.publish([run.assemble("2021-09-24")])
        #expect(NewsletterRun.waitFor(30) { try run.issues().first?.state == "awaiting_approval" })
        Thread.sleep(forTimeInterval: 1.5)
        #expect(sink.received == 2, "an issue awaiting approval went out")
        try run.write { _ = try NewsletterControls.apply(.approve, issue: 1, in: $0, at: Date()) }
        #expect(NewsletterRun.waitFor(30) { sink.received == 22 })
        run.stop()
        let summary = try #require(try run.issues().first)
        #expect((summary.state, summary.sent, summary.pending) == ("sending", 20, 0))
        #expect(Set(try sink.parse().filter { !$0.subject.hasPrefix("[Preview]") }.map(\.rcpt)) == Set(run.recipients.map(\.email)))
    }
}
