import Broker
import Foundation
import Store

/// One consumer thread: its own message source, its own SQLite connection and its own handler
/// instance. Batches are handled in one transaction each and acked after commit.
final class ConsumerLoop {
    private let worker: Worker
    private let options: WorkerOptions
    private let log: Log
    private let db: Database
    private let handler: any MessageHandler
    private let ledger: Ledger
    private let outbox: Outbox
    private let counters: Counters
    /// The queue's in-memory figures for the metrics file: one locked update per batch.
    private let metrics: QueueMetrics
    private let source: any MessageSource
    private var failures = 0
    /// Where the handler's `prepare` step runs, if it has one: one serial helper per consumer.
    private let preparer: DispatchQueue
    private let checkpointer: Checkpointer

    init(worker: Worker, index: Int, source: any MessageSource) throws {
        self.worker = worker
        self.source = source
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
        metrics = worker.metrics.queue(worker.options.queue)
        preparer = DispatchQueue(label: "\(worker.options.name).consumer-\(index).prepare")
    }

    /// Consumes until shutdown, reconnecting with capped, jittered backoff when the source
    /// goes away. Only database failures that retrying cannot fix end the loop.
    func run() throws {
        defer {
            source.disconnect(failed: false)
            checkpointer.close()
        }
        while !worker.shutdown.isRequested {
            do {
                try source.consume()
                failures = 0
                log.info("consuming", ["queue": options.queue, "broker": source, "prefetch": options.prefetch])
                try outbox.flush(db: db, publish: source.publish)
                try consumeUntilShutdown()
            } catch let error as BrokerError {
                source.disconnect(failed: true)
                let delay = options.reconnect.delay(attempt: failures)
                log.warn("broker unavailable, reconnecting", ["queue": options.queue, "error": error,
                                                              "in_s": String(format: "%.2f", delay), "attempt": failures + 1])
                failures += 1
                pause(delay)
            }
        }
        log.info("stopped")
    }

    private func consumeUntilShutdown() throws {
        while !worker.shutdown.isRequested {
            let batch = try source.next(max: options.batchSize, wait: 0.25, linger: options.linger)
            if batch.isEmpty {
                try source.idle()
                continue
            }
            try process(batch)
        }
        // Shutdown: the batch in hand is committed and acked; anything prefetched but not yet
        // taken goes back to the queue when the source disconnects.
    }

    /// How a batch's transaction runs. A handler that throws in the fast pass rolls the batch
    /// back; the careful pass then runs it again with a savepoint per message, so the failing
    /// message is settled alone. Handlers are deterministic over the database, so a rerun is
    /// exact.
    enum Pass {
        case fast
        case careful
    }

    /// Handles a batch in one transaction and acks it with one `multiple` ack after commit.
    private func process(_ batch: [Delivery]) throws {
        let preparation = handler.prepare.map {
            BatchPreparation(batch.map(InboundMessage.init), lookahead: 4, on: preparer, prepare: $0)
        }
        defer { preparation?.abandon() }
        var pass = Pass.fast
        var storeAttempt = 0
        while true {
            let started = DispatchTime.now()
            var committing = started
            do {
                var forwards: [OutgoingMessage] = []
                let now = worker.now()
                let batchContext = BatchContext(
                    stamp: Timestamp.string(now), millis: Int64((now.timeIntervalSince1970 * 1000).rounded(.down)),
                    handler: HandlerContext(db: db, log: log, queue: options.queue, now: now, outbox: outbox))
                try db.transaction {
                    counters.reset(consumed: batch.count)
                    for (index, delivery) in batch.enumerated() {
                        var message = InboundMessage(delivery)
                        if let preparation, let plain = message { message = plain.with(prepared: preparation.take(index)) }
                        try handleOne(delivery, as: message, in: batchContext, pass: pass, forwards: &forwards)
                    }
                    // Retry and dead-letter copies are confirmed before the originals' ledger
                    // rows commit; a crash in between only makes a duplicate copy, which the
                    // ledger recognises when it comes back.
                    try source.publish(forwards, mandatory: true)
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
                    try counters.save(batchMilliseconds: ms, stamp: batchContext.stamp, in: db)
                    committing = DispatchTime.now()
                }
                metrics.record(consumed: counters.consumed, processed: counters.processed, duplicates: counters.duplicates,
                               retried: counters.retried, deadLettered: counters.deadLettered,
                               commitSeconds: Double(DispatchTime.now().uptimeNanoseconds - committing.uptimeNanoseconds) / 1e9)
                break
            } catch is FastPassAbandoned {
                pass = .careful
            } catch let error as StoreError where error.isTransient && !worker.shutdown.isRequested {
                let delay = options.storeRetry.delay(attempt: storeAttempt)
                log.warn("database unavailable, retrying batch", ["queue": options.queue, "error": error,
                                                                   "batch": batch.count, "in_s": String(format: "%.2f", delay)])
                storeAttempt += 1
                pause(delay)
                try source.idle()
            }
        }
        try outbox.flush(db: db, publish: source.publish)
        try source.ack(through: batch[batch.count - 1].deliveryTag)
    }

    /// What every message of a batch shares: one clock reading, formatted once for the text
    /// tables and once for the ledger, and one handler context.
    struct BatchContext {
        let stamp: String
        let millis: Int64
        let handler: HandlerContext
    }

    /// A handler threw in the fast pass.
    private struct FastPassAbandoned: Error {}

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
            guard try ledger.claim(message.messageID, attempt: message.attempt, replayed: message.isReplay,
                                   at: batch.millis) else { return false }
            batch.handler.messageID = message.messageID
            try handler.handle(message, context: batch.handler)
            return true
        }
        let processed: Bool
        switch pass {
        case .fast:
            do {
                processed = try run()
            } catch let error as StoreError where error.isTransient {
                throw error  // the whole batch waits and runs again
            } catch {
                throw FastPassAbandoned()
            }
        case .careful:
            do {
                // The savepoint rolls back this message's effects and its claim only.
                processed = try db.savepoint(run)
            } catch {
                try settleFailure(message, error: error, in: batch, forwards: &forwards)
                return
            }
        }
        if processed { counters.processed += 1 } else { counters.duplicates += 1 }
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
            log.warn("retry scheduled", ["queue": options.queue, "message_id": id, "attempt": attempt + 1, "reason": reason])
        } else {
            let why = transient ? "gave up after \(attempt + 1) attempts: \(reason)" : reason
            forwards.append(deadLetter(delivery, reason: why, attempts: attempt + 1, stamp: stamp))
            try ledger.record(id, outcome: .deadLettered, attempts: attempt + 1, detail: why, at: batch.millis)
            try counters.error(queue: options.queue, messageID: id, kind: "dead-lettered", reason: why, stamp: stamp, in: db)
            try announceDeadLetter(delivery, id: id, reason: why, attempts: attempt + 1, stamp: stamp)
            log.warn("dead-lettered", ["queue": options.queue, "message_id": id, "reason": why])
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
