import Foundation
import Testing

@testable import TrustDomain
import TrustFixtures

extension ConfigFixture {
    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }
}

/// A stored pupil from one line of the hand-worked tables below:
/// `"3 PP K F | WTS EXS WTS | EXS EXS EXS"` is a year 3 pupil-premium girl on SEN support with
/// those judgements and targets; `"R gld"`, `"R -"` are reception pupils with and without GLD.
private func pupil(_ key: String, _ line: String, phonics: CheckResult? = nil, mtc: CheckResult? = nil) -> StoredPupil {
    let parts = line.split(separator: "|").map { $0.split(separator: " ").map(String.init) }
    let facts = parts[0]
    let send: SENDStatus = facts.contains("K") ? .senSupport : facts.contains("E") ? .ehcPlan : .none
    let year = YearGroup(code: facts[0])!
    func codes<V>(_ index: Int, _ parse: (String) -> V?) -> SubjectValues<V>? {
        guard parts.count > index else { return nil }
        let j = parts[index].map { parse($0)! }
        return SubjectValues(reading: j[0], writing: j[1], maths: j[2])
    }
    return StoredPupil(
        key: key, year: year, gender: facts.contains("F") ? .female : facts.contains("M") ? .male : nil,
        pupilPremium: facts.contains("PP"), eal: facts.contains("EAL"), send: send,
        attainment: codes(1, Assessment.init(code:)), targets: codes(2, Judgement.init(code:)),
        goodLevelOfDevelopment: year == .reception ? facts.contains("gld") : nil,
        phonics: phonics, multiplicationCheck: mtc)
}

/// Alpha, spring 2021-22 (11 pupils; years 1–6: 7):
///
/// | key | pupil   | R   W   M   | targets     |
/// |-----|---------|-------------|-------------|
/// | a1  | Y3 PP   | EXS EXS EXS | EXS EXS EXS |
/// | a2  | Y3 PP   | WTS EXS WTS | EXS EXS EXS |
/// | a3  | Y3      | GDS GDS GDS | EXS EXS EXS |
/// | a4  | Y3 EAL  | EXS EXS EXS | GDS EXS EXS |
/// | a5  | Y3 K    | WTS WTS WTS | WTS WTS WTS |
/// | a6  | Y1      | EXS EXS EXS | EXS EXS EXS |
/// | a7  | Y1      | EXS EXS EXS | EXS EXS EXS |
///
/// Years 1–6: reading 5/7 = 71.4 % (amber: 75/65), RWM 5/7 (green at 65), RWM GDS 1/7 = 14.3 %
/// (green at 10), on target 5/7 (amber: 75/60). Year 3 reading 3/5 = 60 % over 5 pupils (shown,
/// marked †); year 1 has 2 pupils, so its figures are withheld. The disadvantaged gap rests on
/// 2 PP pupils: withheld. GLD 2/3 withheld (3 pupils). Plus one nursery pupil.
private let alphaSpring: [StoredPupil] = [
    pupil("a1", "3 PP | EXS EXS EXS | EXS EXS EXS"),
    pupil("a2", "3 PP | WTS EXS WTS | EXS EXS EXS"),
    pupil("a3", "3 | GDS GDS GDS | EXS EXS EXS"),
    pupil("a4", "3 EAL | EXS EXS EXS | GDS EXS EXS"),
    pupil("a5", "3 K | WTS WTS WTS | WTS WTS WTS"),
    pupil("a6", "1 | EXS EXS EXS | EXS EXS EXS", phonics: 35),
    pupil("a7", "1 | EXS EXS EXS | EXS EXS EXS"),
    pupil("a8", "R gld"), pupil("a9", "R gld"), pupil("a10", "R"),
    pupil("a11", "N"),
]

/// Alpha in autumn, the same pupils (same keys), worked by hand for same-pupil progress:
///
/// | key | autumn R W M | spring R W M | reading | writing | maths | on track (spring) R W M |
/// |-----|--------------|--------------|---------|---------|-------|-------------------------|
/// | a1  | EXS EXS WTS  | EXS EXS EXS  | held    | held    | up    | y y y                   |
/// | a2  | WTS EXS WTS  | WTS EXS WTS  | held    | held    | held  | n y n                   |
/// | a3  | EXS GDS GDS  | GDS GDS GDS  | up      | held    | held  | y y y                   |
/// | a4  | WTS EXS EXS  | EXS EXS EXS  | up      | held    | held  | n y y                   |
/// | a5  | EXS A   WTS  | WTS WTS WTS  | down    | (A)     | held  | y y y                   |
/// | a6  | EXS EXS EXS  | EXS EXS EXS  | held    | held    | held  | y y y                   |
/// | a7  | (not in autumn: a joiner)                                                        |
///
/// Year 3 reading: 5 matched, 2 up, 2 held, 1 down, 3 on track. Writing: 4 matched (a5 was A),
/// 0 up, 4 held, 1 no result, 4 on track. Maths: 5 matched, 1 up, 4 held, 4 on track.
/// Year 1 (a6 only): 1 matched, held, on track, in each subject. One joiner (a7).
private let alphaAutumn: [StoredPupil] = [
    pupil("a1", "3 PP | EXS EXS WTS | EXS EXS EXS"),
    pupil("a2", "3 PP | WTS EXS WTS | EXS EXS EXS"),
    pupil("a3", "3 | EXS GDS GDS | EXS EXS EXS"),
    pupil("a4", "3 EAL | WTS EXS EXS | GDS EXS EXS"),
    pupil("a5", "3 K | EXS A WTS | WTS WTS WTS"),
    pupil("a6", "1 | EXS EXS EXS | EXS EXS EXS"),
    pupil("a8", "R gld"), pupil("a9", "R"), pupil("a10", "R"),
]

/// Beta, spring only: 12 year 6 pupils, 3 of them pupil premium (a group of 3), 8 girls and 4
/// boys. Years 1–6 RWM 8/12; PP RWM 1/3 is withheld, and so is not-PP (its partner: 12 − 9 would
/// give PP back); girls 6/8 = 75 % and boys 2/4 withheld, so girls are withheld as well.
/// SEN support: 2 pupils (withheld), so the other SEND groups are withheld too.
private let betaSpring: [StoredPupil] = (1...12).map { n in
    let pp = n <= 3 ? " PP" : "", gender = n <= 8 ? " F" : " M", send = n >= 11 ? " K" : ""
    let judged = [1, 4, 5, 6, 7, 8, 9, 10].contains(n) ? "EXS EXS EXS" : "WTS EXS EXS"
    return pupil("b\(n)", "6\(pp)\(gender)\(send) | \(judged) | EXS EXS EXS")
}

/// Gamma submitted autumn and nothing since; in spring it is on the not-submitted list even
/// though old rows exist.
private let gammaAutumn: [StoredPupil] = [pupil("g1", "2 | EXS EXS EXS | EXS EXS EXS")]

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
private let lastSpring = DropID("2020-21/spring")!
/// 14 March 2022 09:30 UTC, before the clocks change: 09:30 in the UK.
private let generated = Date(timeIntervalSince1970: 1_647_250_200)

private func national() throws -> NationalFigures {
    try NationalFigures.load(from: try ConfigFixture.data("national.json"))
}

private func fixtureReport(thresholds: DropThresholds = .defaults) throws -> BoardReport {
    let catalog = try AcademyCatalog.load(from: Data(catalogJSON.utf8))
    // Alpha a year earlier (other pupils, the same year groups): year 3 reading 2 of 5 (40 %).
    let alphaLastYear = alphaSpring.map { p -> StoredPupil in
        var earlier = p
        earlier.key = "old-" + p.key
        if p.key == "a1" { earlier.attainment?.reading = .wts }
        return earlier
    }
    return BoardReport(BoardReportInput(
        drop: spring, catalog: catalog,
        pupils: [
            AcademyID("alpha"): [spring: alphaSpring, autumn: alphaAutumn, lastSpring: alphaLastYear],
            AcademyID("beta"): [spring: betaSpring],
            AcademyID("gamma"): [autumn: gammaAutumn, spring: gammaAutumn],
        ],
        notSubmitted: [AcademyID("gamma")], thresholds: thresholds, national: try national(),
        generatedAt: generated))
}

private func column(_ key: FigureKey) -> Int { BoardReport.columns.firstIndex(of: key)! }
private func statutory(_ key: FigureKey) -> Int { BoardReport.statutoryMeasures.firstIndex(of: key)! }

@Suite("Board report: figures")
struct BoardReportFigureTests {
    @Test func academyFiguresMatchTheHandWorkedTable() throws {
        let report = try fixtureReport()
        let alpha = try #require(report.academies[0].figures)
        let reading = alpha.columns[column(FigureKey(.expected(.reading)))]
        #expect(reading.count == 5 && reading.cohort == 7 && reading.text == "71%" && reading.rag == .amber)
        #expect(reading.smallCohort && !reading.withheld)
        let rwm = alpha.columns[column(FigureKey(.expected(.rwm)))]
        #expect(rwm.count == 5 && rwm.rag == .green)
        let gds = alpha.columns[column(FigureKey(.greaterDepth(.rwm)))]
        #expect(gds.count == 1 && gds.text == "14%" && gds.rag == .green)
        #expect(alpha.columns[column(FigureKey(.onTarget(.rwm)))].rag == .amber)
        // Two PP pupils: the gap is withheld, never shown as a number.
        let gap = alpha.columns[column(FigureKey(.disadvantagedGap(.rwm)))]
        #expect(gap.withheld && gap.value == nil && gap.text == "withheld" && gap.rag == nil)
        // Three reception pupils: GLD withheld; the cohort is still stated.
        let gld = alpha.columns[column(FigureKey(.goodLevelOfDevelopment))]
        #expect(gld.withheld && gld.cohort == 3 && gld.count == nil)
        // Year table: year 3 reading 3 of 5, targets EXS+ 4 of 5 (a5's is WTS) and GDS 1 of 5.
        let year3 = try #require(alpha.years.first { $0.year == "3" })
        let year3Reading = year3.subjects[0]
        #expect(year3.pupils == 5)
        #expect(year3Reading.expected.count == 3 && year3Reading.expected.cohort == 5 && year3Reading.expected.text == "60%")
        #expect(year3Reading.greaterDepth.count == 1 && year3Reading.greaterDepth.smallCohort)
        #expect(year3Reading.targetExpected.count == 4 && year3Reading.targetGreaterDepth.count == 1)
        #expect(year3Reading.targetExpected.rag == nil)
        let year1 = try #require(alpha.years.first { $0.year == "1" })
        #expect(year1.subjects.allSatisfy { $0.expected.withheld && $0.expected.value == nil })
        #expect(alpha.years.map(\.year) == ["1", "2", "3", "4", "5", "6"])
    }

    @Test func theChangeIsLikeForLikeOnly() throws {
        let report = try fixtureReport()
        #expect(report.comparisonDrop == "2020-21/spring")
        let alpha = try #require(report.academies[0].figures)
        let year3 = try #require(alpha.years.first { $0.year == "3" }).subjects[0].expected
        #expect(year3.change == 20 && year3.changeText == "+20 pts")  // 60 % against 40 %
        // Beta has no drop a year earlier: no change, not a change against some other drop.
        let beta = try #require(report.academies[1].figures)
        #expect(beta.columns.allSatisfy { $0.change == nil })
        // The trust's change is over the academies with both drops (alpha only).
        let trustReading = report.trust.figures.columns[column(FigureKey(.expected(.reading)))]
        #expect(trustReading.change != nil)
    }

    /// Three pupils are never a percentage, anywhere in the JSON; small groups are marked.
    @Test func aGroupOfThreeIsNeverShownAsAPercentage() throws {
        let report = try fixtureReport()
        let beta = try #require(report.academies[1].figures)
        func group(_ g: PupilGroup) -> GroupFigures { beta.groups.first { $0.group == g.rawValue }! }
        let ks2 = BoardReport.headline.firstIndex(of: FigureKey(.expected(.rwm), year: .year6))!
        let all = group(.all).figures[ks2]
        #expect(all.count == 8 && all.cohort == 12 && !all.withheld)
        let pp = group(.pp).figures[ks2]
        #expect(pp.cohort == 3 && pp.withheld && pp.value == nil && pp.count == nil && pp.text == "withheld")
        #expect(group(.notPP).figures[ks2].withheld)  // 12 − 9 would give the 3 back
        #expect(group(.boys).figures[ks2].withheld && group(.girls).figures[ks2].withheld)
        #expect(group(.senSupport).figures[ks2].withheld && group(.sendNone).figures[ks2].withheld)
        #expect(!group(.notEAL).figures[ks2].withheld && group(.notEAL).figures[ks2].smallCohort == false)
        // The year 6 disadvantaged figure beside national other pupils is withheld too.
        #expect(beta.disadvantagedGap.last!.year6Disadvantaged.withheld)
        // No figure over fewer than 5 pupils carries a value anywhere in the report.
        let json = try JSONEncoder().encode(report)
        let figures = try allFigures(in: json)
        #expect(!figures.isEmpty)
        for figure in figures where (1..<5).contains(figure.cohort) {
            #expect(figure.value == nil && figure.count == nil, "\(figure.measure) \(figure.group) \(figure.cohort)")
        }
        let small = figures.filter { $0.smallCohort }
        #expect(!small.isEmpty && small.allSatisfy { (5..<10).contains($0.cohort) || $0.measure.hasPrefix("disadvantaged") })
        let html = report.html()
        #expect(html.contains("withheld"))
    }

    @Test func sameAcademiesPupilsProgressMatchesTheHandWorkedTable() throws {
        let report = try fixtureReport()
        let progress = try #require(report.academies[0].figures?.progress)
        #expect(progress.since == "2021-22/autumn" && progress.notInEarlierDrop == 1)
        func row(_ subject: ReportSubject, _ year: String) -> ProgressRow? {
            progress.rows.first { $0.subject == subject && $0.year == year }
        }
        #expect(row(.reading, "3") == ProgressRow(subject: .reading, year: "3", matched: 5, up: 2, held: 2, down: 1, onTrack: 3, noResult: 0))
        #expect(row(.writing, "3") == ProgressRow(subject: .writing, year: "3", matched: 4, up: 0, held: 4, down: 0, onTrack: 4, noResult: 1))
        #expect(row(.maths, "3") == ProgressRow(subject: .maths, year: "3", matched: 5, up: 1, held: 4, down: 0, onTrack: 4, noResult: 0))
        #expect(row(.reading, "1") == ProgressRow(subject: .reading, year: "1", matched: 1, up: 0, held: 1, down: 0, onTrack: 1, noResult: 0))
        #expect(progress.rows.count == 6)
        // Beta has no earlier drop: no progress, and the page says so.
        #expect(report.academies[1].figures?.progress == nil)
        #expect(report.trust.figures.progress?.rows == progress.rows)
    }

    @Test func whoDidNotSubmitIsAnInputAndOnTheSummary() throws {
        let report = try fixtureReport()
        #expect(!report.academies[2].submitted && report.academies[2].figures == nil)
        #expect(report.trust.notSubmitted == ["Gamma Primary Academy"])
        #expect(report.summary.notSubmitted == ["Gamma Primary Academy"])
        #expect(report.trust.submitted == 2 && report.trust.figures.pupils == 11 + 12)
        // Support by need: most red first, with the Ofsted date.
        #expect(report.summary.support.map(\.academy).count == 2)
        let first = report.summary.support[0], second = report.summary.support[1]
        #expect((first.red, first.amber) >= (second.red, second.amber))
        #expect(report.summary.support.first { $0.academy == "alpha" }?.ofstedDate == "October 2018")
        #expect(report.summary.glossary.contains { $0.term == "A / D / J" })
    }

    @Test func ratingsUseTheDropsOwnTermThresholds() throws {
        let shipped = try JSONDecoder().decode(DropThresholds.self, from: try ConfigFixture.data("thresholds.json"))
        var autumnEverywhere = shipped
        autumnEverywhere.byTerm[.spring] = shipped.forTerm(.autumn)
        let asAutumn = try fixtureReport(thresholds: autumnEverywhere)
        let asSummer = try fixtureReport(thresholds: DropThresholds.defaults)
        #expect(asAutumn.thresholdsTerm == "spring")
        let key = column(FigureKey(.expected(.reading)))
        #expect(asSummer.academies[0].figures?.columns[key].rag == .amber)  // 71 % against 75/65
        #expect(asAutumn.academies[0].figures?.columns[key].rag == .green)  // against autumn's
        #expect(asAutumn.columns[key].greenAt == shipped.forTerm(.autumn).expected[.reading]?.greenAt)
    }

    @Test func nationalFiguresNameTheirYearAndTheReportWhichYearItUses() throws {
        let figures = try national()
        for (key, list) in figures.byKey {
            #expect(!list.isEmpty, "\(key)")
            for figure in list { #expect(!figure.source.isEmpty && (2012...2030).contains(figure.year), "\(key)") }
        }
        // Every statutory measure has national figures, but KS1 RWM, which the DfE does not publish.
        for key in BoardReport.statutoryMeasures.compactMap(\.nationalKey) where !key.hasPrefix("ks1.") || !key.hasSuffix(".rwm") {
            #expect(figures.byKey[key] != nil, "\(key)")
        }
        // 2021-22 drops compare with the latest published by summer 2021: 2019 (none in 2020–21).
        let report = try fixtureReport()
        #expect(report.nationalYear == 2019)
        let ks2 = report.statutory[statutory(FigureKey(.expected(.rwm), year: .year6))]
        #expect(ks2.national?.year == 2019 && ks2.national?.value == 65 && ks2.national?.source.contains("DfE") == true)
        let beta = try #require(report.academies[1].figures)
        let ks2Beta = beta.statutory[statutory(FigureKey(.expected(.rwm), year: .year6))]
        #expect(ks2Beta.national == 65 && isClose(ks2Beta.vsNational, 200.0 / 3 - 65))
        // The MTC was first statutory in 2022: no national figure yet for 2021-22.
        #expect(report.statutory[statutory(FigureKey(.multiplicationCheckMean))].national == nil)
        #expect(figures.latest("ks2.expected.rwm", notAfter: 2023)?.year == 2023)
        // A bad file is refused naming the entry, the field and the value.
        let bad = #"{"measures": [{"key": "ks2.expected.rwm", "figures": [{"year": 2019, "value": 165, "source": "x"}]}]}"#
        #expect(throws: ConfigError.invalidValue(file: "national.json", entry: "measure \"ks2.expected.rwm\"", field: "2019 value",
                                                  value: "165.0", reason: "is not from 0 to 100")) {
            try NationalFigures.load(from: Data(bad.utf8))
        }
    }

    @Test func jsonUsesSnakeCaseAndRoundTrips() throws {
        let report = try fixtureReport()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(BoardReport.self, from: data) == report)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"no_result\"", "\"small_cohort\"", "\"not_submitted\"", "\"target_expected\"", "\"national_year\"",
                    "\"vs_national\"", "\"on_track\""] {
            #expect(text.contains(key), "\(key)")
        }
    }
}

/// Every `MeasureFigure` anywhere in an encoded report, found by its keys.
private func allFigures(in json: Data) throws -> [MeasureFigure] {
    var found: [MeasureFigure] = []
    func walk(_ value: Any) throws {
        if let object = value as? [String: Any] {
            if object["measure"] != nil, object["group"] != nil, object["withheld"] != nil {
                found.append(try JSONDecoder().decode(MeasureFigure.self, from: JSONSerialization.data(withJSONObject: object)))
            }
            for child in object.values { try walk(child) }
        } else if let array = value as? [Any] {
            for child in array { try walk(child) }
        }
    }
    try walk(try JSONSerialization.jsonObject(with: json))
    return found
}

private func isClose(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-9
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
        #expect(!html.contains("Alpha <b>"))
        #expect(html.contains("Alpha &lt;b&gt;&amp;&lt;/b&gt; Primary"))
        #expect(html.contains("strong &lt;early&gt; years"))
        #expect(!html.contains("<early>"))
    }

    @Test func theSummaryPageComesFirstWithNationalSupportMissingAndGlossary() throws {
        let html = try fixtureReport().html()
        let summary = try #require(html.range(of: "<section class=\"summary\">"))
        let firstPage = try #require(html.range(of: "<section class=\"page\">"))
        #expect(summary.lowerBound < firstPage.lowerBound)
        let front = String(html[summary.lowerBound..<firstPage.lowerBound])
        #expect(front.contains("Statutory measures: trust against national"))
        #expect(front.contains("Academies needing support most"))
        #expect(front.contains("Not submitted (1): Gamma Primary Academy"))
        #expect(front.contains("<dl class=\"glossary\">"))
        #expect(front.contains("summer 2019"))
        #expect(front.contains("October 2018"))
        let parsed = try PythonParser.run(htmlCheck, input: Array(html.utf8))
        let rows = parsed["rows"] ?? ""
        #expect(rows.contains("KS2 RWM"))
        #expect(html.contains("No comparison: none of these pupils are in a"))
        #expect(html.contains("@page { size: A4"))
    }

    /// The PP chart is as wide as its longest label, so the trust's (bold) label is never cut.
    @Test func theGapChartIsWideEnoughForTheTrustLabel() throws {
        let report = try fixtureReport()
        let svg = BoardReportCharts.gapDumbbell(report)
        let box = try #require(svg.components(separatedBy: "viewBox=\"0 0 ").dropFirst().first)
        let width = try #require(Double(box.prefix { $0 != " " }))
        let trust = report.trust.figures.disadvantagedGap.last!
        let label = "gap \(BoardReportCharts.figureLabel(trust.gap)) · PP \(trust.disadvantaged.text) (\(trust.disadvantaged.total)) · others \(trust.otherPupils.text) (\(trust.otherPupils.total))"
        #expect(svg.contains(HTMLText.escaped(label)))
        // The label starts at x = 422 and needs about 5.6 px a character in bold.
        #expect(width >= 422 + Double(label.count) * 5.6)
    }
}

@Suite("Board report: formatting and demo data")
struct BoardReportFormatTests {
    @Test func numbersRoundHalfAwayFromZeroAndChangesCarryASign() {
        #expect(ReportFormat.value(74.5, .percent) == "75%")
        #expect(ReportFormat.value(74.49, .percent) == "74%")
        #expect(ReportFormat.value(-2.5, .points) == "−3 pts")
        #expect(ReportFormat.value(19.96, .marks) == "20.0")
        #expect(ReportFormat.value(nil, .percent) == "—")
        #expect(ReportFormat.change(from: 69.6, to: 72.4, .percent) == "+2 pts")  // 72 − 70
        #expect(ReportFormat.change(from: 12.2, to: 11.9, .points) == "±0 pts")
        #expect(ReportFormat.ukDateTime(generated) == "14 March 2022, 09:30")
    }

    /// The demo's own autumn (seed 2021) rated with the shipped autumn thresholds: a real
    /// autumn's spread of green, amber and red, not a wall of red.
    @Test func anAutumnDemoReportShowsASpreadOfRatings() throws {
        let catalog = try ConfigFixture.academies()
        let generator = DropDataGenerator(seed: 2021, catalog: catalog)
        var pupils: [AcademyID: [DropID: [StoredPupil]]] = [:]
        for academy in catalog.academies {
            let records = try #require(generator.pupils(for: academy.id, drop: autumn))
            pupils[academy.id] = [autumn: records.map { StoredPupil(key: $0.upn.rawValue, $0) }]
        }
        let thresholds = try JSONDecoder().decode(DropThresholds.self, from: try ConfigFixture.data("thresholds.json"))
        let report = BoardReport(BoardReportInput(
            drop: autumn, catalog: catalog, pupils: pupils, notSubmitted: [], thresholds: thresholds,
            national: try national(), generatedAt: generated))
        let ratings = report.academies.flatMap { $0.figures!.columns.compactMap(\.rag) }
        let counts = Dictionary(grouping: ratings, by: { $0 }).mapValues(\.count)
        let total = ratings.count
        for rag in RAG.allCases {
            #expect(Double(counts[rag] ?? 0) >= 0.15 * Double(total), "\(rag): \(counts) of \(total)")
        }
        #expect(report.academies.filter { $0.red == 0 }.count >= 2)
        #expect(report.academies.filter { $0.green == 0 }.count <= 5)
        let html = report.html()
        let parsed = try PythonParser.run(htmlCheck, input: Array(html.utf8))
        #expect(parsed["errors"] == "")
        #expect(html.contains("All 15 academies submitted."))
    }
}

