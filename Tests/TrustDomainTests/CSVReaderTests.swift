import Foundation
import Testing

@testable import TrustDomain

private func parse(_ text: String, limits: CSVLimits = .standard) throws(CSVError) -> CSVTable {
    try CSV.parse(Array(text.utf8), limits: limits)
}

private func parseError(_ bytes: [UInt8], limits: CSVLimits = .standard) -> CSVError? {
    do throws(CSVError) {
        _ = try CSV.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, limits: CSVLimits = .standard) -> CSVError? {
    parseError(Array(text.utf8), limits: limits)
}

@Suite("CSV reader")
struct CSVReaderTests {
    @Test func simpleFileGivesHeaderRowsAndLines() throws {
        let table = try parse("a,b,c\n1,2,3\n4,5,6\n")
        #expect(table.header == CSVRecord(line: 1, fields: ["a", "b", "c"]))
        #expect(table.rows == [CSVRecord(line: 2, fields: ["1", "2", "3"]),
                               CSVRecord(line: 3, fields: ["4", "5", "6"])])
    }

    @Test func lastLineWithoutNewline() throws {
        #expect(try parse("a,b\n1,2").rows == [CSVRecord(line: 2, fields: ["1", "2"])])
    }

    @Test func utf8ByteOrderMarkIsSkipped() throws {
        let table = try CSV.parse([0xEF, 0xBB, 0xBF] + Array("upn,year\nx,y\n".utf8))
        #expect(table.header.fields == ["upn", "year"])
    }

    @Test func emptyFileAndBOMOnlyAreEmpty() {
        #expect(parseError("") == .empty)
        #expect(parseError([0xEF, 0xBB, 0xBF]) == .empty)
        #expect(parseError("\n\r\n") == .empty)
        #expect(CSVError.empty.description == "the file is empty")
    }

    @Test func crlfLfAndLoneCRAreAllLineEnds() throws {
        let table = try parse("a,b\r\n1,2\n3,4\r5,6\r\n")
        #expect(table.rows.map(\.fields) == [["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(table.rows.map(\.line) == [2, 3, 4])
    }

    @Test func blankLinesAreSkippedButStillCounted() throws {
        let table = try parse("a,b\n\n1,2\r\n\r\n3,4\n\n")
        #expect(table.rows == [CSVRecord(line: 3, fields: ["1", "2"]),
                               CSVRecord(line: 5, fields: ["3", "4"])])
    }

    @Test func rowOfCommasIsNotBlank() throws {
        #expect(try parse("a,b,c\n,,\n").rows == [CSVRecord(line: 2, fields: ["", "", ""])])
    }

    @Test func emptyAndTrailingFields() throws {
        let table = try parse("a,b,c\n1,,3\n,\"\",\n4,5,")
        #expect(table.rows.map(\.fields) == [["1", "", "3"], ["", "", ""], ["4", "5", ""]])
    }

    @Test func quotedFieldsWithCommasAndEscapedQuotes() throws {
        let table = try parse("a,b\n\"x, y\",\"she said \"\"hi\"\"\"\n\"\"\"\",\"\"\n")
        #expect(table.rows.map(\.fields) == [["x, y", "she said \"hi\""], ["\"", ""]])
    }

    @Test func embeddedNewlinesKeepPhysicalLineNumbers() throws {
        let text = "id,comment\n1,\"first\nsecond\r\nthird\"\n2,plain\n3,\"a\rb\"\n4,x\n"
        let table = try parse(text)
        // A lone CR inside quotes is a line end too, so "4,x" starts on line 8.
        #expect(table.rows.map(\.line) == [2, 5, 6, 8])
        #expect(table.rows[0].fields[1] == "first\nsecond\r\nthird")
        #expect(table.rows[2].fields[1] == "a\rb")
    }

    @Test func multibyteUTF8IsKept() throws {
        let table = try parse("name,note\nZoë,😀 naïve 日本\n")
        #expect(table.rows[0].fields == ["Zoë", "😀 naïve 日本"])
    }

    @Test func utf16ByBOMIsRejected() {
        #expect(parseError([0xFF, 0xFE, 0x61, 0x00]) == .utf16)
        #expect(parseError([0xFE, 0xFF, 0x00, 0x61]) == .utf16)
        #expect(CSVError.utf16.description
            == "the file is UTF-16; save it as CSV UTF-8 (Comma delimited)")
    }

    @Test func utf16WithoutBOMIsRecognisedByItsNULs() {
        let utf16LE = Array("upn,year\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(parseError(utf16LE) == .utf16)
        let utf16BE = Array("upn,year\n".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(parseError(utf16BE) == .utf16)
    }

    @Test func aStrayNULIsReportedWithLineAndOffset() {
        let bytes = Array("a,b\n1,2\n3,".utf8) + [0] + Array("4\n".utf8)
        let error = parseError(bytes)
        #expect(error == .nulByte(line: 3, byteOffset: 10))
        #expect(error?.description
            == "line 3: a NUL byte at byte offset 10; this is not a plain-text CSV file")
    }

    @Test(arguments: [
        ([0xFF], "a lone continuation-range byte"),
        ([0xC0, 0x80], "an overlong NUL"),
        ([0xED, 0xA0, 0x80], "a UTF-16 surrogate"),
        ([0xF4, 0x90, 0x80, 0x80], "a code point above U+10FFFF"),
        ([0xE2, 0x82], "a truncated sequence at the end"),
        ([0xE9, 0x2C], "Latin-1 é before a comma"),
    ] as [([UInt8], String)])
    func invalidUTF8IsReportedWithLineAndOffset(bad: [UInt8], why: String) {
        let bytes = Array("a,b\n1,2\nx".utf8) + bad
        #expect(parseError(bytes) == .invalidUTF8(line: 3, byteOffset: 9), "\(why)")
    }

    @Test func invalidUTF8InsideAMultilineQuotedFieldCitesItsOwnLine() {
        let bytes = Array("a,b\n1,\"x\ny\nz".utf8) + [0x80] + Array("\"\n".utf8)
        let error = parseError(bytes)
        #expect(error == .invalidUTF8(line: 4, byteOffset: 12))
        #expect(error?.description
            == "line 4: invalid UTF-8 at byte offset 12; save the file as CSV UTF-8 (Comma delimited)")
    }

    @Test func unterminatedQuoteCitesTheLineWhereItOpened() {
        let error = parseError("a,b\n1,2\n3,\"four\n5,6\n7,8\n")
        #expect(error == .unterminatedQuote(line: 3))
        #expect(error?.description
            == "line 3: a quoted field starts here but its closing quote (\") is missing")
    }

    @Test func strayQuoteInAnUnquotedField() {
        let error = parseError("a,b\n1,2\n3,4\"5\n")
        #expect(error == .strayQuote(line: 3))
        #expect(error?.description
            == "line 3: a quote (\") inside a field that does not start with a quote; put the whole field in quotes and double the inner quote (\"\")")
    }

    @Test func textAfterAClosingQuote() {
        let error = parseError("a,b\n\"1\"x,2\n")
        #expect(error == .textAfterClosingQuote(line: 2))
        #expect(error?.description
            == "line 2: text after a closing quote; a quoted field must end at a comma or the end of the line")
    }

    @Test func raggedRowsAreRejected() {
        let more = parseError("a,b\n1,2\n3,4,5\n")
        #expect(more == .wrongFieldCount(line: 3, expected: 2, found: 3))
        #expect(more?.description
            == "line 3: this row has 3 fields but the header has 2; check for a comma inside an unquoted value or a missing value")
        #expect(parseError("a,b,c\n1,2\n") == .wrongFieldCount(line: 2, expected: 3, found: 2))
    }

    @Test func raggedRowAfterAMultilineFieldCitesItsStart() {
        #expect(parseError("a,b\n\"x\ny\",2\n\"p\nq\",2,3\n")
            == .wrongFieldCount(line: 4, expected: 2, found: 3))
    }

    @Test func maxBytesLimit() throws {
        let limits = CSVLimits(maxBytes: 10)
        #expect(parseError("a,b\n123,45\n", limits: limits) == .tooLarge(bytes: 11, limit: 10))
        #expect(throws: CSVError.tooLarge(bytes: 11, limit: 10)) {
            try CSV.parse(Data("a,b\n123,45\n".utf8), limits: limits)
        }
        #expect(try parse("a,b\n12,45\n", limits: limits).rows.count == 1)
        #expect(CSVError.tooLarge(bytes: 11, limit: 10).description
            == "the file is too large: 11 bytes; the limit is 10 bytes")
    }

    @Test func maxColumnsLimit() throws {
        let limits = CSVLimits(maxColumns: 3)
        #expect(try parse("a,b,c\n1,2,3\n", limits: limits).rows.count == 1)
        let error = parseError("a,b,c,d\n", limits: limits)
        #expect(error == .tooManyColumns(line: 1, limit: 3))
        #expect(error?.description == "line 1: more than 3 columns; the limit is 3")
    }

    @Test func maxFieldBytesLimitCountsContentAfterUnescaping() throws {
        let limits = CSVLimits(maxFieldBytes: 4)
        #expect(try parse("abcd,\"ab\"\"c\"\n", limits: limits).header.fields == ["abcd", "ab\"c"])
        #expect(parseError("a\nabcde\n", limits: limits) == .fieldTooLong(line: 2, limit: 4))
        #expect(parseError("a\n\"ab\ncde\"\n", limits: limits) == .fieldTooLong(line: 2, limit: 4))
        #expect(parseError("a\n\"ab\"\"\"\"c\"\n", limits: limits) == .fieldTooLong(line: 2, limit: 4))
        #expect(CSVError.fieldTooLong(line: 2, limit: 4).description
            == "line 2: a value is longer than 4 bytes; the limit is 4")
    }

    @Test func maxRowsLimitCountsRowsAfterTheHeader() throws {
        let limits = CSVLimits(maxRows: 2)
        #expect(try parse("a\n1\n2\n", limits: limits).rows.count == 2)
        let error = parseError("a\n1\n2\n3\n", limits: limits)
        #expect(error == .tooManyRows(line: 4, limit: 2))
        #expect(error?.description == "line 4: more than 2 rows after the header; the limit is 2")
    }

    @Test func streamingReaderYieldsRecordsThenNil() throws {
        var reader = try CSVReader(Data("h\n1\n2".utf8))
        #expect(try reader.next()?.fields == ["h"])
        #expect(try reader.next()?.fields == ["1"])
        #expect(try reader.next()?.fields == ["2"])
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }
}

@Suite("CSV written for spreadsheets")
struct CSVTextTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("Birstall", "Birstall"), ("a,b", "\"a,b\""), ("two\nlines", "\"two\nlines\""),
    ])
    func formulaPrefixesAreNeutralisedAndQuotingFollowsRFC4180(input: String, expected: String) {
        #expect(CSVText.cell(input) == expected)
    }

    @Test func aWrittenLineReadsBackAsText() throws {
        let table = try CSV.parse(Array(("a,b\r\n" + CSVText.line(["=1+1", "x,y"])).utf8))
        #expect(table.rows[0].fields == ["'=1+1", "x,y"])
    }
}
