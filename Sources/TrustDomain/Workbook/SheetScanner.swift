import Foundation

/// One worksheet's `sheetData`, row by row, each cell's value as text: what Excel shows for a
/// cell in the General format, with dates written as ISO 8601 (`2021-11-09`,
/// `2021-11-09T10:15:00`, `10:15:00`) so they read the same whatever the locale.
struct SheetScanner {
    /// A row as stored: its sheet row number and its non-empty cells by 0-based column.
    struct Row {
        let number: Int
        var cells: [(column: Int, value: String)]
    }

    private(set) var scanner: XMLScanner
    let sheet: String
    let strings: [String]
    let dateStyles: [Bool]
    let date1904: Bool
    private var inSheetData = false
    private var finished = false
    private var lastRow = 0

    init(scanner: XMLScanner, sheet: String, strings: [String], dateStyles: [Bool], date1904: Bool) {
        self.scanner = scanner
        self.sheet = sheet
        self.strings = strings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    /// `Sheet1!F7`, with the sheet name quoted as Excel quotes it when it must be.
    static func reference(sheet: String, row: Int, column: Int) -> String {
        "\(quotedName(sheet))!\(columnName(column))\(row)"
    }

    static func quotedName(_ sheet: String) -> String {
        sheet.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            ? sheet : "'" + sheet.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [UInt8] = []
        while n > 0 {
            letters.append(UInt8(65 + (n - 1) % 26))
            n = (n - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }

    /// The next row element (possibly with no non-empty cell), or nil after `sheetData`.
    mutating func next() throws(WorkbookError) -> Row? {
        while !finished, let token = try scanner.next() {
            switch token {
            case .start(let name, let attributes, let selfClosing):
                if !inSheetData {
                    if scanner.isNamed(name, "sheetData") {
                        if selfClosing { finished = true } else { inSheetData = true }
                    }
                } else if scanner.isNamed(name, "row") {
                    let number = try rowNumber(attributes)
                    var row = Row(number: number, cells: [])
                    if !selfClosing { try readCells(into: &row) }
                    return row
                }
            case .end(let name):
                if inSheetData && scanner.isNamed(name, "sheetData") { finished = true }
            default:
                break
            }
        }
        if !finished { throw .xml(scanner.part, "it has no sheetData element") }
        return nil
    }

    private mutating func rowNumber(_ attributes: Range<Int>) throws(WorkbookError) -> Int {
        guard let r = scanner.attribute("r", in: attributes) else {
            lastRow += 1
            return lastRow
        }
        guard let number = Self.integer(scanner.buffer, r), number > lastRow, number <= 1_048_576 else {
            throw WorkbookError(place: "\(Self.quotedName(sheet)) row \(lastRow + 1)",
                                "the row number \"\(scanner.string(r).prefix(12))\" is not a row after row \(lastRow)")
        }
        lastRow = number
        return number
    }

    private mutating func readCells(into row: inout Row) throws(WorkbookError) {
        var column = -1
        while let token = try scanner.next() {
            switch token {
            case .start(let name, let attributes, let selfClosing):
                guard scanner.isNamed(name, "c") else { continue }
                column = try cellColumn(attributes, after: column, row: row.number)
                let type = scanner.attribute("t", in: attributes).map { scanner.string($0) }
                let style = scanner.attribute("s", in: attributes).flatMap { Self.integer(scanner.buffer, $0) } ?? 0
                guard !selfClosing else { continue }
                let value = try readCell(type: type, style: style, row: row.number, column: column)
                if !value.isEmpty { row.cells.append((column, value)) }
            case .end(let name):
                if scanner.isNamed(name, "row") { return }
            default:
                break
            }
        }
        throw .xml(scanner.part, "row \(row.number) is not closed")
    }

    /// The column from the cell's `r` (`AB12`), or the one after the previous cell without it.
    private func cellColumn(_ attributes: Range<Int>, after previous: Int, row: Int) throws(WorkbookError) -> Int {
        guard let r = scanner.attribute("r", in: attributes) else { return previous + 1 }
        var column = 0
        var at = r.lowerBound
        while at < r.upperBound, at - r.lowerBound < 3 {
            let byte = scanner.buffer[at] | 0x20  // lower case
            guard byte >= 0x61, byte <= 0x7A else { break }
            column = column * 26 + Int(byte - 0x60)
            at += 1
        }
        guard column > 0, column <= 16_384, column - 1 > previous else {
            throw WorkbookError(place: Self.reference(sheet: sheet, row: row, column: previous + 1),
                                "the cell reference \"\(scanner.string(r).prefix(12))\" is not a cell after the one before it")
        }
        return column - 1
    }

    /// Reads to the cell's end tag and returns its value as text.
    private mutating func readCell(type: String?, style: Int, row: Int, column: Int) throws(WorkbookError) -> String {
        var value: String?
        var inline: String?
        var hasFormula = false
        var inValue = false
        while let token = try scanner.next() {
            switch token {
            case .start(let name, _, let selfClosing):
                if scanner.isNamed(name, "v") {
                    inValue = !selfClosing
                    if selfClosing { value = "" }
                } else if scanner.isNamed(name, "f") {
                    hasFormula = true
                } else if scanner.isNamed(name, "is") && !selfClosing {
                    var text = RichText()
                    try text.read(&scanner, until: "is")
                    inline = text.value
                }
            case .text(let range):
                if inValue { value = try (value ?? "") + scanner.decode(range) }
            case .literal(let range):
                if inValue { value = (value ?? "") + scanner.string(range) }
            case .end(let name):
                if scanner.isNamed(name, "v") {
                    inValue = false
                    if value == nil { value = "" }
                } else if scanner.isNamed(name, "c") {
                    return try text(type: type, style: style, value: value, inline: inline, formula: hasFormula,
                                    row: row, column: column)
                }
            }
        }
        throw .xml(scanner.part, "a cell is not closed")
    }

    /// The cell's value as text; `row` and `column` name it only in an error, so the name is
    /// never built for a good cell.
    private func text(type: String?, style: Int, value: String?, inline: String?, formula: Bool, row: Int, column: Int)
        throws(WorkbookError) -> String
    {
        var place: String { Self.reference(sheet: sheet, row: row, column: column) }
        switch type {
        case "inlineStr":
            return inline ?? value ?? ""
        case "s":
            guard let value, let index = Int(value), strings.indices.contains(index) else {
                throw WorkbookError(place: place, "the cell points to shared string \"\((value ?? "").prefix(12))\", "
                    + "which the workbook does not have (\(strings.count) strings); save the workbook from Excel again")
            }
            return strings[index]
        case "e":
            throw WorkbookError(place: place, "the cell shows the error \(value.map { SurveyText.header($0).prefix(12) } ?? "") "
                + "(a formula that failed); correct it or clear the cell")
        default:
            guard let value else {
                if formula {
                    throw WorkbookError(place: place, "the cell holds a formula whose result was never saved; "
                        + "open the workbook in Excel and save it again")
                }
                return ""
            }
            switch type {
            case "b": return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
            case "str", "d": return value
            default:
                return try number(value, dateStyle: dateStyles.indices.contains(style) && dateStyles[style],
                                  row: row, column: column)
            }
        }
    }

    /// A number as General shows it: integers as written, others to 15 significant digits
    /// (Excel's precision); a date-formatted serial as an ISO 8601 date.
    private func number(_ text: String, dateStyle: Bool, row: Int, column: Int) throws(WorkbookError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !dateStyle, let first = trimmed.utf8.first, trimmed.utf8.count <= 15,
           trimmed.utf8.dropFirst(first == 0x2D ? 1 : 0).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), trimmed != "-" {
            return trimmed
        }
        guard let number = Double(trimmed), number.isFinite else {
            throw WorkbookError(place: Self.reference(sheet: sheet, row: row, column: column), "the cell's number \"\(trimmed.prefix(20))\" is not a number; "
                + "save the workbook from Excel again")
        }
        if dateStyle, let date = ExcelDate.text(serial: number, date1904: date1904) { return date }
        return String(format: "%.15g", number)
    }

    static func integer(_ buffer: [UInt8], _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 9 else { return nil }
        var value = 0
        for byte in buffer[range] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}

/// Excel's date serials: days since 1899-12-30 in the 1900 system (with its fictitious
/// 29 February 1900, serial 60, kept for Lotus 1-2-3), days since 1904-01-01 in the 1904 system;
/// the fraction is the time of day.
enum ExcelDate {
    /// ISO 8601 text, or nil for a serial outside 1900–9999 (then shown as a number).
    static func text(serial: Double, date1904: Bool) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds == 86_400 {
            days += 1
            seconds = 0
        }
        let time = String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        if days == 0 && !date1904 { return time }
        let date: String
        if !date1904 && days == 60 {
            date = "1900-02-29"
        } else {
            // Days since 1970-01-01.
            let unix = date1904 ? days - 24_107 : (days < 60 ? days - 25_568 : days - 25_569)
            date = civil(unix)
        }
        return seconds == 0 ? date : date + "T" + time
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01, as `YYYY-MM-DD`.
    static func civil(_ days: Int) -> String {
        let (year, month, day) = UTCDateFields.civil(fromDays: days)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}
