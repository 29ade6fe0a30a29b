import Broker
import Foundation
import Mail
import SMTPSinkSupport
import Store
import Synchronization
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

/// One newsletter deployment for a test: its own config directory (the repository's files
/// plus a directory of `recipients` people), var directory, database and isolated topology on
/// the real broker; the worker and the delivery pump run in-process, as in the executable.
final class NewsletterRun: @unchecked Sendable {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let root: URL
    let configDirectory: URL
    let varDirectory: URL
    let db: String
    let prefix: String
    let topology: Topology
    let setup: NewsletterSetup
    /// The active people in the test's directory, in file order.
    let recipients: [Person]
    private var worker: (shutdown: ShutdownSignal, finished: DispatchSemaphore)?
    private var delivery: (shutdown: ShutdownSignal, finished: DispatchSemaphore)?
    /// The worker's clock: nil is the real one; a test of the cut-off sets the day it plays.
    let now = LockedBox<Date?>(nil)
    private var preview: (shutdown: ShutdownSignal, finished: DispatchSemaphore)?

    /// `recipients` people from the generator, plus two leavers; nil: the repository's
    /// Config/directory.csv (1,049 active people).
    init(recipients count: Int?, editor: NewsletterEditorConfig = NewsletterEditorConfig()) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("news-\(UUID().uuidString)")
        configDirectory = root.appendingPathComponent("Config")
        varDirectory = root.appendingPathComponent("var")
        db = varDirectory.appendingPathComponent("trust.sqlite").path
        prefix = "news\(UInt32.random(in: 0...UInt32.max))"
        topology = Topology.trust(prefix: prefix)
        let fm = FileManager.default
        try fm.createDirectory(at: configDirectory, withIntermediateDirectories: true)
        for name in [AcademyCatalog.fileName, ForumCalendar.fileName, DropCalendar.fileName, TermCalendar.fileName, NewsletterConfig.fileName] {
            try fm.copyItem(at: Self.repoRoot.appendingPathComponent("Config/\(name)"),
                            to: configDirectory.appendingPathComponent(name))
        }
        let directoryFile = configDirectory.appendingPathComponent(Directory.fileName)
        if let count {
            let catalog = try AcademyCatalog.load(contentsOf: configDirectory.appendingPathComponent(AcademyCatalog.fileName))
            let everyone = DirectoryGenerator(academies: catalog.academies).people()
            let active = Array(everyone.filter(\.active).prefix(count))
            // Two leavers too, to show inactive people get nothing.
            try Data(DirectoryGenerator.csv(active + everyone.filter { !$0.active }.prefix(2)).utf8).write(to: directoryFile)
        } else {
            try fm.copyItem(at: Self.repoRoot.appendingPathComponent("Config/\(Directory.fileName)"), to: directoryFile)
        }
        let trust = try TrustConfig(directory: configDirectory.path)
        recipients = try trust.loadDirectory().active
        setup = NewsletterSetup(trust: trust, newsletter: try NewsletterConfig.load(contentsOf: trust.file(NewsletterConfig.fileName)),
                                editor: editor, varDirectory: varDirectory)
    }

    static var brokerURL: String { ProcessInfo.processInfo.environment["TRUST_AMQP_URL"] ?? BrokerEndpoint.defaultURL }

    static func connect() throws -> Connection {
        do {
            return try Connection(endpoint: try BrokerEndpoint(url: brokerURL), name: "newsletter-tests")
        } catch {
            Issue.record("no broker at \(brokerURL) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    func publish(_ messages: [OutgoingMessage]) throws {
        let c = try Self.connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(messages)
    }

    func item(_ title: String, body: String = "Join us.", category: String = "trust-news", academy: String? = nil) throws -> OutgoingMessage {
        NewsletterIntake.item(try NewsletterItem(title: title, body: body, category: category, academy: academy,
                                                 author: "Central Team", rules: setup.itemRules), topology: topology)
    }

    func assemble(_ date: String, messageID: String? = nil) -> OutgoingMessage {
        var message = NewsletterIntake.assemble(CalendarDate(date)!, topology: topology)
        if let messageID { message.properties = message.properties.with(messageID: messageID) }
        return message
    }

    /// Starts the newsletter worker on this run's topology.
    func startWorker() throws {
        let shutdown = ShutdownSignal(), finished = DispatchSemaphore(value: 0)
        let setup = setup, clock = now
        let worker = Worker(options: WorkerOptions(name: "newsletter-test", queue: topology.queue(named: NewsletterService.queue),
                                                   topology: topology),
                            brokers: [try BrokerEndpoint(url: Self.brokerURL)], databasePath: db,
                            now: { clock.get() ?? Date() },
                            log: Log(component: "newsletter-test", minimum: .warn), shutdown: shutdown) {
            NewsletterHandler(setup: setup)
        }
        Thread.detachNewThread {
            do { try worker.run() } catch { Issue.record("worker stopped: \(error)") }
            finished.signal()
        }
        self.worker = (shutdown, finished)
    }

    /// Starts the delivery engine sending to `smtpPort` (nil: the outbox directory), or through
    /// `transport` when given; `pacing` and `now` as the engine's.
    func startDelivery(smtpPort: Int?, chunkSize: Int = 1, pacing: RelayLimits = .unlimited,
                       now: @escaping @Sendable () -> Date = Settings.clock(fixed: nil),
                       transport: (@Sendable () throws -> any MailTransport)? = nil) throws {
        let outbox = setup.outboxDirectory
        let shutdown = ShutdownSignal(), finished = DispatchSemaphore(value: 0)
        let engine = NewsletterService.delivery(
            setup: setup, databasePath: db,
            options: DeliveryOptions(chunkSize: chunkSize, idleWait: 0.1, outage: Backoff(base: 0.1, cap: 0.5),
                                     pacing: pacing, senderRefusal: Backoff(base: 0.2, cap: 0.5)),
            brokers: [try BrokerEndpoint(url: Self.brokerURL)], announceOn: topology.eventsExchange,
            now: now, log: Log(component: "newsletter-test.delivery", minimum: .warn),
            shutdown: shutdown
        ) {
            if let transport { return try transport() }
            guard let smtpPort else { return try OutboxTransport(directory: outbox) }
            return try SMTPTransport(configuration: NewsletterRun.smtp(smtpPort))
        }
        Thread.detachNewThread {
            do { try engine.run() } catch { Issue.record("delivery stopped: \(error)") }
            finished.signal()
        }
        delivery = (shutdown, finished)
    }

    /// The loopback relay at `port`, with short timeouts; `username`/`password` for AUTH.
    static func smtp(_ port: Int, username: String? = nil, password: String? = nil) -> SMTPConfiguration {
        var configuration = SMTPConfiguration(host: "127.0.0.1", port: port, username: username, password: password)
        configuration.connectTimeout = .seconds(2)
        configuration.timeout = .seconds(10)
        return configuration
    }

    /// Runs `body` on a writable connection, as `trustctl` does.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        let d = try Database(path: db)
        defer { d.close() }
        return try body(d)
    }

    /// Starts the preview copies' delivery engine sending to `smtpPort`; stopped by ``stop()``.
    func startPreviewDelivery(smtpPort: Int) {
        let shutdown = ShutdownSignal(), finished = DispatchSemaphore(value: 0)
        let engine = NewsletterService.previewDelivery(
            setup: setup, databasePath: db, options: DeliveryOptions(idleWait: 0.1), now: Settings.clock(fixed: nil),
            log: Log(component: "newsletter-test.preview", minimum: .warn), shutdown: shutdown
        ) { try SMTPTransport(configuration: NewsletterRun.smtp(smtpPort)) }
        Thread.detachNewThread {
            do { try engine.run() } catch { Issue.record("preview delivery stopped: \(error)") }
            finished.signal()
        }
        preview = (shutdown, finished)
    }

    func stop() {
        if let preview {
            preview.shutdown.request()
            #expect(preview.finished.wait(timeout: .now() + 15) == .success, "preview engine did not stop")
        }
        preview = nil
        if let worker {
            worker.shutdown.request()
            #expect(worker.finished.wait(timeout: .now() + 15) == .success, "worker did not stop")
        }
        if let delivery {
            delivery.shutdown.request()
            #expect(delivery.finished.wait(timeout: .now() + 15) == .success, "delivery engine did not stop")
        }
        worker = nil
        delivery = nil
    }

    func cleanUp() {
        stop()
        if let c = try? Self.connect() {
            topology.delete(on: c)
            c.close()
        }
        try? FileManager.default.removeItem(at: root)
    }

    func count(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        try read { Int(try $0.scalar(sql, params)?.int64Value ?? 0) } ?? 0
    }

    func rows(_ sql: String, _ params: [SQLValue] = []) throws -> [Row] {
        try read { try $0.query(sql, params) } ?? []
    }

    func issues() throws -> [NewsletterIssueSummary] {
        try read { try NewsletterIssueSummary.all(in: $0) } ?? []
    }

    /// Runs `body` on a read-only connection; nil before the database exists.
    private func read<T>(_ body: (Database) throws -> T) throws -> T? {
        guard FileManager.default.fileExists(atPath: db) else { return nil }
        let d = try Database(path: db, readOnly: true)
        defer { d.close() }
        return try body(d)
    }

    /// Polls until `condition` holds (errors count as "not yet") or `seconds` pass.
    @discardableResult
    static func waitFor(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return (try? condition()) == true
    }

    /// Events the run published on its events exchange, read from the event log queue.
    func events() throws -> [Delivery] { try drain(topology.eventLogQueue!) }

    func dead() throws -> [Delivery] { try drain(Topology.deadQueue(topology.queue(named: NewsletterService.queue))) }

    private func drain(_ queue: String) throws -> [Delivery] {
        let c = try Self.connect()
        defer { c.close() }
        return try c.drain(queue)
    }
}

/// What the newsletter tests read off a message `scripts/smtp-sink` received.
extension ReceivedMessage {
    /// The messages by envelope recipient, and how many arrived beyond one per recipient.
    static func tally(_ messages: [ReceivedMessage]) -> (byRecipient: [String: [ReceivedMessage]], duplicates: Int) {
        let byRecipient = Dictionary(grouping: messages, by: \.rcpt)
        return (byRecipient, messages.count - byRecipient.count)
    }

    /// The plain text's line where FAcT greets its reader ("Dear Ann,").
    var greeting: String {
        text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Dear ") }.map(String.init) ?? ""
    }

    /// An item's `<script>` reached the HTML escaped, never as markup.
    var script_escaped: Bool { html.contains("&lt;script&gt;") && !html.contains("<script") }
}
