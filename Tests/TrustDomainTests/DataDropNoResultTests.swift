import Foundation
import Testing

@testable import TrustDomain

/// The statutory no-result codes in a drop file: A (absent), D (disapplied), J (new arrival,
/// not yet assessed), accepted where a judgement or check score is due, never for targets.
@Suite("Data-drop no-result codes")
struct DataDropNoResultTests {
    private func records(_ row: String) throws -> [PupilRecord] {
        try DataDropFile.validate(Data(dropFile(row).utf8))
    }

    @Test(arguments: NoResult.allCases)
    func eachCodeIsAcceptedForAJudgementInAnyCase(reason: NoResult) throws {
        let code = "\(reason.code)"
        for text in [code, code.lowercased(), " \(code) "] {
            let pupil = try #require(try records(pupilRow(1, year: "6", [.writing: text])).first)
            #expect(pupil.attainment?.writing == .noResult(reason))
            #expect(pupil.attainment?.reading == .exs)
        }
    }

    @Test(arguments: NoResult.allCases)
    func eachCodeIsAcceptedForPhonicsAndTheMultiplicationCheck(reason: NoResult) throws {
        let code = "\(reason.code)"
        #expect(try records(pupilRow(1, year: "1", [.phonics: code])).first?.phonics == .noResult(reason))
        #expect(try records(pupilRow(1, year: "2", [.phonics: code])).first?.phonics == .noResult(reason))
        #expect(try records(pupilRow(1, year: "4", [.mtc: code])).first?.multiplicationCheck == .noResult(reason))
    }

    @Test(arguments: NoResult.allCases)
    func noCodeIsATarget(reason: NoResult) {
        #expect(messages([.readingTarget: "\(reason.code)"]) == [
            "line 2, column reading_target: \"\(reason.code)\" is not a judgement (BLW, WTS, EXS or GDS)",
        ])
    }

    @Test func codesAreStillForTheirOwnYearsAndOtherLettersAreRefused() {
        #expect(messages(year: "R", [.reading: "A"]) == [
            "line 2, column reading: \"A\" is given for a reception pupil, but reading is for years 1–6 only; leave it empty",
        ])
        #expect(messages(year: "3", [.phonics: "A"]) == [
            "line 2, column phonics: \"A\" is given for a year 3 pupil, but phonics is for years 1 and 2 only; leave it empty",
        ])
        #expect(messages(year: "4", [.mtc: "X"]) == [
            "line 2, column mtc: \"X\" is not a whole number from 0 to 25; or A absent, D disapplied, J new arrival",
        ])
        #expect(messages([.maths: "L"]) == [
            "line 2, column maths: \"L\" is not a judgement (BLW, WTS, EXS or GDS; or A absent, D disapplied, J new arrival)",
        ])
    }

    /// Year 2 may carry a phonics result: the score by the end of year 2 (a retake score).
    @Test func aYearTwoPhonicsRetakeScoreIsAllowed() throws {
        #expect(try records(pupilRow(1, year: "2", [.phonics: "33"])).first?.phonics == 33)
        #expect(messages(year: "2", [.phonics: "41"]) == [
            "line 2, column phonics: \"41\" is not a whole number from 0 to 40; or A absent, D disapplied, J new arrival",
        ])
    }
}
