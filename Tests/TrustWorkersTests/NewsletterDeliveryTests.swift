import Broker
import Foundation
import SMTPSinkSupport
import Testing
import TrustDomain
import TrustWorkers

/// End to end against the real broker and a real SMTP server: items and an assemble message
/// in, one e-mail per recipient out, read back with Python's `email` package.
@Suite("Newsletter delivery over SMTP", .serialized)
struct NewsletterDeliveryTests {
    @Test func aThousandRecipientsEachGetExactlyOneWellFormedMessage() throws {
        let run = try NewsletterRun(recipients: 1_000)
        defer { run.cleanUp() }
        run.now.set(try Date("2021-09-20T08:00:00Z", strategy: .iso8601))  // before the 24th's cut-off
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        try run.publish([
            try run.item("Fun run\r\nBcc: x@example.com", body: "**Well done** to everyone who ran.", academy: "birstall"),
            try run.item("Safer internet day", body: "<script>alert('x')</script> Read [the guide](https://example.org/guide).",
                         category: "wellbeing"),
            run.assemble("2021-09-24"),
        ])
        try run.startWorker()
        try run.startDelivery(smtpPort: sink.port)
        let settled = NewsletterRun.waitFor(180) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE announced_at IS NOT NULL") == 1
        }
        #expect(settled, "issue not settled; \((try? run.issues()) ?? [])")
        // The same issue date again, under another message id: nothing new is sent.
        try run.publish([run.assemble("2021-09-24", messageID: "manual-again")])
        #expect(NewsletterRun.waitFor(20) {
            try run.count("SELECT count(*) FROM processed_messages WHERE message_id = 'manual-again'") == 1
        })
        Thread.sleep(forTimeInterval: 1)
        run.stop()

        let summary = try #require(try run.issues().first)
        #expect(try run.issues().count == 1)
        #expect((summary.number, summary.issueDate, summary.items, summary.recipients) == (1, "2021-09-24", 2, 1_000))
        #expect((summary.sent, summary.failed, summary.pending) == (1_000, 0, 0))
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE reply LIKE '250 2.0.0 Ok: queued as %'") == 1_000)

        let messages = try sink.parse()
        #expect(messages.count == 1_000, "received \(messages.count) messages for 1,000 recipients")
        let (byRecipient, duplicates) = ReceivedMessage.tally(messages)
        #expect(Set(byRecipient.keys) == Set(run.recipients.map(\.email)))
        #expect(duplicates == 0)
        #expect(Set(messages.map(\.message_id)).count == 1_000)
        let expectedHeaders = "Date,From,To,Subject,Message-ID,MIME-Version,List-Id,Precedence,Auto-Submitted,Content-Type"
        let malformed = messages.filter {
            $0.headers != expectedHeaders || $0.structure != "multipart/alternative,text/plain,text/html" || $0.defects != 0
                || $0.subject != "FAcT 1 — 24 September 2021" || !$0.script_escaped
        }
        #expect(malformed.isEmpty, "e.g. \(malformed.prefix(2))")
        // Personalised: each copy greets and addresses its own recipient, non-ASCII names intact.
        for person in run.recipients {
            guard let message = byRecipient[person.email]?.first else { continue }
            let first = person.name.split(separator: " ")[0]
            #expect(message.greeting == "Dear \(first),")
            #expect(message.to.hasSuffix("<\(person.email)>") && message.to.contains(String(first)))
        }
        #expect(run.recipients.contains { !$0.name.allSatisfy(\.isASCII) })

        let sent = try run.events().filter { $0.routingKey == "newsletter.sent" }
        #expect(sent.count == 1)
        let event = try JSONSerialization.jsonObject(with: Data(try #require(sent.first).body)) as? [String: Any]
        #expect(event?["issue"] as? Int == 1 && event?["sent"] as? Int == 1_000 && event?["failed"] as? Int == 0)
        #expect(sent.first?.properties.messageID == "newsletter.sent:1")
        let archive = run.varDirectory.appendingPathComponent("newsletters/FAcT-1-2021-09-24.html")
        let html = try String(contentsOf: archive, encoding: .utf8)
        #expect(html.contains(">Fun run Bcc: x@example.com</h3>") && html.contains("&lt;script&gt;"))
    }

    @Test func killingTheMailServerMidIssueLosesNoOneAndRepeatsAtMostTheMessageInFlight() throws {
        let recipients = 400
        let run = try NewsletterRun(recipients: recipients)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        try run.publish([try run.item("Outage drill"), run.assemble("2021-09-24")])
        try run.startWorker()
        try run.startDelivery(smtpPort: sink.port)
        #expect(NewsletterRun.waitFor(60) { sink.received >= 120 })
        sink.kill()
        let atKill = sink.received
        Thread.sleep(forTimeInterval: 2)
        // Nothing can have been delivered while the server was down, and the rest wait.
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'pending'") > 0)
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'failed'") == 0)
        try sink.start()
        let settled = NewsletterRun.waitFor(120) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE settled_at IS NOT NULL") == 1
        }
        #expect(settled, "issue not settled; \((try? run.issues()) ?? [])")
        run.stop()

        let messages = try sink.parse()
        let (byRecipient, duplicates) = ReceivedMessage.tally(messages)
        print("newsletter SMTP kill: \(atKill) accepted before the kill, \(messages.count) messages for "
            + "\(byRecipient.count) recipients, \(duplicates) duplicate(s)")
        #expect(Set(byRecipient.keys) == Set(run.recipients.map(\.email)))
        #expect(duplicates <= 1, "a server kill can repeat only the message whose reply was lost")
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'") == recipients)
    }
}
