import Foundation
import TrustDomain

/// The survey definitions in `TRUST_CONFIG/surveys/`. A definition is read when an export
/// arrives, not at start-up: a new survey is launched by adding its file, with no restart.
public struct SurveyLibrary: Sendable {
    public let directory: URL

    public init(configDirectory: String) {
        directory = URL(fileURLWithPath: configDirectory, isDirectory: true).appendingPathComponent("surveys")
    }

    /// Ids of the surveys that have a definition file, sorted.
    public func ids() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The survey's definition. An id that is not a slug is never used as a file name, so a
    /// routing key cannot point outside the directory.
    public func definition(_ id: String) throws -> SurveyDefinition {
        let url = directory.appendingPathComponent("\(id).json")
        guard AcademyID.isValidSlug(id), FileManager.default.fileExists(atPath: url.path) else {
            throw SurveyImportError(surveyID: id, problems: [.unknownSurvey(id: id, known: ids())])
        }
        return try SurveyDefinition.load(contentsOf: url)
    }
}
