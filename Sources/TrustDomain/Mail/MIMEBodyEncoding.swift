import Foundation

/// Content-transfer-encodings. Both outputs are 7-bit with CRLF lines of at most 76
/// characters, so any SMTP server relays them unchanged, and neither can contain `=_`, the
/// prefix of every boundary the builder makes — a body can never end a part early.
enum MIMEBodyEncoding {
    static let lineLimit = 76

    /// Quoted-printable (RFC 2045 §6.7) for text parts: readable in a raw message, and the
    /// text's own line breaks survive as hard breaks. CR, LF and CRLF all count as a break.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in normalisedLines(text) {
            var column = 0
            for (index, byte) in line.enumerated() {
                let isLast = index == line.count - 1
                var token = literalOrEscaped(byte, isLast: isLast, atLineStart: column == 0)
                // Leave room for the "=" of a soft break unless this byte ends the line.
                if column + token.count > (isLast ? lineLimit : lineLimit - 1) {
                    out += Array("=\r\n".utf8)
                    column = 0
                    token = literalOrEscaped(byte, isLast: isLast, atLineStart: true)
                }
                out += token
                column += token.count
            }
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// Base64 in 76-character CRLF lines, for attachments and calendar data whose exact
    /// bytes (including their own CRLFs) must arrive intact.
    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = Data(bytes).base64EncodedString(
            options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return Array(encoded.utf8) + [0x0D, 0x0A]
    }

    /// The text's lines without their terminators; a final line break adds no empty line.
    static func normalisedLines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                lines.append([])
            } else {
                lines[lines.count - 1].append(byte)
            }
        }
        if lines.count > 1 && lines[lines.count - 1].isEmpty { lines.removeLast() }
        return lines
    }

    /// Printable ASCII stays literal except `=`; white space is escaped only at a line end
    /// (where transports may strip it), and a leading `.` is escaped so no line can look like
    /// the SMTP end-of-data marker even to a relay that forgets dot-stuffing.
    private static func literalOrEscaped(_ byte: UInt8, isLast: Bool, atLineStart: Bool) -> [UInt8] {
        let whitespace = byte == 0x20 || byte == 0x09
        let literal = (whitespace && !isLast)
            || (byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "=")
                && !(byte == UInt8(ascii: ".") && atLineStart))
        if literal { return [byte] }
        let hex = Array("0123456789ABCDEF".utf8)
        return [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
    }
}
