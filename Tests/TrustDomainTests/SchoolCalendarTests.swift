import Foundation
import Testing

@testable import TrustDomain

/// An independent reading of `Config/terms.json` (plain JSON and Foundation's calendar, none of
/// TermCalendar's code), to hold the planner's days against.
struct TermsReference {
    let holidays: Set<String>
    let patterns: [[(start: String, end: String, half: (String, String)?)]]
    let gregorian: Calendar

    init() throws {
        let data = try Data(contentsOf: ConfigFixture.directory.appendingPathComponent("terms.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        holidays = Set((json["bank_holidays"] as! [[String: String]]).map { $0["date"]! })
        func pattern(_ terms: [[String: Any]]) -> [(start: String, end: String, half: (String, String)?)] {
            terms.map { t in
                let half = (t["half_term"] as? [String: String]).map { ($0["start"]!, $0["end"]!) }
                return (t["start"] as! String, t["end"] as! String, half)
            }
        }
        let areas = (json["areas"] as! [[String: Any]]).compactMap { $0["terms"] as? [[String: Any]] }
        patterns = [pattern(json["terms"] as! [[String: Any]])] + areas.map(pattern)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        gregorian = calendar
    }

    /// Monday to Friday, no bank holiday, in term and out of half term in every pattern.
    func isSchoolDayEverywhere(_ day: CalendarDate) -> Bool {
        let text = day.description
        let date = gregorian.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        let weekday = gregorian.component(.weekday, from: date)  // 1 = Sunday
        guard (2...6).contains(weekday), !holidays.contains(text) else { return false }
        return patterns.allSatisfy { terms in
            terms.contains { t in t.start <= text && text <= t.end && !(t.half.map { $0.0 <= text && text <= $0.1 } ?? false) }
        }
    }
}

@Suite("School calendar: terms.json, reminders and FAcT on working days")
struct SchoolCalendarTests {
    let terms: TermCalendar
    let academies: AcademyCatalog
    let forums: ForumCalendar
    let reference: TermsReference
    var schoolDays: SchoolDays { SchoolDays(terms: terms, academies: academies) }
    let london = TimeZone(identifier: "Europe/London")!

    init() throws {
        terms = try TermCalendar.load(contentsOf: ConfigFixture.directory.appendingPathComponent(TermCalendar.fileName))
        academies = try ConfigFixture.academies()
        forums = try ConfigFixture.forums()
        reference = try TermsReference()
        try terms.check(against: academies)
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test func everyAcademyIsInOneAreaAndTheYearIsCovered() {
        let placed = terms.areas.flatMap(\.academies)
        #expect(Set(placed) == Set(academies.academies.map(\.id)))
        #expect(placed.count == Set(placed).count)
        #expect(terms.from == Self.day("2021-09-01") && terms.to == Self.day("2022-08-31"))
    }

    @Test func workingDaysFollowTheRules() {
        let birstall = AcademyID("birstall"), rudheath = AcademyID("rudheath")
        #expect(terms.isWorkingDay(Self.day("2021-09-01"), at: birstall))           // INSET: staff are in
        #expect(!terms.isWorkingDay(Self.day("2021-10-27"), at: birstall))          // half term
        #expect(!terms.isWorkingDay(Self.day("2021-10-30"), at: birstall))          // Saturday
        #expect(!terms.isWorkingDay(Self.day("2022-04-18"), at: birstall))          // Easter Monday
        #expect(!terms.isWorkingDay(Self.day("2022-06-02"), at: birstall))          // Jubilee
        // Local authorities differ at the end of the year: Kirklees to 26 July, Cheshire West to 20 July.
        #expect(terms.isWorkingDay(Self.day("2022-07-25"), at: birstall))
        #expect(!terms.isWorkingDay(Self.day("2022-07-21"), at: rudheath))
        #expect(!terms.isWorkingDay(Self.day("2022-07-21"), for: academies.academies.map(\.id)))
        // Beyond the year the file covers, weekdays count.
        #expect(terms.isWorkingDay(Self.day("2022-09-05"), at: birstall))
        #expect(schoolDays.sendDay(onOrBefore: Self.day("2021-10-31")) == Self.day("2021-10-22"))
        for offset in 0..<365 {
            let day = Self.day("2021-09-01").adding(days: offset)
            #expect(schoolDays.isWorkingDay(day) == reference.isSchoolDayEverywhere(day), "\(day)")
        }
    }

    @Test(arguments: [
        (#""end": "2021-12-17""#, #""end": "2021-08-17""#,
         #"terms.json: term 1: end "2021-08-17" is not between start "2021-09-01" and 2022-08-31"#),
        (#"{"date": "2021-11-01", "name": "Trust INSET Day"}"#, #"{"date": "2021-10-26", "name": "Trust INSET Day"}"#,
         #"terms.json: inset_day 2: date "2021-10-26" is not a term-time weekday (an INSET day is a school day without pupils)"#),
        (#""academies": ["rudheath"]"#, #""academies": ["rudheath", "birstall"]"#,
         #"terms.json: area "cheshire-west": academies "birstall" is already in area "kirklees""#),
        (#""half_term": {"start": "2021-10-25", "end": "2021-10-29"}}"#, #""half_term": {"start": "2021-10-25", "end": "2021-12-29"}}"#,
         #"terms.json: term 1: half_term "2021-10-25…2021-12-29" is not inside the term 2021-09-01 to 2021-12-17"#),
        (#""date": "2022-04-15""#, #""date": "2022-04-31""#,
         #"terms.json: bank_holiday 4: date "2022-04-31" is not a real calendar date (expected YYYY-MM-DD)"#),
    ])
    func badTermsAreRefusedNamingEntryFieldAndValue(target: String, replacement: String, expected: String) throws {
        let text = try String(contentsOf: ConfigFixture.directory.appendingPathComponent("terms.json"), encoding: .utf8)
        #expect(text.contains(target))
        let edited = text.replacingOccurrences(of: target, with: replacement, options: [], range: text.range(of: target))
        #expect(throws: ConfigError.self) { try TermCalendar.load(from: Data(edited.utf8)) }
        do { _ = try TermCalendar.load(from: Data(edited.utf8)) } catch { #expect(error.description == expected) }
    }

    @Test func anAreaNamingAnUnknownAcademyIsRefused() throws {
        let text = try String(contentsOf: ConfigFixture.directory.appendingPathComponent("terms.json"), encoding: .utf8)
        let edited = try TermCalendar.load(from: Data(text.replacingOccurrences(of: #"["rudheath"]"#, with: #"["rudheat"]"#).utf8))
        #expect(throws: ConfigError.invalidValue(file: "terms.json", entry: "area \"cheshire-west\"", field: "academies",
                                                 value: "\"rudheat\"", reason: "is not an academy id in academies.json")) {
            try edited.check(against: academies)
        }
    }

    /// The whole 2021-22 calendar: every reminder of every occurrence is due at 07:00 London on
    /// a day that is a school day in every area its session covers, and never after the
    /// nominal day (lead days before the session).
    @Test func every2021_22ReminderIsDueOnAWorkingDay() throws {
        let all = ReminderPlan.all(ReminderSchedule(calendar: forums, schoolDays: schoolDays))
        #expect(all.count > 100)
        for due in all {
            let occurrence = try #require(forums.occurrence(id: due.occurrenceID))
            let day = CalendarDate(due.dueAt, in: london)
            let regions = occurrence.occurrence.regions
            let ids = schoolDays.academies(in: regions)
            let independent = reference.isSchoolDayEverywhere(day)
                || (regions != nil && ids.allSatisfy { terms.isWorkingDay(day, at: $0) })
            #expect(independent, "\(due.messageID) due on \(day)")
            #expect(day <= occurrence.occurrence.date.adding(days: -due.leadDays), "\(due.messageID)")
        }
        // Nothing in the plan falls on a weekend.
        #expect(all.allSatisfy { CalendarDate($0.dueAt, in: london).weekday <= 5 })
    }

    /// INSET Day, Monday 1 November 2021: both leads (25 October, 31 October) fall in half term
    /// or at a weekend, so they are one reminder on Friday 22 October, counting 10 days.
    @Test func theInsetReminderGoesOnTheFridayBeforeHalfTerm() throws {
        let schedule = ReminderSchedule(calendar: forums, schoolDays: schoolDays)
        let inset = ReminderPlan.all(schedule).filter { $0.occurrenceID == "inset-day-2021-11-01" }
        #expect(inset.map(\.leadDays) == [1])
        let due = try #require(inset.first).dueAt
        #expect(CalendarDate(due, in: london) == Self.day("2021-10-22"))
        #expect(CalendarDate(due, in: london).weekday == 5)
        #expect(due == Self.day("2021-10-22").instant(at: ClockTime("07:00")!, in: london))
        let occurrence = try #require(schedule.occurrence(id: "inset-day-2021-11-01"))
        let mail = try ReminderMail.message(.reminder(leadDays: 1), for: occurrence, calendar: forums,
                                            to: try MailAddress("a@b.focus-trust.local"), now: due)
        let text = String(decoding: mail.bytes(), as: UTF8.self)
        #expect(text.contains("A reminder: INSET Day is in 10 days."))
        #expect(text.contains("Date: Fri, 22 Oct 2021"))
    }

    /// FAcT's 2021-22 issue dates: each a school day at every academy, at least half a period
    /// apart, the Easter and May half-term dates moved to the first day back, none in August.
    @Test func every2021_22IssueDateIsATermTimeDay() throws {
        let config = try NewsletterFixture.config()
        let schedule = config.schedule(schoolDays: schoolDays)
        let dates = schedule.issueDates(through: Self.day("2022-08-31"))
        #expect(dates.count >= 15)
        for date in dates { #expect(reference.isSchoolDayEverywhere(date), "\(date)") }
        for (a, b) in zip(dates, dates.dropFirst()) {
            #expect(b.days(since: a) * 2 >= 21 && b.days(since: a) <= 28, "\(a) → \(b)")
        }
        // Independently: each nominal Friday (anchor + 21n) that is a school day stands.
        var nominal = config.anchor
        while nominal <= Self.day("2022-07-15") {
            if reference.isSchoolDayEverywhere(nominal) { #expect(dates.contains(nominal), "\(nominal)") }
            nominal = nominal.adding(days: 21)
        }
        #expect(!dates.contains(Self.day("2022-04-22")) && dates.contains(Self.day("2022-04-25")))
        #expect(!dates.contains(Self.day("2022-06-03")) && dates.contains(Self.day("2022-06-06")))
        #expect(!dates.contains { $0.month == 8 })
        // Due at the send time on London clocks, not midnight.
        let due = schedule.sendInstant(of: Self.day("2021-09-24"))
        #expect(schedule.dueIssue(now: due.addingTimeInterval(-60), lastPublished: Self.day("2021-09-03")) == nil)
        #expect(schedule.dueIssue(now: due, lastPublished: Self.day("2021-09-03")) == Self.day("2021-09-24"))
        #expect(due == Self.day("2021-09-24").instant(at: ClockTime("07:30")!, in: london))
    }

    @Test func anItemIsPromisedTheIssueWhoseCutOffItMakes() throws {
        let schedule = try NewsletterFixture.config().schedule(schoolDays: schoolDays)
        // Cut-off for 24 September: Wednesday 22nd at 12:00 London (11:00 UTC).
        let cutoff = schedule.cutoffInstant(of: Self.day("2021-09-24"))
        #expect(cutoff == Self.day("2021-09-22").instant(at: ClockTime("12:00")!, in: london))
        #expect(schedule.issueDate(forItemAt: cutoff, after: Self.day("2021-09-03")) == Self.day("2021-09-24"))
        #expect(schedule.issueDate(forItemAt: cutoff.addingTimeInterval(1), after: Self.day("2021-09-03")) == Self.day("2021-10-15"))
        // An item sent in half term is acknowledged on the first working day back, at the send time.
        let halfTerm = Self.day("2021-10-26").instant(at: ClockTime("10:00")!, in: london)
        #expect(schedule.nextSendingInstant(after: halfTerm) == Self.day("2021-11-01").instant(at: ClockTime("07:30")!, in: london))
    }

    @Test func enrolmentsAreCheckedAgainstTheCalendar() throws {
        let good = try Enrolments.load(Array("forum,email\nsupport-staff-training,A@b.local\n".utf8), forums: forums)
        #expect(good.enrolled(in: "support-staff-training") == ["a@b.local"])
        do {
            _ = try Enrolments.load(Array("forum,email\nenglish-leaders,a@b.local\nnope,x\nsupport-staff-training,a@b.local\nsupport-staff-training,a@b.local\n".utf8),
                                    forums: forums)
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map { "\($0.line) \($0.column ?? "") \($0.value ?? "")" } == [
                "2 forum english-leaders", "3 forum nope", "3 email x", "5 email a@b.local",
            ])
        }
        // The committed file loads and names only people in the committed directory.
        let committed = try Enrolments.load(Array(try Data(contentsOf: ConfigFixture.directory.appendingPathComponent("enrolments.csv"))),
                                            forums: forums)
        let directory = try Directory.load(Array(try Data(contentsOf: ConfigFixture.directory.appendingPathComponent("directory.csv"))),
                                           knownAcademies: Set(academies.academies.map(\.id)))
        let known = Set(directory.people.map(\.email))
        #expect(!committed.enrolled(in: "support-staff-training").isEmpty)
        #expect(committed.enrolled(in: "support-staff-training").isSubset(of: known))
    }

    @Test func forumsUseTheNewRolesAndEnrolment() throws {
        #expect(forums.forum(id: "ect-forum-year-one")?.audience == [.ectYear1])
        #expect(forums.forum(id: "ect-induction-day")?.audience == [.ectIncoming])
        #expect(forums.forum(id: "support-staff-training")?.isByEnrolment == true)
        #expect(ReminderMail.organizer(of: forums).address == "forums@focus-trust.local")
    }
}
