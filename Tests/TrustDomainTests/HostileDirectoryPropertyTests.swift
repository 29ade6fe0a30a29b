import Foundation
import Testing

@testable import TrustDomain

/// `Config/directory.csv` is edited by hand in a spreadsheet; whatever it becomes, loading it
/// gives the people in it or a list of problems that each point at a line of the file.
@Suite("Hostile inputs: directory loader properties")
struct HostileDirectoryPropertyTests {
    static let academies: Set<AcademyID> = [AcademyID("birstall"), AcademyID("coppice")]
    static let seed = Array("""
        name,email,academy,roles,active\r
        Ann Lead,ann@birstall.example.org,birstall,english-lead;headteacher,Y\r
        "Bob, Senior",bob@coppice.example.org,coppice,maths-lead,N\r
        Cé Central,ce@focus-trust.example.org,central,central-team;data-manager,Y\r

        """.utf8)

    @Test func mutatedDirectoriesGivePeopleOrProblemsOnLinesOfTheFile() throws {
        var mutator = HostileMutator(seed: 0xD12EC7)
        var loaded = 0
        for iteration in 0..<5_000 {
            let bytes = mutator.mutate(Self.seed)
            let lines = 1 + bytes.filter { $0 == 0x0A || $0 == 0x0D }.count
            do throws(DirectoryErrors) {
                let directory = try Directory.load(bytes, knownAcademies: Self.academies)
                loaded += 1
                let rows = (try? CSV.parse(bytes))?.rows.count ?? -1
                #expect(directory.people.count == rows, "iteration \(iteration)")
                #expect(Set(directory.people.map(\.email)).count == rows, "iteration \(iteration): an e-mail twice")
            } catch {
                #expect(!error.errors.isEmpty && error.total >= error.errors.count, "iteration \(iteration)")
                for problem in error.errors {
                    if problem.line < 0 || problem.line > lines {
                        Issue.record("iteration \(iteration): line \(problem.line) outside the file's \(lines) lines")
                    }
                    // One readable line: a value's own line breaks or escapes must not split it.
                    let text = problem.description
                    if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                        Issue.record("iteration \(iteration): control characters in «\(text.debugDescription)»")
                        return
                    }
                }
            }
        }
        #expect(loaded > 150, "the success path was hardly reached: \(loaded)")
    }
}
