import Broker
import Foundation
import Mail
import WorkerKit

/// The newsletter worker process: the `newsletter.assemble` consumer (items stored, issues
/// assembled, one pending delivery per recipient committed with the message) and the
/// newsletter's ``DeliveryEngine``, which sends those rows once they are committed. Built here
/// rather than in `main.swift` so tests run exactly what the executable runs.
public enum NewsletterService {
    /// The worker's services as `settings` configure them. Throws for a bad config or
    /// `TRUST_SMTP_URL`, so the process stops at start rather than leaving every issue pending.
    public static func services(settings: Settings, shutdown: ShutdownSignal, log: Log) throws -> [any Service] {
        let setup = try NewsletterSetup(settings: settings)
        let relay = try RelaySetup(settings: settings, outboxDirectory: setup.outboxDirectory)
        _ = try relay.makeTransport()
        let topology = settings.topology
        let options = settings.workerOptions(name: "newsletter-worker", queue: queue, topology: topology)
        return [
            Worker(options: options, settings: settings, log: log, shutdown: shutdown) { NewsletterHandler(setup: setup) },
            delivery(setup: setup, databasePath: settings.databasePath,
                     options: DeliveryOptions(chunkSize: settings.deliveryChunk ?? 1, pacing: relay.limits),
                     brokers: settings.brokers, announceOn: topology.eventsExchange, now: settings.clock,
                     log: log.child("delivery"), shutdown: shutdown) { try relay.makeTransport() },
            previewDelivery(setup: setup, databasePath: settings.databasePath, options: DeliveryOptions(pacing: relay.limits),
                            now: settings.clock, log: log.child("preview"), shutdown: shutdown) { try relay.makeTransport() },
            DeliveryEngine(kind: NewsletterNotices(setup: setup), databasePath: settings.databasePath,
                           options: DeliveryOptions(chunkSize: 1, pacing: relay.limits), makeTransport: { try relay.makeTransport() },
                           announcer: nil, now: settings.clock, log: log.child("notices"), shutdown: shutdown),
        ]
    }

    public static let queue = "newsletter.assemble"

    /// The newsletter's delivery engine. `makeTransport` runs on the engine's thread, which
    /// then owns the transport; `announceOn` is the events exchange for `newsletter.sent`
    /// (nil: no events); `now` stamps every row and decides what is due.
    public static func delivery(setup: NewsletterSetup, databasePath: String, options: DeliveryOptions = DeliveryOptions(),
                                brokers: [BrokerEndpoint], announceOn eventsExchange: String?,
                                now: @escaping @Sendable () -> Date, log: Log, shutdown: ShutdownSignal,
                                makeTransport: @escaping @Sendable () throws -> any MailTransport) -> any Service {
        DeliveryEngine(kind: NewsletterDeliveries(setup: setup), databasePath: databasePath, options: options,
                       makeTransport: makeTransport,
                       announcer: eventsExchange.map { DeliveryAnnouncer(brokers: brokers, exchange: $0, log: log) },
                       now: now, log: log, shutdown: shutdown)
    }

    /// The delivery engine of `trustctl news preview` copies: its own sender lock and thread,
    /// the same relay and pacing; previews announce no event.
    public static func previewDelivery(setup: NewsletterSetup, databasePath: String, options: DeliveryOptions,
                                       now: @escaping @Sendable () -> Date, log: Log, shutdown: ShutdownSignal,
                                       makeTransport: @escaping @Sendable () throws -> any MailTransport) -> any Service {
        DeliveryEngine(kind: NewsletterPreviewDeliveries(setup: setup), databasePath: databasePath, options: options,
                       makeTransport: makeTransport, announcer: nil, now: now, log: log, shutdown: shutdown)
    }
}
