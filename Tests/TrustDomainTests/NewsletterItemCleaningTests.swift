import Foundation
import Testing

@testable import TrustDomain

/// An item's cleaning and checks work scalar by scalar and on UTF-8 bytes, for speed; they must
/// give exactly what the character-by-character and Foundation versions they replaced gave.
/// Those versions are kept here as the reference, and both are run on tricky text: combining
/// marks on spaces and brackets, a prepended sign, CR LF, every kind of line break and space.
@Suite("Newsletter item cleaning, against the character-by-character reference")
struct NewsletterItemCleaningTests {
    enum Reference {
        static func oneLine(_ text: String) -> String {
            text.split(whereSeparator: {
                $0.isWhitespace || $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control }
            }).joined(separator: " ")
        }

        static func normalisedBody(_ text: String) -> String {
            var out = String.UnicodeScalarView()
            var previousCR = false
            for scalar in text.unicodeScalars {
                defer { previousCR = scalar == "\r" }
                switch scalar {
                case "\n" where previousCR: continue
                case "\r", "\n", "\u{2028}", "\u{2029}": out.append("\n")
                case "\t": out.append(" ")
                default:
                    if scalar.properties.generalCategory != .control { out.append(scalar) }
                }
            }
            return String(out).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func linkTargets(in source: String) -> [String] {
            var targets: [String] = []
            for line in source.split(whereSeparator: \.isNewline) {
                let chars = Array(line)
                var i = 0
                while i < chars.count {
                    if chars[i] == "[", let labelEnd = chars[(i + 1)...].firstIndex(of: "]"), labelEnd > i + 1,
                       labelEnd + 1 < chars.count, chars[labelEnd + 1] == "(",
                       let urlEnd = chars[(labelEnd + 2)...].firstIndex(of: ")"), urlEnd > labelEnd + 2 {
                        targets.append(String(chars[(labelEnd + 2)..<urlEnd]))
                        i = urlEnd + 1
                    } else {
                        i += 1
                    }
                }
            }
            return targets
        }
    }

    /// Text that has tripped, or could trip, a scalar-by-scalar shortcut.
    static let samples = [
        "", " ", "Fun run", "  Fun run\r\nBcc: x@example.com ", "a\r\nb\rc\td\u{7}\n\n", "Parents\u{2019} evening",
        "Reading champions \u{2013} autumn list", "Ms Zo\u{EB} Bront\u{EB}", "a \u{301}b", " \u{301}", "\u{301} a",
        "x\u{600} y", "\u{600} ", "a\u{A0}\u{A0}b", "a\u{2028}b\u{2029}c", "a\u{85}b", "a\u{200B}", "\u{200B}a\u{200B}",
        "tab\there", "double  space", "trailing ", " leading", "\u{3000}ideographic\u{3000}", "e\u{301}t\u{E9}",
        "see [a](http://x) and\n[b](https://y.org) [c]\n(no)", "[a]\u{301} b](javascript:x)", "[x](javascript:alert(1))",
        "[[a](b)", "[](x) [a]() [b](c", "\u{E9}[\u{FC}](\u{F6})x", "[a](\u{301}https://x.org)", "[a\u{600}](x)",
        "(\u{2018}quoted\u{2019}) [link](https://example.org/a_(b))", "\u{1F469}\u{200D}\u{1F467} [fam](https://x.org)",
        "[a]\r\n(b)", "[a](b\u{2028}c)", "http://x", "HTTP://x", "hTtP://x", "xhttp://", "https://x", "http:/x",
        "http://\u{301}x", "ht\u{301}tp://x", "\u{FF48}ttp://x", "\u{1E96}ttp://x", "\u{0}\u{1F}\u{7F}\u{80}\u{9F}\u{A0}",
    ]

    /// Random text from a small alphabet of the scalars that matter, seeded.
    static func randomTexts(count: Int) -> [String] {
        let alphabet: [Unicode.Scalar] = [
            "a", "B", " ", " ", "[", "]", "(", ")", "\r", "\n", "\t", "\u{7}", "\u{85}", "\u{A0}", "\u{301}", "\u{600}",
            "\u{2028}", "\u{200B}", "\u{200D}", "\u{2019}", "\u{E9}", "\u{1F469}", "h", "t", "p", "H", "T", "P", ":", "/",
        ]
        var rng = SplitMix64(seed: 0x17E4)
        return (0..<count).map { _ in
            let length = Int(rng.next() % 24)
            return String(String.UnicodeScalarView((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
        }
    }

    static var texts: [String] { samples + randomTexts(count: 20_000) }

    @Test func oneLineIsTheCharacterSplit() {
        for text in Self.texts {
            #expect(NewsletterItem.oneLine(text) == Reference.oneLine(text), "\(text.debugDescription)")
        }
    }

    @Test func normalisedBodyIsTheReference() {
        for text in Self.texts {
            #expect(NewsletterItem.normalisedBody(text) == Reference.normalisedBody(text), "\(text.debugDescription)")
        }
    }

    @Test func linkTargetsAreTheCharacterScan() {
        for text in Self.texts {
            #expect(NewsletterMarkup.linkTargets(in: text) == Reference.linkTargets(in: text), "\(text.debugDescription)")
        }
    }

    @Test func trimmingIsFoundationsForEveryScalar() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(NewsletterItem.isTrimmedSpace(scalar, newlines: true) == CharacterSet.whitespacesAndNewlines.contains(scalar),
                    "U+\(String(value, radix: 16))")
            #expect(NewsletterItem.isTrimmedSpace(scalar, newlines: false) == CharacterSet.whitespaces.contains(scalar),
                    "U+\(String(value, radix: 16))")
        }
        for text in Self.texts {
            #expect(NewsletterItem.trimmed(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(NewsletterItem.trimmed(text, newlines: false) == text.trimmingCharacters(in: .whitespaces),
                    "\(text.debugDescription)")
        }
    }

    /// The byte scan only decides whether Foundation's search is asked: it must never say no
    /// where Foundation would find `http://`.
    @Test func thePlainHTTPScanMissesNothingFoundationFinds() {
        for text in Self.texts where text.range(of: "http://", options: .caseInsensitive) != nil {
            #expect(NewsletterItem.mayContainPlainHTTP(text), "\(text.debugDescription)")
        }
        #expect(NewsletterItem.mayContainPlainHTTP("see HtTp://example.org"))
        #expect(!NewsletterItem.mayContainPlainHTTP("https://example.org and http:/ and http//"))
        #expect(!NewsletterItem.mayContainPlainHTTP("://"))
    }
}
