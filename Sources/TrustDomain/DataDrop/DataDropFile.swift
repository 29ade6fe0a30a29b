import Foundation

/// Turns the bytes of a data-drop CSV into pupil records, or refuses the whole file with every
/// problem in it (a drop is all-or-nothing, per the contract).
///
/// Decisions the contract leaves open:
/// - Header names are matched after trimming spaces and ignoring case, with spaces or hyphens
///   for underscores (`Reading target`).
/// - Every contract column is required. Name columns (forename, surname, legal names…) are
///   dropped as the file is read and never stored; any other extra column is an error, since
///   a column nobody expected is likelier a mistake than a harmless addition.
/// - Codes also accept the spellings in `DropSpellings` (`Expected`, `Year 3`, `SEN Support`).
/// - gld is required for reception in the summer drop only: the Early Years Foundation Stage
///   profile is completed in the summer term.
/// - Values are trimmed and codes are case-insensitive. A row whose values are all empty is
///   skipped (spreadsheets export formatted-but-empty rows as `,,,,`).
/// - Phonics (years 1 and 2: year 2 holds the result by the end of year 2, a retake score for
///   pupils who did not meet the standard in year 1) and MTC (year 4) are optional even in
///   their years; gld is required for reception.
/// - Judgements (not targets), phonics and MTC also take the statutory no-result codes A
///   (absent), D (disapplied) and J (new arrival, not yet assessed) instead of a result. Any of them on a row of another year is an error, as are judgements or
///   targets on nursery and reception rows.
/// - If a row's year is itself invalid, the year-dependent columns are checked for format only,
///   so one typo does not produce a cascade of misleading errors.
/// - A CSV structural error (a broken quote, a ragged row) stops reading; the row errors found
///   before it are still reported with it.
public enum DataDropFile {
    /// Far above the largest academy (about 650 pupils) while keeping a hostile file small.
    public static let defaultLimits = CSVLimits(
        maxBytes: 5 << 20, maxColumns: 200, maxFieldBytes: 1 << 10, maxRows: 10_000)
    public static let defaultMaxListedErrors = 100
    /// The most rows worth reserving room for before reading; a file claiming more is hostile.
    static let limitsRowsCap = 20_000

    /// The pupils of a valid file. `term` is the drop's term; nil applies every term's rules
    /// at once (the strictest reading).
    public static func validate(_ data: Data, term: Term? = nil, limits: CSVLimits = defaultLimits,
                                maxListedErrors: Int = defaultMaxListedErrors, sheet: String? = nil)
        throws(DropRejection) -> [PupilRecord]
    {
        guard data.count <= limits.maxBytes else {
            throw DropRejection(errors: [DropValidationError(.csv(.tooLarge(bytes: data.count, limit: limits.maxBytes)))],
                                totalCount: 1)
        }
        return try read(Array(data), term: term, limits: limits, maxListedErrors: maxListedErrors, sheet: sheet).pupils
    }

    public static func validate(_ bytes: [UInt8], term: Term? = nil, limits: CSVLimits = defaultLimits,
                                maxListedErrors: Int = defaultMaxListedErrors, sheet: String? = nil)
        throws(DropRejection) -> [PupilRecord]
    {
        try read(bytes, term: term, limits: limits, maxListedErrors: maxListedErrors, sheet: sheet).pupils
    }

    /// A valid file's pupils, what was set aside while reading it, and what the file was read
    /// as: a CSV file (UTF-8 or Windows-1252) or an .xlsx sheet (`TableReader`); the rules and
    /// messages are the same for each, a workbook's naming the cell (`Sheet1!F7`) where a CSV
    /// file's name the line.
    public static func read(_ bytes: [UInt8], term: Term? = nil, limits: CSVLimits = defaultLimits,
                            maxListedErrors: Int = defaultMaxListedErrors, sheet: String? = nil)
        throws(DropRejection) -> DropFileContents
    {
        // A pupil row is about 45 bytes; sizing the containers up front saves regrowing them.
        var validation = Validation(cap: maxListedErrors, term: term,
                                    expectedRows: min(bytes.count / 40, DataDropFile.limitsRowsCap))
        var format = TableFormat.csvUTF8
        do throws(TableError) {
            var reader = try TableReader(bytes, limits: limits, sheet: sheet)
            format = reader.format
            try validation.run(&reader)
        } catch {
            validation.add(DropValidationError(error))
        }
        return DropFileContents(pupils: try validation.result(), droppedNameColumns: validation.droppedNameColumns,
                                format: format)
    }
}

/// What a valid data-drop file held.
public struct DropFileContents: Sendable {
    public let pupils: [PupilRecord]
    /// Headers of the name columns that were ignored (never read, never stored).
    public let droppedNameColumns: [String]
    /// What the file was read as.
    public let format: TableFormat

    public init(pupils: [PupilRecord], droppedNameColumns: [String] = [], format: TableFormat = .csvUTF8) {
        self.pupils = pupils
        self.droppedNameColumns = droppedNameColumns
        self.format = format
    }
}

private struct Validation {
    let cap: Int
    var listed: [DropValidationError] = []
    var total = 0
    var records: [PupilRecord] = []
    var columnIndex: [DropColumn: Int] = [:]
    /// `columnIndex` as field positions in `DropColumn.ordinal` order, for the per-row loop.
    var fieldOfOrdinal: [Int] = []
    /// First line of each UPN so far, by `UPN.number`.
    var lineOfUPN: [Int: Int] = [:]
    let term: Term?
    var droppedNameColumns: [String] = []
    var places = TablePlaces(sheet: nil)

    init(cap: Int, term: Term?, expectedRows: Int) {
        self.cap = max(cap, 1)
        self.term = term
        records.reserveCapacity(expectedRows)
        lineOfUPN.reserveCapacity(expectedRows)
    }

    mutating func add(_ error: DropValidationError) {
        total += 1
        if listed.count < cap { listed.append(error) }
    }

    func result() throws(DropRejection) -> [PupilRecord] {
        guard total == 0 else { throw DropRejection(errors: listed, totalCount: total) }
        return records
    }

    mutating func run(_ reader: inout TableReader) throws(TableError) {
        places = reader.places
        guard let header = try reader.next() else {
            return add(DropValidationError(line: 0, reason:
                "the file is empty; it needs the header row \(DropColumn.header) and a row for each pupil"))
        }
        guard readHeader(header) else { return }
        while let row = try reader.next() {
            if let record = validateRow(row) { records.append(record) }
        }
        if records.isEmpty && total == 0 {
            add(DropValidationError(line: 0, reason: "the file has no pupil rows"))
        }
    }

    /// Returns whether rows can be checked: only when every column is present exactly once.
    private mutating func readHeader(_ header: CSVRecord) -> Bool {
        var numberOfName: [String: String] = [:]
        for (index, field) in header.fields.enumerated() {
            let trimmed = field.trimmingDropWhitespace
            let name = trimmed.lowercased()
            let number = places.columnLabel(index)
            let cell = places.cell(row: header.line, column: index)
            if name.isEmpty {
                add(DropValidationError(line: header.line, cell: cell, reason:
                    "column \(number) has no name; delete the empty column"))
            } else if let first = numberOfName[name] {
                add(DropValidationError(line: header.line, cell: cell, column: name, reason:
                    "the column appears twice (columns \(first) and \(number))"))
            } else {
                numberOfName[name] = number
                if let column = DropColumn(rawValue: name) ?? DropSpellings.column(trimmed) {
                    if let earlier = columnIndex[column] {
                        add(DropValidationError(line: header.line, column: column.rawValue, reason:
                            "the column appears twice (columns \(earlier + 1) and \(number))"))
                    }
                    columnIndex[column] = index
                } else if DropSpellings.isNameColumn(trimmed) {
                    droppedNameColumns.append(DropValidationError.displaySafe(trimmed))
                } else {
                    add(DropValidationError(line: header.line, cell: cell, value: trimmed, reason:
                        "(column \(number)) is not a data-drop column; delete it, since a drop carries only \(DropColumn.header)"))
                }
            }
        }
        let missing = DropColumn.allCases.filter { columnIndex[$0] == nil }.map(\.rawValue)
        if !missing.isEmpty {
            add(DropValidationError(line: header.line, cell: places.row(header.line), reason:
                "the header lacks \(missing.count == 1 ? "the column" : "the columns") \(missing.joined(separator: ", ")); it must be \(DropColumn.header)"))
        }
        fieldOfOrdinal = DropColumn.allCases.map { columnIndex[$0] ?? -1 }
        return total == 0
    }

    private mutating func validateRow(_ row: CSVRecord) -> PupilRecord? {
        // An array indexed by column ordinal, not a dictionary: this runs for every pupil, and
        // indexing costs no hashing.
        let values = fieldOfOrdinal.map { row.fields[$0].trimmingDropWhitespace }
        if values.allSatisfy(\.isEmpty) { return nil }

        var check = RowCheck(line: row.line, values: values, term: term, places: places, fieldOfOrdinal: fieldOfOrdinal)
        let upn = check.upn()
        let year = check.value(.year, parse: YearGroup.init(code:))
        let gender = check.value(.gender, parse: Gender.init(code:))
        let pp = check.value(.pp, parse: yesNo)
        let eal = check.value(.eal, parse: yesNo)
        let send = check.value(.send, parse: SENDStatus.init(code:))
        let attainment = check.subjects((.reading, .writing, .maths), year: year, parse: Assessment.init(code:))
        let targets = check.subjects((.readingTarget, .writingTarget, .mathsTarget), year: year,
                                     parse: Judgement.init(code:))
        let gld = check.value(.gld, year: year, parse: yesNo)
        let phonics = check.value(.phonics, year: year) { checkResult($0, in: 0...40) }
        let mtc = check.value(.mtc, year: year) { checkResult($0, in: 0...25) }

        if let upn {
            if let first = lineOfUPN[upn.number] {
                check.fail(.upn, upn.rawValue, "repeats the UPN on line \(first)")
            } else {
                lineOfUPN[upn.number] = row.line
            }
        }
        check.errors.forEach { add($0) }
        guard check.errors.isEmpty, let upn, let year, let pp, let eal, let send else { return nil }
        return PupilRecord(upn: upn, year: year, gender: gender, pupilPremium: pp, eal: eal,
                           send: send, attainment: attainment, targets: targets,
                           goodLevelOfDevelopment: gld, phonics: phonics,
                           multiplicationCheck: mtc)
    }
}

/// The checks on one row, collecting every problem rather than stopping at the first.
private struct RowCheck {
    let line: Int
    /// The row's values by `DropColumn.ordinal`; a missing column reads as empty.
    let values: [String]
    let term: Term?
    let places: TablePlaces
    let fieldOfOrdinal: [Int]
    var errors: [DropValidationError] = []

    mutating func fail(_ column: DropColumn, _ value: String?, _ reason: String) {
        errors.append(DropValidationError(line: line, cell: places.cell(row: line, column: fieldOfOrdinal[column.ordinal]),
                                          column: column.rawValue, value: value, reason: reason))
    }

    /// Applies the column's presence rule for this row's year, then parses a non-empty value.
    /// `year` is nil for year-independent columns and when the row's own year is invalid.
    mutating func value<T>(_ column: DropColumn, year: YearGroup? = nil,
                           parse: (String) -> T?) -> T? {
        let text = values[column.ordinal]
        let scopeLabel = column.scopeLabel
        if let scopeLabel, let year, !column.admits(year) {
            if !text.isEmpty {
                fail(column, text, "is given for a \(year.name) pupil, but \(column.rawValue) is for \(scopeLabel) only; leave it empty")
            }
            return nil
        }
        if text.isEmpty {
            if column.isRequired(in: term), scopeLabel == nil || year != nil {
                let forYear = year.map { " for \($0.name)" } ?? ""
                fail(column, nil, "a value is required\(forYear) (\(column.allowedValues))")
            }
            return nil
        }
        guard let parsed = parse(text) else {
            fail(column, text, column.invalidReason)
            return nil
        }
        return parsed
    }

    mutating func upn() -> UPN? {
        guard let text = value(.upn, parse: { $0.uppercasedCode }) else { return nil }
        do {
            return try UPN(text)
        } catch {
            fail(.upn, text, error.reason)
            return nil
        }
    }

    mutating func subjects<Value>(_ columns: (DropColumn, DropColumn, DropColumn), year: YearGroup?,
                                  parse: (String) -> Value?) -> SubjectValues<Value>? {
        // All three are checked (no short-circuit), so every bad value is reported.
        let reading = value(columns.0, year: year, parse: parse)
        let writing = value(columns.1, year: year, parse: parse)
        let maths = value(columns.2, year: year, parse: parse)
        guard let reading, let writing, let maths else { return nil }
        return SubjectValues(reading: reading, writing: writing, maths: maths)
    }
}

private func yesNo(_ text: String) -> Bool? {
    switch text.uppercasedCode {
    case "Y": true
    case "N": false
    default: DropSpellings.yesNo[DropSpellings.normalised(text)]
    }
}

/// A score in `range`, or a no-result code.
private func checkResult(_ text: String, in range: ClosedRange<Int>) -> CheckResult? {
    if let score = wholeNumber(text, in: range) { return .score(score) }
    return NoResult(code: text).map { .noResult($0) }
}

private func wholeNumber(_ text: String, in range: ClosedRange<Int>) -> Int? {
    guard text.utf8.count <= 3, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
        let number = Int(text), range.contains(number)
    else { return nil }
    return number
}

extension String {
    /// Trims Unicode whitespace (including the no-break spaces spreadsheets paste in), without
    /// allocating when there is nothing to trim, which is almost always.
    var trimmingDropWhitespace: String {
        // Nearly every value is short ASCII with nothing to trim: answer that from the bytes,
        // without looking up Unicode properties (a large share of ingestion time otherwise).
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return self
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) {
            return self
        }
        return String(scalars[first...last])
    }
}
