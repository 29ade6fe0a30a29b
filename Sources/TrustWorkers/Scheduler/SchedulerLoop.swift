import Broker
import Foundation
import WorkerKit

/// The Scheduler process's one service: a pass of `SchedulerService` every
/// `settings.schedulerInterval` seconds until shutdown (or a single pass with `once`, which
/// demos use to step a calendar). A lost broker is waited out with backoff; heartbeats are
/// kept while idle.
public final class SchedulerLoop: Service, @unchecked Sendable {
    public let name = "scheduler"
    private let service: SchedulerService
    private let settings: Settings
    private let once: Bool
    private let log: Log
    private let shutdown: ShutdownSignal

    public init(settings: Settings, once: Bool, log: Log, shutdown: ShutdownSignal) throws {
        service = try SchedulerService(settings: settings, topology: settings.topology, log: log)
        SystemMetrics.register(settings: settings, topology: settings.topology)
        self.settings = settings
        self.once = once
        self.log = log
        self.shutdown = shutdown
    }

    public func run() throws {
        if once {
            let c = try connect()
            defer { c.close() }
            log.info("pass done", ["published": try service.tick(now: settings.clock(), connection: c).count])
            waitForAlertMail()
            return
        }
        var connection: Connection?
        var failures = 0
        defer { connection?.close() }
        while !shutdown.isRequested {
            do {
                let c = try connection ?? connect()
                connection = c
                try service.tick(now: settings.clock(), connection: c)
                failures = 0
            } catch let error as BrokerError {
                log.warn("broker unavailable", ["error": error])
                connection?.close()
                connection = nil
                failures += 1
            }
            let until = Date().addingTimeInterval(connection == nil ? Backoff().delay(attempt: failures)
                                                                    : settings.schedulerInterval)
            while !shutdown.isRequested, Date() < until {
                do {
                    try connection?.service()  // heartbeats while idle
                } catch {
                    connection?.close()
                    connection = nil
                }
                Thread.sleep(forTimeInterval: min(0.25, max(0, until.timeIntervalSinceNow)))
            }
        }
    }

    /// A single pass gives the alert delivery engine beside it up to ten seconds to send what
    /// the pass queued, so a demo stepping the calendar still gets its alerts.
    private func waitForAlertMail() {
        let until = Date().addingTimeInterval(10)
        while !shutdown.isRequested, Date() < until, ((try? service.alerts.pendingDeliveries()) ?? 0) > 0 {
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func connect() throws(BrokerError) -> Connection {
        let c = try Connection.first(of: settings.brokers, name: "scheduler")
        do {
            try settings.topology.declare(on: c)
        } catch {
            c.close()
            throw error
        }
        return c
    }
}
