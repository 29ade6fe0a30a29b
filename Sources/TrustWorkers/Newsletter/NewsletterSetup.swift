import Broker
import CCrypto
import Foundation
import TrustDomain
import WorkerKit

/// Everything the newsletter handler, the delivery pump and the `news` commands read from
/// config and settings, loaded and checked once at start-up.
public struct NewsletterSetup: Sendable {
    public let trust: TrustConfig
    public let newsletter: NewsletterConfig
    /// The editor's controls: the preview list, and whether issues wait for approval.
    public let editor: NewsletterEditorConfig
    /// `var/newsletters`: one HTML file per issue, `FAcT-<n>-<date>.html`.
    public let archiveDirectory: URL
    /// Where `.eml` files go when no SMTP relay is configured.
    public let outboxDirectory: URL

    public init(trust: TrustConfig, newsletter: NewsletterConfig, editor: NewsletterEditorConfig = NewsletterEditorConfig(),
                varDirectory: URL) {
        self.trust = trust
        self.newsletter = newsletter
        self.editor = editor
        archiveDirectory = varDirectory.appendingPathComponent("newsletters", isDirectory: true)
        outboxDirectory = varDirectory.appendingPathComponent("outbox", isDirectory: true)
    }

    public init(settings: Settings) throws {
        let trust = try TrustConfig(directory: settings.configDirectory)
        let file = trust.file(NewsletterConfig.fileName)
        self.init(trust: trust, newsletter: try NewsletterConfig.load(contentsOf: file),
                  editor: try NewsletterEditorConfig.load(contentsOf: file),
                  varDirectory: URL(fileURLWithPath: settings.varDirectory, isDirectory: true))
    }

    public var itemRules: NewsletterItemRules { NewsletterItemRules(config: newsletter, academies: trust.academies) }

    public var assembler: NewsletterAssembler {
        NewsletterAssembler(config: newsletter, academies: trust.academies, forums: trust.forums, terms: trust.terms)
    }

    /// The issue calendar on the trust's working days.
    public var schedule: NewsletterSchedule { newsletter.schedule(schoolDays: trust.schoolDays) }

    /// A recipient rebuilt from a delivery-ledger row (the directory snapshot taken at
    /// assembly), so a resend personalises exactly as the first attempt did.
    public func recipient(name: String, email: String, affiliation: String, roles: String) -> NewsletterRecipient {
        let roleSet = Set(roles.split(separator: ";").compactMap { Role(rawValue: String($0)) })
        let academy = affiliation == "central" ? nil : trust.academies.academy(AcademyID(affiliation))
        return NewsletterRecipient(name: name, email: email,
                                   affiliation: academy?.shortName ?? (affiliation == "central" ? "Central Team" : affiliation),
                                   roles: roleSet, region: academy?.region)
    }
}

/// The messages people and the scheduler send to the newsletter worker, built in one place so
/// the command line and tests publish exactly what the contract says.
public enum NewsletterIntake {
    /// Content-derived: sending the same item twice (a retried command, a double click) stores
    /// it once, while two different items can never share an id.
    public static func itemMessageID(_ json: [UInt8]) -> String {
        "newsletter.item:" + Digest.sha256Hex(json)
    }

    /// A checked item as the contract's `newsletter.item` message.
    public static func item(_ item: NewsletterItem, topology: Topology) -> OutgoingMessage {
        let body = item.json
        return message(routingKey: "newsletter.item", messageID: itemMessageID(body), body: body, topology: topology)
    }

    /// The assemble message for `date`, with the scheduler's message id, so a manual request
    /// and a scheduled one for the same date are one message to the ledger.
    public static func assemble(_ date: CalendarDate, topology: Topology) -> OutgoingMessage {
        message(routingKey: "newsletter.assemble", messageID: NewsletterSchedule.assembleMessageID(for: date),
                body: NewsletterSchedule.assembleBody(for: date), topology: topology)
    }

    /// A request to preview the next issue to `to`; every request is a preview of its own.
    public static func preview(to: [String], topology: Topology) -> OutgoingMessage {
        message(routingKey: "newsletter.preview", messageID: "newsletter.preview:\(UUID().uuidString.lowercased())",
                body: Array(try! JSONSerialization.data(withJSONObject: ["to": to], options: [.sortedKeys])), topology: topology)
    }

    private static func message(routingKey: String, messageID: String, body: [UInt8], topology: Topology) -> OutgoingMessage {
        OutgoingMessage(exchange: topology.intakeExchange, routingKey: routingKey,
                        properties: MessageProperties(messageID: messageID, type: routingKey, contentType: "application/json",
                                                      timestamp: UInt64(Date().timeIntervalSince1970)),
                        body: body)
    }
}
