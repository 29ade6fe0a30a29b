import Foundation
import Store
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers

/// What reaches the survey tables from a workbook, a Windows-1252 CSV and the newer question
/// types: the same as from the CSV UTF-8 export, character for character.
@Suite("Survey store: workbooks, Windows-1252 and the newer question types")
struct SurveyFileFormatTests {
    func store(_ export: FormsExport, _ db: Database, id: String) throws {
        try db.transaction {
            _ = try SurveyStore.add(export, pseudonymiser: SurveyWorld.pseudonymiser, messageID: id, now: Date(), in: db)
        }
    }

    func read(_ bytes: [UInt8], _ survey: SurveyDefinition) throws -> FormsExport {
        try FormsExport.read(bytes, survey: survey, academies: try SurveyWorld.academies())
    }

    /// Every stored answer row, in a fixed order, with the response's keyed ID.
    func rows(_ db: Database) throws -> [[SQLValue]] {
        try db.query("""
            SELECT r.response_key, r.academy, a.question_id, a.ordinal, a.likert, a.choice, a.comment
            FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id
            ORDER BY r.response_key, a.question_id, a.ordinal
            """).map(\.values)
    }

    @Test func aWorkbookStoresExactlyWhatItsCSVStores() throws {
        let csv = try SurveyWorld.export(150, contactRate: 0.3).csv
        let xlsx = try HostileRecipe.workbook("csv", csv: csv)
        let survey = try SurveyWorld.colleagues()
        let fromCSV = try SurveyWorld.database(), fromXLSX = try SurveyWorld.database()
        try store(try read(Array(csv.utf8), survey), fromCSV, id: "csv")
        let export = try read(xlsx, survey)
        #expect(export.format == .xlsx(sheet: "Sheet1"))
        try store(export, fromXLSX, id: "xlsx")
        let stored = try rows(fromXLSX)
        #expect(stored.count > 1_000)
        #expect(stored == (try rows(fromCSV)))
        let academies = try SurveyWorld.academies()
        #expect(try SurveyStore.report(survey, academies: academies, in: fromXLSX)
            == SurveyStore.report(survey, academies: academies, in: fromCSV))
    }

    @Test func aWindows1252ExportIsStoredWithItsCurlyQuotesAndPounds() throws {
        let survey = try SurveyWorld.colleagues()
        let utf8 = try SurveyWorld.export(20, contactRate: 0).csv
        // Give every comment ’ and £, then save as Excel's plain CSV does on a UK machine.
        let comment = try #require(survey.questions.first { $0.type == .text })
        var table = try CSV.parse(Array(utf8.utf8))
        let column = try #require(table.header.fields.firstIndex(of: comment.text))
        for i in table.rows.indices { table.rows[i].fields[column] = "It’s £\(i) a head, isn’t it?" }
        let text = ([table.header] + table.rows).map { CSVText.line($0.fields) }.joined()
        let bytes = text.unicodeScalars.map { $0 == "’" ? UInt8(0x92) : UInt8($0.value) }
        let export = try read(bytes, survey)
        #expect(export.format == .csvWindows1252)
        let db = try SurveyWorld.database()
        try store(export, db, id: "cp1252")
        let stored = try db.query("SELECT comment FROM survey_answers WHERE question_id = ? ORDER BY comment",
                                  [.text(comment.id)]).compactMap { $0.string(0) }
        #expect(stored == (0..<20).map { "It’s £\($0) a head, isn’t it?" }.sorted())
    }

    @Test func ratingNPSAndRankingAnswersReadBackAsAnswered() throws {
        let survey = try SurveyDefinition.load(from: Data("""
            {"id": "pulse-2023", "title": "Pulse", "audience": "colleagues",
             "academy_question": "Which academy do you work in?",
             "questions": [
               {"id": "stars", "text": "Rate CPD", "theme": "cpd", "type": "rating", "scale": 10},
               {"id": "recommend", "text": "Recommend us?", "theme": "cpd", "type": "nps"},
               {"id": "priorities", "text": "Rank these", "theme": "cpd", "type": "ranking",
                "choices": ["Workload", "Pay", "Training"]}]}
            """.utf8), file: "pulse-2023.json")
        let export = SyntheticForms.export(survey: survey, academies: try SurveyWorld.academies(),
                                           options: .init(respondents: 40, seed: 5))
        let read = try read(Array(export.csv.utf8), survey)
        let db = try SurveyWorld.database()
        try store(read, db, id: "pulse")
        let back = try SurveyStore.records(survey, in: db)
        #expect(back.count == 40)
        for (original, stored) in zip(read.responses.map(\.record), back) {
            #expect(Set(stored.answers) == Set(original.answers))
        }
        #expect(back.flatMap(\.answers).contains { if case .choices(let o) = $0.value { o.count == 3 } else { false } })
    }
}
