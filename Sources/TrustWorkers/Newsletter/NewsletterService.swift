import Broker
import Foundation
import Mail
import WorkerKit

/// The delivery pump on its own thread, started beside the newsletter worker and stopped after
/// it. A thread rather than a task: SMTP and SQLite calls block, and the pump owns a curl
/// handle and a database connection that must stay on one thread.
public final class NewsletterDeliveryService: Sendable {
    private let stopSignal = ShutdownSignal()
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the pump. `makeTransport` runs on the pump's thread, which then owns the
    /// transport; `announceOn` is the events exchange for `newsletter.sent` (nil: no events).
    public init(setup: NewsletterSetup, databasePath: String, options: DeliveryPumpOptions = DeliveryPumpOptions(),
                brokers: [BrokerEndpoint], announceOn eventsExchange: String?, log: Log,
                makeTransport: @escaping @Sendable () throws -> any MailTransport) {
        let stop = stopSignal
        let finished = finished
        let thread = Thread {
            defer { finished.signal() }
            var failures = 0
            while !stop.isRequested {
                do {
                    let pump = try DeliveryPump(
                        setup: setup, databasePath: databasePath, options: options, transport: makeTransport(),
                        announcer: eventsExchange.map { BrokerAnnouncer(brokers: brokers, exchange: $0) }, log: log, stop: stop)
                    log.info("delivery pump started", ["chunk": options.chunkSize])
                    pump.run()
                } catch {
                    let delay = options.outage.delay(attempt: failures)
                    failures += 1
                    log.error("delivery pump cannot start; retrying", ["error": error, "retry_in_s": String(format: "%.1f", delay)])
                    Thread.sleep(forTimeInterval: delay)
                }
            }
            log.info("delivery pump stopped")
        }
        thread.name = "newsletter-delivery"
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// Asks the pump to finish the message in hand, commit and stop; waits up to `timeout`.
    @discardableResult
    public func stop(timeout: Double = 90) -> Bool {
        stopSignal.request()
        return finished.wait(timeout: .now() + timeout) == .success
    }
}
