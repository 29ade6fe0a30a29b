import Foundation

/// How answer text from a Forms export is compared with the wording in the config. People
/// retype scales and academy names with stray capitals and spaces ("Strongly  Agree",
/// "Old trafford"); those are the same answer, so comparisons ignore case and every kind of
/// white space. Anything else (a different word, a missing letter) stays a different answer.
public enum SurveyText {
    /// The comparison key: lower-cased, with all white space (including non-breaking spaces
    /// that Excel leaves behind) removed.
    public static func key(_ text: String) -> String {
        // Exports are almost all ASCII, and this runs for every cell: bytes first.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte >= 0x80 {
                return String(String.UnicodeScalarView(text.lowercased().unicodeScalars.filter {
                    !$0.properties.isWhitespace
                }))
            }
            if !isASCIISpace(byte) { bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a cell is empty or white space only: an unanswered question.
    public static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy(isASCIISpace) || (text.utf8.contains { $0 >= 0x80 } && key(text).isEmpty)
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    /// A lookup that tries the text exactly as the config spells it before its comparison key:
    /// nearly every cell of a real export is spelt exactly, and that costs no normalising. The
    /// two kinds of entry cannot clash, since two spellings with one key are refused as
    /// duplicates when the config is loaded.
    static func lookup<Value>(_ entries: [(spelling: String, value: Value)]) -> [String: Value] {
        var table: [String: Value] = [:]
        for (spelling, value) in entries {
            table[key(spelling)] = table[key(spelling)] ?? value
            table[spelling] = table[spelling] ?? value
        }
        return table
    }

    static func find<Value>(_ text: String, in table: [String: Value]) -> Value? {
        table[text] ?? table[key(text)]
    }

    /// Column headers are matched on their exact wording, but Forms and Excel pad and re-wrap
    /// long question text, so runs of white space count as one space and the ends are trimmed.
    public static func header(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A value quoted in an error message. Error messages are stored (the dead-letter reason
    /// lands in the ledger), so the value is shortened and stripped of contact details in case
    /// a respondent typed them where a fixed option was expected.
    static func quoted(_ value: String, limit: Int = 40) -> String {
        let clean = SurveyRedaction.redact(header(value))
        let short = clean.count <= limit ? clean : clean.prefix(limit - 1) + "…"
        return "\"\(short)\""
    }
}

/// The five-point agreement scale every `likert5` question uses. Values are 1 (strongly
/// disagree) to 5 (strongly agree), so a mean has its usual reading.
public enum LikertScale {
    /// In scale order: a label's position plus one is its value.
    public static let labels = [
        "Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
    ]

    private static let values = SurveyText.lookup(labels.enumerated().map { ($0.element, $0.offset + 1) })

    /// The value 1–5 for an answer, or nil when the text is not one of the five labels.
    public static func value(_ answer: String) -> Int? {
        SurveyText.find(answer, in: values)
    }
}

/// Removes contact details from free text before it is stored or shown. A comment such as
/// "ring me on 07700 900123" identifies its writer however well the figures are protected, so
/// e-mail addresses and UK phone numbers are replaced by a marker that says what was removed.
public enum SurveyRedaction {
    /// Markers say what was removed, so a reader knows the comment was longer, not garbled.
    public static let emailMarker = "[email removed]"
    public static let phoneMarker = "[phone removed]"

    // Local part and domain as people actually write them; a dotted domain is required so a
    // Twitter handle such as "@FocusTrust" is left alone.
    private static let email = try! NSRegularExpression(
        pattern: #"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"#)

    // UK numbers: +44 / 0044 (optionally followed by "(0)"), or a leading 0 (optionally
    // bracketed, "(0113)"), then nine or ten more digits with spaces, dots, hyphens or
    // brackets between them: 07700 900123, 0113 496 0000, (020) 7946 0000, +44 7700 900123,
    // +44 (0)161 496 0000, 0161-496-0000. Digits either side must not continue the number, so
    // dates, years and amounts are not caught.
    private static let phone = try! NSRegularExpression(
        pattern: #"(?<![\d+])(?:(?:\+|\b00)\s?44\s?(?:\(0\)\s?)?|\(?\b0)(?:[\s().-]{0,2}\d){9,10}(?!\d)"#)

    /// The text with every e-mail address and UK phone number replaced by its marker.
    public static func redact(_ text: String) -> String {
        guard text.contains(where: { $0 == "@" || $0.isNumber }) else { return text }
        var out = replace(email, in: text, with: emailMarker)
        out = replace(phone, in: out, with: phoneMarker)
        return out
    }

    private static func replace(_ pattern: NSRegularExpression, in text: String, with marker: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        return pattern.stringByReplacingMatches(in: text, range: range,
                                                withTemplate: NSRegularExpression.escapedTemplate(for: marker))
    }
}
