import Broker
import Foundation
import Mail
import Store
import Testing
import TrustDomain
import WorkerKit

@testable import TrustWorkers

/// A private world for one reminder test: a config directory (the real academies and forums,
/// and a generated directory.csv), a database, an outbox and a topology of its own.
struct ReminderWorld {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let brokerURL = ProcessInfo.processInfo.environment["TRUST_AMQP_URL"] ?? BrokerEndpoint.defaultURL

    let root: URL
    let prefix: String
    var configDirectory: URL { root.appendingPathComponent("Config") }
    var databasePath: String { root.appendingPathComponent("trust.sqlite").path }
    var outbox: URL { root.appendingPathComponent("outbox") }
    var options: WorkerOptions { ReminderService.workerOptions(topologyPrefix: prefix) }
    var topology: Topology { options.topology }

    /// `englishLeads` per academy (plus one inactive English lead at every academy), and one
    /// person in each other role at every academy, plus two central-team members.
    init(englishLeads: Int = 1, directory: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("reminders-\(UUID().uuidString)")
        prefix = "rmt\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
        for name in [AcademyCatalog.fileName, ForumCalendar.fileName, DropCalendar.fileName, TermCalendar.fileName] {
            try FileManager.default.copyItem(at: Self.repoRoot.appendingPathComponent("Config/\(name)"),
                                             to: configDirectory.appendingPathComponent(name))
        }
        if directory {
            try Data(Self.directoryCSV(englishLeads: englishLeads, academies: try config().academies).utf8)
                .write(to: configDirectory.appendingPathComponent(Directory.fileName))
        }
    }

    static func directoryCSV(englishLeads: Int, academies: AcademyCatalog) -> String {
        var lines = ["name,email,academy,roles,active"]
        let others: [Role] = [.headteacher, .deputy, .mathsLead, .curriculumLead, .newStaff, .ect]
        for academy in academies.academies.map(\.id.rawValue) {
            for n in 1...englishLeads {
                lines.append("English Lead \(n) \(academy),english-\(n)@\(academy).example.org,\(academy),english-lead,Y")
            }
            lines.append("Former English Lead \(academy),former-english@\(academy).example.org,\(academy),english-lead,N")
            for role in others {
                lines.append("\(role.rawValue) \(academy),\(role.rawValue)@\(academy).example.org,\(academy),\(role.rawValue),Y")
            }
        }
        lines.append("Central One,central-1@focus-trust.example.org,central,central-team,Y")
        lines.append("Central Two,central-2@focus-trust.example.org,central,central-team;maths-lead,Y")
        return lines.joined(separator: "\n") + "\n"
    }

    func config() throws -> TrustConfig { try TrustConfig(directory: configDirectory.path) }

    func englishLeads() throws -> Set<String> {
        Set(try config().reminderDirectory().audience(roles: [.englishLead]).map(\.email))
    }

    // MARK: Broker

    static func connect() throws -> Connection {
        do {
            return try Connection(endpoint: try BrokerEndpoint(url: brokerURL), name: "reminder-tests")
        } catch {
            Issue.record("no broker at \(brokerURL) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    func declare() throws {
        let c = try Self.connect()
        defer { c.close() }
        try topology.declare(on: c)
    }

    func publish(_ routingKey: String, id: String, body: [UInt8]) throws {
        try publish([OutgoingMessage(exchange: topology.intakeExchange, routingKey: routingKey,
                                     properties: MessageProperties(messageID: id, type: routingKey,
                                                                   contentType: "application/json"),
                                     body: body)])
    }

    func publish(_ messages: [OutgoingMessage]) throws {
        let c = try Self.connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(messages)
    }

    func remind(_ occurrence: String, forum: String, lead: Int, id: String? = nil) throws {
        let request = ReminderRequest(forumID: forum, occurrenceID: occurrence, leadDays: lead)
        try publish(ReminderRequest.routingKey, id: id ?? request.messageID, body: request.body)
    }

    /// Everything on the event log so far, as JSON objects with the message id added.
    func events() throws -> [[String: Any]] {
        let c = try Self.connect()
        defer { c.close() }
        var out: [[String: Any]] = []
        while let d = try c.get(topology.eventLogQueue!) {
            var json = (try JSONSerialization.jsonObject(with: Data(d.body)) as? [String: Any]) ?? [:]
            json["_id"] = d.properties.messageID
            json["_key"] = d.routingKey
            out.append(json)
            try c.ack(d.deliveryTag)
        }
        return out
    }

    func deadLetters() throws -> [Delivery] {
        let c = try Self.connect()
        defer { c.close() }
        var out: [Delivery] = []
        while let d = try c.get(Topology.deadQueue(options.queue)) {
            out.append(d)
            try c.ack(d.deliveryTag)
        }
        return out
    }

    /// Quietly: tests without a broker clean up too.
    func cleanUp() {
        if let c = try? Connection(endpoint: try BrokerEndpoint(url: Self.brokerURL), name: "reminder-tests") {
            topology.delete(on: c)
            c.close()
        }
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: Database

    func count(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        guard FileManager.default.fileExists(atPath: databasePath) else { return 0 }
        let db = try Database(path: databasePath, readOnly: true)
        defer { db.close() }
        return Int(try db.scalar(sql, params)?.int64Value ?? 0)
    }

    func delivered(_ status: String = "sent") throws -> Int {
        try count("SELECT count(*) FROM reminder_deliveries WHERE status = ?", [.text(status)])
    }

    func announced() throws -> Int {
        try count("SELECT count(*) FROM reminder_mailings WHERE announced_at IS NOT NULL")
    }

    static func waitFor(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return (try? condition()) == true
    }
}

/// The reminder worker (consumer and pump) running in this process, as `main.swift` runs it.
final class ReminderRun {
    let service: ReminderService
    private let shutdown = ShutdownSignal()
    private let finished = DispatchSemaphore(value: 0)
    private let failure = LockedBox<String?>(nil)

    init(_ world: ReminderWorld, now: Date, smtpPort: Int? = nil, delivery: DeliveryOptions = DeliveryOptions(idleWait: 0.05),
         sendDelay: Double = 0) throws {
        let outbox = world.outbox
        let smtp = smtpPort.map { "smtp://127.0.0.1:\($0)" }
        service = ReminderService(
            config: try world.config(), worker: world.options, brokers: [try BrokerEndpoint(url: ReminderWorld.brokerURL)],
            databasePath: world.databasePath,
            makeTransport: {
                let transport = try makeMailTransport(smtpURL: smtp, outboxDirectory: outbox)
                return sendDelay > 0 ? PacedTransport(transport, delay: sendDelay) : transport
            },
            delivery: delivery, now: Settings.clock(fixed: now), log: Log(component: "test", minimum: .warn))
        let service = self.service, shutdown = self.shutdown, finished = self.finished, failure = self.failure
        Thread.detachNewThread {
            do { try service.run(shutdown: shutdown) } catch { failure.set("\(error)") }
            finished.signal()
        }
    }

    private var stopped = false

    /// Stops as SIGTERM would and checks it stopped cleanly.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) {
        stopped = true
        shutdown.request()
        #expect(finished.wait(timeout: .now() + 15) == .success, "worker did not stop within 15 s",
                sourceLocation: sourceLocation)
        #expect(failure.get() == nil, sourceLocation: sourceLocation)
    }

    /// A test that failed before stopping still stops its worker, so nothing outlives it.
    deinit {
        guard !stopped else { return }
        shutdown.request()
        _ = finished.wait(timeout: .now() + 15)
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ newValue: T) { lock.withLock { value = newValue } }
}

/// A real transport slowed down, so a test can stop the engine part-way through a mailing.
final class PacedTransport: MailTransport {
    let inner: any MailTransport
    let delay: Double
    init(_ inner: any MailTransport, delay: Double) {
        self.inner = inner
        self.delay = delay
    }
    func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt {
        Thread.sleep(forTimeInterval: delay)
        return try inner.send(mail)
    }
}

/// Python's view of delivered e-mails: `email` for the message, `icalendar` for the invitation.
enum DeliveredMail {
    static let script = #"""
        import sys, os, json, datetime, email, icalendar
        from email import policy
        out = []
        for name in sorted(os.listdir(sys.argv[1])):
            if not name.endswith(".eml"):
                continue
            with open(os.path.join(sys.argv[1], name), "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=policy.default)
            ics = next(p for p in msg.walk() if p.get_content_type() == "application/ics").get_content()
            cal = icalendar.Calendar.from_ical(ics)
            ev = cal.walk("VEVENT")[0]
            utc = datetime.timezone.utc
            out.append({
                "file": name, "to": msg["To"].addresses[0].addr_spec, "subject": str(msg["Subject"]),
                "message_id": str(msg["Message-ID"]), "method": str(cal["METHOD"]),
                "uid": str(ev["UID"]), "sequence": int(ev["SEQUENCE"]), "status": str(ev["STATUS"]),
                "start_utc": ev["DTSTART"].dt.astimezone(utc).strftime("%Y-%m-%d %H:%M"),
                "defects": sum(len(p.defects) for p in msg.walk()),
                "location": str(ev.get("LOCATION", "")),
                "teams_url": str(ev.get("X-MICROSOFT-SKYPETEAMSMEETINGURL", "")),
                "busy": str(ev.get("X-MICROSOFT-CDO-BUSYSTATUS", "")),
                "disallow_counter": str(ev.get("X-MICROSOFT-DISALLOW-COUNTER", "")),
                "text": msg.get_body(("plain",)).get_content(),
            })
        print(json.dumps(out))
        """#

    struct Parsed: Decodable {
        let file: String
        let to: String
        let subject: String
        let message_id: String
        let method: String
        let uid: String
        let sequence: Int
        let status: String
        let start_utc: String
        let defects: Int
        let location: String
        let teams_url: String
        let busy: String
        let disallow_counter: String
        let text: String
    }

    static func parse(_ directory: URL) throws -> [Parsed] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let process = Process(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, directory.path]
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([Parsed].self, from: output)
    }
}

