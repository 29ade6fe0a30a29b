import Foundation
import Testing

@testable import TrustDomain

// MARK: - Fixtures shared by the data-drop tests

/// A valid UPN with the given serial: LA 380, establishment 1234, issued in '21.
func validUPN(_ serial: Int) -> String {
    let digits = "380123421" + String(1000 + serial).suffix(3)
    let letter = UPN.checkLetter(forDigits: Array(digits.utf8))!
    return String(UnicodeScalar(letter)) + digits
}

/// One CSV row, valid for its year unless `overrides` say otherwise.
func pupilRow(_ serial: Int, year: String = "3", _ overrides: [DropColumn: String] = [:])
    -> String
{
    var values: [DropColumn: String] = [
        .upn: validUPN(serial), .year: year, .gender: "F", .pp: "N", .eal: "N", .send: "N",
    ]
    if let group = YearGroup(code: year), group.isAssessed {
        for column in DropColumn.judgements + DropColumn.targets { values[column] = "EXS" }
    }
    if year == "R" { values[.gld] = "Y" }
    values.merge(overrides) { _, new in new }
    return DropColumn.allCases.map { values[$0] ?? "" }.joined(separator: ",")
}

func dropFile(_ rows: String...) -> String {
    ([DropColumn.header] + rows).joined(separator: "\n") + "\n"
}

func rejection(_ text: String, maxListedErrors: Int = 100) -> DropRejection? {
    do throws(DropRejection) {
        _ = try DataDropFile.validate(Array(text.utf8), maxListedErrors: maxListedErrors)
        return nil
    } catch {
        return error
    }
}

/// The rejection's messages, or an empty list when the file was accepted.
func messages(_ text: String) -> [String] {
    rejection(text)?.errors.map(\.description) ?? []
}

/// Messages for a file holding one row with the given values.
func messages(year: String = "3", _ overrides: [DropColumn: String]) -> [String] {
    messages(dropFile(pupilRow(1, year: year, overrides)))
}

// MARK: - Tests

@Suite("Data-drop file validation")
struct DataDropValidationTests {
    @Test func validFileGivesTypedRecords() throws {
        let text = dropFile(
            pupilRow(1, year: "N"),
            pupilRow(2, year: "R", [.gld: "n"]),
            pupilRow(3, year: "1", [.phonics: "35", .pp: "Y", .send: "K"]),
            pupilRow(4, year: "4", [.mtc: "21", .reading: "GDS", .mathsTarget: "WTS",
                                    .gender: ""]),
            pupilRow(5, year: "6", [.eal: "Y", .send: "E", .gender: "X"]))
        let records = try DataDropFile.validate(Data(text.utf8))
        #expect(records.map(\.year) == [.nursery, .reception, .year1, .year4, .year6])
        #expect(records[0].attainment == nil && records[0].targets == nil)
        #expect(records[1].goodLevelOfDevelopment == false)
        #expect(records[2].phonics == 35 && records[2].pupilPremium && records[2].send == .senSupport)
        #expect(records[3].multiplicationCheck == 21 && records[3].gender == nil)
        #expect(records[3].attainment == SubjectAssessments(reading: .gds, writing: .exs, maths: .exs))
        #expect(records[3].targets?.maths == .wts)
        #expect(records[4].eal && records[4].send == .ehcPlan && records[4].gender == .other)
        #expect(records[4].upn.rawValue == validUPN(5))
    }

    @Test func bomCRLFMixedCaseHeaderAndPaddedValuesAreAccepted() throws {
        let header = DropColumn.allCases.map { " \($0.rawValue.uppercased()) " }
            .joined(separator: ",")
        let row = " \(validUPN(1).lowercased()) ,3, f ,n,\u{A0}y\u{A0},k, exs ,wts,gds,Exs,exs,eXs,,,"
        let bytes = [0xEF, 0xBB, 0xBF] + Array("\(header)\r\n\(row)\r\n".utf8)
        let records = try DataDropFile.validate(bytes)
        #expect(records.count == 1)
        #expect(records[0].upn.rawValue == validUPN(1))
        #expect(records[0].eal && records[0].gender == .female && records[0].send == .senSupport)
        #expect(records[0].attainment == SubjectAssessments(reading: .exs, writing: .wts, maths: .gds))
    }

    @Test func columnsMayComeInAnyOrder() throws {
        let columns = DropColumn.allCases.reversed()
        let row = pupilRow(1).split(separator: ",", omittingEmptySubsequences: false).reversed()
        let text = columns.map(\.rawValue).joined(separator: ",") + "\n" + row.joined(separator: ",")
        #expect(try DataDropFile.validate(Array(text.utf8)).count == 1)
    }

    // MARK: Whole-file problems

    @Test func emptyFile() {
        #expect(messages("") == [
            "the file is empty; it needs the header row \(DropColumn.header) and a row for each pupil",
        ])
    }

    @Test func headerOnly() {
        #expect(messages(dropFile()) == ["the file has no pupil rows"])
        #expect(messages(dropFile(",,,,,,,,,,,,,,")) == ["the file has no pupil rows"])
    }

    @Test func blankSpreadsheetRowsAreSkipped() throws {
        let text = dropFile(pupilRow(1), ",,,,,,,,,,,,,,",
                            " " + String(repeating: ", ", count: 14), pupilRow(2))
        #expect(try DataDropFile.validate(Array(text.utf8)).count == 2)
    }

    @Test func csvProblemsBecomeDropErrors() {
        #expect(messages("\u{FEFF}") == [
            "the file is empty; it needs the header row \(DropColumn.header) and a row for each pupil",
        ])
        do throws(DropRejection) {
            _ = try DataDropFile.validate([0xFF, 0xFE, 0x75, 0x00])
            Issue.record("UTF-16 was accepted")
        } catch {
            #expect(error.errors.map(\.description)
                == ["the file is UTF-16; save it as CSV UTF-8 (Comma delimited)"])
            #expect(error.errors.first?.line == 0)
        }
        #expect(messages(dropFile(pupilRow(1) + ",extra")) == [
            "line 2: this row has 16 fields but the header has 15; check for a comma inside an unquoted value or a missing value",
        ])
    }

    @Test func rowErrorsBeforeACSVErrorAreKept() {
        let text = dropFile(pupilRow(1, [.year: "7"]), pupilRow(2, [.send: "S\""]))
        #expect(messages(text) == [
            "line 2, column year: \"7\" is not a primary year (N, R, 1–6)",
            "line 3: a quote (\") inside a field that does not start with a quote; put the whole field in quotes and double the inner quote (\"\")",
        ])
    }

    @Test func fileLimitsApply() {
        let text = dropFile(pupilRow(1), pupilRow(2), pupilRow(3))
        let limits = CSVLimits(maxBytes: 1 << 20, maxColumns: 200, maxFieldBytes: 64, maxRows: 2)
        do throws(DropRejection) {
            _ = try DataDropFile.validate(Array(text.utf8), limits: limits)
            Issue.record("three rows were accepted with a two-row limit")
        } catch {
            #expect(error.description == "line 4: more than 2 rows after the header; the limit is 2")
        }
    }

    // MARK: Header

    @Test func missingColumnsAreNamed() {
        let header = DropColumn.allCases.filter { $0 != .gld && $0 != .mtc }.map(\.rawValue)
        #expect(messages(header.joined(separator: ",") + "\n") == [
            "line 1: the header lacks the columns gld, mtc; it must be \(DropColumn.header)",
        ])
        let one = DropColumn.allCases.dropLast().map(\.rawValue).joined(separator: ",")
        #expect(messages(one + "\n") == [
            "line 1: the header lacks the column mtc; it must be \(DropColumn.header)",
        ])
    }

    @Test func duplicatedColumn() {
        #expect(messages(DropColumn.header + ", Reading\n") == [
            "line 1, column reading: the column appears twice (columns 7 and 16)",
        ])
    }

    @Test func unknownColumnIsAnError() {
        #expect(messages(DropColumn.header + ",Notes\n") == [
            "line 1: \"Notes\" (column 16) is not a data-drop column; delete it, since a drop carries only \(DropColumn.header)",
        ])
    }

    @Test func unnamedColumn() {
        #expect(messages(DropColumn.header + ", \n") == [
            "line 1: column 16 has no name; delete the empty column",
        ])
    }

    // MARK: UPN

    @Test func upnRules() {
        #expect(messages([.upn: ""]) == [
            "line 2, column upn: a value is required (a letter followed by 12 digits)",
        ])
        #expect(messages([.upn: "12345"]) == [
            "line 2, column upn: \"12345\" is not a UPN (a letter followed by 12 digits)",
        ])
        #expect(messages([.upn: "D38012342100A"]) == [
            "line 2, column upn: \"D38012342100A\" is a temporary UPN; use the pupil's permanent UPN",
        ])
        #expect(messages([.upn: "A801200005001"]) == [
            "line 2, column upn: \"A801200005001\" fails the UPN check-letter test; look for a mistyped digit or letter",
        ])
    }

    @Test func duplicateUPNCitesBothLines() {
        let text = dropFile(pupilRow(1), pupilRow(2), pupilRow(1, year: "5"),
                            pupilRow(3, [.upn: validUPN(2).lowercased()]))
        #expect(messages(text) == [
            "line 4, column upn: \"\(validUPN(1))\" repeats the UPN on line 2",
            "line 5, column upn: \"\(validUPN(2))\" repeats the UPN on line 3",
        ])
    }

    // MARK: Pupil characteristics

    @Test func yearRules() {
        #expect(messages([.year: "7"]) == [
            "line 2, column year: \"7\" is not a primary year (N, R, 1–6)",
        ])
        #expect(messages([.year: ""]) == ["line 2, column year: a value is required (N, R, 1–6)"])
    }

    @Test func invalidYearChecksOtherColumnsForFormatOnly() {
        #expect(messages([.year: "Y9", .reading: "EXS", .gld: "Y", .phonics: "50"]) == [
            "line 2, column year: \"Y9\" is not a primary year (N, R, 1–6)",
            "line 2, column phonics: \"50\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival",
        ])
    }

    @Test func genderRules() {
        #expect(messages([.gender: "Q"]) == [
            "line 2, column gender: \"Q\" is not a gender code (F, M, X or empty)",
        ])
        #expect(messages([.gender: ""]).isEmpty)
    }

    @Test func pupilPremiumAndEALRules() {
        #expect(messages([.pp: "yep"]) == ["line 2, column pp: \"yep\" is not Y or N"])
        #expect(messages([.eal: ""]) == ["line 2, column eal: a value is required (Y or N)"])
    }

    @Test func sendRules() {
        #expect(messages([.send: "S"]) == [
            "line 2, column send: \"S\" is not a SEND code (N, K or E)",
        ])
        #expect(messages([.send: ""]) == ["line 2, column send: a value is required (N, K or E)"])
    }

    // MARK: Judgements and targets

    @Test func judgementRules() {
        #expect(messages([.reading: "EXP"]) == [
            "line 2, column reading: \"EXP\" is not a judgement (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)",
        ])
        #expect(messages(year: "6", [.maths: ""]) == [
            "line 2, column maths: a value is required for year 6 (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)",
        ])
    }

    @Test func judgementsOnNurseryAndReceptionRows() {
        #expect(messages(year: "R", [.writing: "EXS"]) == [
            "line 2, column writing: \"EXS\" is given for a reception pupil, but writing is for years 1–6 only; leave it empty",
        ])
        #expect(messages(year: "N", [.reading: "GDS"]) == [
            "line 2, column reading: \"GDS\" is given for a nursery pupil, but reading is for years 1–6 only; leave it empty",
        ])
    }

    @Test func targetRules() {
        #expect(messages([.writingTarget: "A"]) == [
            "line 2, column writing_target: \"A\" is not a judgement (BLW, WTS, EXS or GDS)",
        ])
        #expect(messages(year: "5", [.readingTarget: ""]) == [
            "line 2, column reading_target: a value is required for year 5 (BLW, WTS, EXS or GDS)",
        ])
        #expect(messages(year: "N", [.mathsTarget: "EXS"]) == [
            "line 2, column maths_target: \"EXS\" is given for a nursery pupil, but maths_target is for years 1–6 only; leave it empty",
        ])
    }

    // MARK: Early years and statutory checks

    @Test func gldRules() {
        #expect(messages(year: "R", [.gld: ""]) == [
            "line 2, column gld: a value is required for reception (Y or N)",
        ])
        #expect(messages(year: "R", [.gld: "1"]) == ["line 2, column gld: \"1\" is not Y or N"])
        #expect(messages(year: "2", [.gld: "Y"]) == [
            "line 2, column gld: \"Y\" is given for a year 2 pupil, but gld is for reception only; leave it empty",
        ])
    }

    @Test func phonicsRules() {
        #expect(messages(year: "1", [.phonics: ""]).isEmpty)
        #expect(messages(year: "1", [.phonics: "0"]).isEmpty)
        #expect(messages(year: "1", [.phonics: "40"]).isEmpty)
        #expect(messages(year: "1", [.phonics: "41"]) == [
            "line 2, column phonics: \"41\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival",
        ])
        #expect(messages(year: "1", [.phonics: "3.5"]) == [
            "line 2, column phonics: \"3.5\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival",
        ])
        #expect(messages(year: "1", [.phonics: "-1"]) == [
            "line 2, column phonics: \"-1\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival",
        ])
        // Year 2: the result by the end of year 2 (a retake score for those who did not pass).
        #expect(messages(year: "2", [.phonics: "35"]).isEmpty)
        #expect(messages(year: "3", [.phonics: "35"]) == [
            "line 2, column phonics: \"35\" is given for a year 3 pupil, but phonics is for years 1 and 2 only; leave it empty",
        ])
    }

    @Test func mtcRules() {
        #expect(messages(year: "4", [.mtc: "25"]).isEmpty)
        #expect(messages(year: "4", [.mtc: "26"]) == [
            "line 2, column mtc: \"26\" is not a whole number from 0 to 25; or A absent, D disapplied, J new arrival",
        ])
        #expect(messages(year: "3", [.mtc: "20"]) == [
            "line 2, column mtc: \"20\" is given for a year 3 pupil, but mtc is for year 4 only; leave it empty",
        ])
    }

    // MARK: Reporting

    @Test func everyErrorInARowIsReported() {
        #expect(messages([.pp: "?", .send: "", .reading: "Q", .mtc: "3"]) == [
            "line 2, column pp: \"?\" is not Y or N",
            "line 2, column send: a value is required (N, K or E)",
            "line 2, column reading: \"Q\" is not a judgement (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)",
            "line 2, column mtc: \"3\" is given for a year 3 pupil, but mtc is for year 4 only; leave it empty",
        ])
    }

    @Test func formulaLikeValuesAreShownQuotedAndEscaped() {
        let text = dropFile(pupilRow(1, [.year: "\"=HYPERLINK(\"\"http://x\"\")\""]))
        #expect(messages(text) == [
            "line 2, column year: \"=HYPERLINK(\\\"http://x\\\")\" is not a primary year (N, R, 1–6)",
        ])
        #expect(messages([.send: "+1", .pp: "@SUM(A1)", .eal: "-2"]) == [
            "line 2, column pp: \"@SUM(A1)\" is not Y or N",
            "line 2, column eal: \"-2\" is not Y or N",
            "line 2, column send: \"+1\" is not a SEND code (N, K or E)",
        ])
    }

    @Test func longAndControlCharacterValuesAreMadeSafe() {
        let long = String(repeating: "x", count: 60)
        #expect(messages([.gender: long]) == [
            "line 2, column gender: \"\(String(repeating: "x", count: 40))…\" is not a gender code (F, M, X or empty)",
        ])
        let text = dropFile(pupilRow(1, [.gender: "\"a\tb\nc\u{202E}d\u{7}\""]))
        #expect(messages(text) == [
            "line 2, column gender: \"a\\tb\\nc\\u{202E}d\\u{7}\" is not a gender code (F, M, X or empty)",
        ])
    }

    @Test func displaySafeKeepsOrdinaryText() {
        #expect(DropValidationError.displaySafe("Zoë 😀 naïve") == "Zoë 😀 naïve")
        #expect(DropValidationError.displaySafe("a\\b\"c\r") == "a\\\\b\\\"c\\r")
        #expect(DropValidationError.displaySafe(String(repeating: "é", count: 40))
            == String(repeating: "é", count: 40))
    }

    @Test func listedErrorsAreCappedWithACountOfTheRest() {
        let rows = (1...150).map { pupilRow($0, [.year: "9"]) }
        let text = ([DropColumn.header] + rows).joined(separator: "\n")
        let capped = rejection(text)
        #expect(capped?.errors.count == 100)
        #expect(capped?.totalCount == 150)
        #expect(capped?.unlistedCount == 50)
        #expect(capped?.description.hasSuffix(
            "line 101, column year: \"9\" is not a primary year (N, R, 1–6)\n… and 50 more errors") == true)
        #expect(rejection(text, maxListedErrors: 149)?.description.hasSuffix("… and 1 more error") == true)
    }

    @Test func rejectionsEncodeForEvents() throws {
        let original = try #require(rejection(dropFile(pupilRow(1, [.year: "7"]))))
        let decoded = try JSONDecoder().decode(DropRejection.self, from: JSONEncoder().encode(original))
        #expect(decoded == original)
        #expect(decoded.errors[0] == DropValidationError(
            line: 2, column: "year", value: "7", reason: "is not a primary year (N, R, 1–6)"))
    }
}
