import Foundation
import Testing

/// The runtime's promises under process death: figures are printed so the closing note can
/// quote them.
@Suite("Worker processes killed and stopped mid-stream")
struct CrashTests {
    @Test func killNineFiveTimesWhileTwentyThousandMessagesFlow() throws {
        let prefix = Fixture.uniquePrefix()
        let db = Fixture.tempDatabase()
        defer { Fixture.cleanUp(prefix: prefix) }
        let total = 20_000
        // Publish in the background so messages arrive while the worker is being killed.
        let publisher = try Fixture.startProbe("publish", prefix: prefix, db: Fixture.tempDatabase(),
                                               extra: ["--count", "\(total)", "--rate", "4000"])
        var kills: [Int] = []
        for _ in 1...5 {
            let worker = try Fixture.startProbe("worker", prefix: prefix, db: db)
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.8))
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            #expect(worker.terminationReason == .uncaughtSignal)
            kills.append(try Fixture.effects(db).count)
        }
        publisher.waitUntilExit()
        #expect(publisher.terminationStatus == 0)
        // Every kill landed mid-stream, not after the work was done.
        #expect(kills.allSatisfy { $0 < total }, "effects at each kill: \(kills)")
        let last = try Fixture.startProbe("worker", prefix: prefix, db: db)
        let finished = try Fixture.waitFor(120) { try Fixture.effects(db).count >= total }
        kill(last.processIdentifier, SIGTERM)
        last.waitUntilExit()
        #expect(finished)
        let effects = try Fixture.effects(db)
        print("kill -9 run: effects after each kill \(kills); final ids=\(effects.count) rows=\(effects.values.reduce(0, +))")
        Fixture.expectExactlyOnce(effects, count: total)
    }

    @Test func sigtermMidStreamExitsZeroPromptlyAndLosesNothing() throws {
        let prefix = Fixture.uniquePrefix()
        let db = Fixture.tempDatabase()
        defer { Fixture.cleanUp(prefix: prefix) }
        let total = 10_000
        try Fixture.publish(prefix: prefix, count: total)
        let worker = try Fixture.startProbe("worker", prefix: prefix, db: db, extra: ["--prefetch", "100"])
        _ = try Fixture.waitFor(20) { try Fixture.effects(db).count > 500 }
        let signalled = Date()
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        let took = Date().timeIntervalSince(signalled)
        #expect(worker.terminationReason == .exit)
        #expect(worker.terminationStatus == 0)
        #expect(took < 10, "took \(took)s to stop")
        let atStop = try Fixture.effects(db).count
        let again = try Fixture.startProbe("worker", prefix: prefix, db: db)
        let finished = try Fixture.waitFor(60) { try Fixture.effects(db).count >= total }
        kill(again.processIdentifier, SIGTERM)
        again.waitUntilExit()
        #expect(finished)
        print("SIGTERM run: stopped in \(String(format: "%.2f", took))s with \(atStop) of \(total) processed")
        Fixture.expectExactlyOnce(try Fixture.effects(db), count: total)
    }
}

/// Tests that stop the shared broker; `scripts/test` runs them on their own, after the rest.
@Suite("Disruptive: broker restarted under a running worker", .serialized)
struct DisruptiveTests {
    @Test func brokerRestartMidStreamReconnectsAndLosesNothing() throws {
        let prefix = Fixture.uniquePrefix()
        let db = Fixture.tempDatabase()
        defer { Fixture.cleanUp(prefix: prefix) }
        let total = 20_000
        try Fixture.publish(prefix: prefix, count: total)
        let worker = try Fixture.startProbe("worker", prefix: prefix, db: db, extra: ["--prefetch", "50"])
        _ = try Fixture.waitFor(30) { try Fixture.effects(db).count > 1000 }
        let before = try Fixture.effects(db).count
        try broker("stop")
        Thread.sleep(forTimeInterval: 1)
        try broker("start")
        let finished = try Fixture.waitFor(120) { try Fixture.effects(db).count >= total }
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        #expect(finished)
        #expect(worker.terminationStatus == 0)
        print("broker restart run: \(before) processed before the restart, \(try Fixture.effects(db).count) after")
        Fixture.expectExactlyOnce(try Fixture.effects(db), count: total)
    }

    private func broker(_ command: String) throws {
        let status = Fixture.runScript(Fixture.repoRoot.appendingPathComponent("scripts/broker").path, [command])
        #expect(status == 0, "scripts/broker \(command) failed")
    }
}
