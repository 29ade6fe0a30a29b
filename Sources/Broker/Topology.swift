/// The broker objects the system relies on, declared the same way by `trustctl setup` and by
/// every worker at start, so whichever starts first leaves the broker ready for the rest.
///
/// Each work queue is a quorum queue (replicated, durable) with:
/// - an explicit `x-delivery-limit`: RabbitMQ 3.10 sets none, and a message that crashes its
///   consumer would otherwise be redelivered for ever;
/// - at-least-once dead-lettering into `<queue>.dead`, which RabbitMQ only honours with
///   `x-overflow=reject-publish` (with the default `drop-head` it is silently at-most-once);
/// - one retry queue per delay (`<queue>.retry.<n>`), each with a single TTL that dead-letters
///   back to the work queue: a TTL-expired message only leaves from the head of a queue, so
///   mixing delays in one queue would hold short ones behind long ones.
public struct Topology: Sendable, Equatable {
    public struct WorkQueue: Sendable, Equatable {
        public var name: String
        public var bindings: [String]
        public init(name: String, bindings: [String]) {
            self.name = name
            self.bindings = bindings
        }
    }

    public var intakeExchange: String
    public var eventsExchange: String
    public var retryExchange: String
    public var deadExchange: String
    public var queues: [WorkQueue]
    /// Delay before each retry, in milliseconds; retry n waits `retryDelays[n-1]`.
    public var retryDelays: [Int]
    /// Redeliveries (crashes, rejects with requeue) before the broker dead-letters a message.
    public var deliveryLimit: Int
    /// A bounded queue of recent events, so operators and tests can read what the system told
    /// the world without a subscriber of their own.
    public var eventLogQueue: String?

    public init(intakeExchange: String = "trust.intake", eventsExchange: String = "trust.events",
                retryExchange: String = "trust.retry", deadExchange: String = "trust.dead",
                queues: [WorkQueue], retryDelays: [Int] = [1_000, 10_000, 60_000, 600_000],
                deliveryLimit: Int = 5, eventLogQueue: String? = "trust.events.recent") {
        self.intakeExchange = intakeExchange
        self.eventsExchange = eventsExchange
        self.retryExchange = retryExchange
        self.deadExchange = deadExchange
        self.queues = queues
        self.retryDelays = retryDelays
        self.deliveryLimit = deliveryLimit
        self.eventLogQueue = eventLogQueue
    }

    /// A private topology whose every name starts with `prefix`, for tests and benchmarks that
    /// must not touch (or be disturbed by) the real queues on the same broker.
    public static func isolated(prefix: String, bindings: [String] = ["work.*"], retryDelays: [Int] = [100, 200],
                                deliveryLimit: Int = 10) -> Topology {
        Topology(intakeExchange: "\(prefix).intake", eventsExchange: "\(prefix).events",
                 retryExchange: "\(prefix).retry", deadExchange: "\(prefix).dead",
                 queues: [.init(name: "\(prefix).work", bindings: bindings)],
                 retryDelays: retryDelays, deliveryLimit: deliveryLimit,
                 eventLogQueue: "\(prefix).events.log")
    }

    /// The same topology with every exchange and queue name prefixed, so a benchmark or a
    /// second system can share a broker without touching the real queues.
    public func prefixed(_ prefix: String) -> Topology {
        Topology(intakeExchange: "\(prefix).\(intakeExchange)", eventsExchange: "\(prefix).\(eventsExchange)",
                 retryExchange: "\(prefix).\(retryExchange)", deadExchange: "\(prefix).\(deadExchange)",
                 queues: queues.map { WorkQueue(name: "\(prefix).\($0.name)", bindings: $0.bindings) },
                 retryDelays: retryDelays, deliveryLimit: deliveryLimit,
                 eventLogQueue: eventLogQueue.map { "\(prefix).\($0)" })
    }

    /// The work queue whose contract name is `name` (e.g. `datadrop.ingest`), in this topology.
    public func queue(named name: String) -> String {
        queues.first { $0.name == name || $0.name.hasSuffix(".\(name)") }?.name ?? name
    }

    /// Removes everything `declare` made; for test and benchmark clean-up.
    public func delete(on connection: Connection) {
        for q in allQueueNames { try? connection.deleteQueue(q) }
        for e in [intakeExchange, eventsExchange, retryExchange, deadExchange] { try? connection.deleteExchange(e) }
    }

    public static func retryQueue(_ queue: String, attempt: Int) -> String { "\(queue).retry.\(attempt)" }
    public static func deadQueue(_ queue: String) -> String { "\(queue).dead" }

    /// Arguments every work queue is declared with; exposed so tests and operators can check
    /// a queue against them.
    public func workQueueArguments(_ queue: String) -> [String: FieldValue] {
        [
            "x-queue-type": .string("quorum"),
            "x-delivery-limit": .int(Int64(deliveryLimit)),
            "x-dead-letter-exchange": .string(deadExchange),
            "x-dead-letter-routing-key": .string(queue),
            "x-dead-letter-strategy": .string("at-least-once"),
            "x-overflow": .string("reject-publish"),
        ]
    }

    /// Declares everything. Declaring is idempotent in AMQP: the same arguments again change
    /// nothing, while different ones are refused (406) rather than silently ignored.
    public func declare(on connection: Connection) throws(BrokerError) {
        for (name, type) in [(intakeExchange, "topic"), (eventsExchange, "topic"),
                             (retryExchange, "direct"), (deadExchange, "direct")] {
            try connection.declareExchange(name, type: type)
        }
        let quorum: FieldValue = .string("quorum")
        for queue in queues {
            try connection.declareQueue(queue.name, arguments: workQueueArguments(queue.name))
            for key in queue.bindings {
                try connection.bindQueue(queue.name, exchange: intakeExchange, routingKey: key)
            }
            let dead = Self.deadQueue(queue.name)
            try connection.declareQueue(dead, arguments: ["x-queue-type": quorum])
            try connection.bindQueue(dead, exchange: deadExchange, routingKey: queue.name)
            for (i, delay) in retryDelays.enumerated() {
                let retry = Self.retryQueue(queue.name, attempt: i + 1)
                try connection.declareQueue(retry, arguments: [
                    "x-queue-type": quorum,
                    "x-message-ttl": .int(Int64(delay)),
                    "x-dead-letter-exchange": .string(""),
                    "x-dead-letter-routing-key": .string(queue.name),
                    "x-dead-letter-strategy": .string("at-least-once"),
                    "x-overflow": .string("reject-publish"),
                ])
                try connection.bindQueue(retry, exchange: retryExchange, routingKey: retry)
            }
        }
        if let eventLogQueue {
            try connection.declareQueue(eventLogQueue, arguments: [
                "x-queue-type": .string("classic"), "x-max-length": .int(10_000),
            ])
            try connection.bindQueue(eventLogQueue, exchange: eventsExchange, routingKey: "#")
        }
    }

    /// Every queue name this topology owns, for status listings and test clean-up.
    public var allQueueNames: [String] {
        queues.flatMap { q in
            [q.name, Self.deadQueue(q.name)]
                + retryDelays.indices.map { Self.retryQueue(q.name, attempt: $0 + 1) }
        } + (eventLogQueue.map { [$0] } ?? [])
    }
}
