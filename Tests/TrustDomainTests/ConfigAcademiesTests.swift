import Foundation
import Testing

import TrustDomain

/// The repository's real `Config/` directory, found from this file so tests run from anywhere.
enum ConfigFixture {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../Config")
        .standardizedFileURL

    static func academies() throws -> AcademyCatalog {
        try AcademyCatalog.load(
            contentsOf: directory.appendingPathComponent(AcademyCatalog.fileName))
    }

    static func forums() throws -> ForumCalendar {
        try ForumCalendar.load(contentsOf: directory.appendingPathComponent(ForumCalendar.fileName))
    }
}

@Suite("Config/academies.json")
struct ConfigAcademiesTests {
    let catalog: AcademyCatalog
    init() throws { catalog = try ConfigFixture.academies() }

    @Test func holdsTheFifteenAcademiesOfTheContract() {
        let contractSlugs = [
            "birstall", "boothroyd", "coppice", "deeplish", "fieldhead", "freehold", "lyndhurst",
            "manor-green", "old-trafford", "roundthorn", "rudheath", "shibden-head", "thornhill",
            "thornton", "wilsden",
        ]
        #expect(catalog.academies.map(\.id.rawValue) == contractSlugs)
    }

    @Test func pupilsAddUpToTheTrustTotal() {
        #expect(catalog.academies.reduce(0) { $0 + $1.pupils } == 6082)
        #expect(catalog.trustTotals.pupils == 6082)
    }

    /// The prospectus's trust percentages are not exactly the pupil-weighted averages of its
    /// school percentages (EAL is 0.84 points off), so this pins both how close they are and
    /// that the loader's 1-point tolerance covers them.
    @Test(arguments: [
        (\Academy.ppPercent, 24.75, 0.25),
        (\Academy.ealPercent, 40.29, 0.85),
        (\Academy.sendPercent, 13.57, 0.05),
    ] as [(KeyPath<Academy, Double> & Sendable, Double, Double)])
    func weightedPercentagesMatchTheTrustTotals(
        column: KeyPath<Academy, Double> & Sendable, printed: Double, gap: Double
    ) {
        let weighted = catalog.weightedPercent(column)
        #expect(abs(weighted - printed) <= gap)
        #expect(gap <= AcademyCatalog.percentTolerance)
    }

    @Test func nurseryIsMarkedWhereTheSeedHasAnAsterisk() {
        let withoutNursery = catalog.academies.filter { !$0.includesNursery }.map(\.id.rawValue)
        #expect(withoutNursery == ["birstall", "rudheath", "shibden-head", "thornhill", "wilsden"])
    }

    @Test func regionsFollowTheTrustsThreeAreas() {
        func ids(in region: Region) -> [String] {
            catalog.academies.filter { $0.region == region }.map(\.id.rawValue)
        }
        #expect(ids(in: .cheshire) == ["rudheath"])
        #expect(ids(in: .westYorkshire) == [
            "birstall", "boothroyd", "fieldhead", "shibden-head", "thornhill", "thornton",
            "wilsden",
        ])
        #expect(ids(in: .northWest).count == 7)
    }

    @Test func ofstedJudgementsKeepTheSeedsNuance() throws {
        let roundthorn = try #require(catalog.academy(AcademyID("roundthorn")))
        #expect(roundthorn.ofsted.judgement == nil)
        #expect(roundthorn.ofsted.note == "Not yet inspected as an academy")
        #expect(roundthorn.previousOfsted?.judgement == .outstanding)

        let wilsden = try #require(catalog.academy(AcademyID("wilsden")))
        #expect(wilsden.ofsted.judgement == .requiresImprovement)
        #expect(wilsden.ofsted.date == YearMonth("2020-01"))
        #expect(wilsden.ofsted.note == "good personal development")

        let boothroyd = try #require(catalog.academy(AcademyID("boothroyd")))
        #expect(boothroyd.name == "Boothroyd Primary Academy")
        #expect(boothroyd.ofsted.date == YearMonth("2019-01"))
        let deeplish = try #require(catalog.academy(AcademyID("deeplish")))
        #expect(deeplish.previousOfsted?.judgement == .specialMeasures)
    }

    @Test func survivesAnEncodeDecodeRoundTrip() throws {
        let encoded = try JSONEncoder().encode(catalog)
        #expect(try AcademyCatalog.load(from: encoded) == catalog)
    }
}
