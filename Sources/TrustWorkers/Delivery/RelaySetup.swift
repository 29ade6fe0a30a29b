import Foundation
import Mail
import TrustDomain
import WorkerKit

/// The relay as a worker uses it: `TRUST_SMTP_URL` (or the outbox), the limits `mail.json`
/// sets for that relay, and each sending mailbox's identity with its secrets read from their
/// files. Built once at start, so a missing or exposed secret stops the worker at once.
public struct RelaySetup: Sendable {
    /// The pacing for `TRUST_SMTP_URL`'s host; unlimited for the outbox.
    public let limits: RelayLimits
    private let smtpURL: String?
    private let outbox: URL
    private let identities: [String: SMTPIdentity]

    public init(settings: Settings, outboxDirectory: URL) throws {
        let file = URL(fileURLWithPath: settings.configDirectory).appendingPathComponent(MailConfig.fileName)
        let config = try MailConfig.load(contentsOf: file)
        smtpURL = settings.smtpURL
        outbox = outboxDirectory
        let relay = try smtpURL.map { url throws(MailError) in try SMTPConfiguration(url: url) }
        limits = config.limits(forHost: relay?.host)
        var identities: [String: SMTPIdentity] = [:]
        for sender in config.senders {
            let entry = "\(MailConfig.fileName): sender \"\(sender.address)\""
            switch sender.auth {
            case "login":
                identities[sender.address] = .login(username: sender.username,
                                                    password: try Self.secret(sender.passwordFile ?? "", "password_file", entry))
            default:
                identities[sender.address] = .xoauth2(username: sender.username, credentials: ClientCredentials(
                    tokenEndpoint: sender.resolvedTokenEndpoint, clientID: sender.clientID ?? "",
                    clientSecret: try Self.secret(sender.clientSecretFile ?? "", "client_secret_file", entry),
                    scope: sender.scope ?? MailConfig.Sender.defaultScope))
            }
        }
        self.identities = identities
    }

    /// A new transport for the engine's thread: the relay with each sender's identity, or the
    /// outbox directory when no relay is configured.
    public func makeTransport() throws -> any MailTransport {
        guard let smtpURL, !smtpURL.isEmpty else { return try OutboxTransport(directory: outbox) }
        return SenderRoutedTransport(relay: try SMTPConfiguration(url: smtpURL), identities: identities)
    }

    /// The secret in `path`, which nobody but its owner may read (mode 0600 or stricter).
    static func secret(_ path: String, _ field: String, _ entry: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw InputError("\(entry): \(field) \"\(path)\" cannot be read (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw InputError("\(entry): \(field) \"\(path)\" is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); "
                + "chmod 600 it")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              case let secret = text.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty
        else { throw InputError("\(entry): \(field) \"\(path)\" holds no secret") }
        return secret
    }
}
