import Foundation
import Testing

@testable import TrustDomain

@Suite("Survey: results, suppression in reports, you said")
struct SurveyReportTests {
    /// A respondent's answers to the fixture survey; nil leaves a question blank.
    func record(_ academy: String, cared: Int? = nil, balance: Int? = nil, manageable: Int? = nil,
                role: String? = nil, comment: String? = nil) -> SurveyRecord {
        var answers: [SurveyAnswer] = []
        if let cared { answers.append(.init(question: "cared", value: .likert(cared))) }
        if let balance { answers.append(.init(question: "balance", value: .likert(balance))) }
        if let manageable { answers.append(.init(question: "manageable", value: .likert(manageable))) }
        if let role { answers.append(.init(question: "role", value: .choice(role))) }
        if let comment { answers.append(.init(question: "comments", value: .text(comment))) }
        return SurveyRecord(academy: AcademyID(academy), answers: answers)
    }

    /// Birstall 6 and Coppice 7 respondents: every group is large enough.
    var openRecords: [SurveyRecord] {
        [5, 4, 4, 3, 2, 1].enumerated().map { i, v in
            record("birstall", cared: v, balance: i < 5 ? 4 : nil, manageable: 3)
        } + (0..<7).map { _ in record("coppice", cared: 4, balance: 2, manageable: 3) }
    }

    func report(_ records: [SurveyRecord]) throws -> SurveyReport {
        SurveyReport.build(survey: try SurveyFixture.survey(), academies: try ConfigFixture.academies(), records: records)
    }

    func question(_ report: SurveyReport, _ id: String) throws -> SurveyReport.Question {
        try #require(report.allQuestions.first { $0.id == id })
    }

    @Test func figuresAreCountedAsByHand() throws {
        let report = try report(openRecords)
        let cared = try question(report, "cared").results
        let birstall = try #require(cared.cell(AcademyID("birstall")))
        #expect(birstall == .init(status: .shown, n: 6, distribution: [1, 1, 1, 2, 1], percentAgree: 50.0, mean: 3.17))
        // Trust: 10 of 13 agree; (1+2+3+36+5)/13 = 3.615…
        #expect(cared.trust == .init(status: .shown, n: 13, distribution: [1, 1, 1, 9, 1], percentAgree: 76.9, mean: 3.62))
        #expect(cared.cell(AcademyID("wilsden")) == .init(status: .none, n: 0, distribution: nil, percentAgree: nil, mean: nil))
        // Birstall's wellbeing theme: 6 respondents, 11 answers [1,1,1,7,1]: 8/11 agree, 39/11 mean.
        let wellbeing = try #require(report.themes.first { $0.id == "wellbeing" }?.results)
        #expect(wellbeing.cell(AcademyID("birstall")) == .init(status: .shown, n: 6, distribution: [1, 1, 1, 7, 1],
                                                                percentAgree: 72.7, mean: 3.55))
        #expect(wellbeing.trust.n == 13)
        #expect(report.responses.trust.n == 13)
        #expect(report.responses.cell(AcademyID("coppice"))?.n == 7)
    }

    @Test func theDifferencingAttackOnlyEverYieldsAPoolOfAtLeastTheThreshold() throws {
        // Deeplish has 2 respondents. Hiding it alone, trust minus Birstall minus Coppice would
        // give Deeplish's answers exactly.
        let records = openRecords + [record("deeplish", cared: 1, balance: 1), record("deeplish", cared: 1, balance: 1)]
        let report = try report(records)
        for id in ["cared", "balance"] {
            let results = try question(report, id).results
            #expect(results.cell(AcademyID("deeplish"))?.status == .suppressed)
            let hidden = results.academies.filter { $0.cell.status == .suppressed }.map(\.academy.rawValue)
            #expect(hidden == ["birstall", "deeplish"], "\(id)")
            // What an attacker can compute: trust minus every shown academy = Birstall + Deeplish.
            let shown = results.academies.compactMap(\.cell.distribution)
            let difference = zip(results.trust.distribution!, shown.reduce([0, 0, 0, 0, 0]) { zip($0, $1).map(+) }).map(-)
            #expect(difference.reduce(0, +) >= report.threshold)
        }
        let theme = try #require(report.themes.first { $0.id == "wellbeing" }?.results)
        #expect(theme.academies.filter { $0.cell.status == .suppressed }.map(\.academy.rawValue) == ["birstall", "deeplish"])
        #expect(theme.trust.status == .shown)
        #expect(report.responses.academies.filter { $0.cell.status == .suppressed }.map(\.academy.rawValue) == ["birstall", "deeplish"])
        // Nobody at Deeplish answered "manageable"; with Deeplish's count hidden, so is that.
        #expect(try question(report, "manageable").results.cell(AcademyID("deeplish"))?.status == .suppressed)
        #expect(try question(report, "manageable").results.cell(AcademyID("wilsden"))?.status == SurveyReport.Status.none)
    }

    @Test func commentsAppearOnlyForShownGroupsAndSmallOnesArePooled() throws {
        let records = (0..<5).map { record("birstall", comment: "B\($0)") } + (0..<6).map { record("coppice", comment: "C\($0)") }
            + [record("deeplish", comment: "Only one of us at Deeplish said this")]
        let comments = try #require(try question(report(records), "comments").comments)
        // Deeplish (1) is hidden with Birstall (5, the smallest other) as cover; Coppice is shown.
        #expect(comments == [
            .init(academy: AcademyID("coppice"), comments: ["C0", "C1", "C2", "C3", "C4", "C5"]),
            .init(academy: nil, comments: ["B0", "B1", "B2", "B3", "B4", "Only one of us at Deeplish said this"]),
        ])
        // With fewer comments than the threshold in the whole trust, none are shown at all.
        let few = try question(report([record("coppice", comment: "a"), record("birstall", comment: "b")]), "comments")
        #expect(few.comments == [])
        #expect(few.results.trust.status == .suppressed)
    }

    @Test func choiceQuestionsCountEachOption() throws {
        let records = (0..<6).map { record("birstall", role: $0 == 0 ? "Other" : "Teacher") }
            + (0..<5).map { _ in record("coppice", role: "Leadership team") }
        let role = try question(report(records), "role")
        #expect(role.labels == ["Teacher", "Teaching assistant", "Leadership team", "Other"])
        #expect(role.results.trust.distribution == [5, 0, 5, 1])
        #expect(role.results.cell(AcademyID("coppice"))?.distribution == [0, 0, 5, 0])
        #expect(role.results.trust.percentAgree == nil)
    }

    @Test func youSaidPicksTheStrongestAndWeakestPublishedStatementPerTheme() throws {
        let said = YouSaid.summarise(try report(openRecords))
        #expect(said.responses == 13)
        #expect(said.themes.map(\.themeID) == ["wellbeing", "workload"])
        let wellbeing = said.themes[0]
        #expect(wellbeing.strongest.questionID == "cared" && wellbeing.strongest.percentAgree == 76.9)
        // balance: 5 agree of 12.
        #expect(wellbeing.weakest?.questionID == "balance" && wellbeing.weakest?.percentAgree == 41.7)
        #expect(said.themes[1].strongest.questionID == "manageable" && said.themes[1].weakest == nil)
        #expect(said.sentences[0] == "Wellbeing: 76.9% agreed that \u{201C}My academy cares about my wellbeing.\u{201D}; "
            + "41.7% agreed that \u{201C}I have a good work-life balance.\u{201D}")
        #expect(said.sentences[1] == "Workload: 0% agreed that \u{201C}My workload is manageable.\u{201D}")
        // Too few respondents in the whole trust: nothing to say.
        let tiny = YouSaid.summarise(try report(Array(openRecords.prefix(3))))
        #expect(tiny.responses == nil && tiny.themes.isEmpty)
    }

    @Test func renderingsShowSuppressionAndEscapeText() throws {
        let records = openRecords + [record("deeplish", cared: 1, comment: "x")]
            + (0..<5).map { _ in record("coppice", comment: "<script>alert('x')</script> & co") }
        let report = try report(records)
        let text = report.text(comments: true)
        #expect(text.hasPrefix("Pulse Survey (pulse-2022): colleagues, 19 responses\n"))
        let deeplish = try #require(text.split(separator: "\n").first { $0.hasPrefix("  Deeplish") })
        #expect(deeplish.hasSuffix("*"))
        #expect(text.contains("- <script>alert('x')</script> & co"))
        let html = report.html()
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        #expect(html.contains("<svg") && html.contains("suppressed"))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        let json = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(SurveyReport.self, from: json) == report)
    }
}
