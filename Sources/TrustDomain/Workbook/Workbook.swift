import Foundation

/// An .xlsx workbook (SpreadsheetML, ECMA-376) read from bytes in memory: the package
/// relationships lead to the workbook, whose relationships lead to its sheets, shared strings
/// and styles. Only what turning a sheet into rows needs is read: no formulas are evaluated,
/// no formatting is applied except to recognise dates.
public struct Workbook {
    public struct Sheet: Equatable, Sendable {
        public let name: String
        let part: String
        public let visible: Bool
    }

    let zip: ZipArchive
    let limits: WorkbookLimits
    /// In the workbook's order, which is the order of Excel's tabs.
    public let sheets: [Sheet]
    let sharedStrings: [String]
    /// Per cell style (`s`), whether its number format shows a date or time.
    let dateStyles: [Bool]
    /// The 1904 date system (Excel for Mac before 2011); otherwise 1900.
    let date1904: Bool

    public init(_ bytes: [UInt8], limits: WorkbookLimits = WorkbookLimits()) throws(WorkbookError) {
        zip = try ZipArchive(bytes, limits: limits)
        self.limits = limits
        let root = try Self.relationships(of: "", zip, limits)
        guard let workbookPart = root.first(where: { $0.type.hasSuffix("/officeDocument") })?.target
                ?? (zip.entry("xl/workbook.xml") != nil ? "xl/workbook.xml" : nil)
        else {
            if let mimetype = zip.entry("mimetype"),
               let text = try? Inflater(entry: mimetype, in: bytes, limits: limits).readAll(),
               String(decoding: text, as: UTF8.self).contains("opendocument") {
                throw .openDocument
            }
            if zip.entry("EncryptedPackage") != nil { throw .encrypted }
            throw WorkbookError("the zip is not an Excel workbook (it has no xl/workbook.xml); "
                + "save the data as Excel Workbook (.xlsx) or CSV UTF-8 (Comma delimited)")
        }
        let related = try Self.relationships(of: workbookPart, zip, limits)
        var sheets: [Sheet] = []
        var date1904 = false
        var scanner = XMLScanner(part: workbookPart, bytes: try Self.read(workbookPart, zip, limits))
        while let token = try scanner.next() {
            guard case .start(let name, let attributes, _) = token else { continue }
            if scanner.isNamed(name, "workbookPr") {
                let value = try scanner.attributeValue("date1904", in: attributes)
                date1904 = value == "1" || value == "true"
            } else if scanner.isNamed(name, "sheet") {
                guard let sheetName = try scanner.attributeValue("name", in: attributes),
                      let id = try scanner.attributeValue("id", in: attributes),
                      let target = related.first(where: { $0.id == id })
                else { throw .xml(workbookPart, "a sheet without a name or a relationship") }
                // Chart sheets and dialog sheets have no cells; only worksheets are candidates.
                guard target.type.hasSuffix("/worksheet") else { continue }
                let state = try scanner.attributeValue("state", in: attributes)
                sheets.append(Sheet(name: sheetName, part: target.target, visible: state == nil || state == "visible"))
            }
        }
        guard !sheets.isEmpty else { throw .xml(workbookPart, "the workbook lists no worksheet") }
        self.sheets = sheets
        self.date1904 = date1904
        let strings = related.first { $0.type.hasSuffix("/sharedStrings") }
        sharedStrings = if let strings { try Self.sharedStrings(strings.target, zip, limits) } else { [] }
        let styles = related.first { $0.type.hasSuffix("/styles") }
        dateStyles = if let styles { try Self.dateStyles(styles.target, zip, limits) } else { [] }
    }

    /// The sheet called `name` (compared ignoring case, as Excel does), or else the first
    /// visible sheet: the one Excel opens on for a workbook with a single tab of data.
    public func sheet(named name: String?) throws(WorkbookError) -> Sheet {
        if let name {
            guard let sheet = sheets.first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw WorkbookError("the workbook has no sheet \"\(name)\" (its sheets: "
                    + sheets.map { "\"\($0.name)\"" }.joined(separator: ", ") + ")")
            }
            return sheet
        }
        return sheets.first(where: \.visible) ?? sheets[0]
    }

    /// Rows of one sheet, read as the sheet's part inflates.
    func rows(of sheet: Sheet) throws(WorkbookError) -> SheetScanner {
        guard let entry = zip.entry(sheet.part) else {
            throw .damaged("the sheet \"\(sheet.name)\" is missing from the zip")
        }
        let source = try Inflater(entry: entry, in: zip.bytes, limits: limits)
        return SheetScanner(scanner: XMLScanner(part: sheet.part, source: source), sheet: sheet.name,
                            strings: sharedStrings, dateStyles: dateStyles, date1904: date1904)
    }

    // MARK: parts

    private static func read(_ part: String, _ zip: ZipArchive, _ limits: WorkbookLimits) throws(WorkbookError) -> [UInt8] {
        guard let entry = zip.entry(part) else { throw .damaged("the part \(part) is missing") }
        return try Inflater(entry: entry, in: zip.bytes, limits: limits).readAll()
    }

    struct Relationship {
        let id: String
        let type: String
        /// The part it points to, as a full name in the zip.
        let target: String
    }

    /// The relationships of `part` (`""` for the package itself), from its `_rels/*.rels`.
    private static func relationships(of part: String, _ zip: ZipArchive, _ limits: WorkbookLimits)
        throws(WorkbookError) -> [Relationship]
    {
        let slash = part.lastIndex(of: "/")
        let directory = slash.map { String(part[..<$0]) } ?? ""
        let file = slash.map { String(part[part.index(after: $0)...]) } ?? part
        let relsPart = (directory.isEmpty ? "" : directory + "/") + "_rels/" + file + ".rels"
        guard zip.entry(relsPart) != nil else { return [] }
        var scanner = XMLScanner(part: relsPart, bytes: try read(relsPart, zip, limits))
        var out: [Relationship] = []
        while let token = try scanner.next() {
            guard case .start(let name, let attributes, _) = token, scanner.isNamed(name, "Relationship") else { continue }
            if try scanner.attributeValue("TargetMode", in: attributes) == "External" { continue }
            guard let id = try scanner.attributeValue("Id", in: attributes),
                  let type = try scanner.attributeValue("Type", in: attributes),
                  let target = try scanner.attributeValue("Target", in: attributes)
            else { continue }
            out.append(Relationship(id: id, type: type, target: resolve(target, from: directory)))
        }
        return out
    }

    /// A relationship target as a part name: absolute ("/xl/…") or relative to the source's
    /// directory, with "." and ".." segments resolved.
    static func resolve(_ target: String, from directory: String) -> String {
        var segments = target.hasPrefix("/") ? [] : directory.split(separator: "/").map(String.init)
        for segment in target.split(separator: "/") {
            if segment == ".." { _ = segments.popLast() } else if segment != "." { segments.append(String(segment)) }
        }
        return segments.joined(separator: "/")
    }

    /// `sst`: one string per `si`, its runs (`r/t`) joined; phonetic guides (`rPh`) left out.
    private static func sharedStrings(_ part: String, _ zip: ZipArchive, _ limits: WorkbookLimits)
        throws(WorkbookError) -> [String]
    {
        guard let entry = zip.entry(part) else { return [] }
        var scanner = XMLScanner(part: part, source: try Inflater(entry: entry, in: zip.bytes, limits: limits))
        var strings: [String] = []
        var text = RichText()
        while let token = try scanner.next() {
            if case .start(let name, _, false) = token, scanner.isNamed(name, "si") {
                text = RichText()
                try text.read(&scanner, until: "si")
                strings.append(text.value)
            }
        }
        return strings
    }

    /// Which cell styles (`cellXfs` entries, what a cell's `s` indexes) have a date format.
    private static func dateStyles(_ part: String, _ zip: ZipArchive, _ limits: WorkbookLimits)
        throws(WorkbookError) -> [Bool]
    {
        guard zip.entry(part) != nil else { return [] }
        var scanner = XMLScanner(part: part, bytes: try read(part, zip, limits))
        var customDate: [Int: Bool] = [:]
        var styles: [Bool] = []
        var inCellXfs = false
        while let token = try scanner.next() {
            switch token {
            case .start(let name, let attributes, let selfClosing):
                if scanner.isNamed(name, "numFmt"),
                   let id = try scanner.attributeValue("numFmtId", in: attributes).flatMap({ Int($0) }),
                   let code = try scanner.attributeValue("formatCode", in: attributes) {
                    customDate[id] = NumberFormat.isDate(code)
                } else if scanner.isNamed(name, "cellXfs") {
                    inCellXfs = !selfClosing
                } else if inCellXfs, scanner.isNamed(name, "xf") {
                    let id = try scanner.attributeValue("numFmtId", in: attributes).flatMap { Int($0) } ?? 0
                    styles.append(customDate[id] ?? NumberFormat.builtInDates.contains(id))
                }
            case .end(let name):
                if scanner.isNamed(name, "cellXfs") { inCellXfs = false }
            default:
                break
            }
        }
        return styles
    }
}

/// The text of a shared string or an inline string: `t` elements, directly or in runs.
struct RichText {
    var value = ""

    /// Reads up to the end tag `until`, skipping phonetic runs (`rPh`).
    mutating func read(_ scanner: inout XMLScanner, until end: StaticString) throws(WorkbookError) {
        var inText = false
        var phonetic = 0
        var pieces: [String] = []
        while let token = try scanner.next() {
            switch token {
            case .start(let name, _, let selfClosing):
                if scanner.isNamed(name, "rPh") && !selfClosing { phonetic += 1 }
                else if scanner.isNamed(name, "t") && phonetic == 0 { inText = !selfClosing }
            case .end(let name):
                if scanner.isNamed(name, end) {
                    value = OOXMLEscape.decode(pieces.count == 1 ? pieces[0] : pieces.joined())
                    return
                }
                if scanner.isNamed(name, "rPh") { phonetic = max(0, phonetic - 1) }
                else if scanner.isNamed(name, "t") { inText = false }
            case .text(let range):
                if inText { pieces.append(try scanner.decode(range)) }
            case .literal(let range):
                if inText { pieces.append(scanner.string(range)) }
            }
        }
        throw .xml(scanner.part, "a string is not closed")
    }
}

/// `_xHHHH_`: how OOXML writes a UTF-16 code unit XML cannot carry (control characters) or a
/// literal `_x` sequence (`_x005F_` is the underscore).
enum OOXMLEscape {
    static func decode(_ text: String) -> String {
        guard text.utf8.count >= 7, text.contains("_x") else { return text }
        var units: [UInt16] = []
        let source = Array(text.utf16)
        var i = 0
        while i < source.count {
            if source[i] == 0x5F, i + 6 < source.count, source[i + 1] == 0x78, source[i + 6] == 0x5F,
               let value = UInt16(String(utf16CodeUnits: Array(source[i + 2...i + 5]), count: 4), radix: 16) {
                units.append(value)
                i += 7
            } else {
                units.append(source[i])
                i += 1
            }
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// Enough of Excel's number formats to tell a date from a number.
enum NumberFormat {
    /// Built-in formats that show dates or times (ECMA-376 §18.8.30, with the East Asian ones).
    static let builtInDates: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)

    /// A format shows a date or time when, outside quoted text, escapes and bracketed colours
    /// or conditions, it has a day, month, year, hour or second code. Elapsed time (`[h]`) counts.
    static func isDate(_ code: String) -> Bool {
        var quoted = false, escaped = false, bracket = false
        var bracketText = ""
        for ch in code.lowercased() {
            if escaped { escaped = false; continue }
            if quoted { if ch == "\"" { quoted = false }; continue }
            if bracket {
                if ch == "]" {
                    bracket = false
                    if ["h", "hh", "m", "mm", "s", "ss"].contains(bracketText) { return true }
                } else { bracketText.append(ch) }
                continue
            }
            switch ch {
            case "\"": quoted = true
            case "\\", "_", "*": escaped = true
            case "[": bracket = true; bracketText = ""
            case "d", "m", "y", "h", "s": return true
            default: break
            }
        }
        return false
    }
}
