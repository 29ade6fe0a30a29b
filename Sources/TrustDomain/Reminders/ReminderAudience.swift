/// Who is invited to an occurrence, from the directory's roles.
public enum ReminderAudience {
    /// Active people holding one of the occurrence's roles (the occurrence's own audience when
    /// it has one, else the forum's). When the occurrence is limited to `regions`, academy staff
    /// outside those regions are left out; central staff serve every region, so they stay
    /// invited to each regional session. Sorted by e-mail address so every run mails in the
    /// same order.
    public static func people(for occurrence: ScheduledOccurrence, in directory: Directory,
                              academies catalog: AcademyCatalog) -> [Person] {
        let roles = Set(occurrence.audience)
        var people = directory.audience(roles: roles)
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
