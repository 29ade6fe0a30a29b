import Foundation

/// One row of a CSV file. `line` is where the row starts, so an error in a row whose quoted
/// values span several lines still points at the line a person sees the row begin on.
public struct CSVRecord: Equatable, Sendable {
    /// 1-based physical line number; the header is line 1 unless blank lines precede it.
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A whole file read at once: enough for data drops and survey exports, which are small.
public struct CSVTable: Equatable, Sendable {
    public var header: CSVRecord
    public var rows: [CSVRecord]
}

/// Entry points for callers that want the whole table; callers that want to stop early or keep
/// row-level errors from earlier rows use `CSVReader` directly.
public enum CSV {
    public static func parse(_ bytes: [UInt8], limits: CSVLimits = .standard) throws(CSVError)
        -> CSVTable
    {
        var reader = try CSVReader(bytes, limits: limits)
        return try reader.readTable()
    }

    public static func parse(_ data: Data, limits: CSVLimits = .standard) throws(CSVError)
        -> CSVTable
    {
        var reader = try CSVReader(data, limits: limits)
        return try reader.readTable()
    }
}

/// A streaming RFC 4180 reader over raw UTF-8 bytes.
///
/// Why bytes and not `String`: every structural character (comma, quote, CR, LF) is ASCII, and
/// in valid UTF-8 no byte of a multi-byte character can be mistaken for one, so the reader scans
/// bytes, validates UTF-8 as it goes, and builds one `String` per field. That keeps it fast and
/// lets errors cite exact byte offsets.
///
/// Choices beyond RFC 4180, made for files that come out of Excel and Microsoft Forms:
/// - A UTF-8 byte-order mark is skipped; UTF-16 (by BOM, or by a high share of NUL bytes) is
///   rejected with advice on how to re-save, since that is Excel's "Unicode text" export. So is
///   a workbook (by its zip or OLE2 signature): the commonest wrong file of all is the .xlsx.
/// - Line ends may be CRLF, LF or a lone CR. A lone CR is accepted as a line end because Excel
///   for Mac's "CSV (Macintosh)" format still writes them; rejecting it would reject real files.
///   Line breaks inside quoted values are kept exactly as written.
/// - Blank lines (no bytes at all between line ends) are skipped: spreadsheets often leave one at
///   the end. A row of only commas is not blank and is returned as empty fields.
/// - Every record must have as many fields as the first (the header).
public struct CSVReader: Sendable {
    private let bytes: [UInt8]
    private let limits: CSVLimits
    private var position: Int
    private var line = 1
    private var expectedFieldCount: Int?
    private var recordsRead = 0
    private var unescaped: [UInt8] = []

    public init(_ bytes: [UInt8], limits: CSVLimits = .standard) throws(CSVError) {
        try Self.checkSize(bytes.count, limits)
        if bytes.count >= 2,
            (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            throw .utf16
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
            || bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        {
            throw .workbook
        }
        self.bytes = bytes
        self.limits = limits
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    public init(_ data: Data, limits: CSVLimits = .standard) throws(CSVError) {
        try Self.checkSize(data.count, limits)  // before copying an oversized body
        try self.init([UInt8](data), limits: limits)
    }

    private static func checkSize(_ count: Int, _ limits: CSVLimits) throws(CSVError) {
        guard count <= limits.maxBytes else { throw .tooLarge(bytes: count, limit: limits.maxBytes) }
    }

    /// The next record, or nil at the end of the file. After an error the reader's position is
    /// unspecified: structural errors make the rest of the file unreliable, so stop there.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        while position < bytes.count, bytes[position] == ASCII.lf || bytes[position] == ASCII.cr {
            skipLineBreak()
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        if recordsRead > limits.maxRows { throw .tooManyRows(line: startLine, limit: limits.maxRows) }
        var fields: [String] = []
        fields.reserveCapacity(expectedFieldCount ?? 16)
        while true {
            guard fields.count < limits.maxColumns else {
                throw .tooManyColumns(line: startLine, limit: limits.maxColumns)
            }
            fields.append(try readField())
            guard position < bytes.count, bytes[position] == ASCII.comma else { break }
            position += 1
        }
        skipLineBreak()
        if let expected = expectedFieldCount, expected != fields.count {
            throw .wrongFieldCount(line: startLine, expected: expected, found: fields.count)
        }
        expectedFieldCount = fields.count
        recordsRead += 1
        return CSVRecord(line: startLine, fields: fields)
    }

    /// Reads the header and every row that follows it.
    public mutating func readTable() throws(CSVError) -> CSVTable {
        guard let header = try next() else { throw .empty }
        var rows: [CSVRecord] = []
        while let row = try next() { rows.append(row) }
        return CSVTable(header: header, rows: rows)
    }

    // MARK: - Scanning

    private mutating func skipLineBreak() {
        guard position < bytes.count else { return }
        switch bytes[position] {
        case ASCII.lf:
            position += 1
        case ASCII.cr:
            position += 1
            if position < bytes.count, bytes[position] == ASCII.lf { position += 1 }
        default:
            return
        }
        line += 1
    }

    private mutating func readField() throws(CSVError) -> String {
        if position < bytes.count, bytes[position] == ASCII.quote { return try readQuotedField() }
        let start = position
        scan: while position < bytes.count {
            let byte = bytes[position]
            if byte > ASCII.comma, byte < 0x80 {  // letters, digits, most punctuation
                position += 1
                continue
            }
            switch byte {
            case ASCII.comma, ASCII.lf, ASCII.cr: break scan
            case ASCII.quote: throw .strayQuote(line: line)
            default: position += try characterLength(at: position)
            }
        }
        return try string(start..<position, startLine: line)
    }

    private mutating func readQuotedField() throws(CSVError) -> String {
        let openLine = line
        position += 1
        let start = position
        var hasEscapedQuotes = false
        scan: while true {
            guard position < bytes.count else { throw .unterminatedQuote(line: openLine) }
            switch bytes[position] {
            case ASCII.quote:
                guard position + 1 < bytes.count, bytes[position + 1] == ASCII.quote else { break scan }
                hasEscapedQuotes = true
                position += 2
            case ASCII.lf, ASCII.cr:
                skipLineBreak()
            default:
                position += try characterLength(at: position)
            }
        }
        let content = start..<position
        position += 1  // the closing quote
        if position < bytes.count,
            bytes[position] != ASCII.comma, bytes[position] != ASCII.lf, bytes[position] != ASCII.cr
        {
            throw .textAfterClosingQuote(line: line)
        }
        guard hasEscapedQuotes else { return try string(content, startLine: openLine) }
        unescaped.removeAll(keepingCapacity: true)
        var index = content.lowerBound
        while index < content.upperBound {
            unescaped.append(bytes[index])
            index += bytes[index] == ASCII.quote ? 2 : 1
        }
        try checkFieldLength(unescaped.count, startLine: openLine)
        return String(decoding: unescaped, as: UTF8.self)
    }

    private func string(_ range: Range<Int>, startLine: Int) throws(CSVError) -> String {
        try checkFieldLength(range.count, startLine: startLine)
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self)
        }
    }

    private func checkFieldLength(_ count: Int, startLine: Int) throws(CSVError) {
        guard count <= limits.maxFieldBytes else {
            throw .fieldTooLong(line: startLine, limit: limits.maxFieldBytes)
        }
    }

    /// Length of the valid character starting at `offset` (never a structural ASCII byte).
    private func characterLength(at offset: Int) throws(CSVError) -> Int {
        let lead = bytes[offset]
        if lead == 0 { throw nulError(at: offset) }
        if lead < 0x80 { return 1 }
        guard let length = UTF8Sequence.length(bytes, at: offset) else {
            throw .invalidUTF8(line: line, byteOffset: offset)
        }
        return length
    }

    /// A NUL in a text file almost always means UTF-16 saved without a byte-order mark (every
    /// ASCII character then carries a NUL), so a high share of NULs gets the re-save advice.
    private func nulError(at offset: Int) -> CSVError {
        let sample = bytes.prefix(4096)
        let nuls = sample.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        return nuls * 4 >= sample.count ? .utf16 : .nulByte(line: line, byteOffset: offset)
    }
}

private enum ASCII {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
}
