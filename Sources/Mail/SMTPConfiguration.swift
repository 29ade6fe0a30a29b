import Foundation

/// Where and how to reach the SMTP relay, usually parsed from `TRUST_SMTP_URL`:
/// `smtp://[user:pass@]host[:port][?require_tls=1]` or `smtps://…`.
public struct SMTPConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is protected.
    public enum Security: Sendable, Equatable {
        /// STARTTLS when the server offers it, plain otherwise: what most internal relays need.
        case startTLSIfOffered
        /// STARTTLS or fail (guards against a stripped STARTTLS offer).
        case startTLSRequired
        /// TLS from the first byte (`smtps://`, usually port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// Per connection attempt; an unreachable relay should fail fast and be retried later.
    public var connectTimeout: Duration = .seconds(10)
    /// Per message, covering the whole SMTP exchange.
    public var timeout: Duration = .seconds(60)

    public init(host: String, port: Int = 25, security: Security = .startTLSIfOffered,
                username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }

    /// Credentials on a plain `smtp://` URL imply `require_tls=1`: a password must never be
    /// sent in clear text just because a STARTTLS offer went missing.
    public init(url text: String) throws(MailError) {
        func invalid(_ why: String) -> MailError {
            .permanent("TRUST_SMTP_URL is not usable: \(why) (expected smtp://[user:pass@]host:port[?require_tls=1])")
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw invalid("not a URL")
        }
        guard scheme == "smtp" || scheme == "smtps" else { throw invalid("scheme must be smtp or smtps") }
        guard let host = url.host, !host.isEmpty,
            host.utf8.allSatisfy({ Self.isHostByte($0) })
        else { throw invalid("missing or malformed host") }
        guard url.path.isEmpty || url.path == "/", url.fragment == nil else {
            throw invalid("unexpected path or fragment")
        }
        var requireTLS = false
        for item in url.queryItems ?? [] {
            guard item.name == "require_tls", let value = item.value, ["0", "1", "true", "false"].contains(value)
            else { throw invalid("unknown query parameter \(item.name.debugDescription)") }
            requireTLS = value == "1" || value == "true"
        }
        let implicit = scheme == "smtps"
        let port = url.port ?? (implicit ? 465 : 25)
        guard (1...65535).contains(port) else { throw invalid("port out of range") }
        let username = url.user.flatMap { $0.isEmpty ? nil : $0 }
        self.init(
            host: host, port: port,
            security: implicit ? .implicitTLS
                : (requireTLS || username != nil ? .startTLSRequired : .startTLSIfOffered),
            username: username, password: url.password)
    }

    /// The URL curl connects to. Credentials travel in separate options, so any character
    /// in a password works and none of it can appear in a logged URL.
    public var endpoint: String {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(security == .implicitTLS ? "smtps" : "smtp")://\(bracketed):\(port)"
    }

    /// Safe to log: the password is never shown.
    public var description: String {
        let security = switch self.security {
        case .startTLSIfOffered: "STARTTLS if offered"
        case .startTLSRequired: "STARTTLS required"
        case .implicitTLS: "implicit TLS"
        }
        return "\(endpoint) (\(security)\(username.map { ", user \($0)" } ?? ""))"
    }

    /// Letters, digits, `.`, `-`, and IPv6 literal characters; nothing that could end the
    /// authority part of the URL handed to curl.
    private static func isHostByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || ".-:[]".utf8.contains(b)
    }
}
