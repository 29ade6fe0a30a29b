import Foundation
import Store
import Testing
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

@Suite("Survey store: idempotent imports, read-back, you said")
struct SurveyStoreTests {
    func add(_ export: FormsExport, _ db: Database, id: String = "m") throws -> SurveyStore.Outcome {
        try db.transaction {
            try SurveyStore.add(export, pseudonymiser: SurveyWorld.pseudonymiser, messageID: id, now: Date(), in: db)
        }
    }

    @Test func reimportingAddsNothingAndALaterOverlappingExportAddsOnlyTheNew() throws {
        let db = try SurveyWorld.database()
        let first = try SurveyWorld.read(SurveyWorld.export(100))
        #expect(try add(first, db) == .init(added: 100, alreadyStored: 0, total: 100))
        #expect(try add(first, db, id: "again") == .init(added: 0, alreadyStored: 100, total: 100))
        let later = try SurveyWorld.read(SurveyWorld.export(100, from: 51))
        #expect(try add(later, db, id: "later") == .init(added: 50, alreadyStored: 50, total: 150))
        #expect(try db.scalar("SELECT count(DISTINCT message_id) FROM survey_responses")?.int64Value == 2)
        // What is stored is exactly respondents 1–150, whichever export each came in.
        let all = try SurveyWorld.read(SurveyWorld.export(150))
        let survey = try SurveyWorld.colleagues()
        let stored = try SurveyStore.report(survey, academies: try SurveyWorld.academies(), in: db)
        let direct = SurveyReport.build(survey: survey, academies: try SurveyWorld.academies(), records: all.responses.map(\.record))
        #expect(stored == direct)
        #expect(stored.responses.trust.n == 150)
    }

    @Test func recordsReadBackAsTheyWereAnswered() throws {
        let db = try SurveyWorld.database()
        let export = try SurveyWorld.read(SurveyWorld.export(60, contactRate: 0.5))
        _ = try add(export, db)
        let back = try SurveyStore.records(try SurveyWorld.colleagues(), in: db)
        // The store orders answers by question id; compare as sets of answers per response.
        #expect(back.count == 60)
        for (original, stored) in zip(export.responses.map(\.record), back) {
            #expect(stored.academy == original.academy)
            #expect(Set(stored.answers) == Set(original.answers))
        }
        let multi = back.flatMap(\.answers).first { if case .choices(let o) = $0.value { o.count > 1 } else { false } }
        #expect(multi != nil, "some respondent chose several options of the multi question")
    }

    @Test func theLatestYouSaidIsTheMostRecentlyProcessedSurvey() throws {
        let db = try SurveyWorld.database()
        #expect(try SurveyStore.latestYouSaid(db) == nil)
        let academies = try SurveyWorld.academies()
        let colleagues = YouSaid.summarise(SurveyReport.build(
            survey: try SurveyWorld.colleagues(), academies: academies,
            records: try SurveyWorld.read(SurveyWorld.export(80)).responses.map(\.record)))
        let familySurvey = try SurveyWorld.library.definition("families-2022")
        let familyCSV = SyntheticForms.export(survey: familySurvey, academies: academies, options: .init(respondents: 80))
        let families = YouSaid.summarise(SurveyReport.build(
            survey: familySurvey, academies: academies,
            records: try FormsExport.read(Array(familyCSV.csv.utf8), survey: familySurvey, academies: academies).responses.map(\.record)))
        try SurveyStore.saveYouSaid(colleagues, now: Date(timeIntervalSince1970: 1_655_000_000), in: db)
        try SurveyStore.saveYouSaid(families, now: Date(timeIntervalSince1970: 1_655_000_100), in: db)
        #expect(try SurveyStore.latestYouSaid(db) == families)
        #expect(try SurveyStore.latestYouSaid(db, audience: .colleagues) == colleagues)
        #expect(colleagues.themes.count == 9 && colleagues.responses == 80)
        #expect(colleagues.themes.allSatisfy { $0.weakest == nil || $0.weakest!.percentAgree <= $0.strongest.percentAgree })
    }

    @Test func contentDerivedMessageIDsAndRoutingKeys() {
        let a = SurveySubmission.messageID(surveyID: "colleagues-2022", body: Array("abc".utf8))
        #expect(a == "survey:colleagues-2022:sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SurveySubmission.messageID(surveyID: "colleagues-2022", body: Array("abd".utf8)) != a)
        #expect(SurveySubmission.surveyID(routingKey: "survey.families-2022") == "families-2022")
        #expect(SurveySubmission.surveyID(routingKey: "survey.../etc") == nil)
        #expect(SurveySubmission.surveyID(routingKey: "datadrop.birstall") == nil)
    }

    @Test func anUnknownSurveyListsTheKnownOnes() {
        do {
            _ = try SurveyWorld.library.definition("staff-2019")
            Issue.record("expected an unknown survey")
        } catch {
            #expect("\(error)" == """
                survey "staff-2019" export rejected, nothing stored: 1 problem:
                  there is no survey "staff-2019" (Config/surveys/staff-2019.json; known: colleagues-2022, families-2022)
                """)
        }
    }
}
