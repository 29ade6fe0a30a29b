import Foundation

/// `Config/alerts.json`: who is told when something needs an operator, and the thresholds of
/// each rule (OPERATIONS.md explains them). Data, because the central team changes who is on
/// call and how patient the rules are, not programmers.
public struct AlertConfig: Codable, Sendable, Equatable, ConfigDocument {
    public static let fileName = "alerts.json"

    /// The From of every alert.
    public let sender: NewsletterConfig.Sender
    /// Everyone active in the directory with this role receives the alerts...
    public let recipientRole: Role
    /// ...and these addresses as well (a shared mailbox, an on-call address); may be empty.
    public let extraRecipients: [String]
    /// Failed deliveries within `failedWindowHours` that open an incident.
    public let failedDeliveries: Int
    public let failedWindowHours: Int
    /// Minutes the relay may stay paused before an incident opens.
    public let relayPausedMinutes: Int
    /// Metrics-file intervals (`TRUST_METRICS_INTERVAL`) a worker may miss before it is stale.
    public let staleIntervals: Int
    /// Free space under the store, in per cent, below which an incident opens.
    public let diskFreePercent: Double

    enum CodingKeys: String, CodingKey {
        case sender
        case recipientRole = "recipient_role"
        case extraRecipients = "extra_recipients"
        case failedDeliveries = "failed_deliveries"
        case failedWindowHours = "failed_window_hours"
        case relayPausedMinutes = "relay_paused_minutes"
        case staleIntervals = "stale_intervals"
        case diskFreePercent = "disk_free_percent"
    }

    public static func load(from data: Data, file: String = fileName) throws(ConfigError) -> AlertConfig {
        try loadDocument(from: data, file: file)
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> AlertConfig {
        try loadDocument(contentsOf: url)
    }

    /// Validated on load, so this cannot fail afterwards.
    public var senderAddress: MailAddress {
        guard let address = try? MailAddress(sender.address, displayName: sender.name) else {
            preconditionFailure("alerts.json sender was validated on load")
        }
        return address
    }

    /// Who receives an alert: the directory's active people with the role, then the extra
    /// addresses, each address once (compared without case).
    public func recipients(in directory: Directory) -> [MailAddress] {
        var seen = Set<String>()
        var out: [MailAddress] = []
        let people = directory.active.filter { $0.roles.contains(recipientRole) }
            .map { ($0.email, $0.name) } + extraRecipients.map { ($0, "") }
        for (email, name) in people where seen.insert(email.lowercased()).inserted {
            if let address = try? MailAddress(email, displayName: name) { out.append(address) }
        }
        return out
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        try check.notBlank(sender.name, entry: nil, field: "sender.name")
        try check.require(MailAddress.isValid(sender.address), entry: nil, field: "sender.address",
                          value: sender.address, "is not a plain e-mail address (name@domain)")
        for (index, address) in extraRecipients.enumerated() {
            try check.require(MailAddress.isValid(address), entry: ConfigEntry.numbered("extra recipient", index),
                              field: "extra_recipients", value: address, "is not a plain e-mail address (name@domain)")
        }
        try check.require(failedDeliveries >= 1, entry: nil, field: "failed_deliveries", value: failedDeliveries,
                          "is not a number of at least 1")
        try check.require((1...720).contains(failedWindowHours), entry: nil, field: "failed_window_hours",
                          value: failedWindowHours, "is not a number of hours from 1 to 720")
        try check.require(relayPausedMinutes >= 1, entry: nil, field: "relay_paused_minutes",
                          value: relayPausedMinutes, "is not a number of at least 1")
        try check.require(staleIntervals >= 2, entry: nil, field: "stale_intervals", value: staleIntervals,
                          "is not a number of at least 2 (one late write is not a stopped worker)")
        try check.require(diskFreePercent > 0 && diskFreePercent < 100, entry: nil, field: "disk_free_percent",
                          value: diskFreePercent, "is not a percentage between 0 and 100")
    }
}
