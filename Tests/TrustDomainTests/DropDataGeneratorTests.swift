import Foundation
import Testing

@testable import TrustDomain
@testable import TrustFixtures

private let catalog = try! ConfigFixture.academies()
private let generator = DropDataGenerator(seed: 2021, catalog: catalog)
private let year = generator.files(startYear: 2021)

/// Each of the year's files validated once: validation dominates these tests in debug builds.
private let validation = Dictionary(uniqueKeysWithValues: year.map { file in
    (file, Result { () throws(DropRejection) in try DataDropFile.validate(file.bytes) })
})

private func validated(_ file: GeneratedDropFile) throws -> [PupilRecord] {
    let result = validation[file]
        ?? Result { () throws(DropRejection) in try DataDropFile.validate(file.bytes) }
    switch result {
    case .success(let records): return records
    case .failure(let error):
        Issue.record("\(file.filename) was rejected:\n\(error)")
        throw error
    }
}

private func percent(_ pupils: [PupilRecord], _ condition: (PupilRecord) -> Bool) -> Double {
    Double(pupils.count(where: condition) * 100) / Double(pupils.count)
}

@Suite("Demo data-drop generator")
struct DropDataGeneratorTests {
    @Test func everyFileOfTheYearPassesValidationAndReadsBackAsGenerated() throws {
        #expect(year.count == 15 * 3)
        #expect(Set(year.map(\.filename)).count == 45)
        #expect(year.first?.filename == "2021-22-autumn/birstall.csv")
        #expect(year.last?.filename == "2021-22-summer/wilsden.csv")
        for file in year {
            let records = try validated(file)
            #expect(records == generator.pupils(for: file.academy, drop: file.drop),
                    "\(file.filename)")
        }
        let text = String(decoding: year[0].bytes, as: UTF8.self)
        #expect(text.hasPrefix(DropColumn.header + "\r\n"))
    }

    @Test func pupilNumbersMatchTheCatalogAndCoverTheRightYears() throws {
        for term in Term.allCases {
            let files = year.filter { $0.drop.term == term }
            var total = 0
            for file in files {
                let academy = try #require(catalog.academy(file.academy))
                let records = try validated(file)
                #expect(records.count == academy.pupils, "\(file.filename)")
                total += records.count
                let sizes = Dictionary(grouping: records, by: \.year).mapValues(\.count)
                #expect((sizes[.nursery] != nil) == academy.includesNursery, "\(file.filename)")
                let school = sizes.filter { $0.key != .nursery }
                #expect(school.count == 7, "\(file.filename): reception to year 6")
                let mean = Double(school.values.reduce(0, +)) / 7
                for (group, size) in school {
                    #expect(abs(Double(size) - mean) <= mean * 0.15,
                            "\(file.filename) \(group.name): \(size) against a mean of \(mean)")
                }
            }
            #expect(total == 6082)
        }
    }

    @Test func contextualRatesAreWithinAPointOfTheCatalog() throws {
        for file in year where file.drop.term == .autumn {
            let academy = try #require(catalog.academy(file.academy))
            let records = try validated(file)
            let rates: [(String, Double, Double)] = [
                ("PP", percent(records, \.pupilPremium), academy.ppPercent),
                ("EAL", percent(records, \.eal), academy.ealPercent),
                ("SEND", percent(records) { $0.send != .none }, academy.sendPercent),
            ]
            for (name, generated, published) in rates {
                #expect(abs(generated - published) <= 1, "\(academy.id) \(name)")
            }
            #expect(records.contains { $0.send == .ehcPlan } || academy.pupils < 100)
        }
    }

    @Test func pupilsKeepTheirUPNAndYearAllYearAndUPNsAreUniqueTrustWide() throws {
        var yearOfUPN: [String: YearGroup] = [:]
        for file in year {
            for pupil in try validated(file) {
                let known = yearOfUPN.updateValue(pupil.year, forKey: pupil.upn.rawValue)
                #expect(known == nil || known == pupil.year)
            }
        }
        // Each pupil appears once per drop, so 6,082 distinct UPNs over the three drops.
        #expect(yearOfUPN.count == 6082)
        let targets = try Term.allCases.map { term in
            try validated(year.first { $0.drop.term == term }!).map(\.targets)
        }
        #expect(targets[0] == targets[1] && targets[1] == targets[2], "targets are fixed")
    }

    @Test func theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() {
        let again = DropDataGenerator(seed: 2021, catalog: catalog).files(startYear: 2021)
        #expect(again == year)
        let other = DropDataGenerator(seed: 2022, catalog: catalog).files(startYear: 2021)
        #expect(zip(other, year).allSatisfy { $0.bytes != $1.bytes })
        let single = generator.file(for: AcademyID("thornton"), drop: DropID("2021-22/spring")!)
        #expect(single == year.first { $0.filename == "2021-22-spring/thornton.csv" })
        #expect(generator.file(for: AcademyID("nowhere"), drop: DropID("2021-22/spring")!) == nil)
    }

    @Test func attainmentRisesThroughTheYearAndDisadvantagedPupilsAreBehind() throws {
        var trust: [Term: DropAggregates] = [:]
        for term in Term.allCases {
            let academies = try year.filter { $0.drop.term == term }
                .map { DropAggregates(try validated($0)) }
            trust[term] = DropAggregates.trustTotal(academies)
        }
        let autumn = try #require(trust[.autumn]), spring = try #require(trust[.spring])
        let summer = try #require(trust[.summer])
        for subject in ReportSubject.allCases {
            let values = [autumn, spring, summer].map { $0.value(of: .expected(subject))! }
            #expect(values[0] < values[1] && values[1] < values[2], "\(subject) \(values)")
            for aggregates in [autumn, spring, summer] {
                let gap = try #require(aggregates.value(of: .disadvantagedGap(subject)))
                #expect(gap > 5, "\(subject) gap \(gap)")
                let send = { (group: PupilGroup) in aggregates.value(of: .expected(subject), group: group)! }
                #expect(send(.senSupport) < send(.sendNone))
                #expect(send(.ehcPlan) < send(.senSupport))
            }
        }
        // Summer looks like a typical English primary, autumn clearly lower.
        #expect((68...80).contains(summer.value(of: .expected(.reading))!))
        #expect((54...68).contains(summer.value(of: .expected(.rwm))!))
        #expect((60...78).contains(summer.value(of: .goodLevelOfDevelopment)!))
        #expect((70...88).contains(summer.value(of: .phonicsPass)!))
        #expect((18...23).contains(summer.value(of: .multiplicationCheckMean)!))
        #expect(autumn.value(of: .goodLevelOfDevelopment)! < summer.value(of: .goodLevelOfDevelopment)!)
        // The checks are in June: no phonics in autumn, practice scores for some in spring.
        #expect(autumn.phonics(.year1).pupils == 0)
        #expect(spring.phonics(.year1).pupils > 0 && spring.phonics(.year1).pupils < summer.phonics(.year1).pupils)
        #expect(autumn.multiplicationCheck[.all] == nil && spring.multiplicationCheck[.all] == nil)
        #expect(summer.multiplicationCheck[.all]!.took > 0)
        // Pupils absent from the June checks are recorded A, and stay in the denominators.
        #expect(summer.phonics(.year1).noResult.absent > 0 && summer.multiplicationCheck[.all]!.noResult.absent > 0)
        // Year 2 phonics: the year 1 result all year, retakes raising it by summer.
        #expect(autumn.value(of: .phonicsPass, year: .year2)! < summer.value(of: .phonicsPass, year: .year2)!)
        #expect((85...95).contains(summer.value(of: .phonicsPass, year: .year2)!))
        // New arrivals (J) are not yet assessed in autumn; disapplied and absent pupils all year.
        #expect(autumn.counts(.rwm).noResult.newArrival > 0 && spring.counts(.rwm).noResult.newArrival == 0)
        #expect(summer.counts(.rwm).noResult.disapplied > 0 && summer.counts(.rwm).noResult.absent > 0)
    }

    @Test func noPupilsJudgementGoesDownDuringTheYear() throws {
        let academy = AcademyID("fieldhead")
        let drops = Term.allCases.map { DropID(startYear: 2021, term: $0) }
        let records = drops.map { generator.pupils(for: academy, drop: $0)! }
        for (earlier, later) in [(records[0], records[1]), (records[1], records[2])] {
            for (before, after) in zip(earlier, later) {
                #expect(before.upn == after.upn)
                guard let was = before.attainment, let now = after.attainment else { continue }
                for subject in Subject.allCases {
                    guard let before = was[subject].judgement, let after = now[subject].judgement else { continue }
                    #expect(before <= after)
                }
            }
        }
    }

    @Test(arguments: DropMistake.allCases)
    func eachMistakeGivesItsOwnValidationError(_ mistake: DropMistake) throws {
        let drop = DropID("2021-22/autumn")!
        let academy = AcademyID("birstall")
        let file = try #require(generator.file(for: academy, drop: drop, mistakes: [mistake]))
        let pupils = try #require(generator.pupils(for: academy, drop: drop))
        let lastYear6 = pupils.lastIndex { $0.year == .year6 }! + 2
        let lastReception = pupils.lastIndex { $0.year == .reception }! + 2
        let expected: String
        switch mistake {
        case .yearSeven:
            expected = #"line \#(lastYear6), column year: "7" is not a primary year (N, R, 1–6)"#
        case .badCheckLetter:
            let upn = String(decoding: file.bytes.dropFirst(DropColumn.header.utf8.count + 2)
                .prefix(13), as: UTF8.self)
            #expect(upn != pupils[0].upn.rawValue && upn.dropFirst() == pupils[0].upn.rawValue.dropFirst())
            expected = #"line 2, column upn: "\#(upn)" fails the UPN check-letter test; look for a mistyped digit or letter"#
        case .judgementInReception:
            expected = #"line \#(lastReception), column reading: "EXS" is given for a reception pupil, but reading is for years 1–6 only; leave it empty"#
        case .duplicatedPupil:
            expected = #"line \#(pupils.count + 2), column upn: "\#(pupils[1].upn)" repeats the UPN on line 3"#
        case .missingColumn:
            expected = "line 1: the header lacks the column send; it must be \(DropColumn.header)"
        }
        do {
            _ = try DataDropFile.validate(file.bytes)
            Issue.record("\(mistake) was accepted")
        } catch {
            #expect(error.description == expected)
            #expect(error.totalCount == 1)
        }
    }

    @Test func rowMistakesTogetherAreAllReportedAndTheCorrectedFileIsAccepted() throws {
        let drop = DropID("2021-22/spring")!
        let academy = AcademyID("old-trafford")
        let rowMistakes = DropMistake.allCases.filter { $0 != .missingColumn }
        let bad = try #require(generator.file(for: academy, drop: drop,
                                              mistakes: rowMistakes.reversed()))
        do {
            _ = try DataDropFile.validate(bad.bytes)
            Issue.record("a file with four mistakes was accepted")
        } catch {
            #expect(Set(error.errors.compactMap(\.column)) == ["year", "upn", "reading"])
            #expect(error.totalCount == 4)
        }
        let corrected = try #require(generator.file(for: academy, drop: drop))
        #expect(try validated(corrected).count == 398)
    }

    @Test func tenfoldScaleHasTenTimesThePupilsWithUniqueUPNs() throws {
        let big = DropDataGenerator(seed: 7, catalog: catalog, scale: 10)
        let drop = DropID("2021-22/summer")!
        var upns = Set<UPN>()
        var total = 0
        for academy in catalog.academies {
            let records = try #require(big.pupils(for: academy.id, drop: drop))
            #expect(records.count == academy.pupils * 10)
            #expect(abs(percent(records, \.pupilPremium) - academy.ppPercent) <= 1)
            total += records.count
            upns.formUnion(records.map(\.upn))
        }
        #expect(total == 60_820)
        #expect(upns.count == 60_820)
        // The largest academy's file (6,420 rows) is still within the validator's limits.
        let largest = try #require(big.file(for: AcademyID("boothroyd"), drop: drop))
        #expect(try validated(largest).count == 6420)
    }

    @Test func apportioningKeepsTheTotalExactly() {
        #expect(apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(apportion(197, weights: [1, 1, 1, 1, 1, 1, 1]).reduce(0, +) == 197)
        #expect(apportion(7, weights: [0.75, 1]) == [3, 4])
    }
}
