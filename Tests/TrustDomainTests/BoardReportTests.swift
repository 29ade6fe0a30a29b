import Foundation
import Testing

@testable import TrustDomain
import TrustFixtures

/// A pupil from one line of the hand-worked tables below:
/// `"3 PP K | WTS EXS WTS | EXS EXS EXS"` is a year 3 pupil-premium pupil on SEN support with
/// those judgements and targets; `"R gld"`, `"R -"` are reception pupils with and without GLD.
private func pupil(_ serial: Int, _ line: String, phonics: Int? = nil, mtc: Int? = nil)
    -> PupilRecord
{
    let parts = line.split(separator: "|").map { $0.split(separator: " ").map(String.init) }
    let facts = parts[0]
    func codes(_ index: Int) -> SubjectJudgements? {
        guard parts.count > index else { return nil }
        let j = parts[index].map { Judgement(code: $0)! }
        return SubjectJudgements(reading: j[0], writing: j[1], maths: j[2])
    }
    let send: SENDStatus = facts.contains("K") ? .senSupport : facts.contains("E") ? .ehcPlan : .none
    let year = YearGroup(code: facts[0])!
    return PupilRecord(
        upn: try! UPN(validUPN(serial)), year: year, pupilPremium: facts.contains("PP"),
        eal: facts.contains("EAL"), send: send, attainment: codes(1), targets: codes(2),
        goodLevelOfDevelopment: year == .reception ? facts.contains("gld") : nil,
        phonics: phonics, multiplicationCheck: mtc)
}

/// Alpha, spring 2021-22 (11 pupils; years 1–6: 7):
///
/// | # | pupil       | R   W   M   | targets     | exp+ R W M RWM | GDS RWM | on target RWM |
/// |---|-------------|-------------|-------------|----------------|---------|---------------|
/// | 1 | Y3 PP       | EXS EXS EXS | EXS EXS EXS | y y y y        | n       | y             |
/// | 2 | Y3 PP       | WTS EXS WTS | EXS EXS EXS | n y n n        | n       | n             |
/// | 3 | Y3          | GDS GDS GDS | EXS EXS EXS | y y y y        | y       | y             |
/// | 4 | Y3 EAL      | EXS EXS EXS | GDS EXS EXS | y y y y        | n       | n (reading)   |
/// | 5 | Y3 SEN K    | WTS WTS WTS | WTS WTS WTS | n n n n        | n       | y             |
/// | 6 | Y1          | EXS EXS EXS | EXS EXS EXS | y y y y        | n       | y             |
/// | 7 | Y1          | EXS EXS EXS | EXS EXS EXS | y y y y        | n       | y             |
///
/// Reading 5/7 = 71.4 % (amber: green 75, amber 65); writing 6/7 = 85.7 % (green); maths 5/7
/// (amber); RWM 5/7 (green at 65); RWM GDS 1/7 = 14.3 % (green at 10); on target 5/7 (amber:
/// 75/60). Disadvantaged RWM 1/2 = 50 %, others 4/5 = 80 %: gap 30 pts (red: green ≤ 10, amber
/// ≤ 20), a small cohort. Reception GLD 2/3 = 66.7 % (amber: 70/60). One phonics score (35):
/// 1/1 = 100 %. No MTC scores. Plus one nursery pupil.
private let alphaSpring: [PupilRecord] = [
    pupil(1, "3 PP | EXS EXS EXS | EXS EXS EXS"),
    pupil(2, "3 PP | WTS EXS WTS | EXS EXS EXS"),
    pupil(3, "3 | GDS GDS GDS | EXS EXS EXS"),
    pupil(4, "3 EAL | EXS EXS EXS | GDS EXS EXS"),
    pupil(5, "3 K | WTS WTS WTS | WTS WTS WTS"),
    pupil(6, "1 | EXS EXS EXS | EXS EXS EXS", phonics: 35),
    pupil(7, "1 | EXS EXS EXS | EXS EXS EXS"),
    pupil(8, "R gld"), pupil(9, "R gld"), pupil(10, "R"),
    pupil(11, "N"),
]

/// Alpha in autumn: pupil 1 was WTS in maths and pupil 4 WTS in reading. Reading 4/7 = 57.1 %,
/// RWM 3/7 = 42.9 %, so reading rose 14.3 points (printed 71 − 57 = +14 pts) and RWM 28.6
/// points (printed 71 − 43 = +28 pts: the difference of the printed figures, not 29).
private let alphaAutumn: [PupilRecord] = alphaSpring.map { pupil in
    var earlier = pupil
    if pupil.upn.rawValue == validUPN(1) { earlier.attainment?.maths = .wts }
    if pupil.upn.rawValue == validUPN(4) { earlier.attainment?.reading = .wts }
    earlier.phonics = nil
    return earlier
}

/// Beta, spring 2021-22 only (6 pupils; years 1–6: 4). Reading and RWM 3/4 = 75 % exactly
/// (green: on the threshold). Disadvantaged 1/1 = 100 %, others 2/3 = 66.7 %: gap −33 pts
/// (green). MTC one score, 20 (green at 20). GLD 2/2.
private let betaSpring: [PupilRecord] = [
    pupil(21, "6 PP | EXS EXS EXS | EXS EXS EXS"),
    pupil(22, "6 | GDS GDS GDS | GDS GDS GDS"),
    pupil(23, "6 | WTS WTS WTS | EXS EXS EXS"),
    pupil(24, "4 | EXS EXS EXS | EXS EXS EXS", mtc: 20),
    pupil(25, "R gld"), pupil(26, "R gld"),
]

/// Gamma submitted autumn and nothing since.
private let gammaAutumn: [PupilRecord] = [pupil(31, "2 | EXS EXS EXS | EXS EXS EXS")]

private let catalogJSON = #"""
    {"as_of": "2021-07",
     "trust_totals": {"pupils": 24, "pp_percent": 33.33, "eal_percent": 4.17, "send_percent": 8.33},
     "academies": [
      {"id": "alpha", "name": "Alpha <b>&</b> Primary", "short_name": "Alpha <b>&",
       "pupils": 10, "includes_nursery": true, "pp_percent": 30, "eal_percent": 10,
       "send_percent": 10, "region": "west-yorkshire",
       "ofsted": {"judgement": "Good", "date": "2018-10", "note": "strong <early> years"}},
      {"id": "beta", "name": "Beta Primary Academy", "short_name": "Beta", "pupils": 8,
       "includes_nursery": false, "pp_percent": 25, "eal_percent": 0, "send_percent": 12.5,
       "region": "north-west", "ofsted": {"judgement": null, "date": null,
       "note": "Not yet inspected as an academy"}},
      {"id": "gamma", "name": "Gamma Primary Academy", "short_name": "Gamma", "pupils": 6,
       "includes_nursery": false, "pp_percent": 50, "eal_percent": 0, "send_percent": 0,
       "region": "cheshire", "ofsted": {"judgement": "Requires Improvement", "date": "2019-03"}}
     ]}
    """#

private let spring = DropID("2021-22/spring")!
private let autumn = DropID("2021-22/autumn")!
/// 14 March 2022 09:30 UTC, before the clocks change: 09:30 in the UK.
private let generated = Date(timeIntervalSince1970: 1_647_250_200)

private func fixtureReport() throws -> BoardReport {
    let catalog = try AcademyCatalog.load(from: Data(catalogJSON.utf8))
    return BoardReport(BoardReportInput(
        drop: spring, catalog: catalog,
        aggregates: [
            AcademyID("alpha"): [spring: DropAggregates(alphaSpring),
                                 autumn: DropAggregates(alphaAutumn)],
            AcademyID("beta"): [spring: DropAggregates(betaSpring)],
            AcademyID("gamma"): [autumn: DropAggregates(gammaAutumn)],
        ],
        demographics: [AcademyID("alpha"): DropDemographics(alphaSpring),
                       AcademyID("beta"): DropDemographics(betaSpring)],
        thresholds: .defaults, generatedAt: generated))
}

private func column(_ measure: Measure) -> Int { BoardReport.columns.firstIndex(of: measure)! }

private func isClose(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-9
}

@Suite("Board report: figures")
struct BoardReportTests {
    @Test func academyFiguresMatchTheHandWorkedTable() throws {
        let report = try fixtureReport()
        let alpha = try #require(report.academies[0].figures)
        let expected: [(Measure, count: Int?, cohort: Int, text: String, RAG?, small: Bool)] = [
            (.expected(.reading), 5, 7, "71%", .amber, true),
            (.expected(.writing), 6, 7, "86%", .green, true),
            (.expected(.maths), 5, 7, "71%", .amber, true),
            (.expected(.rwm), 5, 7, "71%", .green, true),
            (.greaterDepth(.rwm), 1, 7, "14%", .green, true),
            (.onTarget(.rwm), 5, 7, "71%", .amber, true),
            (.disadvantagedGap(.rwm), nil, 2, "30 pts", .red, true),
            (.goodLevelOfDevelopment, 2, 3, "67%", .amber, true),
            (.phonicsPass, 1, 1, "100%", .green, true),
            (.multiplicationCheckMean, nil, 0, "—", nil, false),
        ]
        for (measure, count, cohort, text, rag, small) in expected {
            let figure = alpha.measures[column(measure)]
            #expect(figure.measure == measure.key)
            #expect(figure.count == count, "\(measure)")
            #expect(figure.cohort == cohort, "\(measure)")
            #expect(figure.text == text, "\(measure)")
            #expect(figure.rag == rag, "\(measure)")
            #expect(figure.smallCohort == small, "\(measure)")
        }
        #expect(isClose(alpha.measures[column(.expected(.reading))].value, 500.0 / 7))
        #expect(isClose(alpha.measures[column(.disadvantagedGap(.rwm))].value, 30))
        #expect(alpha.pupils == 11 && alpha.assessedPupils == 7)
        let rwmGap = alpha.disadvantagedGap[3]
        #expect(rwmGap.subject == .rwm)
        #expect(rwmGap.disadvantaged == ShareFigure(count: 1, total: 2, percent: 50, text: "50%"))
        #expect(rwmGap.otherPupils == ShareFigure(count: 4, total: 5, percent: 80, text: "80%"))
        // RWM by year: year 1 2/2, year 3 3/5, no pupils in the other years.
        #expect(alpha.rwmByYear.map(\.text) == ["100%", "—", "60%", "—", "—", "—"])
        #expect(alpha.rwmByYear.map(\.year) == ["1", "2", "3", "4", "5", "6"])
    }

    @Test func changesAreSinceThePreviousDropAndPrintTheDifferenceOfPrintedFigures() throws {
        let report = try fixtureReport()
        #expect(report.previousDrop == "2021-22/autumn")
        let alpha = try #require(report.academies[0].figures)
        let reading = alpha.measures[column(.expected(.reading))]
        #expect(isClose(reading.change, 100.0 / 7))
        #expect(reading.changeText == "+14 pts")
        let rwm = alpha.measures[column(.expected(.rwm))]
        #expect(isClose(rwm.change, 200.0 / 7))  // 28.57…
        #expect(rwm.changeText == "+28 pts")  // 71 − 43, as printed
        #expect(alpha.measures[column(.expected(.writing))].changeText == "±0 pts")
        // No phonics scores in autumn, so no change to show.
        #expect(alpha.measures[column(.phonicsPass)].change == nil)
        // Beta has no autumn drop: figures but no changes.
        let beta = try #require(report.academies[1].figures)
        #expect(beta.measures.allSatisfy { $0.change == nil && $0.changeText == nil })
    }

    @Test func boundariesNegativeGapsAndMeans() throws {
        let beta = try #require(try fixtureReport().academies[1].figures)
        let reading = beta.measures[column(.expected(.reading))]
        #expect(reading.value == 75 && reading.text == "75%" && reading.rag == .green)
        let gap = beta.measures[column(.disadvantagedGap(.rwm))]
        #expect(isClose(gap.value, -100.0 / 3))
        #expect(gap.text == "−33 pts" && gap.rag == .green && gap.smallCohort)
        let mtc = beta.measures[column(.multiplicationCheckMean)]
        #expect(mtc.text == "20.0" && mtc.rag == .green && mtc.cohort == 1 && mtc.count == nil)
        #expect(beta.measures[column(.phonicsPass)].text == "—")
    }

    @Test func trustTotalsCountPupilsNotAcademies() throws {
        let trust = try fixtureReport().trust
        #expect(trust.academies == 3 && trust.submitted == 2)
        #expect(trust.notSubmitted == ["Gamma Primary Academy"])
        #expect(trust.figures.pupils == 17 && trust.figures.assessedPupils == 11)
        let gld = trust.figures.measures[column(.goodLevelOfDevelopment)]
        #expect(gld.count == 4 && gld.cohort == 5 && gld.text == "80%")  // not (67 + 100) / 2
        let reading = trust.figures.measures[column(.expected(.reading))]
        #expect(reading.count == 8 && reading.cohort == 11 && reading.text == "73%")
        #expect(reading.rag == .amber && !reading.smallCohort)
        // Changes compare like with like: only Alpha has both drops.
        #expect(reading.changeText == "+14 pts")
        let rwmGap = trust.figures.disadvantagedGap[3]
        #expect(rwmGap.disadvantaged.count == 2 && rwmGap.disadvantaged.total == 3)
        #expect(rwmGap.otherPupils.count == 6 && rwmGap.otherPupils.total == 8)
        #expect(isClose(rwmGap.gap.value, 75 - 200.0 / 3))  // 75 − 66.7 = 8.3: green
        #expect(rwmGap.gap.text == "8 pts" && rwmGap.gap.rag == .green)
    }

    @Test func ragCountsTrendAndProfiles() throws {
        let report = try fixtureReport()
        let reading = report.trust.ragCounts[column(.expected(.reading))]
        #expect(reading == RAGCount(measure: "expected.reading", green: 1, amber: 1, red: 0,
                                    noValue: 0, notSubmitted: 1))
        let mtc = report.trust.ragCounts[column(.multiplicationCheckMean)]
        #expect(mtc.green == 1 && mtc.noValue == 1 && mtc.notSubmitted == 1)

        #expect(report.yearDrops == ["2021-22/autumn", "2021-22/spring"])
        // The trust's autumn point counts only this drop's submitters: Alpha, not Gamma.
        #expect(report.trust.trend.map(\.drop) == ["2021-22/autumn", "2021-22/spring"])
        #expect(report.trust.trend.map(\.academies) == [1, 2])
        #expect(report.trust.trend[0].measures[column(.expected(.rwm))].text == "43%")
        let gamma = report.academies[2]
        #expect(!gamma.submitted && gamma.status == "not submitted" && gamma.figures == nil)
        #expect(gamma.trend.map(\.drop) == ["2021-22/autumn"])
        #expect(gamma.profile.drop == nil)

        let alpha = report.academies[0].profile
        #expect(alpha.published == PupilProfile(pupils: 10, ppPercent: 30, ealPercent: 10,
                                                sendPercent: 10))
        #expect(alpha.drop?.pupils == 11)
        #expect(isClose(alpha.drop?.ppPercent, 200.0 / 11))
        #expect(isClose(alpha.drop?.ealPercent, 100.0 / 11))
        #expect(isClose(alpha.drop?.sendPercent, 100.0 / 11))
        #expect(report.trust.profile.drop?.pupils == 17)
        #expect(isClose(report.trust.profile.drop?.ppPercent, 300.0 / 17))
        #expect(report.trust.profile.published.pupils == 24)
    }

    @Test func headerFieldsAndOfsted() throws {
        let report = try fixtureReport()
        #expect(report.drop == "2021-22/spring" && report.dropName == "Spring 2021-22")
        #expect(report.generatedAt == "2022-03-14T09:30:00Z")
        #expect(report.generatedAtText == "14 March 2022, 09:30")
        #expect(report.publishedAsOf == "July 2021")
        #expect(report.academies[0].ofsted == "Good (October 2018)")
        #expect(report.academies[0].ofstedNote == "strong <early> years")
        #expect(report.academies[1].ofsted == "Not yet inspected as an academy")
        #expect(report.academies[1].ofstedNote == nil)
        #expect(report.measures.map(\.key) == [
            "expected.reading", "expected.writing", "expected.maths", "expected.rwm",
            "greater_depth.rwm", "on_target.rwm", "disadvantaged_gap.rwm", "gld",
            "phonics_pass", "mtc_mean",
        ])
        let gap = report.measures[column(.disadvantagedGap(.rwm))]
        #expect(gap.unit == .points && gap.lowerIsBetter && gap.greenAt == 10 && gap.amberAt == 20)
    }

    @Test func ukTimeFollowsBritishSummerTime() {
        // 27 March 2022 01:00 UTC the clocks went forward; 30 October 2022 01:00 UTC back.
        #expect(ReportFormat.ukDateTime(Date(timeIntervalSince1970: 1_648_342_799)) == "27 March 2022, 00:59")
        #expect(ReportFormat.ukDateTime(Date(timeIntervalSince1970: 1_648_342_800)) == "27 March 2022, 02:00")
        #expect(ReportFormat.ukDateTime(Date(timeIntervalSince1970: 1_667_091_599)) == "30 October 2022, 01:59")
        #expect(ReportFormat.ukDateTime(Date(timeIntervalSince1970: 1_667_091_600)) == "30 October 2022, 01:00")
    }

    @Test func jsonUsesSnakeCaseAndRoundTrips() throws {
        let report = try fixtureReport()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        for key in ["\"small_cohort\":true", "\"not_submitted\":[\"Gamma Primary Academy\"]",
                    "\"change_text\":\"+14 pts\"", "\"rwm_by_year\"", "\"generated_at\":\"2022-03-14T09:30:00Z\"",
                    "\"rag\":\"amber\"", "\"status\":\"not submitted\"", "\"published_as_of\""] {
            #expect(json.contains(key), "\(key)")
        }
        #expect(!json.contains("smallCohort"))
        #expect(try JSONDecoder().decode(BoardReport.self, from: Data(json.utf8)) == report)
    }
}

/// Checks the page with Python's own HTML parser: every element that is opened is closed, in
/// order, and nothing is closed that was not opened. It also returns the text of each table row
/// and the attribute-free text of the page, to check what a reader sees.
private let htmlCheck = #"""
    import sys, json
    from html.parser import HTMLParser
    VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base", "source"}
    class Check(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.errors, self.rows, self.row, self.counts = [], [], [], None, {}
        def handle_starttag(self, tag, attrs):
            self.counts[tag] = self.counts.get(tag, 0) + 1
            if tag == "tr": self.row = []
            if tag not in VOID: self.stack.append(tag)
        def handle_startendtag(self, tag, attrs):
            self.counts[tag] = self.counts.get(tag, 0) + 1
        def handle_endtag(self, tag):
            if tag in VOID: return
            if not self.stack or self.stack[-1] != tag:
                self.errors.append("</%s> at %s, open: %s" % (tag, self.getpos(), self.stack[-3:]))
                return
            self.stack.pop()
            if tag == "tr" and self.row is not None:
                self.rows.append(" ".join(self.row)); self.row = None
        def handle_data(self, data):
            if self.row is not None and data.strip(): self.row.append(data.strip())
    c = Check()
    c.feed(sys.stdin.buffer.read().decode("utf-8")); c.close()
    if c.stack: c.errors.append("never closed: %s" % c.stack)
    print(json.dumps({"errors": "\n".join(c.errors), "rows": "\n".join(c.rows),
                      "svg": str(c.counts.get("svg", 0)), "script": str(c.counts.get("script", 0)),
                      "table": str(c.counts.get("table", 0))}))
    """#

@Suite("Board report: HTML page")
struct BoardReportHTMLTests {
    @Test func thePageIsWellFormedScriptFreeAndEscaped() throws {
        let html = try fixtureReport().html()
        let parsed = try PythonParser.run(htmlCheck, input: Array(html.utf8))
        #expect(parsed["errors"] == "")
        #expect(parsed["script"] == "0")
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("javascript:"))
        // 4 subject charts, the trust trend, RWM panels for the trust and 3 academies, the gap.
        #expect(parsed["svg"] == "10")
        #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "</svg>").count)
        #expect(!html.contains("Alpha <b>"))
        #expect(html.contains("Alpha &lt;b&gt;&amp;&lt;/b&gt; Primary"))
        #expect(html.contains("Alpha &lt;b&gt;&amp;"))
        #expect(html.contains("strong &lt;early&gt; years"))
        #expect(!html.contains("<early>"))
    }

    @Test func aDropNobodyHasSubmittedYetStillMakesAPage() throws {
        let report = BoardReport(BoardReportInput(
            drop: DropID("2022-23/autumn")!,
            catalog: try AcademyCatalog.load(from: Data(catalogJSON.utf8)),
            aggregates: [:], demographics: [:], thresholds: .defaults, generatedAt: generated))
        #expect(report.trust.submitted == 0 && report.trust.notSubmitted.count == 3)
        #expect(report.previousDrop == "2021-22/summer")
        #expect(report.trust.figures.measures.allSatisfy { $0.value == nil && $0.text == "—" })
        #expect(report.trust.profile.drop?.ppPercent == nil)
        let parsed = try PythonParser.run(htmlCheck, input: Array(report.html().utf8))
        #expect(parsed["errors"] == "")
        #expect(report.html().contains("Not submitted: Alpha &lt;b&gt;&amp;&lt;/b&gt; Primary, Beta Primary Academy, Gamma Primary Academy."))
    }

    @Test func rowsShowFiguresRatingsChangesAndMissingAcademies() throws {
        let parsed = try PythonParser.run(htmlCheck, input: Array(try fixtureReport().html().utf8))
        let rows = try #require(parsed["rows"]).split(separator: "\n").map(String.init)
        // The RAG table: name, years 1–6 pupils, then each measure with † (under 10 pupils),
        // letter, change and, where the cohort is not years 1–6, n.
        #expect(rows.contains(
            "Alpha <b>& 7 71% † A +14 pts 86% † G ±0 pts 71% † A +14 pts 71% † G +28 pts 14% † G ±0 pts 71% † A +14 pts 30 pts † R −30 pts n 2 67% † A ±0 pts n 3 100% † G n 1 —"))
        #expect(rows.contains("Gamma not submitted"))
        #expect(rows.contains { $0.hasPrefix("Trust 11 73% A +14 pts 82% G ±0 pts") })
        #expect(rows.contains("Reading 1 1 0 0 1"))  // at a glance: G, A, R, no figure, missing
        #expect(rows.contains("Gamma Requires Improvement (March 2019) not submitted 6 not submitted 50% not submitted 0% not submitted 0%"))
        // Alpha's RWM by year: no pupils in years 2, 4, 5 and 6.
        #expect(rows.contains("Spring 2021-22 100% † G n 2 — 60% † A n 5 — — —"))
        // Gamma's page still shows its autumn drop; an empty gap is not marked small.
        #expect(rows.contains("PP gap RWM —"))
    }

    @Test func printRulesAndAccessibleRatings() throws {
        let html = try fixtureReport().html()
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("break-inside: avoid"))
        #expect(html.contains("print-color-adjust: exact"))
        #expect(html.contains("<html lang=\"en-GB\">"))
        #expect(html.contains("<span class=\"tag\">A</span>"))
        #expect(html.contains("role=\"img\""))
        #expect(html.contains("Termly RAG shared with the Board"))
        #expect(html.contains("Not submitted: Gamma Primary Academy."))
        // Every chart bar label carries its letter, so ratings survive black and white.
        #expect(html.contains(">71% A †</text>"))
        #expect(html.contains(">73% A</text>"))
    }
}

@Suite("Board report: formatting and demo data")
struct BoardReportFormatTests {
    @Test func numbersRoundHalfAwayFromZeroAndChangesCarryASign() {
        #expect(ReportFormat.value(74.5, .percent) == "75%")
        #expect(ReportFormat.value(74.49, .percent) == "74%")
        #expect(ReportFormat.value(-2.5, .points) == "−3 pts")
        #expect(ReportFormat.value(0, .points) == "0 pts")
        #expect(ReportFormat.value(19.96, .marks) == "20.0")
        #expect(ReportFormat.value(nil, .percent) == "—")
        #expect(ReportFormat.change(from: 20.44, to: 19.96, .marks) == "−0.4")
        #expect(ReportFormat.change(from: 19.5, to: 21.04, .marks) == "+1.5")
        #expect(ReportFormat.change(from: 69.6, to: 72.4, .percent) == "+2 pts")  // 72 − 70
        #expect(ReportFormat.change(from: 12.2, to: 11.9, .points) == "±0 pts")
        #expect(HTMLText.count(6082) == "6,082" && HTMLText.count(60820) == "60,820")
        #expect(HTMLText.count(999) == "999" && HTMLText.count(1_000_000) == "1,000,000")
        #expect(HTMLText.escaped(#"<a href="x">'&'</a>"#)
            == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func demographicsCountEveryPupilAndAddUp() {
        let records = [
            pupil(1, "N PP EAL"), pupil(2, "R K"), pupil(3, "4 E PP | EXS EXS EXS | EXS EXS EXS"),
            pupil(4, "6 | EXS EXS EXS | EXS EXS EXS"),
        ]
        let counts = DropDemographics(records)
        #expect(counts == DropDemographics(pupils: 4, pupilPremium: 2, eal: 1, send: 2, ehcPlan: 1))
        #expect(DropDemographics(records.prefix(2)) + DropDemographics(records.suffix(2)) == counts)
    }

    /// The whole trust from the demo generator, one academy late: the page a demo shows.
    @Test func aFullTrustReportFromDemoData() throws {
        let catalog = try ConfigFixture.academies()
        let generator = DropDataGenerator(seed: 11, catalog: catalog)
        let summer = DropID("2021-22/summer")!
        var aggregates: [AcademyID: [DropID: DropAggregates]] = [:]
        var demographics: [AcademyID: DropDemographics] = [:]
        for academy in catalog.academies {
            for term in Term.allCases where !(academy.id.rawValue == "thornhill" && term == .summer) {
                let drop = DropID(startYear: 2021, term: term)
                let records = try #require(generator.pupils(for: academy.id, drop: drop))
                aggregates[academy.id, default: [:]][drop] = DropAggregates(records)
                if drop == summer { demographics[academy.id] = DropDemographics(records) }
            }
        }
        let report = BoardReport(BoardReportInput(
            drop: summer, catalog: catalog, aggregates: aggregates, demographics: demographics,
            thresholds: .defaults, generatedAt: generated))
        let thornhill = try #require(catalog.academy(AcademyID("thornhill")))
        #expect(report.trust.figures.pupils == 6082 - thornhill.pupils)
        #expect(report.trust.notSubmitted == [thornhill.name])
        #expect(report.trust.trend.map(\.academies) == [14, 14, 14])
        // Published and submitted profiles agree to within a point for every academy.
        for academy in report.academies where academy.submitted {
            let drop = try #require(academy.profile.drop)
            #expect(drop.pupils == academy.profile.published.pupils)
            #expect(abs(drop.ppPercent! - academy.profile.published.ppPercent!) <= 1)
        }
        for count in report.trust.ragCounts {
            #expect(count.green + count.amber + count.red + count.noValue == 14)
            #expect(count.notSubmitted == 1)
        }
        let html = report.html()
        let parsed = try PythonParser.run(htmlCheck, input: Array(html.utf8))
        #expect(parsed["errors"] == "")
        #expect(parsed["svg"] == "\(4 + 1 + 16 + 1)")
        #expect(html.contains("Not submitted: \(thornhill.name)."))
    }
}
