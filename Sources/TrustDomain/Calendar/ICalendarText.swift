/// RFC 5545 content-line rules: TEXT escaping, parameter quoting and 75-octet folding.
enum ICalendarText {
    /// RFC 5545 §3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF.
    static let lineOctets = 75

    /// §3.3.11 TEXT: backslash, semicolon and comma are escaped, every line break (CRLF, CR
    /// or LF) becomes `\n`, and other control characters (which TEXT forbids) become spaces.
    static func escaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n" where previousWasCR:
                continue
            case "\r", "\n":
                out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\\", ";", ",":
                out.append("\\")
                out.append(scalar)
            case "\t":
                out.append(scalar)
            default:
                out.append(scalar.properties.generalCategory == .control ? " " : scalar)
            }
        }
        return String(out)
    }

    /// A one-line value (summary, location): cleaned like a mail header, then escaped.
    static func escapedLine(_ text: String) -> String {
        escaped(MIMEHeaderText.sanitised(text))
    }

    /// §3.2 param-value as a quoted-string, which cannot contain DQUOTE or controls; a
    /// double quote in a name becomes a single quote rather than RFC 6868's rarely
    /// supported `^'`.
    static func quotedParameter(_ value: String) -> String {
        "\"" + MIMEHeaderText.sanitised(value).replacingOccurrences(of: "\"", with: "'") + "\""
    }

    /// §3.1 folding: at most 75 octets per physical line (the leading space of a continuation
    /// counts), split only between UTF-8 sequences so no character is cut in half.
    static func folded(_ line: String) -> [UInt8] {
        let bytes = Array(line.utf8)
        var out: [UInt8] = []
        var start = 0
        var room = lineOctets
        while bytes.count - start > room {
            var end = start + room
            while bytes[end] & 0xC0 == 0x80 { end -= 1 }  // never begin a line mid-character
            out += bytes[start..<end]
            out += [0x0D, 0x0A, 0x20]
            start = end
            room = lineOctets - 1
        }
        out += bytes[start...]
        out += [0x0D, 0x0A]
        return out
    }
}
