import Broker
import Foundation
import WorkerKit

/// A settled mailing's event on trust.events. Its message id is derived from what it reports
/// (`newsletter.sent:<issue>`, `reminder.sent:<occurrence>:<kind>:<step>:<recipients>`), so a
/// republished event is recognisably the same one.
struct DeliveryEvent {
    let routingKey: String
    let messageID: String
    let body: [UInt8]
}

/// Publishes settled mailings' events with confirms, on a connection of its own (the worker's
/// belong to its consumer thread). After broker trouble it tries the next broker and backs
/// off: events are delayed, never mail.
final class DeliveryAnnouncer {
    private let brokers: [BrokerEndpoint]
    private let exchange: String
    private let backoff: Backoff
    private let log: Log
    private var connection: Connection?
    private var endpoint = 0
    private var failures = 0
    private var retryAt = ContinuousClock.now

    init(brokers: [BrokerEndpoint], exchange: String, backoff: Backoff = Backoff(base: 1, cap: 60), log: Log) {
        self.brokers = brokers
        self.exchange = exchange
        self.backoff = backoff
        self.log = log
    }

    deinit { connection?.close() }

    /// False while backing off after broker trouble.
    var isReady: Bool { !brokers.isEmpty && ContinuousClock.now >= retryAt }

    /// True once the broker has confirmed every event; false (logged, backing off) otherwise.
    func publish(_ events: [DeliveryEvent], at now: Date) -> Bool {
        let messages = events.map { event in
            OutgoingMessage(exchange: exchange, routingKey: event.routingKey,
                            properties: MessageProperties(messageID: event.messageID, type: event.routingKey,
                                                          contentType: "application/json",
                                                          timestamp: UInt64(max(0, now.timeIntervalSince1970))),
                            body: event.body)
        }
        do {
            let c = try connection ?? Connection(endpoint: brokers[endpoint % brokers.count], name: "delivery events")
            connection = c
            try c.publishConfirmed(messages, mandatory: false)
            failures = 0
            return true
        } catch {
            connection?.close()
            connection = nil
            endpoint += 1
            let delay = backoff.delay(attempt: failures)
            failures += 1
            retryAt = .now + .seconds(delay)
            log.warn("settled mailings not announced yet; will retry", ["error": error, "retry_in_s": String(format: "%.1f", delay)])
            return false
        }
    }
}
