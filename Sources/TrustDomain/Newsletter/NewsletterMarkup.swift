import Foundation

/// The small markup items are written in: paragraphs separated by blank lines, `**bold**`,
/// `*italics*`, lines starting `- ` as a list, and `[text](https://…)` links. Nothing else
/// has meaning: every other character is shown as typed (HTML is escaped, so `<script>` is
/// text), because items come from many hands and the newsletter reaches governors' inboxes.
///
/// Parsing never fails: a marker without its partner is shown literally. Only links can be
/// wrong in a way that matters (a non-https target), and ``links`` lets validation refuse
/// those before the item is stored.
public struct NewsletterMarkup: Sendable, Equatable {
    /// What a blank-line-separated part of the body became.
    public enum Block: Sendable, Equatable {
        /// Lines of one paragraph; the author's line breaks are kept.
        case paragraph([[Inline]])
        case list([[Inline]])
    }

    /// Text within a line; emphasis and link text may contain further inline parts.
    public indirect enum Inline: Sendable, Equatable {
        case text(String)
        case bold([Inline])
        case italic([Inline])
        case link(text: [Inline], url: String)
    }

    public let blocks: [Block]

    public init(_ source: String) {
        var blocks: [Block] = []
        var paragraph: [[Inline]] = []
        var list: [[Inline]] = []
        func flush() {
            if !paragraph.isEmpty { blocks.append(.paragraph(paragraph)) }
            if !list.isEmpty { blocks.append(.list(list)) }
            paragraph = []
            list = []
        }
        for rawLine in source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                flush()
            } else if line.hasPrefix("- ") {
                if !paragraph.isEmpty { flush() }
                list.append(Self.inline(Array(line.dropFirst(2).drop { $0 == " " }), bold: true, italic: true, links: true))
            } else {
                if !list.isEmpty { flush() }
                paragraph.append(Self.inline(Array(line), bold: true, italic: true, links: true))
            }
        }
        flush()
        self.blocks = blocks
    }

    /// Every link target written as `[text](target)`, valid or not, in order.
    public static func linkTargets(in source: String) -> [String] {
        var targets: [String] = []
        for line in source.split(whereSeparator: \.isNewline) {
            let chars = Array(line)
            var i = 0
            while i < chars.count {
                if chars[i] == "[", let (_, url, end) = linkShape(chars, at: i) {
                    targets.append(url)
                    i = end
                } else {
                    i += 1
                }
            }
        }
        return targets
    }

    /// Only `https://host/…` with no spaces, quotes or angle brackets: anything else cannot be
    /// a link in a newsletter (no `javascript:`, no plain http, no attribute breaking out).
    public static func isAllowedLink(_ url: String) -> Bool {
        guard url.count <= 2000, url.lowercased().hasPrefix("https://"),
              !url.contains(where: { $0.isWhitespace || "\"'<>\\`".contains($0) || $0.asciiValue.map { $0 < 0x20 } == true }),
              let parts = URLComponents(string: url), parts.scheme?.lowercased() == "https",
              let host = parts.host, !host.isEmpty
        else { return false }
        return true
    }

    // MARK: Rendering

    public var html: String {
        blocks.map { block in
            switch block {
            case .paragraph(let lines):
                "<p>" + lines.map(Self.html).joined(separator: "<br>\n") + "</p>"
            case .list(let items):
                "<ul>\n" + items.map { "<li>" + Self.html($0) + "</li>" }.joined(separator: "\n") + "\n</ul>"
            }
        }.joined(separator: "\n")
    }

    /// Plain text: markers dropped, links as `text (url)`, list items kept as `- `.
    public var text: String {
        blocks.map { block in
            switch block {
            case .paragraph(let lines): lines.map(Self.text).joined(separator: "\n")
            case .list(let items): items.map { "- " + Self.text($0) }.joined(separator: "\n")
            }
        }.joined(separator: "\n\n")
    }

    static func html(_ nodes: [Inline]) -> String {
        nodes.map { node in
            switch node {
            case .text(let s): HTMLText.escaped(s)
            case .bold(let inner): "<strong>" + html(inner) + "</strong>"
            case .italic(let inner): "<em>" + html(inner) + "</em>"
            case .link(let inner, let url): "<a href=\"\(HTMLText.escaped(url))\">" + html(inner) + "</a>"
            }
        }.joined()
    }

    static func text(_ nodes: [Inline]) -> String {
        nodes.map { node in
            switch node {
            case .text(let s): s
            case .bold(let inner), .italic(let inner): text(inner)
            case .link(let inner, let url): text(inner) + " (" + url + ")"
            }
        }.joined()
    }

    // MARK: Parsing

    /// Emphasis needs a non-space just inside each marker (`2 * 3 * 4` stays arithmetic) and
    /// does not nest in itself; links inside emphasis work, emphasis inside link text too.
    private static func inline(_ chars: [Character], bold: Bool, italic: Bool, links: Bool) -> [Inline] {
        var nodes: [Inline] = []
        var plain = ""
        func emit(_ node: Inline) {
            if !plain.isEmpty { nodes.append(.text(plain)) }
            plain = ""
            nodes.append(node)
        }
        var i = 0
        while i < chars.count {
            if bold, starts(chars, "**", at: i), let close = closing(chars, "**", from: i + 2) {
                emit(.bold(inline(Array(chars[(i + 2)..<close]), bold: false, italic: italic, links: links)))
                i = close + 2
            } else if italic, chars[i] == "*", !starts(chars, "**", at: i), let close = closing(chars, "*", from: i + 1) {
                emit(.italic(inline(Array(chars[(i + 1)..<close]), bold: bold, italic: false, links: links)))
                i = close + 1
            } else if links, chars[i] == "[", let (label, url, end) = linkShape(chars, at: i), isAllowedLink(url) {
                emit(.link(text: inline(label, bold: bold, italic: italic, links: false), url: url))
                i = end
            } else {
                plain.append(chars[i])
                i += 1
            }
        }
        if !plain.isEmpty { nodes.append(.text(plain)) }
        return nodes
    }

    private static func starts(_ chars: [Character], _ marker: String, at i: Int) -> Bool {
        let m = Array(marker)
        return i + m.count <= chars.count && Array(chars[i..<(i + m.count)]) == m
    }

    /// The index of the closing marker: content must be non-empty and not start or end with a
    /// space. A single `*` closer must not be half of a `**`.
    private static func closing(_ chars: [Character], _ marker: String, from start: Int) -> Int? {
        guard start < chars.count, !chars[start].isWhitespace else { return nil }
        var j = start + 1
        while j < chars.count {
            if starts(chars, marker, at: j), !chars[j - 1].isWhitespace,
               marker == "**" || !starts(chars, "**", at: j) {
                return j
            }
            j += marker == "*" && starts(chars, "**", at: j) ? 2 : 1
        }
        return nil
    }

    /// `[label](url)` starting at `i`: the label, the url and the index after `)`.
    private static func linkShape(_ chars: [Character], at i: Int) -> ([Character], String, Int)? {
        guard let labelEnd = chars[(i + 1)...].firstIndex(of: "]"), labelEnd > i + 1,
              labelEnd + 1 < chars.count, chars[labelEnd + 1] == "(",
              let urlEnd = chars[(labelEnd + 2)...].firstIndex(of: ")"), urlEnd > labelEnd + 2
        else { return nil }
        return (Array(chars[(i + 1)..<labelEnd]), String(chars[(labelEnd + 2)..<urlEnd]), urlEnd + 1)
    }
}
