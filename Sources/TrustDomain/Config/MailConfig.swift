import Foundation

/// `Config/mail.json`: the relays' sending limits and how each sending mailbox signs in. The
/// relay itself is `TRUST_SMTP_URL`; this file says how fast it may be used and as whom.
/// Secrets are never in the file: it names files holding them (mode 0600, checked when the
/// worker starts).
public struct MailConfig: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "mail.json"

    public let relays: [Relay]
    public let senders: [Sender]

    /// Limits for the relay at `host` (TRUST_SMTP_URL's host).
    public struct Relay: Codable, Sendable, Equatable {
        public let host: String
        /// null: no limit.
        public let messagesPerMinute: Int?
        public let recipientsPerDay: Int?

        enum CodingKeys: String, CodingKey {
            case host
            case messagesPerMinute = "messages_per_minute"
            case recipientsPerDay = "recipients_per_day"
        }

        public var limits: RelayLimits { RelayLimits(messagesPerMinute: messagesPerMinute, recipientsPerDay: recipientsPerDay) }
    }

    /// One sending mailbox's sign-in: AUTH LOGIN with a password file, or XOAUTH2 with the
    /// client-credentials grant of a Microsoft Entra application.
    public struct Sender: Codable, Sendable, Equatable {
        /// The From address this identity sends (newsletter.json's sender, forums' organiser).
        public let address: String
        /// `login` or `xoauth2`.
        public let auth: String
        /// The mailbox signed in as (usually the address itself).
        public let username: String
        /// `login`: a file holding the password.
        public let passwordFile: String?
        /// `xoauth2`: the Entra tenant and application, a file holding the client secret, the
        /// scope (`https://outlook.office365.com/.default`) and the token endpoint; `{tenant_id}`
        /// in it is replaced (default `https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token`).
        public let tenantID: String?
        public let clientID: String?
        public let clientSecretFile: String?
        public let scope: String?
        public let tokenEndpoint: String?

        enum CodingKeys: String, CodingKey {
            case address, auth, username, scope
            case passwordFile = "password_file"
            case tenantID = "tenant_id"
            case clientID = "client_id"
            case clientSecretFile = "client_secret_file"
            case tokenEndpoint = "token_endpoint"
        }

        public static let defaultTokenEndpoint = "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"
        public static let defaultScope = "https://outlook.office365.com/.default"

        /// The token endpoint with the tenant filled in.
        public var resolvedTokenEndpoint: String {
            (tokenEndpoint ?? Self.defaultTokenEndpoint).replacingOccurrences(of: "{tenant_id}", with: tenantID ?? "")
        }
    }

    public init(relays: [Relay] = [], senders: [Sender] = []) {
        self.relays = relays
        self.senders = senders
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> MailConfig {
        try loadDocument(from: data, file: file)
    }

    /// A missing file is the empty config: Exchange Online's limits for every relay, and the
    /// relay URL's own credentials for every sender.
    public static func load(contentsOf url: URL) throws(ConfigError) -> MailConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { return MailConfig() }
        return try loadDocument(contentsOf: url)
    }

    /// The limits for the relay at `host`: as listed; for a relay not listed, none on loopback
    /// (a local server: the demo's, the tests') and Exchange Online's anywhere else.
    public func limits(forHost host: String?) -> RelayLimits {
        guard let host else { return .unlimited }  // the outbox directory: no relay
        if let listed = relays.first(where: { $0.host.lowercased() == host.lowercased() }) { return listed.limits }
        return Self.loopbackHosts.contains(host.lowercased()) ? .unlimited : .exchangeOnline
    }

    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    public func sender(_ address: String) -> Sender? {
        senders.first { $0.address.lowercased() == address.lowercased() }
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        var seen: [String: String] = [:]
        for (index, relay) in relays.enumerated() {
            let entry = ConfigEntry.numbered("relay", index)
            try check.notBlank(relay.host, entry: entry, field: "host")
            try check.unique(relay.host.lowercased(), entry: entry, seen: &seen)
            for (field, value) in [("messages_per_minute", relay.messagesPerMinute), ("recipients_per_day", relay.recipientsPerDay)] {
                if let value {
                    try check.require(value >= 1, entry: ConfigEntry.named("relay", relay.host), field: field, value: value,
                                      "is not a whole number of at least 1 (null for no limit)")
                }
            }
        }
        seen = [:]
        for (index, sender) in senders.enumerated() {
            let position = ConfigEntry.numbered("sender", index)
            try check.require(MailAddress.isValid(sender.address), entry: position, field: "address", value: sender.address,
                              "is not a plain e-mail address (name@domain)")
            let entry = ConfigEntry.named("sender", sender.address)
            try check.unique(sender.address.lowercased(), entry: entry, seen: &seen)
            try check.notBlank(sender.username, entry: entry, field: "username")
            switch sender.auth {
            case "login":
                try present(sender.passwordFile, "password_file", entry, check)
            case "xoauth2":
                try present(sender.clientID, "client_id", entry, check)
                try present(sender.clientSecretFile, "client_secret_file", entry, check)
                if sender.tokenEndpoint?.contains("{tenant_id}") ?? true { try present(sender.tenantID, "tenant_id", entry, check) }
                try check.require(sender.scope.map { !$0.allSatisfy(\.isWhitespace) } ?? true, entry: entry, field: "scope",
                                  value: sender.scope ?? "", "is blank")
                let endpoint = sender.resolvedTokenEndpoint
                try check.require(Self.isAcceptableTokenEndpoint(endpoint), entry: entry, field: "token_endpoint",
                                  value: endpoint, "must be an https:// URL (http:// only to 127.0.0.1 or localhost)")
            default:
                try check.require(false, entry: entry, field: "auth", value: sender.auth, "is not login or xoauth2")
            }
        }
    }

    private func present(_ value: String?, _ field: String, _ entry: String, _ check: ConfigValidator) throws(ConfigError) {
        try check.require(!(value ?? "").allSatisfy(\.isWhitespace), entry: entry, field: field, value: value ?? "",
                          "is needed for this auth")
    }

    /// A client secret travels to the token endpoint, so only over TLS; plain http is allowed
    /// to loopback alone, for a local test endpoint.
    static func isAcceptableTokenEndpoint(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let host = url.host?.lowercased(), !host.isEmpty else { return false }
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http": return host == "127.0.0.1" || host == "localhost"
        default: return false
        }
    }
}
