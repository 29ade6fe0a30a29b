import Broker
import Foundation
import Store

/// A message as a handler sees it: the delivery plus what the runtime worked out about it.
///
/// A struct of two references, one nil unless the handler prepares messages: no allocation
/// per message, one retain per copy.
public struct InboundMessage: Sendable {
    public let delivery: Delivery
    /// Boxed so that the common case, no `prepare` step, is a nil reference.
    private let preparation: Prepared?

    /// What a handler's `prepare` step made of a message.
    final class Prepared: Sendable {
        let value: any Sendable
        init(_ value: any Sendable) { self.value = value }
    }

    /// The idempotency key; the runtime never calls a handler for a message without one.
    public var messageID: String { delivery.properties.messageID ?? "" }
    /// How many times an earlier attempt failed transiently (0 on the first try).
    public var attempt: Int { Self.attempts(of: delivery) }
    /// What the handler's `prepare` step made of this message, if it has one (see
    /// `MessageHandler.prepare`).
    public var prepared: (any Sendable)? { preparation?.value }

    private init(delivery: Delivery, preparation: Prepared?) {
        self.delivery = delivery
        self.preparation = preparation
    }

    /// The message as a handler sees it, or nil when it has no message id (which the runtime
    /// dead-letters without calling the handler).
    init?(_ delivery: Delivery) {
        guard Self.id(of: delivery) != nil else { return nil }
        self.init(delivery: delivery, preparation: nil)
    }

    /// A delivery's message id, or nil when it has none the ledger could key on.
    static func id(of delivery: Delivery) -> String? {
        guard let id = delivery.properties.messageID, !id.isEmpty else { return nil }
        return id
    }

    /// An operator's replay of a dead-lettered message (`trustctl` marks the copy it
    /// publishes): the one way to run a settled id again.
    public var isReplay: Bool { Self.isReplay(delivery) }

    static func isReplay(_ delivery: Delivery) -> Bool { delivery.properties.headers["x-replayed-at"] != nil }

    /// Neither a retry, a redelivery nor a replay: the message's id is most likely new.
    static func isFirstAttempt(_ delivery: Delivery) -> Bool {
        !delivery.redelivered && attempts(of: delivery) == 0 && !isReplay(delivery)
    }

    /// The id of a delivery that has one and is a first attempt; read from the delivery, so a
    /// batch's first walk makes no copy of its message.
    static func firstAttemptID(of delivery: Delivery) -> String? {
        guard let id = id(of: delivery), isFirstAttempt(delivery) else { return nil }
        return id
    }

    /// How many earlier attempts failed transiently, as the runtime records it on each retry.
    static func attempts(of delivery: Delivery) -> Int {
        Int(delivery.properties.headers["x-attempts"]?.intValue ?? 0)
    }

    /// The same message carrying what the handler's `prepare` step made of it.
    func with(prepared: (any Sendable)?) -> InboundMessage {
        InboundMessage(delivery: delivery, preparation: prepared.map(Prepared.init))
    }

    public var body: [UInt8] { delivery.body }
    public var type: String? { delivery.properties.type }
    /// The key the sender used. Retried and replayed messages reach the work queue through the
    /// default exchange (only the runtime and operators may publish there), carrying their
    /// original key in `x-original-routing-key`; anything else is taken as delivered.
    public var routingKey: String {
        if delivery.exchange.isEmpty, let original = delivery.properties.headers["x-original-routing-key"]?.stringValue {
            return original
        }
        return delivery.routingKey
    }
    public var headers: [String: FieldValue] { delivery.properties.headers }
}

/// What a handler may touch while handling one message. Everything written through `db` and
/// every event passed to `emit` commits or rolls back together with the message's ledger row.
public final class HandlerContext {
    public let db: Database
    /// Every line carries `queue=` and `message_id=` of the message in hand, so an operator can
    /// follow one message through the logs. Built when a handler logs, not per message.
    public var log: Log { baseLog.with(["queue": queue, "message_id": messageID]) }
    public let now: Date
    let outbox: Outbox
    private let baseLog: Log
    private let queue: String
    /// Set by the consumer loop before each message it hands over.
    var messageID = ""

    init(db: Database, log: Log, queue: String, now: Date, outbox: Outbox) {
        self.db = db
        baseLog = log
        self.queue = queue
        self.now = now
        self.outbox = outbox
    }

    /// Queues an event for `trust.events`. It is written to the outbox table inside the
    /// message's transaction and published only after commit, so the world never hears of an
    /// effect that was rolled back, and never misses one that was committed.
    public func emit(routingKey: String, type: String, json body: [UInt8], messageID: String) throws {
        try outbox.add(exchange: outbox.eventsExchange, routingKey: routingKey, messageID: messageID,
                       type: type, contentType: "application/json", body: body, in: db)
    }
}

/// Handles the messages of one queue. A handler instance belongs to one consumer thread, so it
/// may keep prepared statements and caches without locks.
public protocol MessageHandler: AnyObject {
    /// The handler's own tables, applied with the runtime's before consuming starts.
    var migrations: [Migration] { get }
    /// Writes the message's effects through `context.db` (prepare hot statements once with
    /// `context.db.prepare`). Throw `HandlerError.permanent` for
    /// input that will never succeed (it is dead-lettered at once, with the reason) and
    /// `HandlerError.transient` for conditions that may clear (it is retried with backoff).
    func handle(_ message: InboundMessage, context: HandlerContext) throws

    /// Optional work on a message that needs no database and has no side effects (parsing,
    /// validating, pseudonymising). The runtime runs it for each message of a batch on a
    /// helper thread, in order, ahead of `handle`, which finds the result in
    /// `message.prepared`. It must be safe to call from another thread (capture only
    /// immutable, `Sendable` state) and must not throw: return a failure as a value for
    /// `handle` to act on. `handle` must cope with `prepared == nil` by doing the work itself.
    var prepare: (@Sendable (InboundMessage) -> any Sendable)? { get }
}

extension MessageHandler {
    public var prepare: (@Sendable (InboundMessage) -> any Sendable)? { nil }
}

/// How a handler says a message failed; the runtime's response differs completely.
public enum HandlerError: Error, CustomStringConvertible, Sendable {
    /// The input is wrong and will stay wrong: dead-letter now, tell the sender why.
    case permanent(String)
    /// Something outside the message failed (a lock, a mail server): try again later.
    case transient(String)

    public var description: String {
        switch self {
        case .permanent(let s), .transient(let s): return s
        }
    }
}

enum FailureClass {
    case permanent, transient

    /// SQLite's busy/locked/I/O errors are transient; anything else unexpected is treated as
    /// permanent so a bug cannot spin a message through the retry queues for ever.
    static func of(_ error: Error) -> FailureClass {
        switch error {
        case HandlerError.transient: return .transient
        case HandlerError.permanent: return .permanent
        case let e as StoreError: return e.isTransient ? .transient : .permanent
        default: return .permanent
        }
    }
}
