/// The term calendar joined to the academies, answering "which day may mail for this session
/// go?" for an audience that spans areas with different holidays.
public struct SchoolDays: Sendable, Equatable {
    public let terms: TermCalendar
    public let academies: AcademyCatalog

    public init(terms: TermCalendar, academies: AcademyCatalog) {
        self.terms = terms
        self.academies = academies
    }

    /// The academies of `regions`, or every academy when nil: an audience limited to West
    /// Yorkshire does not wait for Cheshire's holidays.
    public func academies(in regions: [Region]?) -> [AcademyID] {
        academies.academies.filter { regions?.contains($0.region) ?? true }.map(\.id)
    }

    /// **The send-day rule**: mail planned for `day` goes on `day` when it is a working day at
    /// every academy of `regions`, else on the latest such working day before it, so it is
    /// never sent at a weekend, a bank holiday or a holiday and always arrives ahead rather
    /// than late. `day` itself when the calendar has no working day in the 120 days before.
    public func sendDay(onOrBefore day: CalendarDate, regions: [Region]? = nil) -> CalendarDate {
        terms.workingDay(onOrBefore: day, for: academies(in: regions)) ?? day
    }

    /// `day` when it is a working day at every academy, else the nearest one, the earlier on a
    /// tie; `day` itself when there is none within 120 days either way.
    public func nearestWorkingDay(to day: CalendarDate) -> CalendarDate {
        let all = academies(in: nil)
        for distance in 0...120 {
            for candidate in [day.adding(days: -distance), day.adding(days: distance)]
            where terms.isWorkingDay(candidate, for: all) {
                return candidate
            }
        }
        return day
    }

    public func isWorkingDay(_ day: CalendarDate, regions: [Region]? = nil) -> Bool {
        terms.isWorkingDay(day, for: academies(in: regions))
    }
}
