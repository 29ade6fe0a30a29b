import Foundation

/// A long-running part of a process (a worker's consumers, a delivery engine, the scheduler's
/// loop), in the spirit of swift-service-lifecycle's `Service`: `run` blocks on the calling
/// thread until the process's shutdown signal (given to the service when it was made) is
/// requested, and throws only for a failure it cannot recover from. Services block in C calls
/// (rabbitmq-c, SQLite, libcurl), so each gets a thread of its own, off the concurrency pool.
public protocol Service: Sendable {
    /// Names the service's thread and its log lines.
    var name: String { get }
    func run() throws
}

/// Runs services side by side until all have returned. The first that throws (or returns while
/// the others run on) requests shutdown, so the rest finish what they hold and return too;
/// the first error is rethrown.
public enum ServiceGroup {
    public static func run(_ services: [any Service], shutdown: ShutdownSignal, log: Log) throws {
        let done = DispatchGroup()
        let failures = FailureList()
        for service in services {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                do {
                    try service.run()
                } catch {
                    log.error("service failed; stopping the others", ["service": service.name, "error": error])
                    failures.add(error)
                }
                shutdown.request()
            }
            thread.name = service.name
            thread.stackSize = 1 << 22
            thread.start()
        }
        done.wait()
        if let first = failures.first { throw first }
    }
}

/// The whole `main` of a worker executable: signal handlers installed first (the only place
/// that installs them), settings read, services made, run until SIGTERM/SIGINT, with a
/// ``MetricsWriter`` beside them that writes the process's metrics file once more at the end. Exit codes: 0
/// after a clean shutdown, 1 when the settings or config are wrong (anything `make` throws),
/// 2 when a running service failed.
public enum ServiceMain {
    public static func run(_ name: String,
                           _ make: (_ settings: Settings, _ shutdown: ShutdownSignal, _ log: Log) throws -> [any Service])
        -> Never
    {
        let log = Log(component: name)
        let shutdown = ShutdownSignal()
        shutdown.installSignalHandlers(log: log)
        let services: [any Service]
        let settings: Settings
        do {
            settings = try Settings.fromEnvironment()
            services = try make(settings, shutdown, log)
        } catch {
            log.error("cannot start", ["error": error])
            exit(1)
        }
        let metrics = MetricsWriter(process: name, settings: settings, log: log.child("metrics"), shutdown: shutdown)
        log.info("starting", ["services": (services + [metrics]).map(\.name).joined(separator: ","),
                              "metrics": metrics.path])
        do {
            try ServiceGroup.run(services + [metrics], shutdown: shutdown, log: log)
            metrics.write()
            log.info("stopped cleanly")
            exit(0)
        } catch {
            metrics.write()
            log.error("stopped on error", ["error": error])
            exit(2)
        }
    }
}
