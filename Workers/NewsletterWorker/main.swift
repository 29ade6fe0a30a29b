// The newsletter worker: stores FAcT items and assembles issues from `newsletter.assemble`,
// and sends each issue's pending deliveries (one per recipient) once they are committed.
import Foundation
import Mail
import TrustWorkers
import WorkerKit

final class Delivery: Service, @unchecked Sendable {
    let name = "newsletter-delivery"
    let start: () -> NewsletterDeliveryService
    let shutdown: ShutdownSignal
    init(shutdown: ShutdownSignal, start: @escaping () -> NewsletterDeliveryService) {
        self.shutdown = shutdown
        self.start = start
    }
    func run() throws {
        let service = start()
        while !shutdown.isRequested { Thread.sleep(forTimeInterval: 0.1) }
        service.stop()
    }
}

ServiceMain.run("newsletter-worker") { settings, shutdown, log in
    let setup = try NewsletterSetup(settings: settings)
    // A bad TRUST_SMTP_URL stops the process now rather than leaving every issue pending.
    _ = try makeMailTransport(smtpURL: settings.smtpURL, outboxDirectory: setup.outboxDirectory)
    let topology = NewsletterTopology.topology(prefix: settings.topologyPrefix)
    let options = settings.workerOptions(name: "newsletter-worker", queue: NewsletterTopology.queue, topology: topology,
                                         prefetch: 200)
    return [Worker(options: options, settings: settings, log: log, shutdown: shutdown) { NewsletterHandler(setup: setup) },
            Delivery(shutdown: shutdown) {
                NewsletterDeliveryService(setup: setup, databasePath: settings.databasePath,
                                          options: DeliveryPumpOptions(chunkSize: settings.deliveryChunk ?? 1),
                                          brokers: settings.brokers, announceOn: topology.eventsExchange,
                                          log: log.child("delivery")) {
                    try makeMailTransport(smtpURL: settings.smtpURL, outboxDirectory: setup.outboxDirectory)
                }
            }]
}
