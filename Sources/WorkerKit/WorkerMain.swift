import Broker
import Foundation

/// The whole `main` of a worker executable, so each worker is a handful of lines: read the
/// settings, install the signal handlers, run until SIGTERM/SIGINT, map failures to exit codes
/// (1: bad settings, 2: system error; 0 after a clean shutdown).
public enum WorkerMain {
    public static func run(name: String, queue: String, cacheKiB: Int? = nil,
                           makeHandler: @escaping @Sendable (Settings) throws -> any MessageHandler) -> Never {
        let log = Log(component: name)
        let settings: Settings
        do {
            settings = try Settings.fromEnvironment()
        } catch {
            log.error("bad settings", ["error": error])
            exit(1)
        }
        let env = ProcessInfo.processInfo.environment
        let options = WorkerOptions(
            name: name, queue: settings.topology.queue(named: queue), topology: settings.topology,
            consumers: env["TRUST_CONSUMERS"].flatMap(Int.init) ?? 1,
            batchSize: env["TRUST_BATCH"].flatMap(Int.init) ?? 200,
            prefetch: env["TRUST_PREFETCH"].flatMap(Int.init), cacheKiB: cacheKiB)
        exit(run(options: options, settings: settings, log: log) { try makeHandler(settings) })
    }

    /// Runs a worker with explicit options; returns the process exit code.
    public static func run(options: WorkerOptions, settings: Settings, log: Log,
                           makeHandler: @escaping @Sendable () throws -> any MessageHandler) -> Int32 {
        let shutdown = ShutdownSignal()
        shutdown.installSignalHandlers(log: log)
        let worker = Worker(options: options, brokers: settings.brokers, databasePath: settings.databasePath,
                            now: settings.clock, log: log, shutdown: shutdown, makeHandler: makeHandler)
        log.info("starting", ["queue": options.queue, "consumers": options.consumers, "db": settings.databasePath])
        do {
            try worker.run()
            log.info("stopped cleanly")
            return 0
        } catch {
            log.error("stopped on error", ["error": error])
            return 2
        }
    }
}
