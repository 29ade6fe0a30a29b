// The newsletter worker: one process running two things.
// - A WorkerKit worker on `newsletter.assemble`: stores items and assembles issues, each
//   message's effects (issue, archive row, one pending delivery per recipient) committed in
//   the message's transaction.
// - The delivery pump on its own thread: sends pending deliveries after that commit and
//   records each outcome, because e-mail cannot be part of a database transaction.
// SIGTERM/SIGINT stop the worker (batch in hand committed and acked); the pump is then asked
// to stop, finishes the message in hand and commits its outcome before the process exits.
//
// TRUST_NEWSLETTER_CHUNK: recipients recorded per ledger commit (default 1), the most a crash
// can send twice. TRUST_TOPOLOGY_PREFIX (tests and benchmarks only) runs on an isolated copy
// of the topology.
import Foundation
import Mail
import TrustWorkers
import WorkerKit

let name = "newsletter-worker"
let log = Log(component: name)
let env = ProcessInfo.processInfo.environment
let settings: Settings
let setup: NewsletterSetup
do {
    settings = try Settings.fromEnvironment()
    setup = try NewsletterSetup(settings: settings)
    // A bad TRUST_SMTP_URL stops the process now rather than leaving every issue pending.
    _ = try makeMailTransport(smtpURL: settings.smtpURL, outboxDirectory: setup.outboxDirectory)
} catch {
    log.error("cannot start", ["error": error])
    exit(1)
}

let topology = NewsletterTopology.topology(prefix: env["TRUST_TOPOLOGY_PREFIX"])
let delivery = NewsletterDeliveryService(
    setup: setup, databasePath: settings.databasePath,
    options: DeliveryPumpOptions(chunkSize: env["TRUST_NEWSLETTER_CHUNK"].flatMap(Int.init) ?? 1),
    brokers: settings.brokers, announceOn: topology.eventsExchange, log: log.child("delivery")
) { [settings, setup] in
    try makeMailTransport(smtpURL: settings.smtpURL, outboxDirectory: setup.outboxDirectory)
}
let options = WorkerOptions(name: name, queue: NewsletterTopology.queue(in: topology), topology: topology,
                            consumers: 1, prefetch: env["TRUST_PREFETCH"].flatMap(Int.init))
let code = WorkerMain.run(options: options, settings: settings, log: log) { NewsletterHandler(setup: setup) }
if !delivery.stop() { log.warn("delivery pump did not stop in time") }
exit(code)
