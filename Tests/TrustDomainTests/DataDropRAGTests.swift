import Foundation
import Testing

@testable import TrustDomain

@Suite("RAG thresholds")
struct DataDropRAGTests {
    let defaults = RAGThresholds.defaults

    @Test(arguments: [
        (Measure.expected(.reading), 75.0, 65.0),
        (.expected(.writing), 70, 60),
        (.expected(.maths), 75, 65),
        (.expected(.rwm), 65, 55),
        (.greaterDepth(.reading), 20, 12),
        (.greaterDepth(.writing), 20, 12),
        (.greaterDepth(.maths), 20, 12),
        (.greaterDepth(.rwm), 10, 6),
        (.onTarget(.reading), 75, 60),
        (.onTarget(.rwm), 75, 60),
        (.goodLevelOfDevelopment, 70, 60),
        (.phonicsPass, 80, 70),
        (.multiplicationCheckMean, 20, 17),
        (.multiplicationCheckFullMarks, 30, 20),
    ])
    func higherIsBetterBoundaries(measure: Measure, green: Double, amber: Double) {
        #expect(defaults.rag(for: measure, value: 100) == .green)
        #expect(defaults.rag(for: measure, value: green) == .green)
        #expect(defaults.rag(for: measure, value: green - 0.01) == .amber)
        #expect(defaults.rag(for: measure, value: amber) == .amber)
        #expect(defaults.rag(for: measure, value: amber - 0.01) == .red)
        #expect(defaults.rag(for: measure, value: 0) == .red)
    }

    @Test(arguments: ReportSubject.allCases)
    func gapLowerIsBetter(subject: ReportSubject) {
        let gap = Measure.disadvantagedGap(subject)
        #expect(defaults.rag(for: gap, value: -5) == .green)  // disadvantaged pupils ahead
        #expect(defaults.rag(for: gap, value: 10) == .green)
        #expect(defaults.rag(for: gap, value: 10.01) == .amber)
        #expect(defaults.rag(for: gap, value: 20) == .amber)
        #expect(defaults.rag(for: gap, value: 20.01) == .red)
    }

    @Test func noValueMeansNoRating() {
        #expect(defaults.rag(for: .expected(.reading), value: nil) == nil)
        #expect(defaults.rag(for: .disadvantagedGap(.rwm), value: nil) == nil)
    }

    @Test func roundingNoiseAtABoundaryDoesNotDropABand() {
        #expect(defaults.rag(for: .expected(.reading), value: 75 - 1e-12) == .green)
        #expect(defaults.rag(for: .disadvantagedGap(.reading), value: 10 + 1e-12) == .green)
        let noisy = (0.1 + 0.2) * 100 - 20  // 10.000000000000004
        #expect(noisy != 10)
        #expect(defaults.rag(for: .disadvantagedGap(.reading), value: noisy) == .green)
    }

    @Test func ratesAggregateValues() {
        let pupils = (1...4).map { serial in
            PupilRecord(upn: try! UPN(validUPN(serial)), year: .reception,
                        goodLevelOfDevelopment: serial != 4)
        }
        let gld = DropAggregates(pupils).value(of: .goodLevelOfDevelopment)
        #expect(gld == 75)
        #expect(defaults.rag(for: .goodLevelOfDevelopment, value: gld) == .green)
    }

    @Test func ragIsOrderedWorstToBest() {
        #expect(RAG.red < .amber && RAG.amber < .green)
    }

    @Test func configOverridesOnlyWhatItNames() throws {
        let json = #"""
            { "expected": { "reading": { "green_at": 80, "amber_at": 70 } },
              "disadvantaged_gap": { "green_at": 5, "amber_at": 15 } }
            """#
        let loaded = try JSONDecoder().decode(RAGThresholds.self, from: Data(json.utf8))
        #expect(loaded.expected[.reading] == RAGBand(greenAt: 80, amberAt: 70))
        #expect(loaded.expected[.writing] == defaults.expected[.writing])
        #expect(loaded.disadvantagedGap == RAGBand(greenAt: 5, amberAt: 15))
        #expect(loaded.phonicsPass == defaults.phonicsPass)
        #expect(loaded.rag(for: .expected(.reading), value: 75) == .amber)
        #expect(try JSONDecoder().decode(RAGThresholds.self, from: Data("{}".utf8)) == defaults)
    }

    @Test func thresholdsRoundTripThroughJSON() throws {
        let data = try JSONEncoder().encode(defaults)
        #expect(try JSONDecoder().decode(RAGThresholds.self, from: data) == defaults)
        #expect(String(decoding: data, as: UTF8.self).contains("\"green_at\""))
    }

    @Test func backwardsBandsAreRefusedWithTheMeasureNamed() {
        let cases = [
            (#"{"expected": {"maths": {"green_at": 60, "amber_at": 70}}}"#,
             "thresholds for expected.maths: green_at must not be below amber_at (green_at 60.0, amber_at 70.0)"),
            (#"{"disadvantaged_gap": {"green_at": 20, "amber_at": 10}}"#,
             "thresholds for disadvantaged_gap: lower is better, so green_at must not be above amber_at (green_at 20.0, amber_at 10.0)"),
        ]
        for (json, message) in cases {
            do {
                _ = try JSONDecoder().decode(RAGThresholds.self, from: Data(json.utf8))
                Issue.record("accepted \(json)")
            } catch DecodingError.dataCorrupted(let context) {
                #expect(context.debugDescription == message)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func yearTwoPhonicsHasItsOwnBandAndTargetSharesAreNotRated() {
        #expect(defaults.rag(for: FigureKey(.phonicsPass, year: .year2), value: 88) == .amber)
        #expect(defaults.rag(for: FigureKey(.phonicsPass, year: .year1), value: 88) == .green)
        #expect(defaults.rag(for: .targetExpected(.rwm), value: 10) == nil)
    }

    /// Each drop is rated against its own term: the shipped autumn thresholds rate the same
    /// figure green that the summer thresholds rate red.
    @Test func eachTermHasItsOwnThresholdsAndEveryTermIsRequired() throws {
        let shipped = try JSONDecoder().decode(DropThresholds.self, from: try ConfigFixture.data("thresholds.json"))
        let rwm = FigureKey(.expected(.rwm))
        let autumn = try #require(shipped.byTerm[.autumn]?.expected[.rwm])
        let summer = try #require(shipped.byTerm[.summer]?.expected[.rwm])
        #expect(autumn.greenAt < summer.amberAt)
        #expect(shipped.forTerm(.autumn).rag(for: rwm, value: autumn.greenAt) == .green)
        #expect(shipped.forTerm(.summer).rag(for: rwm, value: autumn.greenAt) == .red)
        #expect(shipped.smallGroup == 10 && shipped.withholdBelow == 5)
        let missingSpring = #"{"by_drop": {"autumn": {}, "summer": {}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DropThresholds.self, from: Data(missingSpring.utf8)) }
        let backwards = #"{"withhold_below": 12, "by_drop": {"autumn": {}, "spring": {}, "summer": {}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DropThresholds.self, from: Data(backwards.utf8)) }
    }
}
