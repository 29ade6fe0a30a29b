import Foundation

/// Header text rules shared by every header the builder writes.
///
/// Header injection is prevented structurally: every value passes through ``sanitised(_:)``
/// (no CR, LF or other control character survives), and the only line breaks in a header are
/// the ones ``folded(name:atoms:)`` inserts, each followed by a space, so no value can start
/// a new header line.
enum MIMEHeaderText {
    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters.
    static let lineLimit = 78
    /// 39 octets become 52 base64 characters: a 64-character encoded-word, which fits after
    /// `Subject: ` on the first line and stays inside RFC 2047's 75-character limit.
    static let encodedWordOctets = 39
    /// Longer words are encoded instead, so that they can be split across lines.
    static let longestPlainWord = 60

    /// Control characters, line/paragraph separators and runs of white space become a single
    /// space, and the ends are trimmed. Applied to all header text, including display names.
    static func sanitised(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator, .spaceSeparator:
                pendingSpace = !result.isEmpty
                continue
            default:
                break
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.append(scalar)
        }
        return String(result)
    }

    /// Unstructured text (Subject, extra headers) as foldable atoms: plain ASCII words when
    /// that is unambiguous, otherwise RFC 2047 encoded-words covering the whole value.
    static func unstructuredAtoms(_ text: String) -> [String] {
        let clean = sanitised(text)
        let words = clean.split(separator: " ").map(String.init)
        let plain = words.allSatisfy { $0.utf8.count <= longestPlainWord && isPlainWord($0) }
        // A literal "=?" could be read back as an encoded-word, so it is encoded too.
        return plain && !clean.contains("=?") ? words : encodedWords(clean)
    }

    /// `Name <address>` as atoms. ASCII names become atoms or a quoted-string; other names
    /// become encoded-words, which RFC 2047 §5(3) allows in a phrase.
    static func addressAtoms(_ mailbox: MailAddress) -> [String] {
        let name = mailbox.displayName
        let angle = "<\(mailbox.address)>"
        if name.isEmpty { return [mailbox.address] }
        // A literal "=?" would be decoded as an encoded-word and could show another name.
        guard !name.contains("=?") else { return encodedWords(name) + [angle] }
        let words = name.split(separator: " ").map(String.init)
        if words.allSatisfy({ $0.utf8.allSatisfy(MailAddress.isAtext) && $0.utf8.count <= longestPlainWord }) {
            return words + [angle]
        }
        if name.utf8.count <= longestPlainWord, name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"")
            return ["\"\(escaped)\"", angle]
        }
        return encodedWords(name) + [angle]
    }

    /// Comma-separated mailboxes, foldable between and within them.
    static func addressListAtoms(_ mailboxes: [MailAddress]) -> [String] {
        var atoms: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            var these = addressAtoms(mailbox)
            if index < mailboxes.count - 1 { these[these.count - 1] += "," }
            atoms += these
        }
        return atoms
    }

    /// UTF-8 "B" encoded-words, each holding whole Unicode scalars (RFC 2047 §5 forbids
    /// splitting a character across words; decoders join adjacent words without the space).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > encodedWordOctets { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// One header field, folded with CRLF + space between atoms so lines stay within
    /// ``lineLimit``. The first atom always stays on the name's line: a line that is only
    /// `Name:` confuses some parsers.
    static func folded(name: String, atoms: [String]) -> String {
        var field = "\(name):"
        var lineLength = field.utf8.count
        for (index, atom) in atoms.enumerated() {
            if index > 0 && lineLength + 1 + atom.utf8.count > lineLimit {
                field += "\r\n "
                lineLength = 1
            } else {
                field += " "
                lineLength += 1
            }
            field += atom
            lineLength += atom.utf8.count
        }
        return field + "\r\n"
    }

    private static func isPlainWord(_ word: String) -> Bool {
        word.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
