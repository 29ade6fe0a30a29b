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
    /// A workbook (.xlsx, .ods: a zip; .xls: an OLE2 file) sent where a CSV file belongs.
    case workbook
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
        case .empty, .tooLarge, .utf16, .workbook: nil
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
            "the file is too large: \(Self.size(bytes)); the limit is \(Self.size(limit))"
        case .utf16:
            "the file is UTF-16; save it as CSV UTF-8 (Comma delimited)"
        case .workbook:
            "the file is a spreadsheet workbook (.xlsx, .xls or .ods), not CSV; save it as CSV UTF-8 (Comma delimited)"
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

    /// Bytes, and megabytes too when that is the size a person would recognise.
    private static func size(_ bytes: Int) -> String {
        guard bytes >= 1 << 20 else { return "\(bytes) bytes" }
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(bytes) bytes (\(tenths / 10).\(tenths % 10) MB)"
    }

    public var description: String {
        line.map { "line \($0): \(reason)" } ?? reason
    }
}
