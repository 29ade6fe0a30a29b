/// What a person does, in the fixed vocabulary shared by `Config/directory.csv` and forum
/// audiences. A closed set, because a misspelt role in an audience would silently remind nobody;
/// an unknown spelling is refused when the file is loaded.
public enum Role: String, CaseIterable, Hashable, Sendable, ConfigVocabulary {
    case headteacher
    case deputy
    case englishLead = "english-lead"
    case mathsLead = "maths-lead"
    case curriculumLead = "curriculum-lead"
    case eyfsLead = "eyfs-lead"
    case senco
    case dsl
    case businessManager = "business-manager"
    case governor
    case ect
    case ectMentor = "ect-mentor"
    /// ECTs in the first and second year of their two-year induction (each also holds `ect`).
    case ectYear1 = "ect-year-1"
    case ectYear2 = "ect-year-2"
    /// The next cohort: trainees with ECT posts from the coming September, invited to their
    /// induction day before they are ECTs of the trust.
    case ectIncoming = "ect-incoming"
    case supportStaff = "support-staff"
    case teacherR = "teacher-r"
    case teacherY1 = "teacher-y1"
    case teacherY2 = "teacher-y2"
    case teacherY3 = "teacher-y3"
    case teacherY4 = "teacher-y4"
    case teacherY5 = "teacher-y5"
    case teacherY6 = "teacher-y6"
    case newStaff = "new-staff"
    case centralTeam = "central-team"
    case dataManager = "data-manager"
    /// The person at an academy who makes and sends its data-drop file.
    case dataLead = "data-lead"
    /// A member of the Trust Board.
    case trustee
    /// Runs the workers: receives the alerts (`Config/alerts.json`).
    case `operator`

    static let vocabularyName = "role"
    public init(from decoder: any Decoder) throws { self = try Self.decodeCase(from: decoder) }
}
