import Broker
import Foundation
@testable import WorkerKit

/// A broker in memory that routes as the declared topology does, enough for the consumer
/// loop's rules: the intake exchange fills the work queue; the retry exchange holds a message
/// for its queue's delay and then delivers it through the default exchange, as a TTL dead
/// letter does; the dead exchange fills the dead queue; the events exchange the event log.
/// Unacknowledged deliveries go back, marked redelivered, when their consumer disconnects.
final class InMemoryBroker: @unchecked Sendable {
    let topology: Topology
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var ready: [Stored] = []
    private var delayed: [(due: Date, message: Stored)] = []
    private var unacked: [ObjectIdentifier: [(tag: UInt64, message: Stored)]] = [:]
    private var deadLetters: [Stored] = []
    private var eventLog: [Stored] = []
    /// Connections refused from now on, to exercise the reconnect path.
    private var refusals = 0
    /// Acks that fail from now on, as when a connection breaks after a commit.
    private var lostAcks = 0

    struct Stored {
        var exchange: String
        var routingKey: String
        var properties: MessageProperties
        var body: [UInt8]
        var redelivered = false

        func delivery(tag: UInt64) -> Delivery {
            Delivery(deliveryTag: tag, redelivered: redelivered, exchange: exchange, routingKey: routingKey,
                     properties: properties, body: body)
        }
    }

    init(topology: Topology) { self.topology = topology }

    private var workQueue: String { topology.queues[0].name }

    func publish(_ message: OutgoingMessage) throws(BrokerError) {
        let stored = Stored(exchange: message.exchange, routingKey: message.routingKey,
                            properties: message.properties, body: message.body)
        condition.withLock {
            switch message.exchange {
            case topology.intakeExchange, "":
                ready.append(stored)
            case topology.retryExchange:
                let attempt = Int(message.routingKey.split(separator: ".").last ?? "") ?? 1
                let delay = Double(topology.retryDelays[attempt - 1]) / 1000
                var back = stored
                back.exchange = ""
                back.routingKey = workQueue
                delayed.append((Date().addingTimeInterval(delay), back))
            case topology.deadExchange:
                deadLetters.append(stored)
            case topology.eventsExchange:
                eventLog.append(stored)
            default:
                break
            }
            condition.broadcast()
        }
    }

    /// Moves due retries to the work queue. Called with the lock held.
    private func releaseDue() {
        let now = Date()
        let due = delayed.filter { $0.due <= now }
        delayed.removeAll { $0.due <= now }
        ready.append(contentsOf: due.map(\.message))
    }

    fileprivate func take(max: Int, wait: Double, linger: Double, for source: InMemorySource,
                          tags: inout UInt64) -> [Delivery] {
        var out: [Delivery] = []
        var deadline = Date().addingTimeInterval(wait)
        condition.lock()
        defer { condition.unlock() }
        while out.count < max {
            releaseDue()
            if ready.isEmpty {
                if Date() >= deadline { break }
                _ = condition.wait(until: delayed.map(\.due).min().map { Swift.min($0, deadline) } ?? deadline)
                continue
            }
            let message = ready.removeFirst()
            tags += 1
            unacked[ObjectIdentifier(source), default: []].append((tags, message))
            out.append(message.delivery(tag: tags))
            deadline = Date().addingTimeInterval(linger)
        }
        return out
    }

    fileprivate func ack(through tag: UInt64, for source: InMemorySource) throws(BrokerError) {
        let lost = condition.withLock {
            guard lostAcks == 0 else {
                lostAcks -= 1
                return true
            }
            unacked[ObjectIdentifier(source)]?.removeAll { $0.tag <= tag }
            return false
        }
        if lost { throw .connectionLost("connection lost before the ack (test)") }
    }

    fileprivate func requeue(for source: InMemorySource) {
        condition.withLock {
            let back = (unacked.removeValue(forKey: ObjectIdentifier(source)) ?? []).map { entry in
                var m = entry.message
                m.redelivered = true
                return m
            }
            ready.insert(contentsOf: back, at: 0)
            condition.broadcast()
        }
    }

    fileprivate func admit() -> Bool {
        condition.withLock {
            guard refusals > 0 else { return true }
            refusals -= 1
            return false
        }
    }

    /// The next `count` connection attempts fail as if the broker were down.
    func refuseConnections(_ count: Int) { condition.withLock { refusals = count } }
    /// The next `count` acks fail as if the connection broke just after the commit.
    func loseAcks(_ count: Int) { condition.withLock { lostAcks = count } }

    var dead: [Delivery] { condition.withLock { deadLetters.enumerated().map { $1.delivery(tag: UInt64($0 + 1)) } } }
    var events: [Delivery] { condition.withLock { eventLog.enumerated().map { $1.delivery(tag: UInt64($0 + 1)) } } }
    /// Messages waiting, delayed or delivered but not acknowledged.
    var outstanding: Int { condition.withLock { ready.count + delayed.count + unacked.values.map(\.count).reduce(0, +) } }
}

/// One consumer's view of an `InMemoryBroker`.
final class InMemorySource: MessageSource {
    let broker: InMemoryBroker
    private var connected = false
    private var consuming = false
    private var tags: UInt64 = 0
    private(set) var connects = 0

    init(broker: InMemoryBroker) { self.broker = broker }

    var description: String { "in-memory broker" }

    func connect() throws(BrokerError) {
        guard !connected else { return }
        guard broker.admit() else { throw .connectionLost("refused (test)") }
        connected = true
        connects += 1
    }

    func consume() throws(BrokerError) {
        try connect()
        consuming = true
    }

    func next(max: Int, wait: Double, linger: Double) throws(BrokerError) -> [Delivery] {
        guard consuming else { throw .connectionLost("not consuming") }
        return broker.take(max: max, wait: wait, linger: linger, for: self, tags: &tags)
    }

    func ack(through tag: UInt64) throws(BrokerError) {
        guard connected else { throw .connectionLost("not connected") }
        try broker.ack(through: tag, for: self)
    }

    func publish(_ messages: [OutgoingMessage], mandatory: Bool) throws(BrokerError) {
        guard connected else { throw .connectionLost("not connected") }
        for m in messages { try broker.publish(m) }
    }

    func idle() throws(BrokerError) {}

    func disconnect(failed: Bool) {
        broker.requeue(for: self)
        connected = false
        consuming = false
        tags = 0
    }
}
