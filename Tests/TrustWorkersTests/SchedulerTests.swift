import Broker
import Foundation
import Testing
import TrustWorkers
import WorkerKit

@Suite("Scheduler: restarts neither lose nor repeat")
struct SchedulerTests {
    static func at(_ text: String) -> Date { Settings.parseInstant(text)! }

    @Test func aRestartedSchedulerPublishesEachDueReminderOnce() throws {
        let h = try Harness(bindings: ["reminder.*", "newsletter.*"])
        defer { h.cleanUp() }
        let c = try h.connect()
        defer { c.close() }
        try h.topology.declare(on: c)
        let log = Log(component: "test", minimum: .warn)
        let first = try SchedulerService(settings: h.settings, topology: h.topology, log: log)
        let morning = try first.tick(now: Self.at("2021-09-09T07:30:00Z"), connection: c)
        // 9 September: the week-ahead reminders of 15, 16 and 17 September are due.
        #expect(morning.contains("reminder.due:english-leaders-2021-09-16:7"))
        #expect(Set(morning).count == morning.count)
        // Restarted mid-day: nothing again.
        let restarted = try SchedulerService(settings: h.settings, topology: h.topology, log: log)
        #expect(try restarted.tick(now: Self.at("2021-09-09T13:00:00Z"), connection: c).isEmpty)
        // The next day brings only what is new.
        let nextDay = try restarted.tick(now: Self.at("2021-09-10T07:30:00Z"), connection: c)
        #expect(Set(nextDay).isDisjoint(with: morning))
        // Exactly what was published is in the queue.
        #expect(try c.declareQueue(h.topology.queues[0].name, passive: true).messages == morning.count + nextDay.count)
    }
}

@Suite("Scheduler: the FAcT issue every 21 days")
struct NewsletterSchedulingTests {
    @Test func eachIssueIsPublishedOnceAndDowntimeCatchesUpOnce() throws {
        let h = try Harness(bindings: ["newsletter.*", "reminder.*"])
        defer { h.cleanUp() }
        let c = try h.connect()
        defer { c.close() }
        try h.topology.declare(on: c)
        let log = Log(component: "test", minimum: .warn)
        let scheduler = try SchedulerService(settings: h.settings, topology: h.topology, log: log)
        func newsletters(_ ids: [String]) -> [String] { ids.filter { $0.hasPrefix("newsletter.") } }
        // The anchor issue, on its day; not again the same day.
        #expect(newsletters(try scheduler.tick(now: SchedulerTests.at("2021-09-03T08:00:00Z"), connection: c))
                == ["newsletter.assemble:2021-09-03"])
        #expect(newsletters(try scheduler.tick(now: SchedulerTests.at("2021-09-03T18:00:00Z"), connection: c)).isEmpty)
        // Down from 4 September to 20 October: 24 September and 15 October were missed; only
        // the latest is published.
        let restarted = try SchedulerService(settings: h.settings, topology: h.topology, log: log)
        #expect(newsletters(try restarted.tick(now: SchedulerTests.at("2021-10-20T08:00:00Z"), connection: c))
                == ["newsletter.assemble:2021-10-15"])
        #expect(newsletters(try restarted.tick(now: SchedulerTests.at("2021-11-05T08:00:00Z"), connection: c))
                == ["newsletter.assemble:2021-11-05"])
    }
}
