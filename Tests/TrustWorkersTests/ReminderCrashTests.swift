import Foundation
import SMTPSinkSupport
import Testing

@testable import TrustWorkers

/// The real `ReminderWorker` executable, killed with SIGKILL part-way through a mailing to an
/// aiosmtpd sink, then restarted: nobody is missed, and the repeats are bounded by one chunk of
/// the delivery pump per kill (sent, not yet recorded).
@Suite("Reminder worker crashes", .serialized)
struct ReminderCrashTests {
    static var executable: URL {
        get throws {
            let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                        ReminderWorld.repoRoot.appendingPathComponent(".build/debug")]
            for dir in dirs {
                for candidate in [dir, dir.deletingLastPathComponent()] {
                    let url = candidate.appendingPathComponent("ReminderWorker")
                    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
                }
            }
            Issue.record("ReminderWorker not built; run `swift build --build-tests` first")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    static func start(_ world: ReminderWorld, smtpPort: Int) throws -> Process {
        let p = Process()
        p.executableURL = try executable
        var env = ProcessInfo.processInfo.environment
        env["TRUST_TOPOLOGY_PREFIX"] = world.prefix
        env["TRUST_AMQP_URL"] = ReminderWorld.brokerURL
        env["TRUST_DB"] = world.databasePath
        env["TRUST_CONFIG"] = world.configDirectory.path
        env["TRUST_VAR"] = world.root.appendingPathComponent("var").path
        env["TRUST_SMTP_URL"] = "smtp://127.0.0.1:\(smtpPort)"
        env["TRUST_NOW"] = "2021-09-09T08:00:00Z"
        env["TRUST_LOG_LEVEL"] = "warn"
        p.environment = env
        let log = world.root.appendingPathComponent("worker.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardError = handle
        p.standardOutput = handle
        try p.run()
        return p
    }

    @Test func killedTwiceMidMailingNoOneIsMissedAndRepeatsStayWithinAChunkPerKill() throws {
        let world = try ReminderWorld(englishLeads: 20)
        defer { world.cleanUp() }
        let sink = try SMTPSink(inbox: world.root.appendingPathComponent("smtp"))
        defer { sink.stop() }
        try world.declare()
        try world.remind("english-leaders-2021-09-16", forum: "english-leaders", lead: 7)
        var kills: [Int] = []
        for threshold in [60, 160] {
            let worker = try Self.start(world, smtpPort: sink.port)
            #expect(ReminderWorld.waitFor(30) { sink.received >= threshold })
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            kills.append(sink.received)
        }
        #expect(kills.allSatisfy { $0 < 300 }, "the mailing finished before a kill: \(kills)")
        let last = try Self.start(world, smtpPort: sink.port)
        #expect(ReminderWorld.waitFor(30) { try world.announced() == 1 })
        kill(last.processIdentifier, SIGTERM)
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)

        let counts = try sink.receivedCounts()
        let repeats = counts.values.reduce(0) { $0 + $1 - 1 }
        let leads = try world.englishLeads()
        #expect(Set(counts.keys) == leads, "missing: \(leads.subtracting(counts.keys).count)")
        #expect(counts.count == 300)
        #expect(repeats <= 2 * DeliveryOptions().chunkSize, "repeats \(repeats) after kills at \(kills)")
        #expect(try world.delivered() == 300)
        print("reminder crash test: killed at \(kills) e-mails received; \(repeats) repeated of 300")
    }
}
