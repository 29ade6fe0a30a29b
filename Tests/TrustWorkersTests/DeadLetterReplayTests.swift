import Broker
import Foundation
import Testing
import TrustDomain
import TrustWorkers
import WorkerKit

@Suite("Dead letters: list, replay after a config fix, purge")
struct DeadLetterReplayTests {
    /// Adds a 100-pupil academy to a Config copy, as the data manager would when it joins.
    func addAcademy(_ id: String, to config: URL) throws {
        let url = config.appendingPathComponent("academies.json")
        var doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var academies = doc["academies"] as! [[String: Any]]
        var entry = academies[0]
        entry["id"] = id
        entry["name"] = "New Primary Academy"
        entry["short_name"] = "New"
        entry["pupils"] = 100
        var totals = doc["trust_totals"] as! [String: Any]
        // At the trust's own rates, so the totals check still holds.
        for key in ["pp_percent", "eal_percent", "send_percent"] { entry[key] = totals[key] }
        academies.append(entry)
        doc["academies"] = academies
        totals["pupils"] = (totals["pupils"] as! Int) + 100
        doc["trust_totals"] = totals
        try JSONSerialization.data(withJSONObject: doc).write(to: url)
    }

    @Test func aDeadLetteredDropReplaysToSuccessOnceConfigIsFixed() throws {
        let config = try Harness.configCopy()
        defer { try? FileManager.default.removeItem(at: config) }
        let h = try Harness(bindings: ["datadrop.*"], configDirectory: config)
        defer { h.cleanUp() }
        let body = DropFixture.csv(school: 9, count: 6, expected: 3)
        try h.publish([h.message(routingKey: "datadrop.new-academy", type: "datadrop.submitted", contentType: "text/csv",
                                 id: "drop-new-1", body: body, headers: ["x-drop": .string("2021-22/autumn")])])
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM processed_messages WHERE outcome = 'dead-lettered'") == 1
        }
        let c = try h.connect()
        defer { c.close() }
        let dlq = DeadLetterQueues(connection: c, topology: h.topology)
        let work = h.topology.queues[0].name
        let listed = try dlq.list([work])
        #expect(listed.count == 1)
        #expect(listed.first?.messageID == "drop-new-1")
        #expect(listed.first?.academy == "new-academy")
        #expect(listed.first?.attempts == 1)
        #expect(listed.first?.reason.contains("new-academy") == true)
        // Listing leaves the message where it was.
        #expect(try dlq.list([work]).count == 1)

        try addAcademy("new-academy", to: config)
        #expect(try dlq.replay(work, ids: ["drop-new-1"]) == ["drop-new-1"])
        #expect(try dlq.list([work]).isEmpty)
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'new-academy'") == 6
        }
        #expect(try h.scalar("SELECT count(*) FROM drop_pupils WHERE academy = 'new-academy'") == 6)
        #expect(try h.scalar("SELECT outcome = 'processed' FROM processed_messages WHERE message_id = 'drop-new-1'") == 1)
    }

    @Test func replayOfOneIDLeavesTheOthersAndPurgeEmptiesTheQueue() throws {
        let h = try Harness(bindings: ["datadrop.*"])
        defer { h.cleanUp() }
        try h.publish(["a", "b", "c"].map { id in
            h.message(routingKey: "datadrop.nowhere-\(id)", type: "datadrop.submitted", contentType: "text/csv",
                      id: "dead-\(id)", body: Array("x".utf8), headers: ["x-drop": .string("2021-22/autumn")])
        })
        let settings = h.settings
        try h.run({ try DataDropHandler(settings: settings) }) {
            try h.scalar("SELECT count(*) FROM processed_messages WHERE outcome = 'dead-lettered'") == 3
        }
        let c = try h.connect()
        defer { c.close() }
        let dlq = DeadLetterQueues(connection: c, topology: h.topology)
        let work = h.topology.queues[0].name
        #expect(try dlq.replay(work, ids: ["dead-b"]) == ["dead-b"])
        #expect(Set(try dlq.list([work]).compactMap(\.messageID)) == ["dead-a", "dead-c"])
        #expect(try c.declareQueue(work, passive: true).messages == 1)
        #expect(try dlq.purge(work) == 2)
        #expect(try dlq.list([work]).isEmpty)
    }
}
