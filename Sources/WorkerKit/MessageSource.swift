import Broker
import Foundation

/// Where a consumer's messages come from and where the messages it forwards go: the seam
/// under the consumer loop. `BrokerSource` is RabbitMQ; tests put an in-memory queue here to
/// drive the retry, dead-letter and batch rules without a broker.
///
/// A source is used by one consumer thread only. Any method may throw `BrokerError`, which the
/// loop answers with `disconnect()`, a backoff pause and `consume()` again.
public protocol MessageSource: AnyObject, CustomStringConvertible {
    /// Connects and declares what the source needs, without consuming yet: safe to call early
    /// (while the schema migrates) and again; a no-op when connected.
    func connect() throws(BrokerError)
    /// Starts (or restarts) delivering messages, connecting first if needed.
    func consume() throws(BrokerError)
    /// Up to `max` deliveries: waits up to `wait` seconds for the first, then up to `linger`
    /// for each further one. Empty when none came.
    func next(max: Int, wait: Double, linger: Double) throws(BrokerError) -> [Delivery]
    /// Acknowledges every delivery up to and including `tag`.
    func ack(through tag: UInt64) throws(BrokerError)
    /// Publishes and returns once the broker has confirmed every message.
    func publish(_ messages: [OutgoingMessage], mandatory: Bool) throws(BrokerError)
    /// Keeps idle connections alive (heartbeats) between batches.
    func idle() throws(BrokerError)
    /// Closes everything; unacknowledged deliveries go back to the queue. `failed` says the
    /// connection broke, so the next `connect()` tries the next listed node.
    func disconnect(failed: Bool)
}

/// A queue on RabbitMQ: a consumer connection with the prefetch set, and a publisher connection
/// with confirms, opened on first use on the same node (most batches publish nothing).
/// rabbitmq-c is not thread-safe and confirms must not interleave with deliveries, hence two.
public final class BrokerSource: MessageSource {
    private let brokers: [BrokerEndpoint]
    private let options: WorkerOptions
    private var endpointIndex: Int
    private var consumer: Connection?
    private var consuming = false
    private var publisher: Connection?

    /// Consumer `index` (from 1) starts on the `index`-th listed node, so consumers spread
    /// over a cluster from the start.
    public init(brokers: [BrokerEndpoint], options: WorkerOptions, index: Int) {
        self.brokers = brokers
        self.options = options
        endpointIndex = (index - 1) % max(1, brokers.count)
    }

    /// The node this source uses now.
    public var endpoint: BrokerEndpoint? { brokers.isEmpty ? nil : brokers[endpointIndex % brokers.count] }

    /// The node, for log lines: which one a consumer is on tells an operator where it failed over.
    public var description: String { endpoint.map { "\($0)" } ?? "no broker" }

    public func connect() throws(BrokerError) {
        guard consumer == nil else { return }
        guard let endpoint else { throw .configuration("no broker address given") }
        let c = try Connection(endpoint: endpoint, name: "\(options.name) consumer")
        do {
            try options.topology.declare(on: c)
            try c.setPrefetch(options.prefetch)
        } catch {
            c.close()
            throw error
        }
        consumer = c
    }

    public func consume() throws(BrokerError) {
        try connect()
        guard !consuming, let consumer else { return }
        _ = try consumer.consume(options.queue)
        consuming = true
    }

    public func next(max: Int, wait: Double, linger: Double) throws(BrokerError) -> [Delivery] {
        guard let consumer, consuming else { throw .connectionLost("not consuming") }
        return try consumer.nextDeliveries(max: max, wait: wait, linger: linger)
    }

    public func ack(through tag: UInt64) throws(BrokerError) {
        guard let consumer else { throw .connectionLost("not connected") }
        try consumer.ack(tag, multiple: true)
    }

    public func publish(_ messages: [OutgoingMessage], mandatory: Bool) throws(BrokerError) {
        guard !messages.isEmpty else { return }
        try publishing().publishConfirmed(messages, mandatory: mandatory)
    }

    public func idle() throws(BrokerError) {
        try publisher?.service()
    }

    public func disconnect(failed: Bool) {
        consumer?.close()
        publisher?.close()
        consumer = nil
        publisher = nil
        consuming = false
        if failed { endpointIndex += 1 }
    }

    private func publishing() throws(BrokerError) -> Connection {
        if let publisher { return publisher }
        guard consumer != nil, let endpoint else { throw .connectionLost("not connected") }
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
}
