import Foundation
import Mail
import SMTPSinkSupport
import Testing
import TrustDomain

@Suite struct SMTPTransportTests {
    @Test func twoHundredMessagesArriveExactlyOnceOverOneConnection() throws {
        try withTemporaryDirectory { inbox in
            let server = try SMTPSink(inbox: inbox)
            defer { server.stop() }
            let mails = try (1...200).map { try newsletter($0) }
            let transport = try SMTPTransport(configuration: smtp(server.port))
            let clock = ContinuousClock()
            var receipts: [DeliveryReceipt] = []
            let elapsed = try clock.measure {
                receipts = try mails.map { try transport.send($0) }
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("SMTP throughput: 200 messages in \(elapsed), \(Int(200 / seconds)) msgs/s")

            #expect(receipts.allSatisfy { $0.replyCode == 250 && $0.reply?.hasPrefix("250 2.0.0 Ok") == true })
            #expect(transport.connectionsOpened == 1)
            let sessions = try String(contentsOf: inbox.appendingPathComponent("sessions.log"), encoding: .utf8)
            #expect(sessions.split(separator: "\n").count == 1)

            let parsed = try SMTPSink.parse(inbox)
            #expect(parsed.count == 200)
            #expect(Set(parsed.map(\.message_id)) == Set(mails.map(\.messageID)))
            #expect(parsed.allSatisfy { $0.defects == 0 && $0.structure == "multipart/alternative,text/plain,text/html" })
            let first = try #require(parsed.first { $0.message_id == "<news-2021-09-17.rcp-7@focus-trust.local>" })
            #expect(first.subject == "Trust newsletter — Café 7")
            #expect(first.to == "Colleague 7 <colleague-7@focus-trust.local>")
            #expect(first.text.contains("BODY-MARKER-7"))
            // The envelope, not just the headers, went to the right person.
            let envelope = try String(contentsOf: inbox.appendingPathComponent("\(first.file.dropLast(4)).json"),
                                      encoding: .utf8)
            #expect(envelope.contains("\"rcpt_tos\": [\"colleague-7@focus-trust.local\"]"))
            #expect(envelope.contains("\"mail_from\": \"news@focus-trust.local\""))
        }
    }

    @Test func rejectedRecipientIsPermanentAndTheConnectionRecovers() throws {
        try withTemporaryDirectory { inbox in
            let server = try SMTPSink(inbox: inbox, replies: ["left@focus-trust.local=550"])
            defer { server.stop() }
            let transport = try SMTPTransport(configuration: smtp(server.port))
            let error = try #require(throws: MailError.self) {
                try transport.send(newsletter(1, to: "left@focus-trust.local"))
            }
            #expect(!error.isTransient)
            #expect(error.replyCode == 550)
            #expect(error.message.contains("550 5.1.1 <left@focus-trust.local>: recipient rejected"))
            #expect(error.message.contains("<news-2021-09-17.rcp-1@focus-trust.local>"))
            #expect(!error.message.contains("BODY-MARKER"))

            #expect(try transport.send(newsletter(2)).replyCode == 250)
            #expect(try SMTPSink.parse(inbox).map(\.message_id) == ["<news-2021-09-17.rcp-2@focus-trust.local>"])
        }
    }

    @Test func deferredRecipientIsTransient() throws {
        try withTemporaryDirectory { inbox in
            let server = try SMTPSink(inbox: inbox, replies: ["busy@focus-trust.local=451"])
            defer { server.stop() }
            let transport = try SMTPTransport(configuration: smtp(server.port))
            let error = try #require(throws: MailError.self) {
                try transport.send(newsletter(1, to: "busy@focus-trust.local"))
            }
            #expect(error.isTransient)
            #expect(error.replyCode == 451)
        }
    }

    @Test func nothingListeningIsTransient() throws {
        let closed = try SMTPSink(.closed)
        defer { closed.stop() }
        let transport = try SMTPTransport(configuration: smtp(closed.port))
        let error = try #require(throws: MailError.self) { try transport.send(newsletter(1)) }
        #expect(error.isTransient)
        #expect(error.replyCode == nil)
        #expect(error.message.contains("smtp://127.0.0.1:\(closed.port)"))
    }

    @Test func silentServerTimesOutAsTransient() throws {
        let mute = try SMTPSink(.mute)
        defer { mute.stop() }
        let transport = try SMTPTransport(configuration: smtp(mute.port, timeout: .milliseconds(500)))
        let start = ContinuousClock.now
        let error = try #require(throws: MailError.self) { try transport.send(newsletter(1)) }
        #expect(error.isTransient)
        #expect(error.message.contains("curl 28"))
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func requiredTLSIsNotSilentlyDowngraded() throws {
        try withTemporaryDirectory { inbox in
            let server = try SMTPSink(inbox: inbox)
            defer { server.stop() }
            let transport = try SMTPTransport(configuration: smtp(server.port, security: .startTLSRequired))
            let error = try #require(throws: MailError.self) { try transport.send(newsletter(1)) }
            #expect(error.isTransient)
            #expect(try SMTPSink.parse(inbox).isEmpty)
        }
    }
}
