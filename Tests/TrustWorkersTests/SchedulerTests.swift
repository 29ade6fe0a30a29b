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
