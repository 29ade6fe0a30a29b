import Foundation
import Testing

@testable import TrustDomain

@Suite("Survey: the agreement scale")
struct SurveyLikertTests {
    @Test func theFiveLabelsMapToOneToFive() {
        #expect(LikertScale.labels.map(LikertScale.value) == [1, 2, 3, 4, 5])
    }

    @Test(arguments: [
        ("strongly agree", 5), ("STRONGLY AGREE", 5), ("  Strongly   agree ", 5), ("StronglyAgree", 5),
        ("strongly\u{00A0}disagree", 1), ("Neither Agree Nor Disagree", 3), ("disagree", 2), ("\tAgree\n", 4),
    ])
    func caseAndSpacesDoNotMatter(text: String, value: Int) {
        #expect(LikertScale.value(text) == value)
    }

    @Test(arguments: ["Agree strongly", "Strongly agreee", "5", "Neutral", "Somewhat agree", "Agree.", "N/A", "Yes"])
    func anythingElseIsNotOnTheScale(text: String) {
        #expect(LikertScale.value(text) == nil)
    }

    @Test func anUnknownAnswerIsAnErrorNamingRowQuestionAndValue() throws {
        let bytes = SurveyFixture.csv([
            SurveyFixture.row(1, "Birstall", ["Agree", "agree", "STRONGLY DISAGREE", "Teacher", "", ""]),
            SurveyFixture.row(2, "Birstall", ["Agree strongly", "Agree", "Agree", "Teacher", "", ""]),
        ])
        let problems = try SurveyFixture.problems(bytes)
        #expect(problems == [.notOnScale(row: 3, question: "cared", value: "Agree strongly")])
        #expect(problems[0].description == "row 3, question cared: \"Agree strongly\" is not on the agreement scale "
            + "(Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree)")
    }
}

@Suite("Survey: reading a Forms export")
struct SurveyImportTests {
    let good = SurveyFixture.row(1, "Birstall Primary Academy",
                                 ["Strongly agree", "Disagree", "", "teacher", "Coaching;Wellbeing day;", "Lovely, \"really\""])

    @Test func aGoodRowBecomesAnAnonymousRecord() throws {
        let export = try FormsExport.read(SurveyFixture.csv([good]), survey: try SurveyFixture.survey(),
                                          academies: try ConfigFixture.academies())
        let response = try #require(export.responses.first)
        #expect(response.row == 2)
        #expect(response.formsID == "1")
        #expect(response.record == SurveyRecord(academy: AcademyID("birstall"), answers: [
            SurveyAnswer(question: "cared", value: .likert(5)),
            SurveyAnswer(question: "balance", value: .likert(2)),
            SurveyAnswer(question: "role", value: .choice("Teacher")),
            SurveyAnswer(question: "took-part", value: .choices(["Coaching", "Wellbeing day"])),
            SurveyAnswer(question: "comments", value: .text("Lovely, \"really\"")),
        ]))
        // Nothing from the Email or Name columns survives reading.
        #expect(!"\(export.responses)".contains("person1@example.org"))
        #expect(!"\(export.responses)".contains("Person Number1"))
    }

    @Test func theAcademyMayBeGivenByNameShortNameOrIdInAnyCase() throws {
        let rows = ["Old Trafford Community Academy", "old trafford", "OLD-TRAFFORD", " Old  Trafford "].enumerated().map {
            SurveyFixture.row($0.offset + 1, $0.element, ["", "", "", "", "", ""])
        }
        let records = try SurveyFixture.records(SurveyFixture.csv(rows))
        #expect(records.map(\.academy.rawValue) == Array(repeating: "old-trafford", count: 4))
        #expect(records.allSatisfy { $0.answers.isEmpty })
    }

    @Test func otherAnswersCountAsOtherAndTheirTextIsDropped() throws {
        let row = SurveyFixture.row(1, "Wilsden", ["", "", "", "Lunchtime supervisor (Mrs Jones)", "", ""])
        let records = try SurveyFixture.records(SurveyFixture.csv([row]))
        #expect(records[0].answers == [SurveyAnswer(question: "role", value: .choice("Other"))])
    }

    @Test func columnsMayComeInAnyOrderAndWithoutTheIdentityColumns() throws {
        let header = ["Anything else?", "ID", "Which academy do you work in?", "Which have you taken part in?",
                      "Which best describes your role?", "My workload is manageable.", "I have a good work-life balance.",
                      "My academy cares about my wellbeing."]
        let bytes = SurveyFixture.csv([["", "7", "Coppice", "Peer review", "Teacher", "Agree", "Agree", "Disagree"]], header: header)
        let records = try SurveyFixture.records(bytes)
        #expect(records[0].answers.map(\.question) == ["took-part", "role", "manageable", "balance", "cared"])
        #expect(records[0].answers.last?.value == .likert(2))
    }

    @Test func missingColumnsAndAnUnknownColumnAreAllListed() throws {
        var header = SurveyFixture.header
        header.removeAll { $0 == "ID" || $0 == "My workload is manageable." || $0 == "Which academy do you work in?" }
        header.append("Would you like a prize draw entry?")
        let problems = try SurveyFixture.problems(SurveyFixture.csv([], header: header))
        #expect(problems == [
            .unknownColumn(header: "Would you like a prize draw entry?"),
            .missingColumn(header: "ID", role: "Forms' response ID"),
            .missingColumn(header: "Which academy do you work in?", role: "the academy question"),
            .missingColumn(header: "My workload is manageable.", role: "question manageable"),
            .noResponses,
        ])
        #expect(problems[3].description == "there is no column \"My workload is manageable.\" for question manageable")
    }

    @Test func aRepeatedColumnIsAnError() throws {
        let header = SurveyFixture.header + ["Anything else?"]
        let problems = try SurveyFixture.problems(SurveyFixture.csv([SurveyFixture.row(1, "Coppice", ["", "", "", "", "", "", ""])], header: header))
        #expect(problems == [.duplicateColumn(header: "Anything else?", columns: ["12", "13"])])
    }

    @Test func everyRowErrorIsListedWithItsRow() throws {
        let bytes = SurveyFixture.csv([
            SurveyFixture.row(1, "Coppice", ["Agree", "Agree", "Agree", "Teacher", "Coaching", ""]),
            ["", "", "", "a@b.org", "A B", "Coppice", "", "", "", "", "", ""],
            SurveyFixture.row(1, "Coppice", ["", "", "", "", "", ""]),
            SurveyFixture.row(4, "", ["", "", "", "", "", ""]),
            SurveyFixture.row(5, "Bristol Academy", ["", "", "", "", "", ""]),
            SurveyFixture.row(6, "Deeplish", ["5", "", "", "", "Coaching;Yoga;", ""]),
        ])
        let problems = try SurveyFixture.problems(bytes)
        #expect(problems == [
            .blankID(row: 3),
            .repeatedID(row: 4, firstRow: 2),
            .blankAcademy(row: 5),
            .unknownAcademy(row: 6),
            .notOnScale(row: 7, question: "cared", value: "5"),
            .notAChoice(row: 7, question: "took-part", value: "Yoga", choices: ["Wellbeing day", "Coaching", "Peer review"]),
        ])
        #expect(problems.map(\.description) == [
            "row 3: the ID is blank",
            "row 4: the ID is the same as row 2's; a response cannot appear twice in one export",
            "row 5: the academy question is not answered",
            "row 6: the academy answer is not one of the trust's academies (not quoted here: if a name on the row has a comma, the columns have shifted and it may be part of a name)",
            "row 7, question cared: \"5\" is not on the agreement scale (Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree)",
            "row 7, question took-part: \"Yoga\" is not one of its choices (Wellbeing day, Coaching, Peer review)",
        ])
    }

    @Test func aFileThatIsNotCSVIsRejected() throws {
        let problems = try SurveyFixture.problems(Array("ID,\"unterminated\n".utf8))
        #expect(problems == [.unreadable(.csv(.unterminatedQuote(line: 1)))])
        #expect(try SurveyFixture.problems([]) == [.unreadable(.csv(.empty))])
    }

    @Test func errorsNeverQuoteContactDetailsAndAreShortened() {
        let problem = SurveyProblem.notAChoice(row: 2, question: "role", value: "Call me on 07700 900123 or me@home.net please, any time at all", choices: ["A"])
        #expect(problem.description == "row 2, question role: \"Call me on [phone removed] or [email re…\" is not one of its choices (A)")
    }

    @Test func theOneLineReasonKeepsWholeProblemsAndCountsTheRest() {
        let problems = (2...200).map { SurveyProblem.blankAcademy(row: $0) }
        let error = SurveyImportError(surveyID: "pulse-2022", problems: problems)
        let line = error.oneLine(limit: 200)
        #expect(line.count <= 200)
        #expect(line.hasPrefix("survey \"pulse-2022\" export rejected, nothing stored: 199 problems: row 2: the academy question is not answered; "))
        #expect(line.hasSuffix("more"))
        let shown = line.components(separatedBy: "the academy question is not answered").count - 1
        #expect(line.hasSuffix("; … and \(199 - shown) more"))
        #expect(!line.contains("\n"))
        #expect(error.description.split(separator: "\n").count == 200)
        let single = SurveyImportError(surveyID: "x", problems: [.noResponses])
        #expect(single.oneLine() == "survey \"x\" export rejected, nothing stored: 1 problem: the export has a header row but no responses")
    }
}

@Suite("Survey: redaction of contact details")
struct SurveyRedactionTests {
    @Test(arguments: [
        "07700 900123", "07700900123", "0770 090 0123", "+44 7700 900123", "+447700900123", "0044 7700 900123",
        "0113 496 0000", "(0113) 496 0000", "020 7946 0000", "0161-496-0000", "+44 (0)161 496 0000", "01632 960123",
        "0113.496.0000",
    ])
    func ukPhoneNumbersAreRemoved(number: String) {
        #expect(SurveyRedaction.redact("ring me on \(number) after 4") == "ring me on [phone removed] after 4")
    }

    @Test(arguments: ["jo.bloggs@gmail.com", "Mr.O'Brien+school@outlook.co.uk", "a_b-c@sub.focus-trust.co.uk"])
    func emailAddressesAreRemoved(address: String) {
        #expect(SurveyRedaction.redact("write to \(address).") == "write to [email removed].")
    }

    @Test(arguments: [
        "We meet at 15:30 on 14/09/2021.", "Year 6 SATs were 2022.", "It cost £1,000 for 120 children.",
        "Follow @FocusTrust on Twitter", "Ofsted said Good in 2019", "Our URN is 143216.", "Room 0113 is cold",
    ])
    func otherNumbersAndTextAreLeftAlone(text: String) {
        #expect(SurveyRedaction.redact(text) == text)
    }

    @Test func commentsAreRedactedWhenRead() throws {
        let row = SurveyFixture.row(1, "Thornton", ["", "", "", "", "", "Email me: j.smith@gmail.com or 07700 900 456"])
        let records = try SurveyFixture.records(SurveyFixture.csv([row]))
        #expect(records[0].answers == [SurveyAnswer(question: "comments", value: .text("Email me: [email removed] or [phone removed]"))])
    }
}

@Suite("Survey import errors never quote a respondent")
struct SurveyImportPrivacyTests {
    @Test func aNameWithAnUnquotedCommaDoesNotReachTheErrorText() throws {
        // "Smith, Sarah" written without quotes, and the row one cell short: every column after
        // Name shifts left by one and "Sarah" lands in the academy column.
        let fields = ["7", "6/6/22 9:00:00", "6/6/22 9:05:00", "s.smith@example.org", "Smith", " Sarah", "Coppice",
                      "Agree", "Agree", "Agree", "Teacher", "Coaching"]
        let bytes = SurveyFixture.csv([fields])
        let problems = try SurveyFixture.problems(bytes)
        #expect(!problems.isEmpty)
        for p in problems {
            #expect(!p.description.contains("Sarah") && !p.description.contains("Smith"), "\(p.description)")
        }
    }
}
