import Broker
import Foundation
import Store
import Synchronization
import Testing
import WorkerKit

/// A handler whose behaviour per message is chosen by the body: `ok`, `transient`,
/// `permanent`, `event` (also emits an event) or `null` (writes a row that breaks NOT NULL).
/// Records when each delivery attempt was first handled (the runtime may run a handler twice
/// for one attempt: once in the fast pass and again, alone in a savepoint, after a batch-mate
/// failed).
final class ScriptedHandler: MessageHandler {
    static let attempts = Mutex<[String: [Int: Date]]>([:])
    static let routingKeys = Mutex<[String: Set<String>]>([:])

    var migrations: [Migration] {
        [Migration(version: 100, name: "effects", sql: "CREATE TABLE effects (message_id TEXT NOT NULL)")]
    }

    func handle(_ message: InboundMessage, context: HandlerContext) throws {
        Self.routingKeys.withLock { _ = $0[message.messageID, default: []].insert(message.routingKey) }
        Self.attempts.withLock { all in
            if all[message.messageID]?[message.attempt] == nil { all[message.messageID, default: [:]][message.attempt] = Date() }
        }
        // The effect is written first, so a failure must roll it back to leave nothing.
        try context.db.execute("INSERT INTO effects (message_id) VALUES (?)", [.text(message.messageID)])
        switch String(decoding: message.body, as: UTF8.self) {
        case "transient": throw HandlerError.transient("mail server unavailable")
        case "permanent": throw HandlerError.permanent("line 3, column year: \"7\" is not a primary year")
        case "null": try context.db.execute("INSERT INTO effects (message_id) VALUES (NULL)")
        case "event":
            try context.emit(routingKey: "test.done", type: "test.done",
                             json: Array("{\"id\":\"\(message.messageID)\"}".utf8), messageID: "done:\(message.messageID)")
        default: break
        }
    }
}

/// Where a test's messages travel: the in-memory source (a unit test of the consumer loop) or
/// the real broker (the same rules, end to end).
enum Transport: String, CaseIterable, Sendable {
    case memory, broker
}

/// Runs a worker in-process on a private topology until `until` holds or time runs out.
struct InProcessRun {
    let topology: Topology
    let transport: Transport
    let memory: InMemoryBroker
    let db = Fixture.tempDatabase()

    init(_ transport: Transport = .broker, retryDelays: [Int] = [200, 400, 800]) {
        self.transport = transport
        topology = .isolated(prefix: Fixture.uniquePrefix(), retryDelays: retryDelays)
        memory = InMemoryBroker(topology: topology)
    }

    func publish(_ messages: [(id: String?, body: String)]) throws {
        let outgoing = messages.map { m in
            OutgoingMessage(exchange: topology.intakeExchange, routingKey: "work.test",
                            properties: MessageProperties(messageID: m.id, type: "test"), body: Array(m.body.utf8))
        }
        guard transport == .broker else {
            for m in outgoing { try memory.publish(m) }
            return
        }
        let c = try Fixture.connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(outgoing)
    }

    func worker(shutdown: ShutdownSignal, minimum: Log.Level = .warn,
                handler: @escaping @Sendable () -> any MessageHandler = { ScriptedHandler() }) throws -> Worker {
        let options = WorkerOptions(name: "test", queue: topology.queues[0].name, topology: topology)
        let log = Log(component: "test", minimum: minimum)
        switch transport {
        case .broker:
            return Worker(options: options, brokers: [try Fixture.endpoint()], databasePath: db, log: log,
                          shutdown: shutdown, makeHandler: handler)
        case .memory:
            return Worker(options: options, databasePath: db, log: log, shutdown: shutdown, makeHandler: handler) {
                [memory] _ in InMemorySource(broker: memory)
            }
        }
    }

    func run(seconds: Double, until: @escaping @Sendable () throws -> Bool) throws {
        let shutdown = ShutdownSignal()
        let worker = try worker(shutdown: shutdown)
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Thread.detachNewThread {
            do { try worker.run() } catch { failure.withLock { $0 = "\(error)" } }
            finished.signal()
        }
        _ = Fixture.waitFor(seconds) { (try? until()) ?? false }
        shutdown.request()
        #expect(finished.wait(timeout: .now() + 10) == .success, "worker did not stop within 10 s")
        #expect(failure.withLock { $0 } == nil)
    }

    func count(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        let d = try Database(path: db, readOnly: true)
        defer { d.close() }
        return Int(try d.scalar(sql, params)?.int64Value ?? 0)
    }

    func dead() throws -> [Delivery] {
        guard transport == .broker else { return memory.dead }
        return try drain(Topology.deadQueue(topology.queues[0].name))
    }

    func events() throws -> [Delivery] {
        guard transport == .broker else { return memory.events }
        return try drain(topology.eventLogQueue!)
    }

    private func drain(_ queue: String) throws -> [Delivery] {
        let c = try Fixture.connect()
        defer { c.close() }
        var out: [Delivery] = []
        while let d = try c.get(queue) {
            out.append(d)
            try c.ack(d.deliveryTag)
        }
        return out
    }

    func cleanUp() {
        guard transport == .broker, let c = try? Fixture.connect() else { return }
        topology.delete(on: c)
        c.close()
    }
}

/// A handler whose schema cannot be created: the worker must stop before taking a message.
final class UnmigratableHandler: MessageHandler {
    var migrations: [Migration] {
        [Migration(version: 100, name: "broken", sql: "CREATE TABLE effects (message_id TEXT NOT NULL")]
    }
    func handle(_ message: InboundMessage, context: HandlerContext) throws {
        Issue.record("handled \(message.messageID) without a schema")
    }
}

@Suite("Runtime: retries, dead letters, duplicates, events")
struct RuntimeTests {
    @Test(arguments: Transport.allCases)
    func poisonMessageIsRetriedWithGrowingDelaysThenDeadLetteredAndItsNeighboursAreUnaffected(transport: Transport) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        let id = "poison-\(UUID().uuidString)"
        var messages: [(id: String?, body: String)] = (0..<50).map { ("ok-\($0)-\(id)", "ok") }
        messages.insert((id, "transient"), at: 25)
        try run.publish(messages)
        try run.run(seconds: 20) {
            try run.count("SELECT count(*) FROM processed_messages WHERE outcome = 'dead-lettered'") == 1
        }
        // Neighbours: each exactly one effect; the poison message none (every attempt rolled back).
        #expect(try run.count("SELECT count(*) FROM effects WHERE message_id LIKE 'ok-%'") == 50)
        #expect(try run.count("SELECT count(DISTINCT message_id) FROM effects") == 50)
        #expect(try run.count("SELECT count(*) FROM effects WHERE message_id = ?", [.text(id)]) == 0)
        // One first try plus one per retry delay, each further apart than the last.
        let times = ScriptedHandler.attempts.withLock { $0[id] ?? [:] }.sorted { $0.key < $1.key }.map(\.value)
        #expect(times.count == 4)
        let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }
        #expect(gaps.count == 3 && gaps[0] >= 0.18 && gaps[1] >= 0.38 && gaps[2] >= 0.78, "gaps \(gaps)")
        #expect(gaps == gaps.sorted(), "gaps \(gaps)")
        // Retries come back through the retry queues yet keep the key they were sent with.
        #expect(ScriptedHandler.routingKeys.withLock { $0[id] } == ["work.test"])
        let dead = try run.dead()
        #expect(dead.count == 1)
        let d = try #require(dead.first)
        #expect(d.properties.messageID == id)
        #expect(String(decoding: d.body, as: UTF8.self) == "transient")
        #expect(d.properties.headers["x-error"]?.stringValue == "gave up after 4 attempts: mail server unavailable")
        #expect(d.properties.headers["x-attempts"]?.intValue == 4)
        #expect(d.properties.headers["x-failed-at"]?.stringValue?.hasPrefix("20") == true)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'retried'") == 3)
    }

    @Test(arguments: Transport.allCases)
    func invalidInputIsDeadLetteredAtOnceAndTheSenderIsTold(transport: Transport) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        try run.publish([("bad-1", "permanent"), ("good-1", "ok")])
        try run.run(seconds: 10) {
            try run.count("SELECT count(*) FROM processed_messages") == 2
        }
        let dead = try run.dead()
        #expect(dead.map(\.properties.messageID) == ["bad-1"])
        #expect(dead.first?.properties.headers["x-attempts"]?.intValue == 1)
        #expect(dead.first?.properties.headers["x-error"]?.stringValue == "line 3, column year: \"7\" is not a primary year")
        #expect(try run.count("SELECT count(*) FROM effects") == 1)
        // The dead-letter notice went to trust.events (through the outbox, now empty).
        let event = try #require(try run.events().first)
        #expect(event.routingKey == "deadletter.\(run.topology.queues[0].name)")
        let json = try JSONSerialization.jsonObject(with: Data(event.body)) as? [String: Any]
        #expect(json?["message_id"] as? String == "bad-1")
        #expect((json?["reason"] as? String)?.contains("not a primary year") == true)
        #expect(try run.count("SELECT count(*) FROM outbox") == 0)
    }

    /// A message that fails anywhere in a batch (first, middle, last) is rolled back alone:
    /// it is dead-lettered with its own reason, and its batch-mates commit once each.
    @Test(arguments: Transport.allCases, [0, 15, 30])
    func aFailingMessageIsSettledAloneAndItsBatchMatesCommit(transport: Transport, position: Int) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        let suffix = UUID().uuidString, bad = "bad-\(suffix)"
        var messages: [(id: String?, body: String)] = (0..<30).map { ("ok-\($0)-\(suffix)", "ok") }
        messages.insert((bad, "null"), at: position)
        try run.publish(messages)
        try run.run(seconds: 10) { try run.count("SELECT count(*) FROM processed_messages") == 31 }
        let dead = try run.dead()
        #expect(dead.map(\.properties.messageID) == [bad])
        #expect(dead.first?.properties.headers["x-error"]?.stringValue?.contains("NOT NULL constraint failed: effects.message_id") == true)
        #expect(try run.count("SELECT count(*) FROM effects WHERE message_id LIKE 'ok-%'") == 30)
        #expect(try run.count("SELECT count(DISTINCT message_id) FROM effects") == 30)
        #expect(try run.count("SELECT count(*) FROM effects WHERE message_id = ?", [.text(bad)]) == 0)
        #expect(try run.count("SELECT count(*) FROM effects") == 30)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'processed'") == 30)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'dead_lettered'") == 1)
    }

    @Test(arguments: Transport.allCases)
    func messageWithoutAnIDIsDeadLetteredWithAClearReason(transport: Transport) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        try run.publish([(nil, "ok"), ("with-id", "ok")])
        try run.run(seconds: 10) { try run.count("SELECT count(*) FROM processed_messages") == 1 }
        _ = Fixture.waitFor(2) { false }
        let dead = try run.dead()
        #expect(dead.count == 1)
        #expect(dead.first?.properties.headers["x-error"]?.stringValue?.contains("no message_id") == true)
        #expect(try run.count("SELECT count(*) FROM effects") == 1)
    }

    @Test(arguments: Transport.allCases)
    func aRepublishedMessageHasNoSecondEffect(transport: Transport) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        try run.publish([("same", "ok"), ("other", "ok"), ("same", "ok")])
        try run.publish([("same", "ok")])
        try run.run(seconds: 10) {
            try run.count("SELECT value FROM worker_counters WHERE name = 'duplicates'") == 2
        }
        #expect(try run.count("SELECT count(*) FROM effects WHERE message_id = 'same'") == 1)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'processed'") == 2)
    }

    /// The consumers connect while the migrations run; a failed migration must still leave
    /// every message untouched in the queue (none delivered, so none comes back redelivered)
    /// and end the worker with the migration's error rather than hang it.
    @Test func aFailedMigrationEndsTheWorkerBeforeItTakesAMessage() throws {
        let run = InProcessRun()
        defer { run.cleanUp() }
        try run.publish([("m1", "ok"), ("m2", "ok"), ("m3", "ok")])
        let worker = try run.worker(shutdown: ShutdownSignal(), minimum: .error) { UnmigratableHandler() }
        let started = Date()
        #expect(throws: MigrationError.self) { try worker.run() }
        #expect(Date().timeIntervalSince(started) < 10)
        let c = try Fixture.connect()
        defer { c.close() }
        var left: [Delivery] = []
        while let d = try c.get(run.topology.queues[0].name) {
            left.append(d)
            try c.ack(d.deliveryTag)
        }
        #expect(left.map { $0.properties.messageID ?? "?" } == ["m1", "m2", "m3"])
        #expect(left.allSatisfy { !$0.redelivered })
    }

    @Test(arguments: Transport.allCases)
    func eventsArePublishedOnlyForCommittedEffects(transport: Transport) throws {
        let run = InProcessRun(transport)
        defer { run.cleanUp() }
        try run.publish([("e1", "event"), ("e2", "event"), ("e3", "permanent")])
        try run.run(seconds: 10) { try run.count("SELECT count(*) FROM processed_messages") == 3 }
        let ids = try run.events().compactMap(\.properties.messageID).sorted()
        #expect(ids == ["dead-lettered:\(run.topology.queues[0].name):e3", "done:e1", "done:e2"])
    }

    /// A delivery taken but not acknowledged when the connection broke comes back marked
    /// redelivered; the ledger recognises the ones that committed, and the loop reconnects.
    @Test func aBrokenConnectionRedeliversAndNothingRunsTwice() throws {
        let run = InProcessRun(.memory)
        try run.publish((0..<500).map { ("m-\($0)", "ok") })
        run.memory.refuseConnections(2)
        run.memory.loseAcks(2)
        try run.run(seconds: 10) {
            try run.count("SELECT count(*) FROM processed_messages") == 500 && run.memory.outstanding == 0
        }
        #expect(try run.count("SELECT count(DISTINCT message_id) FROM effects") == 500)
        #expect(try run.count("SELECT count(*) FROM effects") == 500)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'duplicates'") > 0)
        #expect(run.memory.outstanding == 0)
    }

    /// Redelivered copies of committed messages (a crash between commit and ack) are acked
    /// without a second effect, in the same batch as new ones.
    @Test func redeliveredCopiesOfCommittedMessagesAreOnlyAcked() throws {
        let run = InProcessRun(.memory)
        try run.publish((0..<20).map { ("r-\($0)", "ok") })
        try run.run(seconds: 10) { try run.count("SELECT count(*) FROM processed_messages") == 20 }
        try run.publish((10..<30).map { ("r-\($0)", "ok") })
        try run.run(seconds: 10) { try run.count("SELECT count(*) FROM processed_messages") == 30 }
        #expect(try run.count("SELECT count(*) FROM effects") == 30)
        #expect(try run.count("SELECT value FROM worker_counters WHERE name = 'duplicates'") == 10)
    }
}
