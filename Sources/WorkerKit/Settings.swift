import Broker
import Foundation
import Synchronization

/// Runtime settings from the environment (the contract's table), resolved once at start so a
/// bad value stops the process before it touches the broker or the database.
public struct Settings: Sendable {
    public var brokers: [BrokerEndpoint]
    public var databasePath: String
    public var configDirectory: String
    public var smtpURL: String?
    public var pseudonymKeyFile: String
    /// The instant the process treats as "now" at start-up (`TRUST_NOW`); nil means the real
    /// clock. Demos and tests use it to run the 2021-22 calendar at any date.
    public var fixedNow: Date?
    public var varDirectory: String
    /// The clock every part of a process reads. The real clock; or, with `TRUST_NOW`, that
    /// instant at start-up, advancing at the real rate; or, with `TRUST_NOW_FILE`, the instant
    /// written in that file, re-read on every call, so a demo can move the calendar of every
    /// process together (the file wins over `TRUST_NOW`).
    public var clock: @Sendable () -> Date
    /// The contract's topology, or with `TRUST_TOPOLOGY_PREFIX` a private copy of it (every
    /// exchange and queue name prefixed), so benchmarks can run beside a live system.
    public var topology: Topology

    /// Who is connecting, which picks the broker credentials `scripts/broker` generated when
    /// `TRUST_AMQP_URL` is not set.
    public enum Identity: String, Sendable {
        case worker, `operator`
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       identity: Identity = .worker) throws -> Settings {
        let varDir = env["TRUST_VAR"] ?? "var"
        var fixedNow: Date? = nil
        if let now = env["TRUST_NOW"], !now.isEmpty {
            guard let date = Settings.parseInstant(now) else {
                throw SettingsError("TRUST_NOW: \"\(now)\" is not an ISO-8601 instant (e.g. 2021-09-09T08:00:00Z) or date (2021-09-09)")
            }
            fixedNow = date
        }
        return Settings(
            brokers: try BrokerEndpoint.list(env["TRUST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? generatedURL(varDir: varDir, identity: identity) ?? BrokerEndpoint.defaultURL),
            databasePath: env["TRUST_DB"] ?? "\(varDir)/trust.sqlite",
            configDirectory: env["TRUST_CONFIG"] ?? "Config",
            smtpURL: env["TRUST_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 },
            pseudonymKeyFile: env["TRUST_PSEUDONYM_KEY_FILE"] ?? "\(varDir)/secrets/pseudonym.key",
            fixedNow: fixedNow,
            varDirectory: varDir,
            clock: clock(fixed: fixedNow, file: env["TRUST_NOW_FILE"].flatMap { $0.isEmpty ? nil : $0 }),
            topology: env["TRUST_TOPOLOGY_PREFIX"].flatMap { $0.isEmpty ? nil : Topology.trust.prefixed($0) } ?? .trust)
    }

    /// The URL `scripts/broker` wrote for this identity (var/secrets/amqp-<identity>.url), so
    /// the defaults keep working once `guest` is gone.
    static func generatedURL(varDir: String, identity: Identity) -> String? {
        let path = "\(varDir)/secrets/amqp-\(identity.rawValue).url"
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

public struct SettingsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
