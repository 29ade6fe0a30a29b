import Foundation
import Testing

@testable import TrustDomain
import TrustFixtures

/// A Microsoft Forms export arrives from whoever downloaded it; whatever the bytes, reading it
/// gives responses or a refusal whose one-line form fits a dead-letter header and never
/// repeats who answered.
@Suite("Hostile inputs: survey export properties")
struct HostileSurveyPropertyTests {
    @Test func mutatedExportsGiveResponsesOrAOneLineRefusal() throws {
        let survey = try SurveyDefinition.load(contentsOf: ConfigFixture.directory
            .appendingPathComponent("surveys/colleagues-2022.json"))
        let academies = try ConfigFixture.academies()
        let export = SyntheticForms.export(survey: survey, academies: academies,
                                           options: .init(respondents: 3, commentRate: 1))
        let identities = export.respondents.flatMap { [$0.name, $0.email] }
        var mutator = HostileMutator(seed: 0x5_0_2_7E7, maxBytes: 32 << 10)
        var read = 0
        for iteration in 0..<2_000 {
            let bytes = mutator.mutate(Array(export.csv.utf8))
            do throws(SurveyImportError) {
                let result = try FormsExport.read(bytes, survey: survey, academies: academies)
                read += 1
                #expect(!result.responses.isEmpty, "iteration \(iteration)")
                let rows = result.responses.map(\.row)
                #expect(rows == rows.sorted() && Set(rows).count == rows.count, "iteration \(iteration): \(rows)")
            } catch {
                #expect(!error.problems.isEmpty, "iteration \(iteration)")
                let line = error.oneLine()
                #expect(line.count <= 480 && !line.contains("\n"), "iteration \(iteration): \(line)")
                let leaked = identities.filter { error.description.contains($0) }
                #expect(leaked.isEmpty, "iteration \(iteration): \(leaked) in «\(error.description)»")
            }
        }
        #expect(read > 50, "the success path was hardly reached: \(read)")
    }
}
