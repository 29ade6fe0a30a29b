import Foundation
import Mail
import SMTPSinkSupport
import Testing
import TrustDomain

@Suite struct OutboxTransportTests {
    @Test func writesParseableFilesAndTheSameMessageTwiceOnce() throws {
        try withTemporaryDirectory { root in
            let outbox = root.appendingPathComponent("var/outbox")
            let transport = try OutboxTransport(directory: outbox)
            for n in [1, 2, 3, 2] {
                let receipt = try transport.send(newsletter(n))
                #expect(receipt.destination == outbox.appendingPathComponent("news-2021-09-17.rcp-\(n)@focus-trust.local.eml").path)
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: outbox.path).sorted()
            #expect(files == (1...3).map { "news-2021-09-17.rcp-\($0)@focus-trust.local.eml" })
            let parsed = try SMTPSink.parse(outbox)
            #expect(parsed.count == 3)
            #expect(parsed.allSatisfy { $0.defects == 0 && $0.subject.hasPrefix("Trust newsletter — Café") })
        }
    }

    @Test func messageIDsCannotEscapeTheDirectory() throws {
        try withTemporaryDirectory { outbox in
            let transport = try OutboxTransport(directory: outbox)
            for id in ["<../../etc/passwd>", "/abs/path", "..", "<.hidden@x>", ""] {
                let file = transport.fileURL(forMessageID: id)
                #expect(file.deletingLastPathComponent().path == outbox.path)
                #expect(!file.lastPathComponent.hasPrefix("."))
            }
            #expect(transport.fileURL(forMessageID: "<a/b@c>").lastPathComponent == "a_b@c.eml")
        }
    }
}
