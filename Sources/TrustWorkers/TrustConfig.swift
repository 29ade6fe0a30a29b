import Foundation
import TrustDomain

/// The trust's facts from `TRUST_CONFIG`, loaded and validated together at start-up so a bad
/// edit stops a worker with a clear message instead of failing on the first message.
public struct TrustConfig: Sendable {
    public let directoryURL: URL
    public let academies: AcademyCatalog
    public let forums: ForumCalendar
    public let drops: DropCalendar
    public let terms: TermCalendar

    public init(directory path: String) throws {
        directoryURL = URL(fileURLWithPath: path, isDirectory: true)
        academies = try AcademyCatalog.load(contentsOf: directoryURL.appendingPathComponent(AcademyCatalog.fileName))
        forums = try ForumCalendar.load(contentsOf: directoryURL.appendingPathComponent(ForumCalendar.fileName))
        drops = try DropCalendar.load(contentsOf: directoryURL.appendingPathComponent(DropCalendar.fileName))
        terms = try TermCalendar.load(contentsOf: directoryURL.appendingPathComponent(TermCalendar.fileName))
        try terms.check(against: academies)
    }

    /// Working days across the trust's academies: when reminders and FAcT may go.
    public var schoolDays: SchoolDays { SchoolDays(terms: terms, academies: academies) }

    public var academyIDs: Set<AcademyID> { Set(academies.academies.map(\.id)) }

    /// The directory is read when needed, not at start-up: it changes more often than the
    /// rest and a worker should pick up a new starter without a restart.
    public func loadDirectory() throws -> Directory {
        let url = directoryURL.appendingPathComponent(Directory.fileName)
        return try Directory.load(Array(try Data(contentsOf: url)), knownAcademies: academyIDs)
    }

    /// `enrolments.csv`, read when needed like the directory (organisers edit it during the
    /// year); no file means nobody is enrolled in anything.
    public func loadEnrolments() throws -> Enrolments {
        let url = file(Enrolments.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return Enrolments() }
        return try Enrolments.load(Array(try Data(contentsOf: url)), forums: forums)
    }

    public func file(_ name: String) -> URL { directoryURL.appendingPathComponent(name) }
}
