// A worker with a one-row insert handler on a private topology: the subject of the runtime's
// fault tests (kill -9, SIGTERM, broker restart) and of `scripts/bench runtime`, beside a
// bare consumer that only acks. Not part of the product.
//
//   RuntimeProbe publish --prefix P --count N [--from K] [--rate MSGS_PER_S]
//   RuntimeProbe worker  --prefix P [--db PATH] [--expect N] [--consumers C] [--prefetch N]
//                        [--batch N] [--linger S]   (defaults: half the prefetch; the runtime's)
//   RuntimeProbe bare    --prefix P --expect N [--prefetch N]
//   RuntimeProbe cleanup --prefix P [--trust]   (--trust: the whole trust topology under prefix
//                                                P, as TRUST_TOPOLOGY_PREFIX=P declares it)
import Broker
import Foundation
import Store
import Synchronization
import TrustWorkers
import WorkerKit

let args = CommandLine.arguments.dropFirst()
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: "--\(name)"), args.index(after: i) < args.endIndex else { return nil }
    return args[args.index(after: i)]
}
let mode = args.first ?? ""
guard let prefix = option("prefix") else {
    FileHandle.standardError.write(Data("usage: RuntimeProbe publish|worker|bare --prefix P ...\n".utf8))
    exit(1)
}
let topology = Topology.isolated(prefix: prefix, retryDelays: [200, 400, 800])
let settings = try Settings.fromEnvironment()
// Prefetch twice the batch, as the worker runtime does by default; the bare consumer uses the
// same prefetch and the same batch (one multiple ack per half-prefetch).
let prefetch = option("prefetch").flatMap(Int.init) ?? 400
let expect = option("expect").flatMap(Int.init)
let log = Log(component: "probe-\(mode)")

/// Inserts one row per message with a prepared statement, as the workers' handlers do. The
/// effects table has no unique constraint: a second effect for a message must show up as a
/// second row, not be hidden by the schema.
final class InsertHandler: MessageHandler {
    static let processed = Atomic<Int>(0)
    let shutdown: ShutdownSignal
    let expect: Int?
    init(shutdown: ShutdownSignal, expect: Int?) {
        self.shutdown = shutdown
        self.expect = expect
    }
    var migrations: [Migration] {
        [Migration(version: 100, name: "probe effects",
                   sql: "CREATE TABLE probe_effects (message_id TEXT NOT NULL, bytes INTEGER NOT NULL)")]
    }

    /// Prepared once per consumer, as a handler on a hot path should.
    private var insert: Statement?

    func handle(_ message: InboundMessage, context: HandlerContext) throws {
        let insert = try self.insert ?? context.db.prepare("INSERT INTO probe_effects (message_id, bytes) VALUES (?, ?)")
        self.insert = insert
        try insert.bind(message.messageID, at: 1)
        try insert.bind(message.body.count, at: 2)
        try insert.execute()
        let n = Self.processed.wrappingAdd(1, ordering: .relaxed).newValue
        if let expect, n >= expect { shutdown.request() }
    }
}

switch mode {
case "publish":
    let count = option("count").flatMap(Int.init) ?? 1000
    let from = option("from").flatMap(Int.init) ?? 0
    let body = Array(repeating: UInt8(ascii: "x"), count: 64)
    let publisher = try StreamPublisher(endpoint: settings.brokers[0], log: log)
    try topology.declare(on: publisher.connection)
    // An optional rate turns a burst into a stream, so faults can land while messages flow.
    let chunk = 500
    let rate = option("rate").flatMap(Double.init)
    let started = Date()
    for start in stride(from: from, to: from + count, by: chunk) {
        try publisher.publish((start..<min(start + chunk, from + count)).map { i in
            OutgoingMessage(exchange: topology.intakeExchange, routingKey: "work.probe",
                            properties: MessageProperties(messageID: "m-\(i)", type: "probe", contentType: "text/plain"),
                            body: body)
        })
        if let rate {
            let due = Double(start + chunk - from) / rate - Date().timeIntervalSince(started)
            if due > 0 { Thread.sleep(forTimeInterval: due) }
        }
    }
    publisher.connection.close()
    print("published \(count)")
case "worker":
    var options = WorkerOptions(name: "probe", queue: topology.queues[0].name, topology: topology,
                                consumers: option("consumers").flatMap(Int.init) ?? 1,
                                batchSize: option("batch").flatMap(Int.init) ?? prefetch / 2, prefetch: prefetch)
    options.reconnect = Backoff(base: 0.1, cap: 2)
    if let l = option("linger").flatMap(Double.init) { options.linger = l }
    let shutdown = ShutdownSignal()
    shutdown.installSignalHandlers(log: log)
    let worker = Worker(options: options, brokers: settings.brokers, databasePath: option("db") ?? settings.databasePath,
                        log: log, shutdown: shutdown) {
        InsertHandler(shutdown: shutdown, expect: expect)
    }
    do {
        try worker.run()
    } catch {
        log.error("failed", ["error": error])
        exit(2)
    }
case "bare":
    // The broker's ceiling for this queue: consume with the same prefetch and ack each batch
    // with one `multiple` ack, doing nothing else.
    let c = try Connection(endpoint: settings.brokers[0], name: "probe bare consumer")
    try topology.declare(on: c)
    try c.setPrefetch(prefetch)
    try c.consume(topology.queues[0].name)
    var n = 0
    while n < (expect ?? Int.max) {
        let batch = try c.nextDeliveries(max: prefetch / 2, wait: 5, linger: 0.005)
        guard let last = batch.last else { break }
        try c.ack(last.deliveryTag, multiple: true)
        n += batch.count
    }
    print("consumed \(n)")
case "cleanup":
    let c = try Connection(endpoint: settings.brokers[0], name: "probe cleanup")
    (args.contains("--trust") ? Topology.trust(prefix: prefix) : topology).delete(on: c)
    c.close()
default:
    FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
    exit(1)
}

/// Publishes chunks with confirms and, when the broker goes away mid-stream (the chaos runs
/// restart it), reconnects and publishes the unconfirmed chunk again, as a real publisher
/// must. Repeated ids are the consumer's ledger's business, which is what those runs check.
final class StreamPublisher {
    private let endpoint: BrokerEndpoint
    private let log: Log
    private(set) var connection: Connection

    init(endpoint: BrokerEndpoint, log: Log) throws {
        self.endpoint = endpoint
        self.log = log
        connection = try Connection(endpoint: endpoint, name: "probe publisher")
    }

    /// Gives up after two minutes: far longer than a broker restart takes, short enough that a
    /// broker that never returns fails the run instead of hanging it.
    func publish(_ messages: [OutgoingMessage]) throws {
        let deadline = Date().addingTimeInterval(120)
        var attempt = 0
        while true {
            do {
                try connection.publishConfirmed(messages, window: messages.count)
                return
            } catch {
                attempt += 1
                if Date() > deadline { throw error }
                log.warn("publish failed, reconnecting", ["error": error, "attempt": attempt])
                reconnect()
            }
        }
    }

    /// A failed reconnect leaves the closed connection in place; publishing on it throws, which
    /// brings the loop back here.
    private func reconnect() {
        connection.close()
        Thread.sleep(forTimeInterval: 0.5)
        if let fresh = try? Connection(endpoint: endpoint, name: "probe publisher") { connection = fresh }
    }
}
