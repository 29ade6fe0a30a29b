import Broker
import Foundation
import Synchronization

/// Every setting a process reads from the environment (README's table), resolved once at start
/// so a bad value stops the process before it touches the broker or the database. Nothing
/// else reads `TRUST_*` variables.
public struct Settings: Sendable {
    public var brokers: [BrokerEndpoint]
    public var databasePath: String
    public var configDirectory: String
    public var smtpURL: String?
    public var pseudonymKeyFile: String
    public var varDirectory: String
    /// The clock every part of a process reads. The real clock; or, with `TRUST_NOW` (demos and
    /// tests run the 2021-22 calendar at any date), that
    /// instant at start-up, advancing at the real rate; or, with `TRUST_NOW_FILE`, the instant
    /// written in that file, re-read on every call, so a demo can move the calendar of every
    /// process together (the file wins over `TRUST_NOW`).
    public var clock: @Sendable () -> Date
    /// `TRUST_TOPOLOGY_PREFIX`: run on a private copy of the topology (every exchange and queue
    /// name prefixed), so tests and benchmarks can run beside a live system.
    public var topologyPrefix: String?
    /// Consumer threads per worker (`TRUST_CONSUMERS`).
    public var consumers: Int
    /// Largest batch per transaction (`TRUST_BATCH`).
    public var batchSize: Int
    /// Unacknowledged messages the broker may send ahead (`TRUST_PREFETCH`); nil: the worker's
    /// own default.
    public var prefetch: Int?
    /// Recipients the delivery engine records per commit (`TRUST_DELIVERY_CHUNK`); nil: the
    /// engine's default for its kind.
    public var deliveryChunk: Int?
    /// Seconds between the Scheduler's passes (`TRUST_SCHEDULER_INTERVAL`).
    public var schedulerInterval: Double
    /// The broker's management API port, for `trustctl status` (`TRUST_MGMT_PORT`).
    public var managementPort: Int
    /// Where each process writes `<process>.prom` for node_exporter (`TRUST_METRICS_DIR`).
    public var metricsDirectory: String
    /// Seconds between two writes of a process's metrics file (`TRUST_METRICS_INTERVAL`).
    public var metricsInterval: Double

    /// Who is connecting, which picks the broker credentials `scripts/broker` generated when
    /// `TRUST_AMQP_URL` is not set.
    public enum Identity: String, Sendable {
        case worker, `operator`
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       identity: Identity = .worker) throws -> Settings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        func number<T: LosslessStringConvertible & Comparable>(_ name: String, atLeast minimum: T) throws -> T? {
            guard let text = value(name) else { return nil }
            guard let n = T(text), n >= minimum else {
                throw InputError("\(name): \"\(text)\" is not a number of at least \(minimum)")
            }
            return n
        }
        let varDir = value("TRUST_VAR") ?? "var"
        var fixedNow: Date? = nil
        if let now = value("TRUST_NOW") {
            guard let date = Settings.parseInstant(now) else {
                throw InputError("TRUST_NOW: \"\(now)\" is not an ISO-8601 instant (e.g. 2021-09-09T08:00:00Z) or date (2021-09-09)")
            }
            fixedNow = date
        }
        _ = try logLevel(env)
        return Settings(
            brokers: try BrokerEndpoint.list(value("TRUST_AMQP_URL")
                ?? generatedURL(varDir: varDir, identity: identity) ?? BrokerEndpoint.defaultURL),
            databasePath: value("TRUST_DB") ?? "\(varDir)/trust.sqlite",
            configDirectory: value("TRUST_CONFIG") ?? "Config",
            smtpURL: value("TRUST_SMTP_URL"),
            pseudonymKeyFile: value("TRUST_PSEUDONYM_KEY_FILE") ?? "\(varDir)/secrets/pseudonym.key",
            varDirectory: varDir,
            clock: clock(fixed: fixedNow, file: value("TRUST_NOW_FILE")),
            topologyPrefix: value("TRUST_TOPOLOGY_PREFIX"),
            consumers: try number("TRUST_CONSUMERS", atLeast: 1) ?? 1,
            batchSize: try number("TRUST_BATCH", atLeast: 1) ?? 200,
            prefetch: try number("TRUST_PREFETCH", atLeast: 1),
            deliveryChunk: try number("TRUST_DELIVERY_CHUNK", atLeast: 1),
            schedulerInterval: try number("TRUST_SCHEDULER_INTERVAL", atLeast: 0.01) ?? 60,
            managementPort: try number("TRUST_MGMT_PORT", atLeast: 1) ?? 15672,
            metricsDirectory: value("TRUST_METRICS_DIR") ?? "\(varDir)/metrics",
            metricsInterval: try number("TRUST_METRICS_INTERVAL", atLeast: 0.1) ?? 5)
    }

    /// `TRUST_LOG_LEVEL`, read by `Log` before any other setting (a log line may be due before
    /// the rest are read); nil when unset.
    static func logLevel(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Log.Level? {
        guard let text = env["TRUST_LOG_LEVEL"], !text.isEmpty else { return nil }
        guard let level = Log.Level(rawValue: text) else {
            throw InputError("TRUST_LOG_LEVEL: \"\(text)\" is not one of debug, info, warn, error")
        }
        return level
    }

    /// Options for a worker on `queue` (its contract name) in `topology`, with this process's
    /// consumers, batch and prefetch (`prefetch` is the worker's default when none is set).
    public func workerOptions(name: String, queue: String, topology: Topology, prefetch defaultPrefetch: Int? = nil,
                              cacheKiB: Int? = nil) -> WorkerOptions {
        WorkerOptions(name: name, queue: topology.queue(named: queue), topology: topology, consumers: consumers,
                      batchSize: batchSize, prefetch: prefetch ?? defaultPrefetch, cacheKiB: cacheKiB)
    }

    /// The broker URL `scripts/broker` wrote for an academy's own account
    /// (`var/secrets/amqp-<academy>.url`), with which it may publish only its own files.
    public func academyBrokerURL(_ academy: String) -> String? {
        guard academy.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return nil }
        return Self.generatedURL(varDir: varDirectory, name: academy)
    }

    /// The URL `scripts/broker` wrote for this identity (var/secrets/amqp-<identity>.url), so
    /// the defaults keep working once `guest` is gone.
    static func generatedURL(varDir: String, identity: Identity) -> String? {
        generatedURL(varDir: varDir, name: identity.rawValue)
    }

    private static func generatedURL(varDir: String, name: String) -> String? {
        let path = "\(varDir)/secrets/amqp-\(name).url"
        return (try? String(contentsOfFile: path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    }

    /// The clock described on `clock`; public so tests can build one from a starting instant.
    public static func clock(fixed: Date?, file: String? = nil) -> @Sendable () -> Date {
        if let file {
            // A file caught mid-write reads as nothing; the last instant read stands in, never
            // the real clock, which would jump the calendar years ahead for one call.
            let last = Mutex<Date?>(nil)
            return {
                let read = (try? String(contentsOfFile: file, encoding: .utf8))
                    .flatMap { parseInstant($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                return last.withLock { last in
                    if let read { last = read }
                    return last ?? Date()
                }
            }
        }
        guard let fixed else { return { Date() } }
        let startedAt = Date()
        return { fixed.addingTimeInterval(Date().timeIntervalSince(startedAt)) }
    }

    /// Accepts a full instant with offset, or a bare date meaning midnight UTC.
    public static func parseInstant(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        if let d = full.date(from: text) { return d }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = full.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
