import Foundation

/// One contribution to FAcT, as stored: already cleaned and checked, so assembling an issue
/// never meets a bad item.
public struct NewsletterItem: Codable, Sendable, Equatable {
    public let title: String
    /// Source text in ``NewsletterMarkup``.
    public let body: String
    public let category: String
    public let academy: AcademyID?
    public let author: String
    /// The day the item is about (an event, a deadline), when it has one: an item whose day has
    /// passed by its issue's date is printed under "Since the last issue", never as coming up.
    public let eventDate: CalendarDate?
    /// Where the author is told which issue the item will appear in; nil: nobody is told.
    public let authorEmail: String?

    public static let titleLimit = 120
    public static let bodyLimit = 5_000
    public static let authorLimit = 100

    /// Cleans and checks an item. Titles and authors become one line (control characters and
    /// line breaks turn into single spaces), bodies get `\n` line ends; the limits count
    /// characters as people see them, after cleaning.
    public init(title: String, body: String, category: String, academy: String?, author: String,
                eventDate: String? = nil, authorEmail: String? = nil,
                rules: NewsletterItemRules) throws(NewsletterItemError) {
        let title = Self.oneLine(title)
        let body = Self.normalisedBody(body)
        let category = Self.trimmed(category, newlines: false)
        let author = Self.oneLine(author)
        func fail(_ field: String, _ value: String?, _ reason: String) -> NewsletterItemError {
            NewsletterItemError(field: field, value: value, reason: reason)
        }
        guard !title.isEmpty else { throw fail("title", nil, "is empty") }
        guard title.count <= Self.titleLimit else {
            throw fail("title", title, "is \(title.count) characters long; the limit is \(Self.titleLimit)")
        }
        guard !body.isEmpty else { throw fail("body", nil, "is empty") }
        guard body.count <= Self.bodyLimit else {
            throw fail("body", nil, "is \(body.count) characters long; the limit is \(Self.bodyLimit)")
        }
        guard rules.categories.contains(category) else {
            throw fail("category", category, "is not a newsletter category (expected one of: \(rules.categories.joined(separator: ", ")))")
        }
        guard !author.isEmpty else { throw fail("author", nil, "is empty") }
        guard author.count <= Self.authorLimit else {
            throw fail("author", author, "is \(author.count) characters long; the limit is \(Self.authorLimit)")
        }
        var academyID: AcademyID?
        if let academy = academy.map({ Self.trimmed($0, newlines: false) }), !academy.isEmpty {
            guard rules.academies.contains(AcademyID(academy)) else {
                throw fail("academy", academy, "is not an academy id from academies.json")
            }
            academyID = AcademyID(academy)
        }
        for (field, text) in [("title", title), ("body", body)] where Self.mayContainPlainHTTP(text) {
            if let range = text.range(of: "http://", options: .caseInsensitive) {
                let rest = text[range.lowerBound...].prefix { !$0.isWhitespace && $0 != ")" }
                throw fail(field, String(rest), "is a plain http:// address; only https:// links are allowed")
            }
        }
        for target in NewsletterMarkup.linkTargets(in: body) where !NewsletterMarkup.isAllowedLink(target) {
            throw fail("body", target, "is not an https:// link (write links as [text](https://…))")
        }
        self.title = title
        self.body = body
        self.category = category
        self.academy = academyID
        self.author = author
        let eventText = eventDate.map { Self.trimmed($0, newlines: false) }.flatMap { $0.isEmpty ? nil : $0 }
        if let eventText, CalendarDate(eventText) == nil {
            throw fail("event_date", eventText, "is not a real calendar date (expected YYYY-MM-DD)")
        }
        self.eventDate = eventText.flatMap(CalendarDate.init)
        let address = authorEmail.map { Self.trimmed($0, newlines: false).lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        if let address, !MailAddress.isValid(address) {
            throw fail("author_email", address, "is not a plain e-mail address (name@domain)")
        }
        self.authorEmail = address
    }

    /// Restores an item that was checked when it was stored (a database row); input from
    /// people and messages goes through the checking initialisers instead.
    public init(restoring title: String, body: String, category: String, academy: AcademyID?, author: String,
                eventDate: CalendarDate? = nil, authorEmail: String? = nil) {
        self.eventDate = eventDate
        self.authorEmail = authorEmail
        self.title = title
        self.body = body
        self.category = category
        self.academy = academy
        self.author = author
    }

    /// Reads a `newsletter.item` message body: `{"title","body","category","academy"?,"author"}`.
    public init(json: [UInt8], rules: NewsletterItemRules) throws(NewsletterItemError) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            throw NewsletterItemError(field: "message", value: nil,
                                      reason: "is not a JSON object {\"title\", \"body\", \"category\", \"academy\", \"author\"}")
        }
        func text(_ key: String, required: Bool = true) throws(NewsletterItemError) -> String? {
            switch object[key] {
            case let value as String: return value
            case nil, is NSNull:
                if required { throw NewsletterItemError(field: key, value: nil, reason: "is missing") }
                return nil
            default:
                throw NewsletterItemError(field: key, value: nil, reason: "should be text in double quotes")
            }
        }
        try self.init(title: text("title")!, body: text("body")!, category: text("category")!,
                      academy: text("academy", required: false), author: text("author")!,
                      eventDate: text("event_date", required: false), authorEmail: text("author_email", required: false),
                      rules: rules)
    }

    /// The message body for `newsletter.item`, with sorted keys so the same item always gives
    /// the same bytes (and so the same content-derived message id).
    public var json: [UInt8] {
        var object: [String: String] = ["title": title, "body": body, "category": category, "author": author]
        if let academy { object["academy"] = academy.rawValue }
        if let eventDate { object["event_date"] = eventDate.description }
        if let authorEmail { object["author_email"] = authorEmail }
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data ?? Data())
    }

    static func oneLine(_ text: String) -> String {
        // Scalar by scalar, several times cheaper than character by character, where that
        // splits where the characters would: at separators that are characters of their own.
        var unchanged = true
        var afterSeparator = true
        var offset = 0  // in UTF-8 bytes, where a String.Index is made cheaply
        for scalar in text.unicodeScalars {
            if separatesWords(scalar) {
                guard text.isCharacter(scalarAt: text.utf8.index(text.utf8.startIndex, offsetBy: offset)) else {
                    return text.split(whereSeparator: { $0.isWhitespace || $0.unicodeScalars.allSatisfy(Self.isControl) })
                        .joined(separator: " ")
                }
                if scalar != " " || afterSeparator { unchanged = false }
                afterSeparator = true
            } else {
                afterSeparator = false
            }
            offset += UTF8.width(scalar)
        }
        // The common case, words between single spaces, is the text as it came.
        if unchanged && !afterSeparator { return text }
        return text.unicodeScalars.split(whereSeparator: separatesWords).map { String($0) }.joined(separator: " ")
    }

    /// White space or a control character, where `oneLine` splits.
    private static func separatesWords(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar.value <= 0x20 || scalar.value == 0x7F : scalar.properties.isWhitespace || isControl(scalar)
    }

    /// General category Cc, which Unicode's stability policy fixes for ever at these 65 code
    /// points; `properties.generalCategory` would be a table lookup per scalar.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` without the white space at either end, as `trimmingCharacters(in:)` with
    /// `.whitespacesAndNewlines` (or `.whitespaces` when `newlines` is false) trims it: scalar
    /// by scalar, the same sets (the tests check every scalar against Foundation's), without
    /// bridging the whole string to an NSString.
    static func trimmed(_ text: String, newlines: Bool = true) -> String {
        let scalars = text.unicodeScalars
        func trims(_ scalar: Unicode.Scalar) -> Bool { isTrimmedSpace(scalar, newlines: newlines) }
        guard let first = scalars.firstIndex(where: { !trims($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !trims($0) })!
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// Foundation's `.whitespacesAndNewlines`: Unicode's White_Space and U+200B ZERO WIDTH
    /// SPACE; `.whitespaces` is the same without the line breaks (U+000A-U+000D, U+0085,
    /// U+2028, U+2029).
    static func isTrimmedSpace(_ scalar: Unicode.Scalar, newlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09, 0x20, 0x200B: return true
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
        case 0...0x7F: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// False only when `text` certainly holds no `http://` in any case: those bytes, ASCII
    /// letters in either case. Foundation's case-insensitive search, which finds the exact
    /// place, is then asked only about the few texts that may.
    static func mayContainPlainHTTP(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            // At each "://", the four bytes before it; `| 0x20` makes H, T, P lower case and
            // leaves h, t, p (and nothing else becomes them).
            guard bytes.count >= 7 else { return false }
            for i in 4..<(bytes.count - 2) where bytes[i] == UInt8(ascii: ":")
                && bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] == UInt8(ascii: "/") {
                if bytes[i - 4] | 0x20 == UInt8(ascii: "h"), bytes[i - 3] | 0x20 == UInt8(ascii: "t"),
                   bytes[i - 2] | 0x20 == UInt8(ascii: "t"), bytes[i - 1] | 0x20 == UInt8(ascii: "p") {
                    return true
                }
            }
            return false
        }
    }

    /// CRLF and CR become LF, tabs become spaces, other control characters are dropped, and
    /// surrounding blank space goes: none of them mean anything in the markup.
    static func normalisedBody(_ text: String) -> String {
        // Built as UTF-8 bytes: appending scalar by scalar to a String cost several times more.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\n" where previousCR: continue
            case "\r", "\n", "\u{2028}", "\u{2029}": out.append(UInt8(ascii: "\n"))
            case "\t": out.append(UInt8(ascii: " "))
            default:
                if scalar.isASCII {
                    if !isControl(scalar) { out.append(UInt8(scalar.value)) }
                } else if !isControl(scalar) {
                    out.append(contentsOf: scalar.utf8)
                }
            }
        }
        return trimmed(String(decoding: out, as: UTF8.self))
    }
}

/// What an item is checked against: the categories of `newsletter.json` and the academy ids
/// of `academies.json`.
public struct NewsletterItemRules: Sendable {
    public let categories: [String]
    public let academies: Set<AcademyID>

    public init(categories: [String], academies: Set<AcademyID>) {
        self.categories = categories
        self.academies = academies
    }

    public init(config: NewsletterConfig, academies: AcademyCatalog) {
        self.init(categories: config.categories.map(\.id), academies: Set(academies.academies.map(\.id)))
    }
}

/// Why an item was refused, naming the field and the value as sent, so whoever submitted it
/// can fix it: `title "…" is 131 characters long; the limit is 120`.
public struct NewsletterItemError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let value: String?
    public let reason: String

    public var description: String {
        guard let value else { return "newsletter item: \(field) \(reason)" }
        return "newsletter item: \(field) \(Self.quoted(value)) \(reason)"
    }

    /// Quoted, one line and at most 60 characters, so a hostile value cannot forge lines in
    /// a log or a dead-letter header.
    public static func quoted(_ value: String) -> String {
        let shown = value.count > 60 ? String(value.prefix(57)) + "..." : value
        var out = "\""
        for scalar in shown.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.properties.generalCategory == .control {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
