/// Who is invited to an occurrence: by role from the directory, or for a forum open by
/// enrolment, exactly the people enrolled in it.
public enum ReminderAudience {
    /// Active people holding one of the occurrence's roles (the occurrence's own audience when
    /// it has one, else the forum's); for a forum with `"enrolment": true`, active people
    /// listed for it in `enrolments.csv` instead, whatever their roles, so nobody enrolled is
    /// missed and nobody else is mailed (no enrolments: nobody). When the occurrence is limited
    /// to `regions`, academy staff outside those regions are left out; central staff serve
    /// every region, so they stay invited to each regional session. Sorted by e-mail address so
    /// every run mails in the same order.
    public static func people(for occurrence: ScheduledOccurrence, in directory: Directory,
                              academies catalog: AcademyCatalog, enrolments: Enrolments) -> [Person] {
        var people: [Person]
        if occurrence.forum.isByEnrolment {
            let enrolled = enrolments.enrolled(in: occurrence.forum.id)
            people = directory.active.filter { enrolled.contains($0.email.lowercased()) }
        } else {
            people = directory.audience(roles: Set(occurrence.audience))
        }
        if let regions = occurrence.occurrence.regions {
            let included = Set(catalog.academies.filter { regions.contains($0.region) }.map(\.id))
            people = people.filter { person in
                guard case .academy(let id) = person.affiliation else { return true }
                return included.contains(id)
            }
        }
        return people.sorted { $0.email < $1.email }
    }
}
