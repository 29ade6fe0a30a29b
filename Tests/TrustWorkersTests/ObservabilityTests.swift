import Broker
import Foundation
import SMTPSinkSupport
import Store
import Testing
import TrustDomain
import TrustWorkers
import WorkerKit

/// The real executables on a private topology, writing their metrics files; Debian's node
/// exporter serving them on loopback (`scripts/observe`); python3-prometheus-client's parser
/// reading what it serves; the Scheduler's alert e-mails arriving at `scripts/smtp-sink`.
@Suite("Metrics and alerts", .serialized)
struct ObservabilityTests {
    @Test func nodeExporterServesTheWorkersMetricsAndTheProcessedCounterEqualsTheRowsStored() throws {
        let system = try ObservedSystem()
        defer { system.cleanUp() }
        try system.start("NewsletterWorker")
        try system.start("Scheduler")
        let url = try ObservedSystem.observe(["start", system.metricsDirectory.path])
        defer { _ = try? ObservedSystem.observe(["stop"]) }
        let items = 30
        try system.publish(try (1...items).map { try system.item("Metrics item \($0)") })
        let queue = system.topology.queue(named: NewsletterService.queue)
        func processed(_ samples: [Sample]) -> Double? {
            samples.first { $0.name == "trust_messages_processed_total" && $0.labels["queue"] == queue }?.value
        }
        var samples: [Sample] = []
        let scraped = ObservedSystem.waitFor(30) {
            samples = try Sample.parse([url])
            // The Scheduler's own series appear after its first pass, which a loaded machine
            // may finish after the worker has processed every item.
            return processed(samples) == Double(items)
                && samples.contains { $0.name == "trust_scheduler_last_success_timestamp_seconds" && $0.labels["job"] == "alerts" }
        }
        let servedFirst = processed(samples) ?? -1
        #expect(scraped, "node exporter served processed=\(servedFirst)")
        let stored = try system.count("SELECT count(*) FROM newsletter_items")
        let ledger = try system.count("""
            SELECT count(*) FROM message_ledger l JOIN ledger_queues q ON q.id = l.queue_id
            WHERE q.name = ? AND l.outcome = 0
            """, [.text(queue)])
        let served = processed(samples) ?? -1
        print("node exporter at \(url): \(samples.count) samples; processed \(served), newsletter_items \(stored), "
            + "ledger \(ledger)")
        #expect(stored == items)
        #expect(processed(samples) == Double(stored))
        #expect(Double(ledger) == processed(samples))
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
        #expect(value("trust_messages_consumed_total", ["queue": queue]) == Double(items))
        #expect(value("trust_batch_size_messages_count", ["queue": queue]).map { $0 >= 1 } == true)
        #expect(value("trust_batch_commit_duration_seconds_count", ["queue": queue])
            == value("trust_batch_size_messages_count", ["queue": queue]))
        #expect(value("trust_queue_consumers", ["queue": queue]) == 1)
        #expect(value("trust_process_start_time_seconds", ["process": "newsletter-worker"]) != nil)
        #expect(value("trust_process_start_time_seconds", ["process": "scheduler"]) != nil)
        #expect(value("trust_scheduler_last_success_timestamp_seconds", ["job": "alerts"]) != nil)
        let pending = try system.count("SELECT count(*) FROM newsletter_deliveries WHERE status = 'pending'")
        #expect(value("trust_deliveries", ["kind": "newsletter", "status": "pending"]) == Double(pending))
        #expect(value("trust_relay_paused", [:]) == 0)
        #expect(value("node_textfile_scrape_error", [:]) == 0, "node exporter could not read a metrics file")
    }

    @Test func oneDeadLetterOneAlertASecondNoneClearedOneRecovery() throws {
        let system = try ObservedSystem()
        defer { system.cleanUp() }
        let sink = try SMTPSink(inbox: system.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        try system.start("NewsletterWorker")
        try system.start("Scheduler", smtpPort: sink.port)
        let operators = try system.operators()
        let dead = Topology.deadQueue(system.topology.queue(named: NewsletterService.queue))
        #expect(operators.count == 2)

        try system.publish([try system.item("no id", withoutID: true)])
        #expect(ObservedSystem.waitFor(20) { try system.depth(dead) == 1 }, "not dead-lettered")
        #expect(ObservedSystem.waitFor(20) { sink.received == operators.count }, "got \(sink.received) alerts")

        try system.publish([try system.item("no id either", withoutID: true)])
        #expect(ObservedSystem.waitFor(20) { try system.depth(dead) == 2 }, "second not dead-lettered")
        Thread.sleep(forTimeInterval: 10 * ObservedSystem.schedulerInterval)  // passes that see two dead letters
        #expect(sink.received == operators.count, "the second dead letter of the incident was mailed")

        #expect(try system.purge(dead) == 2)
        #expect(ObservedSystem.waitFor(20) { sink.received == 2 * operators.count }, "got \(sink.received) in all")
        Thread.sleep(forTimeInterval: 4 * ObservedSystem.schedulerInterval)
        let mail = try sink.parse()
        print("dead letters: \(mail.count) e-mails: " + Set(mail.map(\.subject)).sorted().joined(separator: " | "))
        #expect(mail.count == 2 * operators.count)
        for address in operators {
            let theirs = mail.filter { $0.rcpt.lowercased() == address }.map(\.subject).sorted()
            #expect(theirs == ["[Focus-Trust] ALERT: 1 dead letter on \(dead.dropLast(5))",
                               "[Focus-Trust] RESOLVED: 1 dead letter on \(dead.dropLast(5))"], "\(address): \(theirs)")
        }
        #expect(try system.count("SELECT count(*) FROM alert_incidents WHERE resolved_at IS NOT NULL") == 1)
        #expect(try system.count("SELECT count(*) FROM alert_incidents") == 1)
    }

    @Test func aKilledWorkerGetsAStaleWorkerAlertWithinTheConfiguredTime() throws {
        let intervals = 4
        let system = try ObservedSystem(alerts: ["stale_intervals": intervals])
        defer { system.cleanUp() }
        let sink = try SMTPSink(inbox: system.root.appendingPathComponent("inbox"))
        defer { sink.stop() }
        let worker = try system.start("SurveyWorker")
        try system.start("Scheduler", smtpPort: sink.port)
        let file = system.metricsDirectory.appendingPathComponent("survey-worker.prom").path
        #expect(ObservedSystem.waitFor(20) { FileManager.default.fileExists(atPath: file) }, "no metrics file")
        let limit = Double(intervals) * ObservedSystem.metricsInterval
        Thread.sleep(forTimeInterval: 2 * limit)
        #expect(sink.received == 0, "an alert while every worker writes its file")

        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        let killed = Date()
        #expect(ObservedSystem.waitFor(limit + 20) { sink.received >= 1 }, "no stale-worker alert")
        let after = Date().timeIntervalSince(killed)
        let alerts = try sink.parse()
        print("stale worker: alert \(String(format: "%.1f", after)) s after kill -9 (limit \(limit) s + scheduler "
            + "interval \(ObservedSystem.schedulerInterval) s): \(alerts.first?.subject ?? "none")")
        #expect(alerts.count == 2)
        #expect(alerts.allSatisfy { $0.subject.hasPrefix("[Focus-Trust] ALERT: survey-worker has not written its metrics") })
        // Within the configured time: the limit, a scheduler pass and the delivery engine's
        // idle wait, with room for a loaded machine.
        #expect(after < limit + 5 * ObservedSystem.schedulerInterval + 3, "took \(after) s")
        #expect(after >= limit - ObservedSystem.metricsInterval, "alerted before the limit: \(after) s")

        try system.start("SurveyWorker")
        #expect(ObservedSystem.waitFor(30) { sink.received == 4 }, "no recovery after the restart")
        #expect(try sink.parse().filter { $0.subject.hasPrefix("[Focus-Trust] RESOLVED: survey-worker") }.count == 2)
    }
}

/// One sample as the prometheus_client parser read it.
struct Sample: Decodable {
    let name: String
    let labels: [String: String]
    let value: Double

    /// `Tests/Fixtures/metrics/parse.py` over URLs or files; throws when the parser refuses them.
    static func parse(_ sources: [String]) throws -> [Sample] {
        let process = Process(), stdout = Pipe(), stderr = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Harness.repoRoot.appendingPathComponent("Tests/Fixtures/metrics/parse.py").path] + sources
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InputError(String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        return try JSONDecoder().decode([Sample].self, from: output)
    }
}

/// A deployment for one test: a copy of Config (alerts.json edited), var directory, database
/// and private topology; the executables it starts write their logs beside them.
final class ObservedSystem {
    static let metricsInterval = 0.5
    static let schedulerInterval = 0.5
    let root: URL
    let config: URL
    let metricsDirectory: URL
    let db: String
    let prefix = "obs\(UInt32.random(in: 0...UInt32.max))"
    let topology: Topology
    private let setup: NewsletterSetup
    private var processes: [Process] = []

    init(alerts: [String: Any] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("obs-\(UUID().uuidString)")
        config = root.appendingPathComponent("Config")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Harness.repoRoot.appendingPathComponent("Config"), to: config)
        let alertsFile = config.appendingPathComponent(AlertConfig.fileName)
        var document = try JSONSerialization.jsonObject(with: Data(contentsOf: alertsFile)) as? [String: Any] ?? [:]
        document.merge(alerts) { $1 }
        try JSONSerialization.data(withJSONObject: document).write(to: alertsFile)
        metricsDirectory = root.appendingPathComponent("var/metrics")
        db = root.appendingPathComponent("var/trust.sqlite").path
        topology = Topology.trust(prefix: prefix)
        let trust = try TrustConfig(directory: config.path)
        setup = NewsletterSetup(trust: trust, newsletter: try NewsletterConfig.load(contentsOf: trust.file(NewsletterConfig.fileName)),
                                varDirectory: root.appendingPathComponent("var"))
    }

    /// Starts a built executable with this system's settings; mail goes to the sink on
    /// `smtpPort`, or to the outbox. The clock stands before the 2021-22 calendar, so the
    /// Scheduler publishes nothing of its own.
    @discardableResult
    func start(_ name: String, smtpPort: Int? = nil) throws -> Process {
        let process = Process()
        process.executableURL = try Self.executable(name)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRUST_") || $0.key == "TRUST_AMQP_URL" }
        env["TRUST_DB"] = db
        env["TRUST_CONFIG"] = config.path
        env["TRUST_VAR"] = root.appendingPathComponent("var").path
        env["TRUST_TOPOLOGY_PREFIX"] = prefix
        env["TRUST_NOW"] = "2021-08-01T07:00:00Z"
        env["TRUST_METRICS_INTERVAL"] = String(Self.metricsInterval)
        env["TRUST_SCHEDULER_INTERVAL"] = String(Self.schedulerInterval)
        if let smtpPort { env["TRUST_SMTP_URL"] = "smtp://127.0.0.1:\(smtpPort)" }
        process.environment = env
        let log = root.appendingPathComponent("\(name).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        processes.append(process)
        return process
    }

    static func executable(_ name: String) throws -> URL {
        let dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                    Harness.repoRoot.appendingPathComponent(".build/debug")]
        guard let url = dirs.flatMap({ [$0, $0.deletingLastPathComponent()] }).map({ $0.appendingPathComponent(name) })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
        else {
            Issue.record("\(name) not built; run `swift build --build-tests` first")
            throw CocoaError(.fileNoSuchFile)
        }
        return url
    }

    /// `scripts/observe ARGS`; returns what it printed last (the URL for `start`, via `url`).
    /// Only `url` is read through a pipe: the exporter `start` leaves running may hold it open.
    @discardableResult
    static func observe(_ arguments: [String]) throws -> String {
        func run(_ args: [String]) throws -> String {
            let process = Process(), stdout = Pipe()
            process.executableURL = Harness.repoRoot.appendingPathComponent("scripts/observe")
            process.arguments = args
            let reads = args == ["url"]
            process.standardOutput = reads ? stdout : FileHandle.nullDevice
            try process.run()
            let output = reads ? stdout.fileHandleForReading.readDataToEndOfFile() : Data()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw InputError("scripts/observe \(args) exited \(process.terminationStatus)") }
            return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let output = try run(arguments)
        return arguments.first == "start" ? try run(["url"]) : output
    }

    func item(_ title: String, withoutID: Bool = false) throws -> OutgoingMessage {
        var message = NewsletterIntake.item(try NewsletterItem(title: title, body: "Body.", category: "trust-news", academy: nil,
                                                               author: "Central Team", rules: setup.itemRules),
                                            topology: topology)
        if withoutID { message.properties = message.properties.with(messageID: nil) }
        return message
    }

    /// The operators' addresses in this system's directory, lower-cased.
    func operators() throws -> [String] {
        try TrustConfig(directory: config.path).loadDirectory().active.filter { $0.roles.contains(.operator) }
            .map { $0.email.lowercased() }
    }

    private func connect() throws -> Connection {
        try Connection(endpoint: try BrokerEndpoint(url: NewsletterRun.brokerURL), name: "observability-tests")
    }

    func publish(_ messages: [OutgoingMessage]) throws {
        let c = try connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(messages)
    }

    func depth(_ queue: String) throws -> Int {
        let c = try connect()
        defer { c.close() }
        return try c.declareQueue(queue, passive: true).messages
    }

    func purge(_ queue: String) throws -> Int {
        let c = try connect()
        defer { c.close() }
        return try c.purgeQueue(queue)
    }

    func count(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        guard FileManager.default.fileExists(atPath: db) else { return 0 }
        let d = try Database(path: db, readOnly: true)
        defer { d.close() }
        return Int(try d.scalar(sql, params)?.int64Value ?? 0)
    }

    static func waitFor(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
        NewsletterRun.waitFor(seconds, condition)
    }

    func cleanUp() {
        for p in processes where p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        if let c = try? connect() {
            topology.delete(on: c)
            c.close()
        }
        try? FileManager.default.removeItem(at: root)
    }
}
