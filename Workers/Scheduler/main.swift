// The Scheduler: publishes forum reminders and the three-weekly FAcT assemble message when
// they fall due. `--once` runs a single pass at TRUST_NOW (demos step a calendar this way);
// otherwise it runs until SIGTERM, checking every TRUST_SCHEDULER_INTERVAL seconds (60).
import Broker
import Foundation
import TrustWorkers
import WorkerKit

let log = Log(component: "scheduler")
do {
    let args = try Arguments(Array(CommandLine.arguments.dropFirst()), flagNames: ["once"])
    try args.allowOnly(["once"])
    let settings = try Settings.fromEnvironment()
    let service = try SchedulerService(settings: settings, topology: settings.topology, log: log)
    let started = Date()
    let now = { settings.fixedNow.map { $0.addingTimeInterval(Date().timeIntervalSince(started)) } ?? Date() }
    if args.flag("once") {
        let c = try Connection.first(of: settings.brokers, name: "scheduler")
        defer { c.close() }
        try settings.topology.declare(on: c)
        let ids = try service.tick(now: now(), connection: c)
        log.info("pass done", ["published": ids.count])
        exit(0)
    }
    let shutdown = ShutdownSignal()
    shutdown.installSignalHandlers(log: log)
    let interval = Double(ProcessInfo.processInfo.environment["TRUST_SCHEDULER_INTERVAL"] ?? "") ?? 60
    var connection: Connection?
    var failures = 0
    while !shutdown.isRequested {
        do {
            let c = try connection ?? Connection.first(of: settings.brokers, name: "scheduler")
            if connection == nil { try settings.topology.declare(on: c) }
            connection = c
            try service.tick(now: now(), connection: c)
            failures = 0
        } catch let error as BrokerError {
            log.warn("broker unavailable", ["error": error])
            connection?.close()
            connection = nil
            failures += 1
        }
        let pause = connection == nil ? Backoff().delay(attempt: failures) : interval
        let until = Date().addingTimeInterval(pause)
        while !shutdown.isRequested, Date() < until {
            do {
                try connection?.service()  // heartbeats while idle
            } catch {
                connection?.close()
                connection = nil
            }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }
    connection?.close()
    log.info("stopped cleanly")
    exit(0)
} catch let e as UsageError {
    log.error("usage", ["error": e])
    exit(1)
} catch {
    log.error("stopped on error", ["error": error])
    exit(2)
}
