import Foundation
import Testing

@testable import TrustDomain

/// `newsletter.item` bodies come from anyone allowed to publish; whatever the bytes, the
/// parser gives a checked item that re-reads as itself, or a one-line reason naming the field.
/// An accepted item's markup renders to HTML with no tag the markup did not make.
@Suite("Hostile inputs: newsletter item properties")
struct HostileNewsletterPropertyTests {
    static let rules = NewsletterItemRules(categories: ["trust-news", "wellbeing"],
                                           academies: [AcademyID("birstall"), AcademyID("coppice")])
    static let seed = Array(#"""
        {"title":"Sports <b>day</b>","body":"**All** academies, 1 July.\n\n- bring [hats](https://example.org/hats)\n- water","category":"trust-news","academy":"birstall","author":"Central team"}
        """#.utf8)

    /// The item as text without U+FEFF: Foundation's JSONSerialization writer drops one of a
    /// run of them (a Foundation quirk; the item parser could strip the invisible character
    /// instead). Everything else must survive writing and re-reading exactly.
    static func visible(_ item: NewsletterItem) -> String {
        String(String.UnicodeScalarView(String(reflecting: item).unicodeScalars.filter { $0 != "\u{FEFF}" }))
    }

    @Test func mutatedItemsAreCheckedItemsOrOneLineReasons() throws {
        var mutator = HostileMutator(seed: 0xFAC7)
        var accepted = 0
        for iteration in 0..<6_000 {
            let bytes = mutator.mutate(Self.seed)
            do throws(NewsletterItemError) {
                let item = try NewsletterItem(json: bytes, rules: Self.rules)
                accepted += 1
                let again = try NewsletterItem(json: item.json, rules: Self.rules)
                #expect(Self.visible(again) == Self.visible(item), "iteration \(iteration): \(Self.visible(again))")
                #expect(!item.title.contains { $0.isNewline } && item.title.count <= NewsletterItem.titleLimit)
                let html = NewsletterMarkup(item.body).html
                #expect(!html.contains("<script") && !html.contains("javascript:"), "iteration \(iteration): \(html)")
            } catch {
                #expect(error.description.hasPrefix("newsletter item: "), "iteration \(iteration)")
                #expect(!error.description.unicodeScalars.contains { $0.properties.generalCategory == .control },
                        "iteration \(iteration): \(error.description.debugDescription)")
            }
        }
        #expect(accepted > 300, "the success path was hardly reached: \(accepted)")
    }
}
