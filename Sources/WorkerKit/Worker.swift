import Broker
import Foundation
import Store

/// How a worker consumes; the defaults are the measured ones (BENCHMARKS.md).
public struct WorkerOptions: Sendable {
    /// Names the worker in logs, counters and the broker's connection list.
    public var name: String
    public var queue: String
    public var topology: Topology
    /// Consumer threads, each with its own AMQP connections and SQLite connection.
    public var consumers: Int
    /// The largest batch handled in one transaction. 200: smaller batches pay more commits.
    public var batchSize: Int
    /// Unacknowledged messages the broker may send ahead: twice the batch, so the next batch
    /// is already arriving while this one commits.
    public var prefetch: Int
    /// How long to wait for more messages once a batch has started, in seconds: long enough
    /// to fill a batch under load, short enough that a lone message is not held up.
    public var linger: Double
    public var reconnect: Backoff
    /// Backoff for re-running a batch whose transaction hit a locked or full database.
    public var storeRetry: Backoff
    /// Each consumer's SQLite page cache, in KiB; nil keeps SQLite's 2 MiB default, right for
    /// small messages. Workers whose one message writes thousands of rows set more.
    public var cacheKiB: Int?

    public init(name: String, queue: String, topology: Topology, consumers: Int = 1,
                batchSize: Int = 200, prefetch: Int? = nil, linger: Double = 0.005, reconnect: Backoff = Backoff(),
                storeRetry: Backoff = Backoff(base: 0.05, cap: 2), cacheKiB: Int? = nil) {
        self.name = name
        self.queue = queue
        self.topology = topology
        self.consumers = consumers
        self.batchSize = batchSize
        self.prefetch = prefetch ?? 2 * batchSize
        self.linger = linger
        self.reconnect = reconnect
        self.storeRetry = storeRetry
        self.cacheKiB = cacheKiB
    }
}

/// Runs a queue's consumers until shutdown is requested.
///
/// The one rule: a message is acked only after its effects and its ledger row are committed
/// in one SQLite transaction. Redelivery (after a crash, a broker restart, a lost ack) finds
/// the ledger row and only acks, so at-least-once delivery gives exactly-once effects.
public final class Worker: Service {
    public let options: WorkerOptions
    public var name: String { options.name }
    let databasePath: String
    let now: @Sendable () -> Date
    let log: Log
    let shutdown: ShutdownSignal
    let makeHandler: @Sendable () throws -> any MessageHandler
    /// Consumer `index`'s message source (from 1).
    let makeSource: @Sendable (_ index: Int) -> any MessageSource
    /// Where the consumers count their batches for the metrics file.
    let metrics: MetricsRegistry

    /// A worker on RabbitMQ.
    public convenience init(options: WorkerOptions, brokers: [BrokerEndpoint], databasePath: String,
                            now: @escaping @Sendable () -> Date = { Date() }, log: Log, shutdown: ShutdownSignal,
                            makeHandler: @escaping @Sendable () throws -> any MessageHandler) {
        self.init(options: options, databasePath: databasePath, now: now, log: log, shutdown: shutdown,
                  makeHandler: makeHandler) { BrokerSource(brokers: brokers, options: options, index: $0) }
    }

    /// A worker on the brokers, database and clock of `settings`.
    public convenience init(options: WorkerOptions, settings: Settings, log: Log, shutdown: ShutdownSignal,
                            makeHandler: @escaping @Sendable () throws -> any MessageHandler) {
        self.init(options: options, brokers: settings.brokers, databasePath: settings.databasePath,
                  now: settings.clock, log: log, shutdown: shutdown, makeHandler: makeHandler)
    }

    /// A worker on any message source (tests use an in-memory one).
    public init(options: WorkerOptions, databasePath: String, now: @escaping @Sendable () -> Date = { Date() },
                log: Log, shutdown: ShutdownSignal, metrics: MetricsRegistry = .process,
                makeHandler: @escaping @Sendable () throws -> any MessageHandler,
                makeSource: @escaping @Sendable (_ index: Int) -> any MessageSource) {
        self.metrics = metrics
        self.options = options
        self.databasePath = databasePath
        self.now = now
        self.log = log
        self.shutdown = shutdown
        self.makeHandler = makeHandler
        self.makeSource = makeSource
    }

    /// Applies the runtime's and the handler's migrations, then blocks running the consumers
    /// on their own threads (rabbitmq-c and SQLite calls block; they stay off the Swift
    /// concurrency pool). Returns once every consumer has finished its batch and closed.
    ///
    /// The consumers connect and declare the topology while the migrations run, since neither
    /// needs the other; no consumer takes a message before the schema is in place.
    public func run() throws {
        let schema = SchemaGate()
        let done = DispatchGroup()
        let failures = FailureList()
        for i in 1...max(1, options.consumers) {
            done.enter()
            let thread = Thread { [self] in
                defer { done.leave() }
                let source = makeSource(i)
                // A failure here is left to the consumer's own loop, which retries with backoff.
                try? source.connect()
                guard schema.waitUntilReady() else {
                    source.disconnect(failed: false)
                    return
                }
                do {
                    try ConsumerLoop(worker: self, index: i, source: source).run()
                } catch {
                    source.disconnect(failed: false)
                    log.error("consumer stopped", ["queue": options.queue, "consumer": i, "error": error])
                    failures.add(error)
                    shutdown.request()
                }
            }
            thread.name = "\(options.name)-\(i)"
            thread.stackSize = 1 << 22
            thread.start()
        }
        // Kept open while the consumers run: closing the only connection would checkpoint the
        // log and delete it just before the first consumer creates it again.
        var db: Database?
        defer { db?.close() }
        do {
            db = try Database(path: databasePath)
            try db?.migrate(RuntimeSchema.migrations + makeHandler().migrations)
        } catch {
            schema.settle(ready: false)
            done.wait()
            throw error
        }
        schema.settle(ready: true)
        done.wait()
        if let first = failures.first { throw first }
    }
}

/// Holds the consumer threads back until the migrations have either run or failed.
final class SchemaGate: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var ready: Bool?

    func settle(ready: Bool) {
        condition.withLock {
            self.ready = ready
            condition.broadcast()
        }
    }

    /// Whether the schema is in place; false when the migrations failed.
    func waitUntilReady() -> Bool {
        condition.withLock {
            while ready == nil { condition.wait() }
            return ready!
        }
    }
}

final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ e: Error) { lock.withLock { errors.append(e) } }
    var first: Error? { lock.withLock { errors.first } }
}
