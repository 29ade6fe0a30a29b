import Foundation
import Testing

@testable import TrustDomain

/// Forms exports as Forms writes them: headers in another case, quiz and edit-time columns,
/// "Neutral" for the middle of the scale, rating, Net Promoter Score and ranking questions,
/// and Excel's Windows-1252 CSV save.
@Suite("Survey: Forms exports as Forms writes them")
struct FormsRealExportTests {
    static let json = """
        {
          "id": "pulse-2023", "title": "Pulse", "audience": "colleagues",
          "academy_question": "Which academy do you work in?",
          "likert_labels": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
          "questions": [
            {"id": "cared", "text": "My academy cares about my wellbeing.", "theme": "wellbeing", "type": "likert5"},
            {"id": "stars", "text": "How would you rate CPD this year?", "theme": "cpd", "type": "rating", "scale": 10},
            {"id": "recommend", "text": "How likely are you to recommend working here?", "theme": "cpd", "type": "nps"},
            {"id": "priorities", "text": "Rank these priorities", "theme": "cpd", "type": "ranking",
             "choices": ["Workload", "Pay", "Training"]},
            {"id": "comments", "text": "Anything else?", "theme": "cpd", "type": "text"}
          ]
        }
        """

    static let header = ["id ", "Start time", "Completion time", "Email", "Name", "Last modified time", "Total points",
                         "Quiz feedback", "  which ACADEMY do you work in? ", "My academy cares about my wellbeing.",
                         "Points - My academy cares about my wellbeing.", "Feedback - My academy cares about my wellbeing.",
                         "HOW WOULD YOU RATE CPD THIS YEAR?", "How likely are you to recommend working here?",
                         "Rank these priorities", "Anything else?"]

    static func row(_ id: Int, _ answers: [String]) -> [String] {
        ["\(id)", "6/6/22 9:00:00", "6/6/22 9:05:00", "anonymous", "", "6/6/22 9:06:00", "3", "Well done",
         "Birstall"] + [answers[0], "1", "", answers[1], answers[2], answers[3], answers[4]]
    }

    static func read(_ bytes: [UInt8]) throws -> FormsExport {
        try FormsExport.read(bytes, survey: try SurveyDefinition.load(from: Data(json.utf8), file: "test"),
                             academies: try ConfigFixture.academies())
    }

    @Test func quizColumnsCaseAndSpacesAndTheNewQuestionTypesRead() throws {
        let bytes = SurveyFixture.csv([
            Self.row(1, ["Neutral", "9", "0", "Pay;Training;Workload;", "fine"]),
            Self.row(2, ["Neither agree nor disagree", "10", "10", "Training;Workload;Pay;", ""]),
            Self.row(3, ["strongly agree", "", "7", "", ""]),
        ], header: Self.header)
        let export = try Self.read(bytes)
        #expect(export.responses.map(\.record.answers) == [
            [.init(question: "cared", value: .likert(3)), .init(question: "stars", value: .choice("9")),
             .init(question: "recommend", value: .choice("0")),
             .init(question: "priorities", value: .choices(["Pay", "Training", "Workload"])),
             .init(question: "comments", value: .text("fine"))],
            [.init(question: "cared", value: .likert(3)), .init(question: "stars", value: .choice("10")),
             .init(question: "recommend", value: .choice("10")),
             .init(question: "priorities", value: .choices(["Training", "Workload", "Pay"]))],
            [.init(question: "cared", value: .likert(5)), .init(question: "recommend", value: .choice("7"))],
        ])
        // The report shows the survey's own wording and each scale's points.
        let survey = try SurveyDefinition.load(from: Data(Self.json.utf8), file: "test")
        #expect(survey.questions[0].labels[2] == "Neutral")
        #expect(survey.questions[1].labels == (1...10).map(String.init))
        #expect(survey.questions[2].labels == (0...10).map(String.init))
        let report = SurveyReport.build(survey: survey, academies: try ConfigFixture.academies(),
                                        records: export.responses.map(\.record))
        let recommend = try #require(report.allQuestions.first { $0.id == "recommend" })
        // Three respondents are below the threshold of 5: the trust figure is suppressed too.
        #expect(recommend.labels.count == 11 && recommend.results.trust.status == .suppressed)
    }

    @Test func scoresOutsideTheirScaleAndRepeatedRanksAreNamed() throws {
        let bytes = SurveyFixture.csv([
            Self.row(1, ["Agree", "11", "-1", "Pay;Pay;Training;", ""]),
            Self.row(2, ["Somewhat", "4.5", "ten", "Salary;", ""]),
        ], header: Self.header)
        let error = #expect(throws: SurveyImportError.self) { try Self.read(bytes) }
        #expect(error?.problems.map(\.description) == [
            "row 2, question stars: \"11\" is not a whole number from 1 to 10",
            "row 2, question recommend: \"-1\" is not a whole number from 0 to 10",
            "row 2, question priorities: \"Pay\" is ranked twice",
            "row 3, question cared: \"Somewhat\" is not on the agreement scale (Strongly disagree, Disagree, Neutral, Agree, Strongly agree)",
            "row 3, question stars: \"4.5\" is not a whole number from 1 to 10",
            "row 3, question recommend: \"ten\" is not a whole number from 0 to 10",
            "row 3, question priorities: \"Salary\" is not one of its choices (Workload, Pay, Training)",
        ])
    }

    @Test func aDuplicateStatementHeaderIsExplained() throws {
        var header = Self.header
        header[15] = "my academy cares about my wellbeing."  // a second Likert question with the same statement
        let bytes = SurveyFixture.csv([Self.row(1, ["Agree", "", "", "", "x"])], header: header)
        let error = #expect(throws: SurveyImportError.self) { try Self.read(bytes) }
        let text = error?.problems.map(\.description).first ?? ""
        #expect(text.hasPrefix("the column \"My academy cares about my wellbeing.\" appears more than once (columns 10, 16)"))
        #expect(text.contains("Forms names a Likert statement's column by the statement alone"))
    }

    @Test func badLikertLabelsAreRefusedOnLoad() {
        let four = Self.json.replacingOccurrences(of: "\"Neutral\", ", with: "")
        #expect(throws: ConfigError.self) { try SurveyDefinition.load(from: Data(four.utf8), file: "test") }
        let twice = Self.json.replacingOccurrences(of: "\"Neutral\"", with: "\"agree\"")
        #expect(throws: ConfigError.self) { try SurveyDefinition.load(from: Data(twice.utf8), file: "test") }
        let scale = Self.json.replacingOccurrences(of: "\"scale\": 10", with: "\"scale\": 11")
        #expect(throws: ConfigError.self) { try SurveyDefinition.load(from: Data(scale.utf8), file: "test") }
    }

    // MARK: Windows-1252

    /// What Excel's plain "CSV (Comma delimited)" save writes on a UK machine.
    static func windows1252(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar -> UInt8 in
            switch scalar {
            case "’": 0x92
            case "“": 0x93
            case "”": 0x94
            case "€": 0x80
            default: UInt8(scalar.value)  // ASCII and Latin-1 are the same bytes
            }
        }
    }

    @Test func aWindows1252ExportKeepsCurlyQuotesAndPounds() throws {
        let csv = SurveyFixture.line(Self.header)
            + SurveyFixture.line(Self.row(1, ["Agree", "", "", "", "It’s £5 for “Zoë’s” café, €2 too"]))
        let bytes = Self.windows1252(csv)
        #expect(String(validating: bytes, as: UTF8.self) == nil)
        let export = try Self.read(bytes)
        #expect(export.format == .csvWindows1252)
        #expect(export.responses[0].record.answers.last == .init(question: "comments",
                                                                 value: .text("It’s £5 for “Zoë’s” café, €2 too")))
    }

    static func readAll(_ bytes: [UInt8]) throws(TableError) {
        var reader = try TableReader(bytes)
        _ = try reader.readTable()
    }

    @Test func utf8MixedWithWindows1252AndBinaryStayRefused() throws {
        // UTF-8 ’ then a lone 0xA3: neither encoding reads it as a person wrote it.
        let mixed = Array("a,b\r\n’,".utf8) + [0xA3] + Array("\r\n".utf8)
        #expect(throws: TableError.csv(.invalidUTF8(line: 2, byteOffset: 9))) { try Self.readAll(mixed) }
        // An undefined byte (0x81) or a control character is not text in Windows-1252 either.
        #expect(throws: TableError.csv(.invalidUTF8(line: 2, byteOffset: 7))) {
            try Self.readAll(Array("a,b\r\nx,".utf8) + [0x81, 0x41])
        }
        #expect(throws: TableError.csv(.invalidUTF8(line: 2, byteOffset: 5))) {
            try Self.readAll(Array("a,b\r\n".utf8) + [0xE9, 0x01, 0x2C, 0x41])
        }
        #expect(throws: TableError.csv(.utf16)) { try Self.readAll([0xFF, 0xFE, 0x61, 0x00]) }
        var reader = try TableReader(Array("a,b\r\n".utf8) + [0xE9, 0x2C, 0xA3])
        #expect(reader.format == .csvWindows1252)
        #expect(try reader.readTable().rows[0].fields == ["é", "£"])
    }
}
