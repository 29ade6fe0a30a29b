import Foundation
import Testing
import TrustFixtures

@testable import TrustDomain

/// Workbooks made outside the reader: by Python's zipfile (`Tests/Fixtures/xlsx/make_xlsx.py`)
/// and by LibreOffice, from the same CSV the reader's result is compared with.
enum WorkbookFixture {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/xlsx/make_xlsx.py").standardizedFileURL.path

    static func temporary() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) \(arguments): \(text)")
        return text
    }

    /// The CSV as a workbook written by `make_xlsx.py` (`style`: plain or mixed).
    static func fromCSV(_ csv: [UInt8], style: String = "plain", sheet: String = "Sheet1") throws -> [UInt8] {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.csv"), output = dir.appendingPathComponent("out.xlsx")
        try Data(csv).write(to: input)
        try run("/usr/bin/python3", [script, "csv", input.path, output.path, "--style", style, "--sheet", sheet])
        return Array(try Data(contentsOf: output))
    }

    /// The CSV opened and saved as .xlsx by LibreOffice Calc, every column imported as text (as
    /// Forms' own workbook holds its answers).
    static func libreOffice(_ csv: [UInt8], columns: Int) throws -> [UInt8] {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("export.csv")
        try Data(csv).write(to: input)
        let formats = (1...columns).map { "\($0)/2" }.joined(separator: "/")
        try run("/usr/bin/soffice", ["-env:UserInstallation=file://\(dir.path)/profile", "--headless",
                                     "--infilter=CSV:44,34,76,1,\(formats)", "--convert-to", "xlsx",
                                     "--outdir", dir.path, input.path])
        return Array(try Data(contentsOf: dir.appendingPathComponent("export.xlsx")))
    }

    static func hostile(_ kind: String, valid: [UInt8]? = nil) throws -> [UInt8] {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("h.xlsx")
        var arguments = [script, "hostile", kind, output.path]
        if let valid {
            try Data(valid).write(to: dir.appendingPathComponent("valid.xlsx"))
            arguments.append(dir.appendingPathComponent("valid.xlsx").path)
        }
        try run("/usr/bin/python3", arguments)
        return Array(try Data(contentsOf: output))
    }
}

@Suite("Workbooks (.xlsx) read as their CSV")
struct WorkbookTests {
    static func survey() throws -> SurveyDefinition {
        try SurveyDefinition.load(contentsOf: ConfigFixture.directory.appendingPathComponent("surveys/colleagues-2022.json"))
    }

    static func formsCSV(_ respondents: Int = 120) throws -> [UInt8] {
        Array(SyntheticForms.export(survey: try survey(), academies: try ConfigFixture.academies(),
                                    options: .init(respondents: respondents, seed: 7)).csv.utf8)
    }

    static func export(_ bytes: [UInt8]) throws -> FormsExport {
        try FormsExport.read(bytes, survey: try survey(), academies: try ConfigFixture.academies())
    }

    static func table(_ bytes: [UInt8]) throws -> [[String]] {
        var reader = try TableReader(bytes)
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row.fields) }
        return rows
    }

    @Test(arguments: ["plain", "mixed"])
    func aFormsWorkbookGivesTheSameResponsesAndReportAsItsCSV(style: String) throws {
        let csv = try Self.formsCSV()
        let xlsx = try WorkbookFixture.fromCSV(csv, style: style)
        #expect(try Self.table(xlsx) == Self.table(csv))
        let fromCSV = try Self.export(csv), fromXLSX = try Self.export(xlsx)
        #expect(fromXLSX.format == .xlsx(sheet: "Sheet1") && fromCSV.format == .csvUTF8)
        #expect(fromXLSX.responses.map(\.record) == fromCSV.responses.map(\.record))
        #expect(fromXLSX.responses.map(\.formsID) == fromCSV.responses.map(\.formsID))
        #expect(fromCSV.responses.count == 120)
        let academies = try ConfigFixture.academies()
        #expect(SurveyReport.build(survey: try Self.survey(), academies: academies, records: fromXLSX.responses.map(\.record))
            == SurveyReport.build(survey: try Self.survey(), academies: academies, records: fromCSV.responses.map(\.record)))
    }

    @Test func aFormsExportSavedByLibreOfficeGivesTheSameResponses() throws {
        let csv = try Self.formsCSV(60)
        let columns = try CSV.parse(csv).header.fields.count
        let xlsx = try WorkbookFixture.libreOffice(csv, columns: columns)
        #expect(try Self.export(xlsx).responses.map(\.record) == Self.export(csv).responses.map(\.record))
    }

    @Test func aDataDropWorkbookGivesTheSamePupilsAsItsCSV() throws {
        let generator = DropDataGenerator(seed: 3, catalog: try ConfigFixture.academies())
        let file = try #require(generator.file(for: AcademyID("birstall"), drop: DropID("2021-22/summer")!))
        for style in ["plain", "mixed"] {
            let xlsx = try WorkbookFixture.fromCSV(file.bytes, style: style)
            let read = try DataDropFile.read(xlsx)
            #expect(read.format == .xlsx(sheet: "Sheet1"))
            #expect(read.pupils == (try DataDropFile.validate(file.bytes)), "\(style)")
            #expect(read.pupils.count > 100)
        }
        let lo = try WorkbookFixture.libreOffice(file.bytes, columns: DropColumn.allCases.count)
        #expect(try DataDropFile.validate(lo) == DataDropFile.validate(file.bytes))
    }

    @Test func aWorkbookWithAnErrorNamesTheSheetAndCell() throws {
        let generator = DropDataGenerator(seed: 3, catalog: try ConfigFixture.academies())
        let file = try #require(generator.file(for: AcademyID("birstall"), drop: DropID("2021-22/autumn")!))
        var lines = String(decoding: file.bytes, as: UTF8.self).components(separatedBy: "\r\n")
        var third = lines[2].components(separatedBy: ",")
        third[1] = "7"  // year, column B, sheet row 3
        lines[2] = third.joined(separator: ",")
        let xlsx = try WorkbookFixture.fromCSV(Array(lines.joined(separator: "\r\n").utf8), sheet: "Pupils")
        let rejection = #expect(throws: DropRejection.self) { try DataDropFile.validate(xlsx) }
        #expect(rejection?.description == "Pupils!B3, column year: \"7\" is not a primary year (N, R, 1–6)")

        var rows = try CSV.parse(try Self.formsCSV(3)).rows.map(\.fields)
        let header = try CSV.parse(try Self.formsCSV(3)).header.fields
        let column = header.firstIndex(of: try Self.survey().questions.first { $0.type == .likert5 }!.text)!
        rows[1][column] = "Maybe"
        let bad = SurveyFixture.csv(rows, header: header)
        let error = #expect(throws: SurveyImportError.self) { try Self.export(try WorkbookFixture.fromCSV(bad)) }
        let letter = SheetScanner.columnName(column)
        #expect(error?.problems.map(\.description).first?.hasPrefix("row 3 (Sheet1!\(letter)3), question ") == true,
                "\(error?.problems ?? [])")
        #expect(error?.description.contains("\"Maybe\" is not on the agreement scale") == true)
    }

    // MARK: hostile workbooks: a clear error each, in bounded time and memory

    static func workbookError(_ bytes: [UInt8], limits: CSVLimits = .standard) -> String? {
        do {
            var reader = try TableReader(bytes, limits: limits)
            while try reader.next() != nil {}
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("zip-bomb", "expands to more than 100 times its compressed size"),
        ("zip-bomb-understated", "expands to more than 100 times its compressed size"),
        ("entries-100000", "the zip holds 100000 parts; a workbook has a few dozen and the limit is 1000"),
        ("doctype", "it has a DOCTYPE or other declaration, which can define entities"),
        ("entity", "the entity reference &lol3; is not one of XML's five; entities are refused"),
        ("empty-rows-1000000", "Sheet1 row 100002: more than 100000 rows after the header"),
        ("encrypted", "the workbook is protected with a password (encrypted)"),
    ])
    func hostileWorkbooksAreRefusedClearly(kind: String, expected: String) throws {
        let error = Self.workbookError(try WorkbookFixture.hostile(kind))
        #expect(error?.contains(expected) == true, "\(kind): \(error ?? "no error")")
    }

    @Test func aTruncatedWorkbookIsRefusedClearly() throws {
        let valid = try WorkbookFixture.fromCSV(try Self.formsCSV(20))
        let error = Self.workbookError(try WorkbookFixture.hostile("truncated", valid: valid))
        #expect(error?.hasPrefix("the workbook is damaged or incomplete (the zip directory at its end is missing") == true,
                "\(error ?? "")")
        // Every shorter prefix of a small workbook is refused too, never read as fewer rows.
        let small = try WorkbookFixture.fromCSV(Array("ID,x\r\n1,a\r\n".utf8))
        for cut in stride(from: 4, to: small.count, by: 7) {
            #expect(Self.workbookError(Array(small.prefix(cut))) != nil, "cut at \(cut)")
        }
        #expect(Self.workbookError(small) == nil)
    }

    @Test func anOldExcelFileAndADamagedPartAreNamed() throws {
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        #expect(Self.workbookError(xls) == WorkbookError.legacyExcel.description)
        var damaged = try WorkbookFixture.fromCSV(Array("ID,x\r\n1,a\r\n".utf8))
        // Flip a byte inside the sheet's compressed data: CRC or inflate must notice.
        let name = Array("xl/worksheets/sheet1.xml".utf8)
        let local = try #require((0..<damaged.count - name.count).first { Array(damaged[$0..<$0 + name.count]) == name })
        damaged[local + name.count + 20] ^= 0xFF
        #expect(Self.workbookError(damaged)?.contains("the workbook is damaged or incomplete") == true)
    }

    // MARK: SpreadsheetML details

    @Test func sharedStringsRichTextEscapesAndCellTypesReadAsTheirText() throws {
        let csv = "ID,Text,Flag\r\n1,\"tab\there _x0041_ ’ £\",TRUE\r\n2,\"line\r\nbreak\",FALSE\r\n"
        let xlsx = try WorkbookFixture.fromCSV(Array(csv.utf8), style: "mixed")
        #expect(try Self.table(xlsx) == [["ID", "Text", "Flag"], ["1", "tab\there _x0041_ ’ £", "TRUE"],
                                          ["2", "line\r\nbreak", "FALSE"]])
    }

    @Test func dateSerialsReadAsISODatesInBothSystems() {
        #expect(ExcelDate.text(serial: 44_509, date1904: false) == "2021-11-09")
        #expect(ExcelDate.text(serial: 44_509.4270833333, date1904: false) == "2021-11-09T10:15:00")
        #expect(ExcelDate.text(serial: 0.5, date1904: false) == "12:00:00")
        #expect(ExcelDate.text(serial: 1, date1904: false) == "1900-01-01")
        #expect(ExcelDate.text(serial: 59, date1904: false) == "1900-02-28")
        #expect(ExcelDate.text(serial: 60, date1904: false) == "1900-02-29")
        #expect(ExcelDate.text(serial: 61, date1904: false) == "1900-03-01")
        #expect(ExcelDate.text(serial: 43_047, date1904: true) == "2021-11-09")  // 1,462 days apart
        #expect(ExcelDate.text(serial: 0, date1904: true) == "1904-01-01")
        #expect(NumberFormat.isDate("dd/mm/yyyy\\ hh:mm") && NumberFormat.isDate("[h]:mm") && NumberFormat.isDate("mmm-yy"))
        #expect(!NumberFormat.isDate("General") && !NumberFormat.isDate("0.00") && !NumberFormat.isDate("\"days\" 0")
            && !NumberFormat.isDate("[Red]#,##0"))
    }

    @Test func aSheetIsChosenByNameIgnoringCaseOrElseTheFirstVisible() throws {
        let xlsx = try WorkbookFixture.fromCSV(Array("ID,x\r\n1,a\r\n".utf8), style: "mixed", sheet: "Responses")
        #expect(try TableReader(xlsx).format == .xlsx(sheet: "Responses"))  // "Lists" is hidden
        #expect(try TableReader(xlsx, sheet: "lists").format == .xlsx(sheet: "Lists"))
        #expect(throws: TableError.workbook(WorkbookError("the workbook has no sheet \"Other\" (its sheets: \"Lists\", \"Responses\")"))) {
            try TableReader(xlsx, sheet: "Other")
        }
    }
}
