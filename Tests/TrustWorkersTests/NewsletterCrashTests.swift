import Foundation
import SMTPSinkSupport
import Testing

/// The NewsletterWorker executable killed with SIGKILL half-way through an issue, then
/// restarted: nobody is missed, and the repeats are bounded by the pump's commit chunk.
@Suite("Newsletter worker crash", .serialized)
struct NewsletterCrashTests {
    static var executable: URL {
        get throws {
            let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                        NewsletterRun.repoRoot.appendingPathComponent(".build/debug")]
            for dir in dirs {
                for candidate in [dir, dir.deletingLastPathComponent()] {
                    let url = candidate.appendingPathComponent("NewsletterWorker")
                    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
                }
            }
            Issue.record("NewsletterWorker not built; run `swift build --build-tests` first")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    static func start(_ run: NewsletterRun, smtpPort: Int, chunk: Int = 1) throws -> Process {
        let process = Process()
        process.executableURL = try Self.executable
        var env = ProcessInfo.processInfo.environment
        env["TRUST_AMQP_URL"] = NewsletterRun.brokerURL
        env["TRUST_DB"] = run.db
        env["TRUST_CONFIG"] = run.configDirectory.path
        env["TRUST_VAR"] = run.varDirectory.path
        env["TRUST_SMTP_URL"] = "smtp://127.0.0.1:\(smtpPort)"
        env["TRUST_TOPOLOGY_PREFIX"] = run.prefix
        env["TRUST_NEWSLETTER_CHUNK"] = String(chunk)
        process.environment = env
        let log = run.root.appendingPathComponent("worker.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        return process
    }

    /// 1 is the default; 10 shows the bound moving with the chunk.
    @Test(arguments: [1, 10])
    func killMinusNineMidIssueRepeatsAtMostOneChunk(chunk: Int) throws {
        let recipients = 600
        let run = try NewsletterRun(recipients: recipients)
        defer { run.cleanUp() }
        let sink = try SMTPSink(inbox: run.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        try run.publish([try run.item("Crash drill"), run.assemble("2021-09-24")])
        var worker = try Self.start(run, smtpPort: sink.port, chunk: chunk)
        #expect(NewsletterRun.waitFor(120) { sink.received >= 200 })
        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        // Let the server finish writing a message whose data it had fully received.
        Thread.sleep(forTimeInterval: 0.5)
        let sentAtKill = try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'")
        let receivedAtKill = sink.received
        worker = try Self.start(run, smtpPort: sink.port, chunk: chunk)
        let settled = NewsletterRun.waitFor(120) {
            try run.count("SELECT count(*) FROM newsletter_issues WHERE announced_at IS NOT NULL") == 1
        }
        #expect(settled, "issue not settled; \((try? run.issues()) ?? [])")
        worker.terminate()  // SIGTERM: a clean stop
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)

        let messages = try sink.parse()
        let (byRecipient, duplicates) = ReceivedMessage.tally(messages)
        print("newsletter worker kill -9: \(receivedAtKill) received and \(sentAtKill) recorded sent at the kill; "
            + "\(messages.count) messages for \(byRecipient.count) recipients, \(duplicates) duplicate(s), chunk \(chunk)")
        #expect(Set(byRecipient.keys) == Set(run.recipients.map(\.email)))
        #expect(duplicates == receivedAtKill - sentAtKill, "exactly the accepted-but-unrecorded messages are repeated")
        #expect(duplicates <= chunk)
        #expect(byRecipient.values.allSatisfy { copies in Set(copies.map(\.message_id)).count == 1 },
                "a repeat carries the first copy's Message-ID")
        #expect(try run.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'sent'") == recipients)
    }
}
