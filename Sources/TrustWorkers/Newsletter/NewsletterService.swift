import Broker
import Foundation
import Mail
import WorkerKit

/// The newsletter's ``DeliveryEngine`` on its own thread, started beside the newsletter worker
/// and stopped after it.
public final class NewsletterDeliveryService: Sendable {
    private let stopSignal = ShutdownSignal()
    private let finished: DispatchSemaphore

    /// Starts sending. `makeTransport` runs on the engine's thread, which then owns the
    /// transport; `announceOn` is the events exchange for `newsletter.sent` (nil: no events);
    /// `now` stamps every row and decides what is due.
    public init(setup: NewsletterSetup, databasePath: String, options: DeliveryOptions = DeliveryOptions(),
                brokers: [BrokerEndpoint], announceOn eventsExchange: String?, now: @escaping @Sendable () -> Date,
                log: Log, makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        finished = DeliveryEngine(
            kind: NewsletterDeliveries(setup: setup), databasePath: databasePath, options: options,
            makeTransport: makeTransport,
            announcer: eventsExchange.map { DeliveryAnnouncer(brokers: brokers, exchange: $0, log: log) },
            now: now, log: log
        ).start(thread: "newsletter-delivery", until: stopSignal)
    }

    /// Asks the engine to finish the message in hand, commit and stop; waits up to `timeout`.
    @discardableResult
    public func stop(timeout: Double = 90) -> Bool {
        stopSignal.request()
        return finished.wait(timeout: .now() + timeout) == .success
    }
}
