import Foundation
import Testing

@testable import TrustDomain
import TrustFixtures

@Suite("Survey: definitions in Config/surveys")
struct SurveyConfigTests {
    static let directory = ConfigFixture.directory.appendingPathComponent("surveys")

    func shipped(_ id: String) throws -> SurveyDefinition {
        try SurveyDefinition.load(contentsOf: Self.directory.appendingPathComponent("\(id).json"))
    }

    @Test func theColleagueSurveyAsksThirtyQuestionsAcrossTheFivePrioritiesAndValues() throws {
        let survey = try shipped("colleagues-2022")
        #expect(survey.audience == .colleagues)
        #expect(survey.questions.count == 30)
        #expect(survey.threshold == 5)
        let themes = survey.themeList.map(\.id)
        #expect(Array(themes.prefix(5)) == ["ft-1", "ft-2", "ft-3", "ft-4", "ft-5"])
        #expect(themes.contains("values") && themes.contains("workload"))
        #expect(survey.themeList.first { $0.id == "ft-4" }?.title == "FT-4 Improve health and wellbeing for all")
        for theme in survey.themeList where !["about", "comments"].contains(theme.id) {
            #expect(survey.questions(inTheme: theme.id).contains { $0.type == .likert5 }, "\(theme.id)")
        }
    }

    @Test func theFamilySurveyGroupsByTheChildsAcademy() throws {
        let survey = try shipped("families-2022")
        #expect(survey.audience == .families)
        #expect(survey.academyQuestion == "Which academy does your child attend?")
        #expect(Set(survey.questions.map(\.type)) == [.likert5, .choice, .multi, .text])
    }

    func problem(_ edit: (inout [String: Any]) -> Void, file: String = "test") -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(SurveyFixture.json.utf8)) as! [String: Any]
        edit(&object)
        let data = try! JSONSerialization.data(withJSONObject: object)
        do {
            _ = try SurveyDefinition.load(from: data, file: file)
            return "loaded"
        } catch {
            return error.description
        }
    }

    func editQuestion(_ index: Int, _ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { object in
            var questions = object["questions"] as! [[String: Any]]
            change(&questions[index])
            object["questions"] = questions
        }
    }

    @Test func mistakesAreNamedByQuestionFieldAndValue() {
        #expect(problem { _ in } == "loaded")
        #expect(problem(editQuestion(1) { $0["theme"] = "wellbeeing" })
            == "test: question \"balance\": theme \"wellbeeing\" is not one of the themes listed under \"themes\"")
        #expect(problem(editQuestion(1) { $0["id"] = "cared" })
            == "test: question 2: id \"cared\" is already used by question 1")
        #expect(problem(editQuestion(1) { $0["text"] = "My academy cares about  my wellbeing." })
            == "test: question \"balance\": text \"My academy cares about  my wellbeing.\" is the same column header as question \"cared\"")
        #expect(problem(editQuestion(0) { $0["text"] = "Email" })
            == "test: question \"cared\": text \"Email\" is the same column header as a Forms column")
        #expect(problem(editQuestion(3) { $0["choices"] = nil })
            == "test: question \"role\": choices [] must list the options of a choice question")
        #expect(problem(editQuestion(4) { $0["choices"] = ["A;B", "C"] })
            == "test: question \"took-part\": choices \"A;B\" contains ';', which Forms uses to separate the options of a multi question")
        #expect(problem(editQuestion(0) { $0["type"] = "likert7" })
            == "test: question \"cared\": type \"likert7\" is not a known question type (expected one of: likert5, choice, multi, text, rating, nps, ranking)")
        #expect(problem { $0["anonymity_threshold"] = 2 }
            == "test: anonymity_threshold 2 is not a group size from 3 to 100 (below 3, two colleagues could work out each other's answers)")
        #expect(problem({ _ in }, file: "pulse.json") == "pulse.json: id \"pulse-2022\" does not match the file name (expected pulse-2022.json)")
        #expect(problem { $0["audience"] = "pupils" }
            == "test: audience \"pupils\" is not a known audience (expected one of: colleagues, families)")
    }
}

@Suite("Survey: synthetic Forms exports")
struct SurveyGeneratorTests {
    let survey: SurveyDefinition
    let academies: AcademyCatalog

    init() throws {
        survey = try SurveyDefinition.load(contentsOf: SurveyConfigTests.directory.appendingPathComponent("colleagues-2022.json"))
        academies = try ConfigFixture.academies()
    }

    @Test func theSameSeedGivesTheSameBytesAndADifferentSeedDoesNot() {
        let a = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 50, seed: 1))
        let b = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 50, seed: 1))
        let c = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 50, seed: 2))
        #expect(a.csv == b.csv)
        #expect(a.csv != c.csv)
    }

    @Test func anExportReadsCleanlyAndLooksLikeForms() throws {
        let export = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 400, seed: 3))
        let lines = export.csv.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("ID,Start time,Completion time,Email,Name,Which academy do you work in?,Which best describes your role?"))
        let first = try #require(export.respondents.first)
        #expect(lines[1].hasPrefix("1,6/"))
        #expect(lines[1].contains(",\(first.email),\(first.name),"))
        #expect(first.email.hasSuffix("@focus-trust.co.uk"))
        let read = try FormsExport.read(Array(export.csv.utf8), survey: survey, academies: academies)
        #expect(read.responses.count == 400)
        #expect(read.responses.map(\.record.academy) == export.respondents.map(\.academy))
        // Realistic, not uniform: most agree overall, workload lower than values, every academy present.
        let report = SurveyReport.build(survey: survey, academies: academies, records: read.responses.map(\.record))
        let agree = { (id: String) in report.themes.first { $0.id == id }!.results!.trust.percentAgree! }
        #expect(agree("values") > 60 && agree("values") < 95)
        #expect(agree("workload") < agree("values") - 15)
        #expect(Set(read.responses.map(\.record.academy)).count >= 12)
        // Some comments carried contact details, and none survived reading.
        #expect(export.csv.contains("07700 900"))
        let comments = read.responses.flatMap(\.record.answers).compactMap { answer -> String? in
            if case .text(let t) = answer.value { return t } else { return nil }
        }
        #expect(comments.contains { $0.contains(SurveyRedaction.phoneMarker) })
        #expect(!comments.contains { $0.contains("@") || $0.contains("07700") })
    }

    @Test func overlappingExportsAgreeOnTheRespondentsTheyShare() {
        let early = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 100, seed: 9))
        let later = SyntheticForms.export(survey: survey, academies: academies, options: .init(respondents: 100, seed: 9, firstID: 51))
        let earlyRows = early.csv.components(separatedBy: "\r\n").dropFirst()
        let laterRows = later.csv.components(separatedBy: "\r\n").dropFirst()
        #expect(Array(earlyRows.dropFirst(50).prefix(50)) == Array(laterRows.prefix(50)))
        #expect(later.respondents.last?.formsID == "150")
    }
}
