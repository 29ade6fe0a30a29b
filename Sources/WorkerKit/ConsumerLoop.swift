import Broker
import Foundation
import Store

/// One consumer thread: its own consumer and publisher connections (rabbitmq-c is not
/// thread-safe, and confirms must not interleave with deliveries), its own SQLite connection
/// and its own handler instance.
final class ConsumerLoop {
    private let worker: Worker
    private let options: WorkerOptions
    private let log: Log
    private let db: Database
    private let handler: any MessageHandler
    private let ledger: Ledger
    private let outbox: Outbox
    private let counters: Counters
    private var consumer: Connection?
    /// The connection opened ahead while the migrations ran; used by the first connect only.
    private var opened: Connection?
    /// Opened on first use: most batches publish nothing (no retry, dead letter or event), and
    /// a worker that never forwards holds no second connection on the broker.
    private var publisher: Connection?
    private var endpointIndex: Int
    private var failures = 0
    /// Where the handler's `prepare` step runs, if it has one: one serial helper per consumer.
    private let preparer: DispatchQueue
    private let checkpointer: Checkpointer

    /// `connected` is this consumer's broker connection if it was opened ahead (see `open`).
    init(worker: Worker, index: Int, connected: Connection? = nil) throws {
        self.worker = worker
        opened = connected
        options = worker.options
        log = worker.log.child("consumer-\(index)")
        db = try Database(path: worker.databasePath)
        if let kib = options.cacheKiB { try db.setCacheSize(kibibytes: kib) }
        let checkpointer = Checkpointer(path: worker.databasePath, label: "\(worker.options.name).consumer-\(index).checkpoint",
                                        log: log)
        self.checkpointer = checkpointer
        try db.onLogCommit { pages in checkpointer.logCommitted(pages: pages) }
        handler = try worker.makeHandler()
        ledger = try Ledger(queue: worker.options.queue, db: db)
        outbox = Outbox(eventsExchange: worker.options.topology.eventsExchange)
        counters = Counters(worker: worker.options.name)
        preparer = DispatchQueue(label: "\(worker.options.name).consumer-\(index).prepare")
        endpointIndex = Self.firstEndpoint(index: index, of: worker)
    }

    /// Spreads consumers over the listed nodes from the start.
    private static func firstEndpoint(index: Int, of worker: Worker) -> Int {
        (index - 1) % max(1, worker.brokers.count)
    }

    /// Consumer `index`'s connection, with the topology declared and the prefetch set but not
    /// yet consuming: all of it independent of the database, so it can be made while the
    /// migrations run.
    static func open(index: Int, of worker: Worker) throws(BrokerError) -> Connection {
        guard !worker.brokers.isEmpty else { throw .configuration("no broker address given") }
        return try open(worker.brokers[firstEndpoint(index: index, of: worker)], options: worker.options)
    }

    private static func open(_ endpoint: BrokerEndpoint, options: WorkerOptions) throws(BrokerError) -> Connection {
        let c = try Connection(endpoint: endpoint, name: "\(options.name) consumer")
        do {
            try options.topology.declare(on: c)
            try c.setPrefetch(options.prefetch)
        } catch {
            c.close()
            throw error
        }
        return c
    }

    /// Connects, consumes until shutdown, and reconnects with capped, jittered backoff when
    /// the broker goes away. Only database failures that retrying cannot fix end the loop.
    func run() throws {
        defer {
            disconnect()
            checkpointer.close()
        }
        while !worker.shutdown.isRequested {
            do {
                try connect()
                failures = 0
                try outbox.flush(db: db, publisher: publishing)
                try consumeUntilShutdown()
            } catch let error as BrokerError {
                disconnect()
                let delay = options.reconnect.delay(attempt: failures)
                log.warn("broker unavailable, reconnecting", ["error": error, "in_s": String(format: "%.2f", delay),
                                                              "attempt": failures + 1])
                failures += 1
                endpointIndex += 1
                pause(delay)
            }
        }
        log.info("stopped")
    }

    private func connect() throws {
        let c = try opened ?? Self.open(endpoint, options: options)
        opened = nil
        consumer = c
        try c.consume(options.queue)
        log.info("consuming", ["queue": options.queue, "broker": endpoint, "prefetch": options.prefetch])
    }

    /// The broker this consumer uses now; `endpointIndex` moves on only after a disconnect.
    private var endpoint: BrokerEndpoint { worker.brokers[endpointIndex % worker.brokers.count] }

    /// The publisher connection, opened (with confirms) on the broker the consumer uses.
    private func publishing() throws(BrokerError) -> Connection {
        if let publisher { return publisher }
        guard consumer != nil else { throw .connectionLost("not connected") }
        let p = try Connection(endpoint: endpoint, name: "\(options.name) publisher")
        do {
            try p.enableConfirms()
        } catch {
            p.close()
            throw error
        }
        publisher = p
        return p
    }

    private func disconnect() {
        opened?.close()
        opened = nil
        consumer?.close()
        publisher?.close()
        consumer = nil
        publisher = nil
    }

    private func consumeUntilShutdown() throws {
        guard let consumer else { return }
        while !worker.shutdown.isRequested {
            let batch = try consumer.nextDeliveries(max: options.batchSize, wait: 0.25, linger: options.linger)
            if batch.isEmpty {
                try publisher?.service()
                continue
            }
            try process(batch, consumer: consumer)
        }
        // Shutdown: the batch in hand is committed and acked; anything prefetched but not yet
        // taken goes back to the queue when the channel closes.
    }

    /// How a batch's transaction runs. Each pass is cheaper than the next and handles fewer
    /// cases; a batch that one pass cannot finish is rolled back and run again by the next.
    /// Handlers are deterministic over the database, so a rerun is exact.
    enum Pass {
        /// Every message a first attempt: all ids claimed at once (in memory when none is
        /// known; see `Ledger.claimFirstAttempts`), then every handler, with no savepoints.
        /// Ends on a known id or a throwing handler.
        case bulk
        /// Each id claimed on its own, which sorts out duplicates and due retries; no
        /// savepoints. Ends on a throwing handler.
        case each
        /// A savepoint per message, so a failing message is rolled back alone (retried or
        /// dead-lettered) and its batch-mates commit as usual.
        case careful
    }

    /// Handles a batch in one transaction and acks it with one `multiple` ack after commit.
    private func process(_ batch: [Delivery], consumer: Connection) throws {
        // The ids a bulk pass claims. A batch holding a redelivery, a retry or a replay starts
        // with the each pass: it would most likely end the bulk pass anyway.
        var claims = ClaimIDs(capacity: batch.count)
        var pass = Pass.bulk
        for delivery in batch {
            guard let id = InboundMessage.firstAttemptID(of: delivery) else {
                pass = .each
                break
            }
            claims.append(id)
        }
        // Only a handler with a prepare step needs the messages ahead of handling; the others
        // get each one made as it is handled (a check and a retain), with no array to fill.
        let preparation = handler.prepare.map {
            BatchPreparation(batch.map(InboundMessage.init), lookahead: 4, on: preparer, prepare: $0)
        }
        defer { preparation?.abandon() }
        var storeAttempt = 0
        while true {
            let started = DispatchTime.now()
            do {
                var forwards: [OutgoingMessage] = []
                let now = worker.now()
                let batchContext = BatchContext(
                    stamp: ISO8601.string(now), millis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)),
                    handler: HandlerContext(db: db, log: log, now: now, outbox: outbox))
                try ledger.transaction(at: batchContext.millis) {
                    counters.reset(consumed: batch.count)
                    if pass == .bulk, !ledger.claimFirstAttempts(claims) { throw KnownIDInBulkPass() }
                    for (index, delivery) in batch.enumerated() {
                        var message = InboundMessage(delivery)
                        if let preparation, let plain = message { message = plain.with(prepared: preparation.take(index)) }
                        try handleOne(delivery, as: message, in: batchContext, pass: pass, forwards: &forwards)
                    }
                    // Rows the handlers appended (`Database.appender`) are written now. A bad
                    // one ends a fast pass like a throwing handler; the careful pass writes
                    // each message's rows inside its own savepoint, so the failure lands on it.
                    if pass != .careful { try Self.onFastPath { try db.writeHeldRows() } }
                    // Retry and dead-letter copies are confirmed before the originals' ledger
                    // rows commit; a crash in between only makes a duplicate copy, which the
                    // ledger recognises when it comes back.
                    if !forwards.isEmpty { try publishing().publishConfirmed(forwards) }
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
                    try counters.save(batchMilliseconds: ms, stamp: batchContext.stamp, in: db)
                }
                break
            } catch is KnownIDInBulkPass {
                pass = .each
            } catch is FastPathAbandoned {
                pass = .careful
            } catch let error as StoreError where error.isTransient && !worker.shutdown.isRequested {
                let delay = options.storeRetry.delay(attempt: storeAttempt)
                log.warn("database unavailable, retrying batch", ["error": error, "batch": batch.count,
                                                                   "in_s": String(format: "%.2f", delay)])
                storeAttempt += 1
                pause(delay)
                try publisher?.service()
            }
        }
        try outbox.flush(db: db, publisher: publishing)
        try consumer.ack(batch[batch.count - 1].deliveryTag, multiple: true)
    }

    /// What every message of a batch shares: one clock reading, formatted once for the text
    /// tables and once for the ledger, and one handler context, made once per batch rather
    /// than once per message.
    struct BatchContext {
        let stamp: String
        let millis: Int64
        let handler: HandlerContext
    }

    /// A handler threw outside the careful pass.
    private struct FastPathAbandoned: Error {}

    /// Runs a message's work in a fast pass. A transient store error still retries the whole
    /// batch; any other failure sends the batch to the careful pass, which tells which
    /// message failed and settles it alone.
    private static func onFastPath<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as StoreError where error.isTransient {
            throw error
        } catch {
            throw FastPathAbandoned()
        }
    }
    /// The bulk claim met an id that is already known, or repeated in the batch.
    private struct KnownIDInBulkPass: Error {}

    /// `message` is the delivery as the handler sees it; nil when it has no message id.
    private func handleOne(_ delivery: Delivery, as message: InboundMessage?, in batch: BatchContext, pass: Pass,
                           forwards: inout [OutgoingMessage]) throws {
        guard let message else {
            let attempt = InboundMessage.attempts(of: delivery)
            let reason = "message has no message_id; every message needs one so that a repeat has no second effect"
            forwards.append(deadLetter(delivery, reason: reason, attempts: attempt + 1, stamp: batch.stamp))
            try counters.error(queue: options.queue, messageID: nil, kind: "dead-lettered", reason: reason,
                               stamp: batch.stamp, in: db)
            log.warn("dead-lettered", ["queue": options.queue, "reason": reason])
            return
        }
        func run() throws -> Bool {
            if pass != .bulk {  // the bulk pass claimed every id up front
                guard try ledger.claim(message.messageID, attempt: message.attempt, replayed: message.isReplay,
                                       at: batch.millis) else { return false }
            }
            try handler.handle(message, context: batch.handler)
            return true
        }
        guard pass == .careful else {
            if try Self.onFastPath(run) { counters.processed += 1 } else { counters.duplicates += 1 }
            return
        }
        do {
            // The savepoint rolls back this message's effects and its claim only.
            if try ledger.savepoint(run) { counters.processed += 1 } else { counters.duplicates += 1 }
        } catch {
            try settleFailure(message, error: error, in: batch, forwards: &forwards)
        }
    }

    /// A message whose handler threw: retry it later, or dead-letter it and say why.
    private func settleFailure(_ message: InboundMessage, error: Error, in batch: BatchContext,
                               forwards: inout [OutgoingMessage]) throws {
        let stamp = batch.stamp
        let delivery = message.delivery, id = message.messageID, attempt = message.attempt
        let reason = Self.oneLine(error)
        let transient = FailureClass.of(error) == .transient
        if transient && attempt < options.topology.retryDelays.count {
            var copy = delivery.forwarded(exchange: options.topology.retryExchange,
                                          routingKey: Topology.retryQueue(options.queue, attempt: attempt + 1))
            copy.properties = copy.properties.with { headers in
                headers["x-attempts"] = .int(Int64(attempt + 1))
                headers["x-last-error"] = .string(reason)
                // It comes back from the retry queue under the work queue's name; the handler
                // must still see the key it was sent with (the academy of datadrop.<academy>).
                headers["x-original-routing-key"] = .string(message.routingKey)
            }
            forwards.append(copy)
            try ledger.record(id, outcome: .retryScheduled, attempts: attempt + 1, detail: reason, at: batch.millis)
            counters.retried += 1
            try counters.error(queue: options.queue, messageID: id, kind: "retried", reason: reason, stamp: stamp, in: db)
            log.warn("retry scheduled", ["id": id, "attempt": attempt + 1, "reason": reason])
        } else {
            let why = transient ? "gave up after \(attempt + 1) attempts: \(reason)" : reason
            forwards.append(deadLetter(delivery, reason: why, attempts: attempt + 1, stamp: stamp))
            try ledger.record(id, outcome: .deadLettered, attempts: attempt + 1, detail: why, at: batch.millis)
            try counters.error(queue: options.queue, messageID: id, kind: "dead-lettered", reason: why, stamp: stamp, in: db)
            try announceDeadLetter(delivery, id: id, reason: why, attempts: attempt + 1, stamp: stamp)
            log.warn("dead-lettered", ["id": id, "reason": why])
        }
    }

    private func deadLetter(_ delivery: Delivery, reason: String, attempts: Int, stamp: String) -> OutgoingMessage {
        var copy = delivery.forwarded(exchange: options.topology.deadExchange, routingKey: options.queue)
        copy.properties = copy.properties.with { headers in
            headers["x-error"] = .string(reason)
            headers["x-attempts"] = .int(Int64(attempts))
            headers["x-failed-at"] = .string(stamp)
            headers["x-original-exchange"] = .string(delivery.exchange)
            headers["x-original-routing-key"] = .string(delivery.routingKey)
            headers["x-last-error"] = nil
        }
        counters.deadLettered += 1
        return copy
    }

    /// Tells the sender, on `trust.events`, that its message will not be processed and why.
    private func announceDeadLetter(_ d: Delivery, id: String, reason: String, attempts: Int, stamp: String) throws {
        let event: [String: Any] = [
            "queue": options.queue, "message_id": id, "type": d.properties.type ?? "",
            "routing_key": d.routingKey, "reason": reason, "attempts": attempts,
            "failed_at": stamp,
        ]
        let body = try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
        try outbox.add(exchange: options.topology.eventsExchange, routingKey: "deadletter.\(options.queue)",
                       messageID: "dead-lettered:\(options.queue):\(id)", type: "message.dead-lettered",
                       contentType: "application/json", body: Array(body), in: db)
    }

    /// Sleeps in short slices so a shutdown request is noticed within a quarter second.
    private func pause(_ seconds: Double) {
        let until = Date().addingTimeInterval(seconds)
        while !worker.shutdown.isRequested, until.timeIntervalSinceNow > 0 {
            Thread.sleep(forTimeInterval: min(0.25, max(0, until.timeIntervalSinceNow)))
        }
    }

    /// Dead-letter reasons are AMQP header values and log fields: one line, bounded.
    static func oneLine(_ error: Error) -> String {
        let text = String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 500 ? String(text.prefix(497)) + "…" : text
    }
}
