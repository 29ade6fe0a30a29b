import Foundation

/// The editor's controls in `newsletter.json`'s optional `editor` object: who receives
/// `trustctl news preview` by default, and whether an assembled issue waits for
/// `trustctl news approve N` before it goes to anyone.
public struct NewsletterEditorConfig: Codable, Sendable, Equatable, ConfigDocument {
    public let previewTo: [String]
    public let approvalRequired: Bool

    public init(previewTo: [String] = [], approvalRequired: Bool = false) {
        self.previewTo = previewTo
        self.approvalRequired = approvalRequired
    }

    enum CodingKeys: String, CodingKey {
        case previewTo = "preview_to"
        case approvalRequired = "approval_required"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        previewTo = try container.decodeIfPresent([String].self, forKey: .previewTo) ?? []
        approvalRequired = try container.decodeIfPresent(Bool.self, forKey: .approvalRequired) ?? false
    }

    /// The `editor` object of `newsletter.json`; the defaults (no preview list, no approval)
    /// when it is absent.
    public static func load(from data: Data, file: String = NewsletterConfig.fileName) throws(ConfigError) -> NewsletterEditorConfig {
        try Wrapper.loadDocument(from: data, file: file).editor ?? NewsletterEditorConfig()
    }

    public static func load(contentsOf url: URL) throws(ConfigError) -> NewsletterEditorConfig {
        try Wrapper.loadDocument(contentsOf: url).editor ?? NewsletterEditorConfig()
    }

    func validate(_ check: ConfigValidator) throws(ConfigError) {
        for (index, address) in previewTo.enumerated() {
            try check.require(MailAddress.isValid(address), entry: "editor", field: "preview_to \(index + 1)", value: address,
                              "is not a plain e-mail address (name@domain)")
        }
    }

    private struct Wrapper: Decodable, ConfigDocument {
        let editor: NewsletterEditorConfig?
        func validate(_ check: ConfigValidator) throws(ConfigError) { try editor?.validate(check) }
    }
}
