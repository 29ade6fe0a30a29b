import Broker
import Foundation

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
            topology: env["TRUST_TOPOLOGY_PREFIX"].flatMap { $0.isEmpty ? nil : Topology.trust.prefixed($0) } ?? .trust)
    }

    /// The URL `scripts/broker` wrote for this identity (var/secrets/amqp-<identity>.url), so
    /// the defaults keep working once `guest` is gone.
    static func generatedURL(varDir: String, identity: Identity) -> String? {
        let path = "\(varDir)/secrets/amqp-\(identity.rawValue).url"
        return (try? String(contentsOfFile: path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
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
