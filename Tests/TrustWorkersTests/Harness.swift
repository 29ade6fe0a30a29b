import Broker
import Foundation
import Store
import Synchronization
import Testing
import TrustWorkers
import WorkerKit

/// Runs a real handler in an in-process worker on a private topology, with its own database,
/// key file and var directory, against the real broker and the repository's Config.
struct Harness {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let topology: Topology
    let root: URL
    let settings: Settings

    /// `configDirectory` lets a test edit a copy of Config (the real one is the default).
    init(bindings: [String], configDirectory: URL? = nil) throws {
        topology = .isolated(prefix: "tw\(UInt32.random(in: 0...UInt32.max))", bindings: bindings,
                             retryDelays: [100, 200])
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        env["TRUST_DB"] = root.appendingPathComponent("trust.sqlite").path
        env["TRUST_CONFIG"] = (configDirectory ?? Self.repoRoot.appendingPathComponent("Config")).path
        env["TRUST_VAR"] = root.path
        env["TRUST_PSEUDONYM_KEY_FILE"] = root.appendingPathComponent("secrets/pseudonym.key").path
        env["TRUST_NOW"] = nil
        settings = try Settings.fromEnvironment(env)
    }

    func connect() throws -> Connection {
        do {
            return try Connection(endpoint: settings.brokers[0], name: "trustworkers-tests")
        } catch {
            Issue.record("no broker at \(settings.brokers[0]) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    func publish(_ messages: [OutgoingMessage]) throws {
        let c = try connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(messages)
    }

    /// An intake message addressed to this harness's private exchange.
    func message(routingKey: String, type: String, contentType: String, id: String, body: [UInt8],
                 headers: [String: FieldValue] = [:]) -> OutgoingMessage {
        IntakePublisher.message(routingKey: routingKey, type: type, contentType: contentType, messageID: id,
                                body: body, headers: headers, topology: topology)
    }

    /// Runs the worker until `until` holds (or `seconds` pass), then shuts it down cleanly.
    func run(seconds: Double = 30, _ makeHandler: @escaping @Sendable () throws -> any MessageHandler,
             until: @escaping () throws -> Bool) throws {
        let shutdown = ShutdownSignal()
        let worker = Worker(options: WorkerOptions(name: "test", queue: topology.queues[0].name, topology: topology),
                            brokers: settings.brokers, databasePath: settings.databasePath,
                            log: Log(component: "test", minimum: .warn), shutdown: shutdown, makeHandler: makeHandler)
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Thread.detachNewThread {
            do { try worker.run() } catch { failure.withLock { $0 = "\(error)" } }
            done.signal()
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !((try? until()) ?? false) { Thread.sleep(forTimeInterval: 0.1) }
        shutdown.request()
        #expect(done.wait(timeout: .now() + 10) == .success, "worker did not stop")
        #expect(failure.withLock { $0 } == nil, "worker failed: \(failure.withLock { $0 } ?? "")")
    }

    func db() throws -> Database { try Database(path: settings.databasePath) }

    func scalar(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        guard FileManager.default.fileExists(atPath: settings.databasePath) else { return 0 }
        let d = try db()
        defer { d.close() }
        return Int(try d.scalar(sql, params)?.int64Value ?? 0)
    }

    /// Messages that reached this topology's event log or dead-letter queue, drained.
    func drain(_ queue: String) throws -> [Delivery] {
        let c = try connect()
        defer { c.close() }
        return try c.drain(queue)
    }

    /// A private copy of the repository's Config that a test may edit.
    static func configCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("Config"), to: dir)
        return dir
    }

    func cleanUp() {
        if let c = try? connect() {
            topology.delete(on: c)
            c.close()
        }
        try? FileManager.default.removeItem(at: root)
    }
}

extension Connection {
    /// Takes and acks every message now in `queue`, for tests that read what arrived.
    func drain(_ queue: String) throws -> [Delivery] {
        var out: [Delivery] = []
        while let d = try get(queue) {
            out.append(d)
            try ack(d.deliveryTag)
        }
        return out
    }
}
