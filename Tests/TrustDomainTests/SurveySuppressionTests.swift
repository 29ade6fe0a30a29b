import Foundation
import Testing

@testable import TrustDomain
import TrustFixtures

@Suite("Survey: complementary suppression")
struct SurveySuppressionTests {
    /// One column of academies plus the trust total, as the response counts are published.
    func hidden1D(_ sizes: [Int]) -> [Bool] {
        SuppressionTable(sizes: sizes.map { [$0] }, rowTotals: false, threshold: 5).hidden().map { $0[0] }
    }

    @Test func groupsAtOrAboveTheThresholdAreAllShown() {
        #expect(hidden1D([10, 5, 12, 27]) == [false, false, false, false])
    }

    @Test func oneSmallAcademyTakesTheNextSmallestWithItSoTheTotalCannotGiveItAway() {
        // Trust 29 minus the shown 8 and 12 would be academy 0's 3 if it were hidden alone.
        let hidden = hidden1D([3, 8, 12, 6, 29])
        #expect(hidden == [true, false, false, true, false])
        // What subtraction gives is the pool of academies 0 and 3: 9 people, a publishable group.
        #expect(DisclosureAudit(sizes: [[3], [8], [12], [6], [29]], hidden: hidden.map { [$0] }, rowTotals: false).exposedCells.isEmpty)
    }

    @Test func smallAcademiesWhosePoolIsStillSmallTakeMoreCover() {
        // 1 + 2 = 3 pooled is still fewer than 5, so the smallest shown academy (9) joins them.
        #expect(hidden1D([1, 2, 9, 10, 22]) == [true, true, true, false, false])
    }

    @Test func whenEveryAcademyIsSmallTheTrustTotalIsHiddenToo() {
        #expect(hidden1D([1, 2, 1, 4]) == [true, true, true, true])
        // Large enough in total, but with no shown academy left to add: the pool is the total.
        #expect(hidden1D([3, 4, 2, 9]) == [true, true, true, false])
    }

    @Test func emptyGroupsAreNeitherHiddenNorUsedAsCover() {
        #expect(hidden1D([0, 3, 0, 10, 13]) == [false, true, false, true, false])
        #expect(hidden1D([0, 0, 0]) == [false, false, false])
    }

    @Test func aThemeHidesTheTotalsOfRowsWithAHiddenQuestionAndCoversEveryLine() {
        // Academies A, B, C × questions q1, q2 + theme respondents; trust row last. Four of A's
        // eight respondents skipped q2, so A's q2 is small although A's theme total is not: shown,
        // that total minus A's q1 would give A's q2 back.
        let sizes = [[8, 4, 8], [10, 10, 10], [12, 12, 12], [30, 26, 30]]
        let hidden = SuppressionTable(sizes: sizes, rowTotals: true, threshold: 5).hidden()
        #expect(hidden == [[false, true, true], [false, true, true], [false, false, false], [false, false, false]])
        #expect(DisclosureAudit(sizes: sizes, hidden: hidden, rowTotals: true).exposedCells.isEmpty)
    }

    @Test func aPrimaryOnlyPatternIsExposedByTheAuditWhichIsWhyCoverIsNeeded() {
        // The audit itself must be able to fail: hiding only the small cell leaves it exposed.
        let sizes = [[8, 4, 8], [10, 10, 10], [12, 12, 12], [30, 26, 30]]
        var naive = sizes.map { $0.map { _ in false } }
        naive[0][1] = true
        let exposed = DisclosureAudit(sizes: sizes, hidden: naive, rowTotals: true).exposedCells
        #expect(exposed.count == 1 && exposed[0] == (0, 1))
    }

    /// Random tables shaped like real results: many small academies, skipped questions, empty
    /// groups. The pattern must hide every small group, never hide or lean on an empty one, and
    /// leave nothing an attacker can compute exactly, alone or as a pool smaller than the
    /// threshold.
    @Test(arguments: [false, true])
    func randomTablesLeaveNothingToWorkOut(twoWay: Bool) {
        var random = SeededRandom(seed: twoWay ? 7 : 11)
        for _ in 0..<300 {
            let threshold = 3 + random.below(5)
            let academies = 2 + random.below(14)
            let questions = twoWay ? 1 + random.below(5) : 1
            var rows: [[Int]] = []
            for _ in 0..<academies {
                let respondents = random.chance(0.15) ? 0 : random.below(3 * threshold)
                var answers = (0..<questions).map { _ in max(0, respondents - (random.chance(0.3) ? random.below(4) : 0)) }
                // A theme's respondents answered at least one of its questions.
                answers[random.below(questions)] = respondents
                rows.append(twoWay ? answers + [respondents] : answers)
            }
            let sizes = rows + [rows[0].indices.map { c in rows.reduce(0) { $0 + $1[c] } }]
            let hidden = SuppressionTable(sizes: sizes, rowTotals: twoWay, threshold: threshold).hidden()
            let audit = DisclosureAudit(sizes: sizes, hidden: hidden, rowTotals: twoWay)
            #expect(audit.exposedCells.isEmpty, "exposed \(audit.exposedCells) in \(sizes) hidden \(hidden)")
            #expect(audit.exposedSmallPools(threshold: threshold).isEmpty, "small pool in \(sizes) hidden \(hidden)")
            for (r, row) in sizes.enumerated() {
                for (c, n) in row.enumerated() {
                    if n > 0 && n < threshold { #expect(hidden[r][c], "small cell shown in \(sizes)") }
                    if n == 0 { #expect(!hidden[r][c], "empty cell hidden in \(sizes)") }
                }
            }
        }
    }
}
