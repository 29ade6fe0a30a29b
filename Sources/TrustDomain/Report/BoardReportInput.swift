import Foundation

/// A pupil row as the store keeps it: no UPN, only the keyed pseudonym that matches the same
/// pupil across drops.
public struct StoredPupil: AssessedPupil, Hashable, Sendable {
    public var key: String
    public var year: YearGroup
    public var gender: Gender?
    public var pupilPremium: Bool
    public var eal: Bool
    public var send: SENDStatus
    public var attainment: SubjectAssessments?
    public var targets: SubjectJudgements?
    public var goodLevelOfDevelopment: Bool?
    public var phonics: CheckResult?
    public var multiplicationCheck: CheckResult?

    public init(key: String, year: YearGroup, gender: Gender? = nil, pupilPremium: Bool = false, eal: Bool = false,
                send: SENDStatus = .none, attainment: SubjectAssessments? = nil, targets: SubjectJudgements? = nil,
                goodLevelOfDevelopment: Bool? = nil, phonics: CheckResult? = nil,
                multiplicationCheck: CheckResult? = nil) {
        self.key = key
        self.year = year
        self.gender = gender
        self.pupilPremium = pupilPremium
        self.eal = eal
        self.send = send
        self.attainment = attainment
        self.targets = targets
        self.goodLevelOfDevelopment = goodLevelOfDevelopment
        self.phonics = phonics
        self.multiplicationCheck = multiplicationCheck
    }

    /// A validated record under its pseudonym (tests and fixtures).
    public init(key: String, _ record: PupilRecord) {
        self.init(key: key, year: record.year, gender: record.gender, pupilPremium: record.pupilPremium,
                  eal: record.eal, send: record.send, attainment: record.attainment, targets: record.targets,
                  goodLevelOfDevelopment: record.goodLevelOfDevelopment, phonics: record.phonics,
                  multiplicationCheck: record.multiplicationCheck)
    }
}

/// Everything the termly board report is made from. The report is a pure function of this
/// value: the caller reads the store and the config, the report does no I/O, so the same input
/// always gives the same JSON and the same HTML.
public struct BoardReportInput: Sendable {
    /// The drop the board is looking at.
    public var drop: DropID
    public var catalog: AcademyCatalog
    /// The pupils of each academy's data in use, per drop. The report reads `drop`, the
    /// year's earlier drops (the trend), the same drop a year earlier (like-for-like change)
    /// and `drop.previous` (same-pupil progress); others are ignored.
    public var pupils: [AcademyID: [DropID: [StoredPupil]]]
    /// Academies with no data in use for `drop`: shown as not submitted, left out of the
    /// trust figures whatever `pupils` holds.
    public var notSubmitted: [AcademyID]
    public var thresholds: DropThresholds
    public var national: NationalFigures
    /// Printed on the report so a printed copy can be dated; `TRUST_NOW` in demos.
    public var generatedAt: Date

    public init(drop: DropID, catalog: AcademyCatalog, pupils: [AcademyID: [DropID: [StoredPupil]]],
                notSubmitted: [AcademyID], thresholds: DropThresholds, national: NationalFigures,
                generatedAt: Date) {
        self.drop = drop
        self.catalog = catalog
        self.pupils = pupils
        self.notSubmitted = notSubmitted
        self.thresholds = thresholds
        self.national = national
        self.generatedAt = generatedAt
    }

    /// Academies in the catalog without pupils for `drop`: the default "not submitted" list
    /// when nothing better is known.
    public static func withoutPupils(_ drop: DropID, catalog: AcademyCatalog,
                                     pupils: [AcademyID: [DropID: [StoredPupil]]]) -> [AcademyID] {
        catalog.academies.map(\.id).filter { (pupils[$0]?[drop] ?? []).isEmpty }
    }
}

/// Same-pupil progress between two drops, matched by pseudonymous key.
public enum PupilProgress {
    /// One row per subject and current year group (years 1–6) with any matched pupil.
    public static func rows(now: [StoredPupil], then: [StoredPupil]) -> (rows: [ProgressRow], joiners: Int) {
        let earlier = Dictionary(then.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [ProgressRow] = []
        var joiners = 0
        for pupil in now where pupil.year.isAssessed && earlier[pupil.key]?.attainment == nil { joiners += 1 }
        for year in YearGroup.assessed {
            let cohort = now.filter { $0.year == year }
            for subject in Subject.allCases {
                var row = ProgressRow(subject: ReportSubject(rawValue: subject.rawValue)!, year: year.rawValue,
                                      matched: 0, up: 0, held: 0, down: 0, onTrack: 0, noResult: 0)
                for pupil in cohort {
                    guard let was = earlier[pupil.key]?.attainment?[subject], let now = pupil.attainment?[subject]
                    else { continue }
                    guard let before = was.judgement, let after = now.judgement else {
                        row.noResult += 1
                        continue
                    }
                    row.matched += 1
                    if after > before { row.up += 1 } else if after == before { row.held += 1 } else { row.down += 1 }
                    if let target = pupil.targets?[subject], after >= target { row.onTrack += 1 }
                }
                if row.matched + row.noResult > 0 { rows.append(row) }
            }
        }
        return (rows, joiners)
    }
}
