import Foundation
import Testing

@testable import TrustDomain
@testable import TrustFixtures

@Suite("Synthetic directory")
struct DirectoryGeneratorTests {
    let catalog: AcademyCatalog
    let people: [Person]

    init() throws {
        catalog = try ConfigFixture.academies()
        people = DirectoryGenerator(academies: catalog.academies).people()
    }

    func staff(of academy: String) -> [Person] { people.filter { $0.affiliation == .academy(AcademyID(academy)) } }
    func count(_ role: Role, in group: [Person]) -> Int { group.filter { $0.active && $0.roles.contains(role) }.count }

    @Test func splitMixIsTheReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func sameSeedSameFileOtherSeedOtherPeople() {
        let again = DirectoryGenerator(academies: catalog.academies).csv()
        #expect(again == DirectoryGenerator.csv(people))
        #expect(DirectoryGenerator(academies: catalog.academies, seed: 7).csv() != again)
    }

    @Test func overAThousandActiveRecipientsWithSomeLeavers() {
        let active = people.filter(\.active)
        #expect(active.count >= 1_000)
        #expect(active.count <= 1_200)
        #expect(people.count - active.count >= 15)
        #expect(count(.governor, in: people) >= 90)
    }

    @Test func everyAcademyHasItsLeadershipGovernorsAndClasses() {
        for academy in catalog.academies {
            let group = staff(of: academy.id.rawValue)
            let name = academy.id.rawValue
            #expect(count(.headteacher, in: group) == 1, "\(name)")
            #expect(count(.deputy, in: group) == (academy.pupils >= 500 ? 2 : 1), "\(name)")
            #expect((6...8).contains(count(.governor, in: group)), "\(name)")
            for role in [Role.englishLead, .mathsLead, .curriculumLead, .eyfsLead, .senco, .dsl, .businessManager] {
                #expect(count(role, in: group) == 1, "\(name) \(role)")
            }
            #expect(count(.ect, in: group) >= 1 && count(.ect, in: group) == count(.ectMentor, in: group), "\(name)")
            #expect((1...3).contains(count(.newStaff, in: group)), "\(name)")
            #expect(count(.supportStaff, in: group) > 0, "\(name)")
        }
        // 642 pupils with a nursery: 642 / 7.5 ≈ 86 a year, three classes of about 29.
        let boothroyd = staff(of: "boothroyd")
        #expect([Role.teacherR, .teacherY1, .teacherY6].map { count($0, in: boothroyd) } == [3, 3, 3])
        // 197 pupils, no nursery: 28 a year, one class.
        #expect(count(.teacherY3, in: staff(of: "birstall")) == 1)
        #expect(count(.dataManager, in: people.filter { $0.affiliation == .central }) == 3)
    }

    @Test func addressesAreUniqueValidAndLocal() throws {
        let emails = people.map(\.email)
        #expect(Set(emails).count == emails.count)
        for person in people {
            #expect(throws: Never.self) { try MailAddress(person.email) }
            switch person.affiliation {
            case .academy(let id): #expect(person.email.hasSuffix("@\(id.rawValue).focus-trust.local"))
            case .central: #expect(person.email.hasSuffix("@focus-trust.local"))
            }
        }
        #expect(people.contains { !$0.name.allSatisfy(\.isASCII) })
        #expect(Names.ascii("Łukasz") == "lukasz" && Names.ascii("O'Neill") == "oneill" && Names.ascii("Zoë") == "zoe")
    }

    @Test func theFileLoadsAsADirectoryAndIsTheOneCommitted() throws {
        let csv = DirectoryGenerator.csv(people)
        let loaded = try Directory.load(Array(csv.utf8), knownAcademies: Set(catalog.academies.map(\.id)))
        #expect(loaded.people == people)
        let committed = try String(contentsOf: ConfigFixture.directory.appendingPathComponent(Directory.fileName), encoding: .utf8)
        #expect(committed == csv, "Config/directory.csv differs from the generator: run trustctl demo directory --out Config/directory.csv")
    }
}
