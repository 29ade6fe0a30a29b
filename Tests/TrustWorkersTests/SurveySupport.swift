import Broker
import Foundation
import Store
import Synchronization
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

/// The repository's config, a fixed pseudonym key and temporary databases for survey tests.
enum SurveyWorld {
    static let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Config").standardizedFileURL.path
    static let library = SurveyLibrary(configDirectory: configDirectory)
    static let pseudonymiser = Pseudonymiser(key: Array(repeating: 0x5A, count: 32))

    static func academies() throws -> AcademyCatalog { try TrustConfig(directory: configDirectory).academies }

    static func colleagues() throws -> SurveyDefinition { try library.definition("colleagues-2022") }

    static func tempDatabasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("survey-\(UUID().uuidString).sqlite").path
    }

    /// A migrated database in a temporary file.
    static func database() throws -> Database {
        let db = try Database(path: tempDatabasePath())
        try db.migrate(WorkerRuntime.migrations + TrustSchema.all)
        return db
    }

    /// A synthetic export whose Forms IDs are nine digits long, so finding one in the database
    /// file cannot be a coincidence inside a hex hash.
    static func export(_ respondents: Int, from first: Int = 1, seed: UInt64 = 42, contactRate: Double = 0.05) throws
        -> SyntheticForms.Export
    {
        SyntheticForms.export(survey: try colleagues(), academies: try academies(), options: .init(
            respondents: respondents, seed: seed, firstID: 730_000_000 + first, contactRate: contactRate))
    }

    static func read(_ export: SyntheticForms.Export) throws -> FormsExport {
        try FormsExport.read(Array(export.csv.utf8), survey: try colleagues(), academies: try academies())
    }

    /// Every file SQLite keeps for the database, as bytes: the main file, the write-ahead log
    /// and the shared-memory index.
    static func rawFiles(_ path: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let data = FileManager.default.contents(atPath: path + suffix) { files[path + suffix] = Array(data) }
        }
        return files
    }

    /// The identities from `export` found anywhere in the database's files.
    static func leaks(of export: SyntheticForms.Export, in files: [String: [UInt8]]) -> [String] {
        let needles = Set(export.respondents.flatMap { [$0.email, $0.name, $0.formsID] }.map { Array($0.utf8) })
        return files.flatMap { file, bytes in
            ByteSearch.occurrences(of: needles, in: bytes).map { "\(String(decoding: $0, as: UTF8.self)) in \(file)" }
        }
    }
}

/// Many-needle search over megabytes (libc's memmem is not visible to Swift on Linux, and one
/// pass per needle would take minutes in a debug build): Rabin–Karp, one rolling-hash pass
/// per distinct needle length, with a bit filter in front of the exact comparison.
enum ByteSearch {
    static func occurrences(of needles: Set<[UInt8]>, in haystack: [UInt8]) -> Set<[UInt8]> {
        var found = Set<[UInt8]>()
        let base: UInt64 = 1_099_511_628_211
        for (length, group) in Dictionary(grouping: needles, by: \.count) where length > 0 && length <= haystack.count {
            var wanted: [UInt64: [[UInt8]]] = [:]
            var filter = [Bool](repeating: false, count: 1 << 20)
            for needle in group {
                let h = needle.reduce(UInt64(0)) { $0 &* base &+ UInt64($1) }
                wanted[h, default: []].append(needle)
                filter[Int(h >> 44)] = true
            }
            let power = (1..<length).reduce(UInt64(1)) { p, _ in p &* base }
            haystack.withUnsafeBufferPointer { bytes in
                var h = bytes[0..<length].reduce(UInt64(0)) { $0 &* base &+ UInt64($1) }
                var i = 0
                while true {
                    if filter[Int(h >> 44)], let candidates = wanted[h] {
                        for c in candidates where bytes[i..<(i + length)].elementsEqual(c) { found.insert(c) }
                    }
                    guard i + length < bytes.count else { break }
                    h = (h &- UInt64(bytes[i]) &* power) &* base &+ UInt64(bytes[i + length])
                    i += 1
                }
            }
        }
        return found
    }
}

/// The survey handler run by a real `Worker` on a private topology whose one work queue is bound
/// like `survey.process` (`survey.*`), so exports are published exactly as `trustctl survey
/// submit` publishes them. Every name starts with a unique prefix and is deleted afterwards.
struct SurveyRun {
    let topology: Topology
    let db = SurveyWorld.tempDatabasePath()

    init() {
        let prefix = "svt\(UInt32.random(in: 0...UInt32.max))"
        topology = Topology(intakeExchange: "\(prefix).intake", eventsExchange: "\(prefix).events",
                            retryExchange: "\(prefix).retry", deadExchange: "\(prefix).dead",
                            queues: [.init(name: "\(prefix).survey", bindings: ["survey.*"])],
                            retryDelays: [100, 200], deliveryLimit: 10, eventLogQueue: "\(prefix).events.log")
    }

    var queue: String { topology.queues[0].name }

    static var brokerURL: String { ProcessInfo.processInfo.environment["TRUST_AMQP_URL"] ?? BrokerEndpoint.defaultURL }

    /// Fails the test, never skips it, when there is no broker.
    static func connect() throws -> Connection {
        do {
            return try Connection(endpoint: try BrokerEndpoint(url: brokerURL), name: "survey-tests")
        } catch {
            Issue.record("no broker at \(brokerURL) (start one with scripts/broker start): \(error)")
            throw error
        }
    }

    func publish(_ bodies: [(survey: String, csv: String)]) throws {
        let c = try Self.connect()
        defer { c.close() }
        try topology.declare(on: c)
        try c.publishConfirmed(bodies.map {
            SurveySubmission.message(surveyID: $0.survey, body: Array($0.csv.utf8), exchange: topology.intakeExchange, now: Date())
        })
    }

    /// Runs the worker until `until` holds (or `seconds` pass), then stops it cleanly.
    func run(seconds: Double, until: @escaping () throws -> Bool) throws {
        let shutdown = ShutdownSignal()
        let worker = Worker(options: WorkerOptions(name: "survey-test", queue: queue, topology: topology),
                            brokers: [try BrokerEndpoint(url: Self.brokerURL)], databasePath: db,
                            log: Log(component: "survey-test", minimum: .error), shutdown: shutdown) {
            SurveyHandler(library: SurveyWorld.library, academies: try SurveyWorld.academies(),
                          pseudonymiser: SurveyWorld.pseudonymiser)
        }
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Thread.detachNewThread {
            do { try worker.run() } catch { failure.withLock { $0 = "\(error)" } }
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !((try? until()) ?? false) { Thread.sleep(forTimeInterval: 0.05) }
        shutdown.request()
        #expect(finished.wait(timeout: .now() + 10) == .success, "worker did not stop within 10 s")
        #expect(failure.withLock { $0 } == nil)
    }

    func ledger() throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: db) else { return [:] }
        let d = try Database(path: db, readOnly: true)
        defer { d.close() }
        guard try d.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'processed_messages'")?.int64Value == 1 else { return [:] }
        var out: [String: String] = [:]
        for row in try d.query("SELECT message_id, outcome FROM processed_messages") { out[row.string(0)!] = row.string(1)! }
        return out
    }

    /// Every message waiting in a queue of this topology, taken off it.
    func drain(_ name: String) throws -> [Delivery] {
        let c = try Self.connect()
        defer { c.close() }
        var out: [Delivery] = []
        while let d = try c.get(name) {
            out.append(d)
            try c.ack(d.deliveryTag)
        }
        return out
    }

    func cleanUp() {
        guard let c = try? Self.connect() else { return }
        topology.delete(on: c)
        c.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    }
}
