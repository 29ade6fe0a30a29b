import Foundation
import Testing

@testable import TrustDomain

/// "EXS WTS GDS" → reading EXS, writing WTS, maths GDS; "A" and the like are no-result codes.
private func assessments(_ codes: String) -> SubjectAssessments {
    let parsed = codes.split(separator: " ").map { Assessment(code: String($0))! }
    return SubjectAssessments(reading: parsed[0], writing: parsed[1], maths: parsed[2])
}

private func judgements(_ codes: String) -> SubjectJudgements {
    let parsed = codes.split(separator: " ").map { Judgement(code: String($0))! }
    return SubjectJudgements(reading: parsed[0], writing: parsed[1], maths: parsed[2])
}

private func pupil(_ serial: Int, _ year: YearGroup, pp: Bool = false, send: SENDStatus = .none,
                   _ attainment: String? = nil, target: String? = nil, gld: Bool? = nil,
                   phonics: CheckResult? = nil, mtc: CheckResult? = nil, gender: Gender? = nil) -> PupilRecord {
    PupilRecord(upn: try! UPN(validUPN(serial)), year: year, gender: gender, pupilPremium: pp, send: send,
                attainment: attainment.map(assessments), targets: target.map(judgements),
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
    /// The flat tallies equal the sum of each pupil's own contribution, for random pupils.
    @Test func tallyingEqualsSummingEachPupilsContribution() {
        var random = SystemRandomNumberGenerator()
        func any<T>(_ values: [T]) -> T { values.randomElement(using: &random)! }
        let codes: [Assessment] = Judgement.allCases.map { .judged($0) } + NoResult.allCases.map { .noResult($0) }
        let pupils = (1...300).map { serial -> PupilRecord in
            let year = any(YearGroup.allCases)
            return PupilRecord(
                upn: try! UPN(validUPN(serial)), year: year, gender: any([nil, .female, .male, .other]),
                pupilPremium: any([true, false]), eal: any([true, false]), send: any(SENDStatus.allCases),
                attainment: year.isAssessed ? SubjectAssessments(reading: any(codes), writing: any(codes), maths: any(codes)) : nil,
                targets: year.isAssessed ? SubjectJudgements(reading: any(Judgement.allCases), writing: any(Judgement.allCases),
                                                             maths: any(Judgement.allCases)) : nil)
        }
        let tallied = DropAggregates(pupils)
        for year in YearGroup.assessed {
            for subject in ReportSubject.allCases {
                for group in PupilGroup.allCases {
                    let summed = pupils.filter { $0.year == year && PupilGroup.of($0).contains(group) }
                        .map { AttainmentCounts(pupil: $0.attainment!, targets: $0.targets!, in: subject.subjects) }
                        .summed()
                    #expect(tallied.counts(subject, year: year, group: group) == summed, "\(year) \(subject) \(group)")
                }
            }
        }
        #expect(tallied.attainment[.nursery] == nil && tallied.attainment[.reception] == nil)
    }

    @Test func yearThreeCountsMatchTheHandWorkedTable() {
        let expected: [ReportSubject: (exp: Int, gds: Int, target: Int, pp: Int, other: Int)] = [
            .reading: (6, 2, 6, 2, 4),
            .writing: (5, 1, 6, 2, 3),
            .maths: (7, 3, 8, 3, 4),
            .rwm: (5, 1, 4, 2, 3),
        ]
        for (subject, want) in expected {
            let all = fixture.counts(subject, year: .year3)
            #expect(all.pupils == 10, "\(subject)")
            #expect(all.expected == want.exp && all.greaterDepth == want.gds && all.onTarget == want.target, "\(subject)")
            #expect(fixture.counts(subject, year: .year3, group: .pp).expected == want.pp, "\(subject)")
            #expect(fixture.counts(subject, year: .year3, group: .pp).pupils == 4)
            #expect(fixture.counts(subject, year: .year3, group: .notPP).expected == want.other, "\(subject)")
        }
        // Targets at EXS+ (every pupil but 3 and 10) and at GDS (pupil 5; pupil 8 in reading).
        #expect(fixture.counts(.reading, year: .year3).targetExpected == 8)
        #expect(fixture.counts(.reading, year: .year3).targetGreaterDepth == 2)
        #expect(fixture.counts(.rwm, year: .year3).targetGreaterDepth == 1)
    }

    @Test func yearThreePercentagesAndGaps() {
        #expect(fixture.value(of: .expected(.reading), year: .year3) == 60)
        #expect(fixture.value(of: .greaterDepth(.reading), year: .year3) == 20)
        #expect(fixture.value(of: .onTarget(.reading), year: .year3) == 60)
        #expect(fixture.value(of: .expected(.reading), year: .year3, group: .pp) == 50)
        #expect(isClose(fixture.value(of: .disadvantagedGap(.reading), year: .year3), 50.0 / 3))  // 66.67 − 50
        #expect(fixture.value(of: .disadvantagedGap(.writing), year: .year3) == 0)
        #expect(isClose(fixture.value(of: .disadvantagedGap(.maths), year: .year3), -25.0 / 3))
        #expect(fixture.value(of: .expected(.rwm), year: .year3) == 50)
        #expect(fixture.value(of: .onTarget(.rwm), year: .year3) == 40)
        #expect(fixture.value(of: .targetExpected(.reading), year: .year3) == 80)
    }

    @Test func sendBreakdown() {
        #expect(fixture.counts(.reading, year: .year3, group: .sendNone).expected == 6)
        #expect(fixture.counts(.reading, year: .year3, group: .sendNone).pupils == 6)
        #expect(fixture.counts(.reading, year: .year3, group: .senSupport) == AttainmentCounts(pupils: 2, expected: 0, greaterDepth: 0, onTarget: 0, targetExpected: 2, targetGreaterDepth: 0))
        #expect(fixture.counts(.rwm, year: .year3, group: .sendNone).expected == 5)
        #expect(fixture.value(of: .expected(.rwm), year: .year5, group: .sendNone) == nil)
    }

    @Test func earlyYearsAndChecks() {
        #expect(fixture.pupilCount == 21)
        #expect(fixture.goodLevelOfDevelopment[.all] == CheckCounts(pupils: 4, met: 3))
        #expect(fixture.value(of: .goodLevelOfDevelopment) == 75)
        #expect(fixture.phonics(.year1) == CheckCounts(pupils: 2, met: 1))  // 32 passes, 31 does not
        #expect(fixture.value(of: .phonicsPass, year: .year1) == 50)
        #expect(fixture.multiplicationCheck[.all] == MTCCounts(eligible: 2, took: 2, scoreSum: 45, fullMarks: 1))
        #expect(fixture.value(of: .multiplicationCheckMean) == 22.5)
        #expect(fixture.value(of: .multiplicationCheckFullMarks) == 50)
    }

    @Test func allYearsTotals() {
        // Year 3: 6 of 10; year 1: 3 of 3; year 4: 0 of 3.
        #expect(fixture.counts(.reading).expected == 9 && fixture.counts(.reading).pupils == 16)
        #expect(fixture.value(of: .expected(.reading)) == 56.25)
        #expect(fixture.counts(.rwm).onTarget == 7)
        #expect(Set(fixture.attainment.keys) == [.year1, .year3, .year4])
    }

    @Test func emptyCohortsAreNilNotZero() {
        let empty = DropAggregates([PupilRecord]())
        #expect(empty == .zero)
        let measures: [Measure] = ReportSubject.allCases.flatMap {
            [.expected($0), .greaterDepth($0), .onTarget($0), .targetExpected($0), .disadvantagedGap($0)]
        } + [.goodLevelOfDevelopment, .phonicsPass, .multiplicationCheckMean, .multiplicationCheckFullMarks]
        for measure in measures {
            for year in measure.years { #expect(empty.value(of: measure, year: year) == nil) }
        }
        #expect(fixture.value(of: .expected(.reading), year: .year5) == nil)
        #expect(Proportion(0, of: 0).percent == nil)
        let onlyOthers = DropAggregates([pupil(1, .year2, "EXS EXS EXS", target: "EXS EXS EXS")])
        #expect(onlyOthers.value(of: .disadvantagedGap(.reading)) == nil)
    }

    @Test func measuresOutsideTheirYearHaveNoValue() {
        #expect(fixture.value(of: .phonicsPass, year: .year3) == nil)
        #expect(fixture.value(of: .goodLevelOfDevelopment, year: .year1) == nil)
        #expect(fixture.value(of: .multiplicationCheckMean, year: .year4) == 22.5)
        #expect(fixture.value(of: .expected(.reading), year: .reception) == nil)
        #expect(fixture.basis(FigureKey(.disadvantagedGap(.rwm), group: .girls)) == nil)
    }

    @Test func trustTotalsAreWeightedByPupilsNotAveraged() {
        let small = DropAggregates([
            pupil(1, .year3, "EXS EXS EXS", target: "EXS EXS EXS"),
            pupil(2, .reception, gld: true),
        ])
        let large = DropAggregates(
            (10..<19).map { pupil($0, .year3, "WTS WTS WTS", target: "EXS EXS EXS") }
                + (20..<23).map { pupil($0, .reception, gld: false) })
        let trust = DropAggregates.trustTotal([small, large])
        #expect(trust.value(of: .expected(.reading), year: .year3) == 10)  // not (100 + 0) / 2
        #expect(trust.value(of: .goodLevelOfDevelopment) == 25)  // 1 of 4, not 50
        #expect(trust.pupilCount == 14)
        #expect(trust == small + large)
        #expect(DropAggregates.trustTotal([small, large, fixture])
            == DropAggregates(yearThree + otherYears) + small + large)
    }

    @Test func groupsByGenderAndEAL() {
        let pupils = [
            pupil(1, .year6, "EXS EXS EXS", target: "EXS EXS EXS", gender: .female),
            pupil(2, .year6, "WTS EXS EXS", target: "EXS EXS EXS", gender: .male),
            pupil(3, .year6, "EXS EXS EXS", target: "EXS EXS EXS", gender: .other),
            pupil(4, .year6, "EXS EXS EXS", target: "EXS EXS EXS"),
        ]
        let aggregates = DropAggregates(pupils)
        #expect(aggregates.counts(.rwm, year: .year6, group: .girls) == aggregates.counts(.rwm, year: .year6, group: .girls))
        #expect(aggregates.counts(.rwm, year: .year6, group: .girls).pupils == 1)
        #expect(aggregates.counts(.rwm, year: .year6, group: .boys).expected == 0)
        // X and unknown gender are in neither girls nor boys, but in the whole cohort.
        #expect(aggregates.counts(.rwm, year: .year6).pupils == 4)
        #expect(aggregates.counts(.rwm, year: .year6, group: .notEAL).pupils == 4)
    }

    @Test func aggregatesRoundTripThroughJSON() throws {
        let withCodes = DropAggregates(yearThree + otherYears + noResultPupils)
        let data = try JSONEncoder().encode(withCodes)
        #expect(try JSONDecoder().decode(DropAggregates.self, from: data) == withCodes)
    }
}

/// Year 6 and the checks with no-result codes, worked by hand:
///
/// | # | year | R W M       | reading EXS+ | RWM EXS+ | phonics / MTC |
/// |---|------|-------------|--------------|----------|---------------|
/// | 1 | 6    | EXS EXS EXS | y            | y        |               |
/// | 2 | 6    | A   A   A   | n (A)        | n (A)    |               |
/// | 3 | 6    | EXS D   EXS | y            | n (D)    |               |
/// | 4 | 6    | J   J   J   | n (J)        | n (J)    |               |
/// | 5 | 1    | EXS × 3     |              |          | phonics 35    |
/// | 6 | 1    | EXS × 3     |              |          | phonics A     |
/// | 7 | 1    | EXS × 3     |              |          | phonics D     |
/// | 8 | 1    | EXS × 3     |              |          | phonics empty |
/// | 9 | 4    | EXS × 3     |              |          | MTC 25        |
/// | 10| 4    | EXS × 3     |              |          | MTC 15        |
/// | 11| 4    | EXS × 3     |              |          | MTC A         |
/// | 12| 4    | EXS × 3     |              |          | MTC J         |
///
/// DfE rules: A, D and J stay in the denominator as not reaching the standard, so year 6
/// reading is 2 of 4 (50 %), not 2 of 2, and RWM 1 of 4 (25 %). Phonics: A and D count,
/// the pupil with nothing recorded does not: 1 of 3. MTC: the mean is over the two who took
/// it (20.0); full marks are over all four eligible pupils (25 %).
private let noResultPupils: [PupilRecord] = [
    pupil(31, .year6, "EXS EXS EXS", target: "EXS EXS EXS"),
    pupil(32, .year6, "A A A", target: "EXS EXS EXS"),
    pupil(33, .year6, "EXS D EXS", target: "EXS EXS EXS"),
    pupil(34, .year6, "J J J", target: "EXS EXS EXS"),
    pupil(35, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 35),
    pupil(36, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: .noResult(.absent)),
    pupil(37, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: .noResult(.disapplied)),
    pupil(38, .year1, "EXS EXS EXS", target: "EXS EXS EXS"),
    pupil(39, .year4, "EXS EXS EXS", target: "EXS EXS EXS", mtc: 25),
    pupil(40, .year4, "EXS EXS EXS", target: "EXS EXS EXS", mtc: 15),
    pupil(41, .year4, "EXS EXS EXS", target: "EXS EXS EXS", mtc: .noResult(.absent)),
    pupil(42, .year4, "EXS EXS EXS", target: "EXS EXS EXS", mtc: .noResult(.newArrival)),
]

@Suite("No-result codes in the figures (DfE denominators)")
struct NoResultAggregateTests {
    let codes = DropAggregates(noResultPupils)

    @Test func absentDisappliedAndNewArrivalsStayInTheTeacherAssessmentDenominator() {
        let reading = codes.counts(.reading, year: .year6)
        #expect(reading.pupils == 4 && reading.expected == 2)
        #expect(reading.noResult == NoResultCounts(absent: 1, disapplied: 0, newArrival: 1))
        #expect(codes.value(of: .expected(.reading), year: .year6) == 50)  // not 100 (2 of 2)
        let writing = codes.counts(.writing, year: .year6)
        #expect(writing.noResult == NoResultCounts(absent: 1, disapplied: 1, newArrival: 1))
        #expect(codes.value(of: .expected(.writing), year: .year6) == 25)
        let rwm = codes.counts(.rwm, year: .year6)
        #expect(rwm.pupils == 4 && rwm.expected == 1)
        #expect(rwm.noResult == NoResultCounts(absent: 1, disapplied: 1, newArrival: 1))
        #expect(codes.value(of: .onTarget(.rwm), year: .year6) == 25)
        // Targets are still counted for pupils without a result.
        #expect(rwm.targetExpected == 4)
    }

    /// Each code on its own moves the same pupil from the numerator, never from the cohort.
    @Test(arguments: NoResult.allCases)
    func eachCodeKeepsThePupilInTheCohortAsNotReaching(reason: NoResult) {
        let judged = DropAggregates([pupil(1, .year2, "EXS EXS EXS", target: "EXS EXS EXS"),
                                     pupil(2, .year2, "EXS EXS EXS", target: "EXS EXS EXS")])
        var coded = [pupil(1, .year2, "EXS EXS EXS", target: "EXS EXS EXS"),
                     pupil(2, .year2, "EXS EXS EXS", target: "EXS EXS EXS")]
        coded[1].attainment?.maths = .noResult(reason)
        let withCode = DropAggregates(coded)
        #expect(judged.value(of: .expected(.maths), year: .year2) == 100)
        #expect(withCode.value(of: .expected(.maths), year: .year2) == 50)
        #expect(withCode.value(of: .expected(.reading), year: .year2) == 100)
        #expect(withCode.value(of: .expected(.rwm), year: .year2) == 50)
        #expect(withCode.counts(.maths, year: .year2).pupils == 2)
        #expect(withCode.counts(.maths, year: .year2).noResult[reason] == 1)
        #expect(withCode.counts(.maths, year: .year2).noResult.total == 1)
    }

    @Test func phonicsCountsAbsentAndDisappliedButNotPupilsWithNothingYet() {
        #expect(codes.phonics(.year1) == CheckCounts(pupils: 3, met: 1, noResult: NoResultCounts(absent: 1, disapplied: 1)))
        #expect(isClose(codes.value(of: .phonicsPass, year: .year1), 100.0 / 3))
    }

    @Test func theMultiplicationCheckMeanLeavesThemOutAndFullMarksKeepThemIn() {
        let mtc = codes.multiplicationCheck[.all]!
        #expect(mtc == MTCCounts(eligible: 4, took: 2, scoreSum: 40, fullMarks: 1,
                                 noResult: NoResultCounts(absent: 1, newArrival: 1)))
        #expect(codes.value(of: .multiplicationCheckMean) == 20)  // (25 + 15) / 2
        #expect(codes.value(of: .multiplicationCheckFullMarks) == 25)  // 1 of 4 eligible
        #expect(codes.basis(FigureKey(.multiplicationCheckMean))?.cohort == 2)
    }

    @Test func yearTwoPhonicsIsItsOwnCohort() {
        let pupils = [pupil(1, .year2, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 34),
                      pupil(2, .year2, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 30),
                      pupil(3, .year1, "EXS EXS EXS", target: "EXS EXS EXS", phonics: 20)]
        let aggregates = DropAggregates(pupils)
        #expect(aggregates.value(of: .phonicsPass, year: .year2) == 50)
        #expect(aggregates.value(of: .phonicsPass, year: .year1) == 0)
        #expect(aggregates.value(of: .phonicsPass) == 0)  // nil year is the year 1 check
    }
}
