/// Everything that can make a file unreadable as CSV. Each case carries the physical line (and,
/// for encoding problems, the byte offset) because the person fixing the file works in a
/// spreadsheet or text editor where those are the only coordinates they can find.
///
/// Byte offsets count from 0 at the very first byte of the file, a byte-order mark included,
/// which is what hex editors and `xxd` show.
public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(bytes: Int, limit: Int)
    case utf16
    case invalidUTF8(line: Int, byteOffset: Int)
    case nulByte(line: Int, byteOffset: Int)
    case unterminatedQuote(line: Int)
    case strayQuote(line: Int)
    case textAfterClosingQuote(line: Int)
    case wrongFieldCount(line: Int, expected: Int, found: Int)
    case tooManyColumns(line: Int, limit: Int)
    case fieldTooLong(line: Int, limit: Int)
    case tooManyRows(line: Int, limit: Int)

    /// The physical line the problem is on; nil when the problem is the file as a whole.
    public var line: Int? {
        switch self {
        case .empty, .tooLarge, .utf16: nil
        case .invalidUTF8(let line, _), .nulByte(let line, _), .unterminatedQuote(let line),
            .strayQuote(let line), .textAfterClosingQuote(let line),
            .wrongFieldCount(let line, _, _), .tooManyColumns(let line, _),
            .fieldTooLong(let line, _), .tooManyRows(let line, _):
            line
        }
    }

    /// The explanation without the line prefix, so callers that carry the line separately
    /// (data-drop errors) do not repeat it.
    public var reason: String {
        switch self {
        case .empty:
            "the file is empty"
        case .tooLarge(let bytes, let limit):
            "the file is \(bytes) bytes; the limit is \(limit) bytes"
        case .utf16:
            "the file is UTF-16; save it as CSV UTF-8 (Comma delimited)"
        case .invalidUTF8(_, let offset):
            "invalid UTF-8 at byte offset \(offset); save the file as CSV UTF-8 (Comma delimited)"
        case .nulByte(_, let offset):
            "a NUL byte at byte offset \(offset); this is not a plain-text CSV file"
        case .unterminatedQuote:
            "a quoted field starts here but its closing quote (\") is missing"
        case .strayQuote:
            "a quote (\") inside a field that does not start with a quote; put the whole field in quotes and double the inner quote (\"\")"
        case .textAfterClosingQuote:
            "text after a closing quote; a quoted field must end at a comma or the end of the line"
        case .wrongFieldCount(_, let expected, let found):
            "this row has \(found) fields but the header has \(expected); check for a comma inside an unquoted value or a missing value"
        case .tooManyColumns(_, let limit):
            "more than \(limit) columns; the limit is \(limit)"
        case .fieldTooLong(_, let limit):
            "a value is longer than \(limit) bytes; the limit is \(limit)"
        case .tooManyRows(_, let limit):
            "more than \(limit) rows after the header; the limit is \(limit)"
        }
    }

    public var description: String {
        line.map { "line \($0): \(reason)" } ?? reason
    }
}
