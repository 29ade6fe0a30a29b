import Foundation
import Testing

@testable import TrustDomain

/// "EXS WTS GDS" → reading EXS, writing WTS, maths GDS.
private func judgements(_ codes: String) -> SubjectJudgements {
    let parsed = codes.split(separator: " ").map { Judgement(code: String($0))! }
    return SubjectJudgements(reading: parsed[0], writing: parsed[1], maths: parsed[2])
}

private func pupil(_ serial: Int, _ year: YearGroup, pp: Bool = false, send: SENDStatus = .none,
                   _ attainment: String? = nil, target: String? = nil, gld: Bool? = nil,
                   phonics: Int? = nil, mtc: Int? = nil) -> PupilRecord {
    PupilRecord(upn: try! UPN(validUPN(serial)), year: year, pupilPremium: pp, send: send,
                attainment: attainment.map(judgements), targets: target.map(judgements),
                goodLevelOfDevelopment: gld, phonics: phonics, multiplicationCheck: mtc)
}

/// Ten year 3 pupils, worked by hand (R W M, then targets):
///
/// | #  | PP | SEND | R   W   M   | targets     | R/W/M exp+ | RWM exp+ | on target R/W/M/RWM |
/// |----|----|------|-------------|-------------|------------|----------|---------------------|
/// | 1  | Y  | N    | EXS EXS EXS | EXS EXS EXS | y y y      | y        | y y y y             |
/// | 2  | Y  | K    | WTS WTS EXS | EXS WTS EXS | n n y      | n        | n y y n             |
/// | 3  | Y  | E    | BLW BLW BLW | WTS WTS WTS | n n n      | n        | n n n n             |
/// | 4  | Y  | N    | GDS EXS GDS | EXS EXS EXS | y y y      | y        | y y y y             |
/// | 5  | N  | N    | GDS GDS GDS | GDS GDS GDS | y y y      | y (GDS)  | y y y y             |
/// | 6  | N  | N    | EXS WTS EXS | EXS EXS EXS | y n y      | n        | y n y n             |
/// | 7  | N  | K    | WTS WTS WTS | EXS EXS EXS | n n n      | n        | n n n n             |
/// | 8  | N  | N    | EXS EXS GDS | GDS EXS EXS | y y y      | y        | n y y n             |
/// | 9  | N  | N    | EXS EXS EXS | EXS EXS EXS | y y y      | y        | y y y y             |
/// | 10 | N  | E    | WTS BLW WTS | WTS WTS WTS | n n n      | n        | y n y n             |
///
/// Plus four reception pupils (GLD Y Y N Y), three year 1 (all EXS; phonics 32, 31, none),
/// three year 4 (all WTS against EXS targets; MTC 20, 25, none) and one nursery pupil.
private let yearThree: [PupilRecord] = [
    pupil(1, .year3, pp: true, "EXS EXS EXS", target: "EXS EXS EXS"),
    pupil(2, .year3, pp: true, send: .senSupport, "WTS WTS EXS", target: "EXS WTS EXS"),
    pupil(3, .year3, pp: true, send: .ehcPlan, "BLW BLW BLW", target: "WTS WTS WTS"),
    pupil(4, .year3, pp: true, "GDS EXS GDS", target: "EXS EXS EXS"),
    pupil(5, .year3, "GDS GDS GDS", target: "GDS GDS GDS"),
    pupil(6, .year3, "EXS WTS EXS", target: "EXS EXS EXS"),
    pupil(7, .year3, send: .senSupport, "WTS WTS WTS", target: "EXS EXS EXS"),
    pupil(8, .year3, "EXS EXS GDS", target: "GDS EXS EXS"),
    pupil(9, .year3, "EXS EXS EXS", target: "EXS EXS EXS"),
    pupil(10, .year3, send: .ehcPlan, "WTS BLW WTS", target: "WTS WTS WTS"),
]

private let otherYears: [PupilRecord] = [
    pupil(11, .reception, gld: true), pupil(12, .reception, gld: true),
    pupil(13, .reception, gld: false), pupil(14, .reception, gld: true),
    pupil(15, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 32),
    pupil(16, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 31),
    pupil(17, .year1, "EXS EXS EXS", target: "EXS EXS EXS"),
    pupil(18, .year4, "WTS WTS WTS", target: "EXS EXS EXS", mtc: 20),
    pupil(19, .year4, "WTS WTS WTS", target: "EXS EXS EXS", mtc: 25),
    pupil(20, .year4, "WTS WTS WTS", target: "EXS EXS EXS"),
    pupil(21, .nursery),
]

private let fixture = DropAggregates(yearThree + otherYears)

private func isClose(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-9
}

@Suite("Data-drop aggregates")
struct DataDropAggregatesTests {
    /// The one-pass tallies must add up to exactly what summing each pupil's own contribution
    /// (`AttainmentSummary.init(_:in:)`, the definition) gives, for every year and subject.
    @Test func tallyingEqualsSummingEachPupilsContribution() {
        var rng = SplitMix64(seed: 20_211_123)
        func any<T>(_ values: [T]) -> T { values.randomElement(using: &rng)! }
        func judgements() -> SubjectJudgements {
            SubjectJudgements(reading: any(Judgement.allCases), writing: any(Judgement.allCases),
                              maths: any(Judgement.allCases))
        }
        let pupils = (0..<3_000).map { serial -> PupilRecord in
            let year = any(YearGroup.allCases)
            return PupilRecord(upn: try! UPN(validUPN(serial)), year: year, pupilPremium: Bool.random(using: &rng),
                               send: any(SENDStatus.allCases),
                               attainment: year.isAssessed ? judgements() : nil,
                               targets: year.isAssessed ? judgements() : nil)
        }
        let tallied = DropAggregates(pupils)
        #expect(tallied.pupilCount == pupils.count)
        for year in YearGroup.allCases {
            for subject in ReportSubject.allCases {
                let summed = pupils.filter { $0.year == year }.compactMap { AttainmentSummary($0, in: subject) }
                #expect(tallied.byYear[year]?[subject] == (summed.isEmpty ? nil : summed.summed()),
                        "\(year) \(subject)")
            }
        }
        #expect(tallied.byYear[.nursery] == nil && tallied.byYear[.reception] == nil)
    }

    @Test func yearThreeCountsMatchTheHandWorkedTable() {
        let expected: [ReportSubject: (exp: Int, gds: Int, target: Int, pp: Int, other: Int)] = [
            .reading: (6, 2, 6, 2, 4),
            .writing: (5, 1, 6, 2, 3),
            .maths: (7, 3, 8, 3, 4),
            .rwm: (5, 1, 4, 2, 3),
        ]
        for (subject, want) in expected {
            let summary = fixture.summary(subject, year: .year3)
            #expect(summary.cohort == 10, "\(subject)")
            #expect(summary.expected == Proportion(want.exp, of: 10), "\(subject)")
            #expect(summary.greaterDepth == Proportion(want.gds, of: 10), "\(subject)")
            #expect(summary.onTarget == Proportion(want.target, of: 10), "\(subject)")
            #expect(summary.disadvantaged == Proportion(want.pp, of: 4), "\(subject)")
            #expect(summary.otherPupils == Proportion(want.other, of: 6), "\(subject)")
        }
    }

    @Test func yearThreePercentagesAndGaps() {
        let reading = fixture.summary(.reading, year: .year3)
        #expect(reading.expected.percent == 60)
        #expect(reading.greaterDepth.percent == 20)
        #expect(reading.onTarget.percent == 60)
        #expect(reading.disadvantaged.percent == 50)
        #expect(isClose(reading.otherPupils.percent, 200.0 / 3))
        #expect(isClose(reading.disadvantagedGap, 50.0 / 3))  // 66.67 − 50
        #expect(fixture.summary(.writing, year: .year3).disadvantagedGap == 0)  // 50 − 50
        #expect(isClose(fixture.summary(.maths, year: .year3).disadvantagedGap, -25.0 / 3))  // 66.67 − 75
        #expect(fixture.summary(.rwm, year: .year3).expected.percent == 50)
        #expect(fixture.summary(.rwm, year: .year3).onTarget.percent == 40)
    }

    @Test func sendBreakdown() {
        let reading = fixture.summary(.reading, year: .year3)
        #expect(reading.send(.none) == Proportion(6, of: 6))
        #expect(reading.send(.senSupport) == Proportion(0, of: 2))
        #expect(reading.send(.ehcPlan) == Proportion(0, of: 2))
        #expect(fixture.summary(.rwm, year: .year3).send(.none) == Proportion(5, of: 6))
        #expect(fixture.summary(.rwm, year: .year5).send(.none).percent == nil)
    }

    @Test func earlyYearsAndChecks() {
        #expect(fixture.pupilCount == 21)
        #expect(fixture.goodLevelOfDevelopment == Proportion(3, of: 4))
        #expect(fixture.value(of: .goodLevelOfDevelopment) == 75)
        #expect(fixture.phonicsPass == Proportion(1, of: 2))  // 32 passes, 31 does not
        #expect(fixture.value(of: .phonicsPass, year: .year1) == 50)
        #expect(fixture.multiplicationCheck == ScoreTotal(sum: 45, count: 2))
        #expect(fixture.value(of: .multiplicationCheckMean) == 22.5)
    }

    @Test func allYearsTotals() {
        // Year 3: 6 of 10; year 1: 3 of 3; year 4: 0 of 3.
        #expect(fixture.summary(.reading).expected == Proportion(9, of: 16))
        #expect(fixture.value(of: .expected(.reading)) == 56.25)
        // On target: year 3 4 of 10 for RWM, year 1 3 of 3, year 4 none.
        #expect(fixture.summary(.rwm).onTarget == Proportion(7, of: 16))
        #expect(Set(fixture.byYear.keys) == [.year1, .year3, .year4])
    }

    @Test func emptyCohortsAreNilNotZero() {
        let empty = DropAggregates([PupilRecord]())
        #expect(empty == .zero)
        for measure in Measure.all {
            for year in measure.years { #expect(empty.value(of: measure, year: year) == nil) }
        }
        #expect(fixture.value(of: .expected(.reading), year: .year5) == nil)
        #expect(fixture.summary(.reading, year: .year5).cohort == 0)
        #expect(Proportion(0, of: 0).percent == nil)
        #expect(ScoreTotal.zero.mean == nil)
        let onlyOthers = DropAggregates([pupil(1, .year2, "EXS EXS EXS", target: "EXS EXS EXS")])
        #expect(onlyOthers.summary(.reading).disadvantagedGap == nil)
    }

    @Test func measuresOutsideTheirYearHaveNoValue() {
        #expect(fixture.value(of: .phonicsPass, year: .year3) == nil)
        #expect(fixture.value(of: .goodLevelOfDevelopment, year: .year1) == nil)
        #expect(fixture.value(of: .multiplicationCheckMean, year: .year4) == 22.5)
        #expect(fixture.value(of: .expected(.reading), year: .reception) == nil)
    }

    @Test func trustTotalsAreWeightedByPupilsNotAveraged() {
        // Small academy: 1 of 1 year 3 pupils at expected (100 %), GLD 1 of 1.
        let small = DropAggregates([
            pupil(1, .year3, "EXS EXS EXS", target: "EXS EXS EXS"),
            pupil(2, .reception, gld: true),
        ])
        // Large academy: 0 of 9 at expected (0 %), GLD 0 of 3.
        let large = DropAggregates(
            (10..<19).map { pupil($0, .year3, "WTS WTS WTS", target: "EXS EXS EXS") }
                + (20..<23).map { pupil($0, .reception, gld: false) })
        let trust = DropAggregates.trustTotal([small, large])
        #expect(trust.summary(.reading, year: .year3).expected == Proportion(1, of: 10))
        #expect(trust.value(of: .expected(.reading), year: .year3) == 10)  // not (100 + 0) / 2
        #expect(trust.value(of: .goodLevelOfDevelopment) == 25)  // 1 of 4, not 50
        #expect(trust.pupilCount == 14)
        #expect(trust == small + large)
        #expect(DropAggregates.trustTotal([small, large, fixture])
            == DropAggregates(yearThree + otherYears) + small + large)
    }

    @Test func changesSinceThePreviousDropAreInPercentagePoints() {
        // Previous drop: pupils 6 and 8 were still working towards in reading, and there were
        // no phonics or MTC scores yet.
        var earlier = yearThree
        earlier[5].attainment?.reading = .wts
        earlier[7].attainment?.reading = .wts
        let previous = DropAggregates(earlier + otherYears.map {
            var pupil = $0
            pupil.phonics = nil
            pupil.multiplicationCheck = nil
            return pupil
        })
        #expect(previous.value(of: .expected(.reading), year: .year3) == 40)
        #expect(fixture.change(in: .expected(.reading), year: .year3, since: previous) == 20)
        // Other pupils went from 2 of 6 to 4 of 6, so the gap went from −16.67 to +16.67.
        #expect(isClose(fixture.change(in: .disadvantagedGap(.reading), year: .year3,
                                       since: previous), 100.0 / 3))
        #expect(fixture.change(in: .expected(.maths), since: previous) == 0)
        #expect(fixture.change(in: .phonicsPass, since: previous) == nil)

        let all = fixture.changes(since: previous)
        #expect(all.count == 16 * 7 + 3 * 2)
        let readingY3 = all.first { $0.measure == .expected(.reading) && $0.year == .year3 }
        #expect(readingY3?.previous == 40 && readingY3?.current == 60 && readingY3?.change == 20)
        #expect(all.filter { $0.change != nil && $0.change != 0 }.count > 0)
    }

    @Test func aggregatesRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(fixture)
        #expect(try JSONDecoder().decode(DropAggregates.self, from: data) == fixture)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"3\":{"))  // years are readable object keys
    }
}
