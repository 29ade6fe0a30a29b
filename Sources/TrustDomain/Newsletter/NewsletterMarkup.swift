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
    ///
    /// The text is scanned scalar by scalar, several times cheaper than character by character
    /// on the newsletter worker's hot path. That finds the same links
    /// when each bracket and parenthesis is a character of its own, as it is in any text but a
    /// contrived one (a combining mark on a bracket); otherwise the characters are scanned.
    public static func linkTargets(in source: String) -> [String] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.utf8.count)
        var offset = 0  // in UTF-8 bytes, where a String.Index is made cheaply
        for scalar in source.unicodeScalars {
            if isLinkPunctuation(scalar),
               !source.isCharacter(scalarAt: source.utf8.index(source.utf8.startIndex, offsetBy: offset)) {
                return source.split(whereSeparator: \.isNewline).flatMap { linkTargets(inLine: Array($0)) { String($0) } }
            }
            scalars.append(scalar)
            offset += UTF8.width(scalar)
        }
        // Line breaks are characters of their own too (CR LF is one character but two breaks
        // here, with an empty line between them that holds no link).
        return scalars.split(whereSeparator: isLineBreak).flatMap {
            linkTargets(inLine: $0) { String(String.UnicodeScalarView($0)) }
        }
    }

    /// The scalars that make `Character.isNewline` true.
    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    private static func isLinkPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "[" || scalar == "]" || scalar == "(" || scalar == ")"
    }

    private static func linkTargets<Line: RandomAccessCollection>(inLine line: Line, _ string: (Line.SubSequence) -> String)
        -> [String] where Line.Index == Int, Line.Element: Equatable & ExpressibleByUnicodeScalarLiteral {
        var targets: [String] = []
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == "[", let (_, url, end) = linkShape(line, at: i) {
                targets.append(string(url))
                i = end
            } else {
                i += 1
            }
        }
        return targets
    }

    /// Only `https://host/…` with no spaces, quotes or angle brackets: anything else cannot be
    /// a link in a newsletter (no `javascript:`, no plain http, no attribute breaking out).
    public static func isAllowedLink(_ url: String) -> Bool {
        // Scalar by scalar: a quote or bracket carrying a combining mark is refused too.
        guard url.count <= 2000, url.lowercased().hasPrefix("https://"),
              !url.unicodeScalars.contains(where: { $0.isASCII ? $0.value <= 0x20 || "\"'<>\\`".unicodeScalars.contains($0)
                                                              : $0.properties.isWhitespace }),
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
            } else if links, chars[i] == "[", let (label, target, end) = linkShape(chars, at: i),
                      case let url = String(target), isAllowedLink(url) {
                emit(.link(text: inline(Array(label), bold: bold, italic: italic, links: false), url: url))
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
    private static func linkShape<Text: RandomAccessCollection>(_ chars: Text, at i: Int)
        -> (label: Text.SubSequence, url: Text.SubSequence, end: Int)?
        where Text.Index == Int, Text.Element: Equatable & ExpressibleByUnicodeScalarLiteral {
        guard let labelEnd = chars[(i + 1)...].firstIndex(of: "]"), labelEnd > i + 1,
              labelEnd + 1 < chars.endIndex, chars[labelEnd + 1] == "(",
              let urlEnd = chars[(labelEnd + 2)...].firstIndex(of: ")"), urlEnd > labelEnd + 2
        else { return nil }
        return (chars[(i + 1)..<labelEnd], chars[(labelEnd + 2)..<urlEnd], urlEnd + 1)
    }
}

extension String {
    /// Whether the scalar at `i` (an index of `unicodeScalars`) is a character of its own, by
    /// Swift's own grapheme breaking: then it equals itself as a `Character`, and splitting or
    /// matching at it scalar by scalar does what doing so character by character would.
    func isCharacter(scalarAt i: Index) -> Bool {
        i.samePosition(in: self) != nil && unicodeScalars.index(after: i).samePosition(in: self) != nil
    }
}
