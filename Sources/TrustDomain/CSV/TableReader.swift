import Foundation

/// What a file was read as. Receipts and summaries state it, so the person who sent a file
/// knows how its bytes were taken (a Windows-1252 file read as such, or which sheet was used).
public enum TableFormat: Equatable, Sendable, CustomStringConvertible {
    case csvUTF8
    /// Excel's plain "CSV (Comma delimited)" save on a UK machine.
    case csvWindows1252
    case xlsx(sheet: String)

    public var description: String {
        switch self {
        case .csvUTF8: "CSV (UTF-8)"
        case .csvWindows1252: "CSV (Windows-1252)"
        case .xlsx(let sheet): "Excel workbook (sheet \"\(sheet)\")"
        }
    }

    /// A stable code for events and JSON output.
    public var code: String {
        switch self {
        case .csvUTF8: "csv-utf-8"
        case .csvWindows1252: "csv-windows-1252"
        case .xlsx: "xlsx"
        }
    }

    /// The MIME type a sender labels such a file with.
    public var contentType: String {
        switch self {
        case .csvUTF8: "text/csv; charset=utf-8"
        case .csvWindows1252: "text/csv; charset=windows-1252"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }
}

/// Why a file cannot be read as a table at all (as opposed to a table with wrong values).
public enum TableError: Error, Equatable, Sendable, CustomStringConvertible {
    case csv(CSVError)
    case workbook(WorkbookError)

    /// The CSV line the problem is on; nil for workbooks (their place is in the reason's cell).
    public var line: Int? {
        if case .csv(let error) = self { error.line } else { nil }
    }

    /// `Sheet1!F7` or `Sheet1 row 9` for a workbook problem at a place.
    public var place: String? {
        if case .workbook(let error) = self { error.place } else { nil }
    }

    /// The explanation without its line or place.
    public var reason: String {
        switch self {
        case .csv(let error): error.reason
        case .workbook(let error): error.reason
        }
    }

    public var description: String {
        switch self {
        case .csv(let error): error.description
        case .workbook(let error): error.description
        }
    }
}

/// The one way a file of rows is read, by the workers and by `trustctl` alike: a CSV file
/// (UTF-8, or Windows-1252 when it is not UTF-8 and reads cleanly as that) or a sheet of an
/// .xlsx workbook, told apart by their first bytes, never by a name or a content type. A sheet
/// yields exactly the records its CSV save would: the header is its first non-empty row, rows
/// with no value are skipped like blank lines, and every row is as wide as the header; so
/// every validation rule and message downstream is the same for both.
///
/// `CSVRecord.line` is the CSV line, or the sheet's row number; `cell(row:column:)` names a
/// cell as Excel does (`Sheet1!F7`) for messages about workbooks.
public struct TableReader {
    public let format: TableFormat
    private var source: Source

    private enum Source {
        case csv(CSVReader)
        case sheet(SheetRows)
        /// While a reader is out of the enum being advanced: the enum then holds no second
        /// reference to its buffers, so advancing never copies them.
        case advancing
    }

    /// - Parameter sheet: the workbook sheet to read (by name, ignoring case); the first
    ///   visible sheet when nil. Ignored for CSV.
    public init(_ bytes: [UInt8], limits: CSVLimits = .standard, sheet: String? = nil) throws(TableError) {
        guard bytes.count <= limits.maxBytes else {
            throw .csv(.tooLarge(bytes: bytes.count, limit: limits.maxBytes))
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            do throws(WorkbookError) {
                let workbook = try Workbook(bytes, limits: WorkbookLimits(for: limits))
                let chosen = try workbook.sheet(named: sheet)
                format = .xlsx(sheet: chosen.name)
                source = .sheet(SheetRows(try workbook.rows(of: chosen), limits: limits))
            } catch {
                throw .workbook(error)
            }
            return
        }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // An OLE2 compound file: an .xls, or an .xlsx Excel encrypted with a password
            // (its directory then names the streams EncryptionInfo and EncryptedPackage).
            throw .workbook(Self.containsUTF16(bytes, "EncryptedPackage") ? .encrypted : .legacyExcel)
        }
        do throws(CSVError) {
            if let decoded = Windows1252.decodeIfNotUTF8(bytes) {
                format = .csvWindows1252
                source = .csv(try CSVReader(decoded, limits: CSVLimits(maxBytes: Int.max, maxColumns: limits.maxColumns,
                                                                       maxFieldBytes: limits.maxFieldBytes,
                                                                       maxRows: limits.maxRows)))
            } else {
                format = .csvUTF8
                source = .csv(try CSVReader(bytes, limits: limits))
            }
        } catch {
            throw .csv(error)
        }
    }

    public init(_ data: Data, limits: CSVLimits = .standard, sheet: String? = nil) throws(TableError) {
        guard data.count <= limits.maxBytes else { throw .csv(.tooLarge(bytes: data.count, limit: limits.maxBytes)) }
        try self.init([UInt8](data), limits: limits, sheet: sheet)
    }

    /// The next record, or nil at the end. After an error, stop: the rest is unreliable.
    public mutating func next() throws(TableError) -> CSVRecord? {
        switch source {
        case .csv(var reader):
            source = .advancing
            defer { source = .csv(reader) }
            do throws(CSVError) { return try reader.next() } catch { throw .csv(error) }
        case .sheet(var rows):
            source = .advancing
            defer { source = .sheet(rows) }
            do throws(WorkbookError) { return try rows.next() } catch { throw .workbook(error) }
        case .advancing:
            return nil
        }
    }

    /// Reads the header and every row that follows it.
    public mutating func readTable() throws(TableError) -> CSVTable {
        guard let header = try next() else { throw .csv(.empty) }
        var rows: [CSVRecord] = []
        while let row = try next() { rows.append(row) }
        return CSVTable(header: header, rows: rows)
    }

    public var places: TablePlaces {
        if case .xlsx(let sheet) = format { TablePlaces(sheet: sheet) } else { TablePlaces(sheet: nil) }
    }

    /// `Sheet1!F7` for a workbook's cell (0-based column); nil for CSV, whose messages name
    /// the line.
    public func cell(row: Int, column: Int) -> String? { places.cell(row: row, column: column) }

    /// A column as the person sees it: its number in a CSV file, its letter in a sheet.
    public func columnLabel(_ column: Int) -> String { places.columnLabel(column) }

    private static func containsUTF16(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle: [UInt8] = text.utf8.flatMap { [$0, UInt8(0)] }
        guard bytes.count >= needle.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            var at = 0
            while at + needle.count <= b.count {
                guard let hit = memchr(b.baseAddress! + at, Int32(needle[0]), b.count - at - needle.count + 1) else { return false }
                let offset = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - b.baseAddress!
                if memcmp(b.baseAddress! + offset, needle, needle.count) == 0 { return true }
                at = offset + 1
            }
            return false
        }
    }
}

/// How messages name places in a table: cells and column letters in a sheet, line and column
/// numbers in a CSV file.
public struct TablePlaces: Sendable {
    /// The sheet, for a workbook.
    public let sheet: String?

    public func cell(row: Int, column: Int) -> String? {
        sheet.map { SheetScanner.reference(sheet: $0, row: row, column: column) }
    }

    /// `Sheet1 row 7` for a workbook; nil for CSV.
    public func row(_ row: Int) -> String? {
        sheet.map { "\(SheetScanner.quotedName($0)) row \(row)" }
    }

    public func columnLabel(_ column: Int) -> String {
        sheet == nil ? "\(column + 1)" : SheetScanner.columnName(column)
    }
}

/// A sheet's rows as `CSVReader` would give its CSV save (see `TableReader`), with the CSV
/// limits applied to rows, columns and values, each broken limit naming its place.
struct SheetRows {
    private var scanner: SheetScanner
    private let limits: CSVLimits
    private var width: Int?
    private var rowsRead = 0

    init(_ scanner: SheetScanner, limits: CSVLimits) {
        self.scanner = scanner
        self.limits = limits
    }

    mutating func next() throws(WorkbookError) -> CSVRecord? {
        while let row = try scanner.next() {
            rowsRead += 1
            var sheet: String { SheetScanner.quotedName(scanner.sheet) }
            // Every row element counts, empty or not, as a row of commas does in a CSV file.
            guard rowsRead <= limits.maxRows + 1 else {
                throw WorkbookError(place: "\(sheet) row \(row.number)",
                                    "more than \(limits.maxRows) rows after the header; the limit is \(limits.maxRows)")
            }
            guard let last = row.cells.last else { continue }
            for (column, value) in row.cells where value.utf8.count > limits.maxFieldBytes {
                throw WorkbookError(place: SheetScanner.reference(sheet: scanner.sheet, row: row.number, column: column),
                                    "a value is longer than \(limits.maxFieldBytes) bytes; the limit is \(limits.maxFieldBytes)")
            }
            guard let width else {
                guard last.column < limits.maxColumns else {
                    throw WorkbookError(place: "\(sheet) row \(row.number)",
                                        "more than \(limits.maxColumns) columns; the limit is \(limits.maxColumns)")
                }
                width = last.column + 1
                return record(row, width: last.column + 1)
            }
            if last.column >= width {
                throw WorkbookError(place: SheetScanner.reference(sheet: scanner.sheet, row: row.number, column: last.column),
                                    "a value in a column with no header (the header ends at column "
                                        + "\(SheetScanner.columnName(width - 1))); delete it or give its column a header")
            }
            return record(row, width: width)
        }
        return nil
    }

    private func record(_ row: SheetScanner.Row, width: Int) -> CSVRecord {
        var fields = [String](repeating: "", count: width)
        for (column, value) in row.cells { fields[column] = value }
        return CSVRecord(line: row.number, fields: fields)
    }
}

/// Windows-1252, the "ANSI" code page of UK Windows, which Excel's plain "CSV (Comma
/// delimited)" save uses: ’ is 0x92, £ is 0xA3.
enum Windows1252 {
    /// 0x80–0x9F; 0 marks the five bytes the code page leaves undefined.
    private static let high: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// The file as UTF-8 when it is not UTF-8 but reads cleanly as Windows-1252; nil when it is
    /// UTF-8 (or plain ASCII), or when it is not clean text in either, so that `CSVReader`
    /// reports it as it would any other file. Clean means: no UTF-8 byte-order mark, no
    /// well-formed multi-byte UTF-8 sequence (a file mixing the two is damaged, and decoding it
    /// would garble the UTF-8 part), no undefined byte, no control character but tab, CR, LF.
    static func decodeIfNotUTF8(_ bytes: [UInt8]) -> [UInt8]? {
        guard !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil }
        var invalid = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20 && byte != ASCIIControl.tab && byte != ASCIIControl.lf && byte != ASCIIControl.cr { return nil }
                if byte == 0x7F { return nil }
                index += 1
                continue
            }
            // A well-formed UTF-8 character: UTF-8 (or a mixture); either way not this decoder's.
            if UTF8Sequence.length(bytes, at: index) != nil { return nil }
            if byte >= 0x80 && byte <= 0x9F && high[Int(byte - 0x80)] == 0 { return nil }
            invalid = true
            index += 1
        }
        guard invalid else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count + count / 8)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
            } else {
                let scalar = Unicode.Scalar(byte >= 0xA0 ? UInt16(byte) : high[Int(byte - 0x80)])!
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
        return out
    }
}

private enum ASCIIControl {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
}

/// The well-formed UTF-8 table of Unicode §3.9: overlong forms, surrogates and code points
/// above U+10FFFF are not well formed.
enum UTF8Sequence {
    /// Length of the well-formed sequence whose lead byte (≥ 0x80) is at `index`, or nil.
    static func length(_ bytes: [UInt8], at index: Int) -> Int? {
        let lead = bytes[index]
        let (length, low, high): (Int, UInt8, UInt8) =
            switch lead {
            case 0xC2...0xDF: (2, 0x80, 0xBF)
            case 0xE0: (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80, 0xBF)
            case 0xED: (3, 0x80, 0x9F)
            case 0xF0: (4, 0x90, 0xBF)
            case 0xF1...0xF3: (4, 0x80, 0xBF)
            case 0xF4: (4, 0x80, 0x8F)
            default: (0, 0, 0)
            }
        guard length > 0, index + length <= bytes.count, bytes[index + 1] >= low, bytes[index + 1] <= high else { return nil }
        for next in index + 2..<index + length where bytes[next] & 0xC0 != 0x80 { return nil }
        return length
    }
}
