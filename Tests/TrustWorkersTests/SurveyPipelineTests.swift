import Broker
import Foundation
import Store
import Testing
import TrustDomain
import TrustWorkers
import WorkerKit

@Suite("Survey worker through the broker")
struct SurveyPipelineTests {
    @Test func exportsArePublishedProcessedAndReportedWithNoIdentityStored() throws {
        let run = SurveyRun()
        defer { run.cleanUp() }
        // 1–200, then the same file again, then 151–300: 300 respondents in all. Comments often
        // carry an e-mail address or phone number, as some real ones do.
        let first = try SurveyWorld.export(200, contactRate: 0.5)
        let later = try SurveyWorld.export(150, from: 151, contactRate: 0.5)
        #expect(first.csv.contains("Happy to talk more: ") && first.csv.contains("@focus-trust.co.uk"))
        var bad = first.csv.components(separatedBy: "\r\n")
        try #require(bad[3].contains(",Strongly agree,"))
        bad[3] = bad[3].replacingOccurrences(of: ",Strongly agree,", with: ",Agree strongly,")
        let badCSV = bad.joined(separator: "\r\n")
        try run.publish([("colleagues-2022", first.csv), ("colleagues-2022", first.csv), ("colleagues-2022", later.csv),
                         ("colleagues-2022", badCSV), ("staff-2019", first.csv)])
        var filesWhileRunning: [String: [UInt8]] = [:]
        try run.run(seconds: 60) {
            let settled = try run.ledger().count == 4  // the repeated file is one message id
            if settled { filesWhileRunning = SurveyWorld.rawFiles(run.db) }
            return settled
        }

        let ids = [first.csv, later.csv, badCSV].map { SurveySubmission.messageID(surveyID: "colleagues-2022", body: Array($0.utf8)) }
        let unknownID = SurveySubmission.messageID(surveyID: "staff-2019", body: Array(first.csv.utf8))
        #expect(try run.ledger() == [ids[0]: "processed", ids[1]: "processed", ids[2]: "dead-lettered", unknownID: "dead-lettered"])

        // The database holds exactly respondents 1–300, and reports them as computed directly.
        let db = try Database(path: run.db, readOnly: true)
        defer { db.close() }
        #expect(try db.scalar("SELECT count(*) FROM survey_responses")?.int64Value == 300)
        let survey = try SurveyWorld.colleagues()
        let academies = try SurveyWorld.academies()
        let everyone = try SurveyWorld.read(SurveyWorld.export(300, contactRate: 0.5))
        let report = try SurveyStore.report(survey, academies: academies, in: db)
        #expect(report.responses.trust.n == 300)
        let direct = SurveyReport.build(survey: survey, academies: academies, records: everyone.responses.map(\.record))
        #expect(report.themes.map(\.results) == direct.themes.map(\.results))
        #expect(try SurveyStore.latestYouSaid(db) == YouSaid.summarise(report))

        // Events: one survey.processed per export processed, counts only.
        let events = try run.drain(run.topology.eventLogQueue!)
        let processed = events.filter { $0.routingKey == "survey.processed.colleagues-2022" }
        #expect(processed.count == 2)
        let bodies = try processed.map { try #require(try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]) }
        #expect(bodies.map { $0["added"] as? Int } == [200, 100])
        #expect(bodies.map { $0["already_stored"] as? Int } == [0, 50])
        #expect(bodies.last?["responses"] as? Int == 300)
        #expect(Set(bodies.flatMap(\.keys)) == ["survey", "message_id", "rows", "added", "already_stored", "responses", "processed_at", "format"])
        let rejected = events.filter { $0.routingKey == "deadletter.\(run.queue)" }
        #expect(rejected.count == 2)

        // Rejected files are dead-lettered with every problem on one line, naming row and value.
        let dead = try run.drain(Topology.deadQueue(run.queue))
        let reasons = Dictionary(uniqueKeysWithValues: dead.map { ($0.properties.messageID ?? "", $0.properties.headers["x-error"]?.stringValue ?? "") })
        let badReason = try #require(reasons[ids[2]])
        #expect(badReason.hasPrefix("survey \"colleagues-2022\" export rejected, nothing stored: "))
        #expect(badReason.contains("row 4, question "))
        #expect(badReason.contains("\"Agree strongly\" is not on the agreement scale"))
        #expect(!badReason.contains("\n") && badReason.count <= 500)
        #expect(reasons[unknownID] == "survey \"staff-2019\" export rejected, nothing stored: 1 problem: there is no survey "
            + "\"staff-2019\" (Config/surveys/staff-2019.json; known: colleagues-2022, families-2022)")

        // No e-mail address, name or Forms ID anywhere in the database's files, WAL included.
        #expect(filesWhileRunning.keys.contains(run.db + "-wal"))
        #expect(!filesWhileRunning.isEmpty)
        for files in [filesWhileRunning, SurveyWorld.rawFiles(run.db)] {
            let leaks = SurveyWorld.leaks(of: first, in: files) + SurveyWorld.leaks(of: later, in: files)
            #expect(leaks.isEmpty, "\(leaks.prefix(5))")
        }
        // The check can fail: the identities are in the exports that were sent.
        #expect(!SurveyWorld.leaks(of: first, in: ["export": Array(first.csv.utf8)]).isEmpty)
    }
}
