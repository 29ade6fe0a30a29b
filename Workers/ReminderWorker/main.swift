// ReminderWorker: consumes `reminder.notify` (`reminder.due`, `calendar.update`) and, on a
// second thread sharing the same shutdown signal, sends the e-mails those messages queue.
// Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 bad settings or config, 2 system error.
//
//   ReminderWorker [--topology-prefix P]   P: run on a private copy of the topology (tests, demos)
import Foundation
import TrustWorkers
import WorkerKit

let log = Log(component: "reminder-worker")
let service: ReminderService
do {
    let args = try Arguments(Array(CommandLine.arguments.dropFirst()), flagNames: [])
    try args.allowOnly(["topology-prefix"])
    let settings = try Settings.fromEnvironment()
    let config = try TrustConfig(directory: settings.configDirectory)
    try config.forums.checkForReminders()
    let env = ProcessInfo.processInfo.environment
    let options = ReminderService.workerOptions(
        topologyPrefix: args.option("topology-prefix"),
        consumers: env["TRUST_CONSUMERS"].flatMap(Int.init) ?? 1,
        prefetch: env["TRUST_PREFETCH"].flatMap(Int.init) ?? 50)
    service = ReminderService(settings: settings, config: config, worker: options, log: log)
    _ = try service.makeTransport()  // a bad TRUST_SMTP_URL stops the start, not every send
} catch {
    log.error("cannot start", ["error": error])
    exit(1)
}

let shutdown = ShutdownSignal()
shutdown.installSignalHandlers(log: log)
log.info("starting", ["queue": service.worker.queue, "db": service.databasePath])
do {
    try service.run(shutdown: shutdown)
    log.info("stopped cleanly")
    exit(0)
} catch {
    log.error("stopped on error", ["error": error])
    exit(2)
}
