import Foundation
import Testing

@testable import TrustDomain

@Suite("Reminders: e-mails and invitations")
struct ReminderMailTests {
    /// Python's `email` and `icalendar` read the whole message, as a mail client would.
    static let script = #"""
        import sys, json, datetime, email, icalendar
        from email import policy
        msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        ics = next(p for p in msg.walk() if p.get_content_type() == "application/ics").get_content()
        cal = icalendar.Calendar.from_ical(ics)
        ev = cal.walk("VEVENT")[0]
        utc = datetime.timezone.utc
        print(json.dumps({
            "subject": str(msg["Subject"]), "to": str(msg["To"]), "message_id": str(msg["Message-ID"]),
            "structure": ",".join(p.get_content_type() for p in msg.walk()),
            "defects": str(sum(len(p.defects) for p in msg.walk())),
            "text": msg.get_body(("plain",)).get_content().replace("\r\n", "\n"),
            "method": str(cal["METHOD"]), "uid": str(ev["UID"]), "sequence": str(ev["SEQUENCE"]),
            "status": str(ev["STATUS"]), "summary": str(ev["SUMMARY"]),
            "location": str(ev.get("LOCATION", "")), "description": str(ev.get("DESCRIPTION", "")),
            "teams_url": str(ev.get("X-MICROSOFT-SKYPETEAMSMEETINGURL", "")),
            "busy": str(ev.get("X-MICROSOFT-CDO-BUSYSTATUS", "")),
            "counter": str(ev.get("X-MICROSOFT-DISALLOW-COUNTER", "")),
            "organizer": str(ev.get("ORGANIZER", "")), "from": str(msg["From"]),
            "start_utc": ev["DTSTART"].dt.astimezone(utc).strftime("%Y-%m-%d %H:%M"),
            "end_utc": ev["DTEND"].dt.astimezone(utc).strftime("%Y-%m-%d %H:%M"),
            "tzid": str(ev["DTSTART"].params["TZID"]), "attendee": str(ev["ATTENDEE"]),
            "longest_line": str(max(len(l) for l in ics.split(b"\r\n"))),
        }))
        """#

    let calendar = try! ConfigFixture.forums()
    let now = ReminderFixture.utc("2021-09-09T07:00:00Z")
    let jane = try! MailAddress("jane.doe@birstall.example.org", displayName: "Jane Doe")

    private func mail(_ kind: ReminderMail.Kind, _ id: String, schedule: ReminderSchedule? = nil,
                      calendar custom: ForumCalendar? = nil) throws -> [String: String] {
        let cal = custom ?? calendar
        let occurrence = try #require((schedule ?? ReminderSchedule(calendar: cal)).occurrence(id: id))
        let message = try ReminderMail.message(kind, for: occurrence, calendar: cal, to: jane, now: now)
        let parsed = try PythonParser.run(Self.script, input: message.bytes())
        #expect(parsed["defects"] == "0")
        return parsed
    }

    @Test func theEnglishForumReminderSaysWhatWhenAndWhere() throws {
        let m = try mail(.reminder(leadDays: 7), "english-leaders-2021-09-16")
        #expect(m["subject"] == "Reminder: English Leaders Forum — Thursday 16 September 2021, full day")
        #expect(m["to"] == "Jane Doe <jane.doe@birstall.example.org>")
        #expect(m["structure"] == "multipart/mixed,multipart/alternative,text/plain,text/calendar,application/ics")
        let text = try #require(m["text"])
        #expect(text.hasPrefix("Dear Jane Doe,\n\nA reminder: English Leaders Forum is in 7 days.\n"))
        // 09:00–15:30 is the file's convention for "Full day", so it is labelled to be confirmed.
        #expect(text.contains("When:    Thursday 16 September 2021, 09:00–15:30 (full day; time to be confirmed), UK time\n"))
        #expect(text.contains("Where:   Focus-Trust Central Office, Training Room 1\n"))
        #expect(m["location"] == "Focus-Trust Central Office, Training Room 1")
        // Outlook's properties, and the monitored organiser mailbox from forums.json.
        #expect(m["busy"] == "BUSY" && m["counter"] == "TRUE" && m["teams_url"] == "")
        #expect(m["organizer"] == "mailto:forums@focus-trust.local" && m["from"] == "Focus-Trust Forums <forums@focus-trust.local>")
        #expect(text.contains("Questions? Reply to this e-mail: it reaches the forum organisers at forums@focus-trust.local."))
        #expect(!text.contains("not read"))
        #expect(text.contains("Why:     The pedagogy of English.\n"))
        #expect(text.contains("Content: Curriculum updates. Linking IPOPs to best practice and support teacher development.\n"))
        // 09:00 BST is 08:00 UTC.
        #expect(m["start_utc"] == "2021-09-16 08:00" && m["end_utc"] == "2021-09-16 14:30")
        #expect(m["tzid"] == "Europe/London")
        #expect(m["method"] == "REQUEST" && m["status"] == "CONFIRMED" && m["sequence"] == "0")
        #expect(m["uid"] == "english-leaders-2021-09-16@focus-trust.local")
        #expect(m["attendee"] == "mailto:jane.doe@birstall.example.org")
        #expect(m["summary"] == "English Leaders Forum")
        #expect(Int(m["longest_line"] ?? "99")! <= 75)
    }

    /// Either side of the clock changes the same 09:00 is a different UTC hour.
    @Test(arguments: [
        ("leaders-forum-2022-01-20", "2022-01-20 09:00"),
        ("leaders-forum-2022-05-19", "2022-05-19 08:00"),
        ("ect-mentor-training-2022-03-21", "2022-03-21 09:30"),
        ("early-years-2022-04-29", "2022-04-29 08:00"),
    ])
    func invitationsMeanTheRightInstantAcrossClockChanges(id: String, startUTC: String) throws {
        #expect(try mail(.reminder(leadDays: 1), id)["start_utc"] == startUTC)
    }

    @Test(arguments: [
        ("early-years-2021-10-06", "Reminder: Early Years Forum — Wednesday 6 October 2021, half day"),
        ("leadership-heads-2021-10-12", "Reminder: Headteachers Leadership Programme — Tuesday 12 October 2021, 10:00–11:30"),
        ("leadership-heads-2022-02-08-pm", "Reminder: Headteachers Leadership Programme (pm) — Tuesday 8 February 2022, 13:30–15:00"),
        ("ipops-2022-01-13", "Reminder: IPOPs Forum (Y6) — Thursday 13 January 2022, 09:00–16:00"),
    ])
    func subjectsNameTheLengthOrTheTimes(id: String, subject: String) throws {
        let occurrence = try #require(ReminderSchedule(calendar: calendar).occurrence(id: id))
        let message = try ReminderMail.message(.reminder(leadDays: 1), for: occurrence, calendar: calendar, to: jane,
                                               now: now)
        #expect(message.subject == subject)
    }

    @Test func virtualSessionsGiveTheTeamsLinkWhenOneIsConfigured() throws {
        let link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"
        let custom = try ForumCalendar.load(from: Data("""
            {"timezone": "Europe/London", "default_lead_days": [7, 1],
             "default_times": {"full_day": {"start": "09:00", "end": "15:30"},
                "half_day_am": {"start": "09:00", "end": "12:00"}, "half_day_pm": {"start": "13:00", "end": "16:00"},
                "unstated": {"start": "09:30", "end": "12:00"}},
             "forums": [{"id": "ect-forum", "title": "ECT Forum", "audience": ["ect"], "online_url": "\(link)",
                "occurrences": [
                  {"id": "ect-a", "date": "2021-09-23", "start": "15:30", "end": "16:30", "mode": "virtual"},
                  {"id": "ect-b", "date": "2021-09-30", "start": "15:30", "end": "16:30", "mode": "in-person",
                   "location": "Lyndhurst Primary, Hall 2"}]}]}
            """.utf8))
        try custom.checkForReminders()
        let virtual = try mail(.reminder(leadDays: 1), "ect-a", calendar: custom)
        #expect(virtual["text"]?.contains("Where: Virtual (Microsoft Teams): \(link)\n") == true)
        #expect(virtual["location"] == "Microsoft Teams Meeting")
        #expect(virtual["teams_url"] == link && virtual["busy"] == "BUSY" && virtual["counter"] == "TRUE")
        #expect(virtual["description"]?.contains("Join on Microsoft Teams: \(link)") == true)
        #expect(Int(virtual["longest_line"] ?? "99")! <= 75)
        let inPerson = try mail(.reminder(leadDays: 1), "ect-b", calendar: custom)
        #expect(inPerson["location"] == "Lyndhurst Primary, Hall 2" && inPerson["teams_url"] == "")
        // Without a link, the e-mail says one will come rather than leaving the reader guessing.
        let plain = try mail(.reminder(leadDays: 1), "business-managers-2021-10-12")
        #expect(plain["text"]?.contains("Virtual (Microsoft Teams); the organiser will send the joining link\n") == true)
    }

    @Test func aBadTeamsLinkOrZoneStopsTheWorkerWithTheEntryNamed() throws {
        let json = """
            {"timezone": "Europe/London", "default_lead_days": [1],
             "default_times": {"full_day": {"start": "09:00", "end": "15:30"},
                "half_day_am": {"start": "09:00", "end": "12:00"}, "half_day_pm": {"start": "13:00", "end": "16:00"},
                "unstated": {"start": "09:30", "end": "12:00"}},
             "forums": [{"id": "ect-forum", "title": "ECT Forum", "audience": ["ect"], "occurrences": [
                {"id": "ect-a", "date": "2021-09-23", "start": "15:30", "end": "16:30", "mode": "virtual",
                 "online_url": "teams.microsoft.com/l/x"}]}]}
            """
        let custom = try ForumCalendar.load(from: Data(json.utf8))
        #expect(throws: ConfigError.invalidValue(file: "forums.json", entry: "forum \"ect-forum\" occurrence 1",
                                                 field: "online_url", value: "\"teams.microsoft.com/l/x\"",
                                                 reason: "is not an https:// link")) {
            try custom.checkForReminders()
        }
        let paris = try ForumCalendar.load(from: Data(json.replacingOccurrences(of: "Europe/London", with: "Europe/Paris").utf8))
        #expect(throws: ConfigError.self) { try paris.checkForReminders() }
    }

    @Test func aMovedSessionIsAnUpdateOfTheSameEventWithTheOldTimeQuoted() throws {
        let moved = try ReminderFixture.move(ReminderSchedule(calendar: calendar), "english-leaders-2021-09-16",
                                             to: "2021-09-17", start: "10:00", end: "15:00", now: now)
        let m = try mail(.moved, "english-leaders-2021-09-16", schedule: moved)
        #expect(m["subject"] == "Moved: English Leaders Forum — now Friday 17 September 2021, 10:00–15:00")
        #expect(m["text"]?.contains("English Leaders Forum has moved. It is now on Friday 17 September 2021, 10:00–15:00, UK time; it was on Thursday 16 September 2021, 09:00–15:30 (full day; time to be confirmed), UK time.") == true)
        #expect(m["method"] == "REQUEST" && m["sequence"] == "1")
        #expect(m["uid"] == "english-leaders-2021-09-16@focus-trust.local")
        #expect(m["start_utc"] == "2021-09-17 09:00")
        // The reminder of a moved session carries the new SEQUENCE too, so it cannot undo the move.
        let reminder = try mail(.reminder(leadDays: 1), "english-leaders-2021-09-16", schedule: moved)
        #expect(reminder["sequence"] == "1" && reminder["start_utc"] == "2021-09-17 09:00")
        #expect(reminder["message_id"] != m["message_id"])
    }

    @Test func aCancellationRemovesTheEventAndGivesTheReason() throws {
        let cancelled = try ReminderFixture.cancel(ReminderSchedule(calendar: calendar), "english-leaders-2021-09-16", now: now)
        let m = try mail(.cancelled, "english-leaders-2021-09-16", schedule: cancelled)
        #expect(m["subject"] == "Cancelled: English Leaders Forum — Thursday 16 September 2021")
        #expect(m["method"] == "CANCEL" && m["status"] == "CANCELLED" && m["sequence"] == "1")
        #expect(m["uid"] == "english-leaders-2021-09-16@focus-trust.local")
        #expect(m["text"]?.contains("\nReason: Snow\n") == true)
        #expect(m["text"]?.contains("When:") == false)
    }

    @Test func messageIDsAreStablePerPersonAndDoNotSpellOutTheAddress() throws {
        let occurrence = try #require(ReminderSchedule(calendar: calendar).occurrence(id: "english-leaders-2021-09-16"))
        let a = ReminderMail.messageID(.reminder(leadDays: 7), occurrence: occurrence, recipient: "Jane.Doe@x.org")
        #expect(a == ReminderMail.messageID(.reminder(leadDays: 7), occurrence: occurrence, recipient: "jane.doe@x.org"))
        #expect(a != ReminderMail.messageID(.reminder(leadDays: 1), occurrence: occurrence, recipient: "jane.doe@x.org"))
        #expect(a != ReminderMail.messageID(.reminder(leadDays: 7), occurrence: occurrence, recipient: "john@x.org"))
        #expect(a.hasPrefix("<forum.english-leaders-2021-09-16.d7.") && !a.contains("jane"))
    }
}

@Suite("Reminders: who is invited")
struct ReminderAudienceTests {
    static let csv = """
        name,email,academy,roles,active
        Ann English,ann@birstall.example.org,birstall,english-lead,Y
        Bob English,bob@coppice.example.org,coppice,english-lead;maths-lead,Y
        Cat Left,cat@thornton.example.org,thornton,english-lead,N
        Dan Maths,dan@rudheath.example.org,rudheath,maths-lead,Y
        Eve Head,eve@birstall.example.org,birstall,headteacher,Y
        Fay Head,fay@coppice.example.org,coppice,headteacher,Y
        Gus Head,gus@rudheath.example.org,rudheath,headteacher,Y
        Hal Central,hal@focus-trust.example.org,central,central-team,Y
        Ivy Six,ivy@wilsden.example.org,wilsden,teacher-y6,Y
        """

    let calendar = try! ConfigFixture.forums()
    let academies = try! ConfigFixture.academies()
    let directory = try! Directory.load(Array(csv.utf8),
                                        knownAcademies: Set(try! ConfigFixture.academies().academies.map(\.id)))

    private func invited(_ id: String) throws -> [String] {
        let occurrence = try #require(calendar.occurrence(id: id))
        return ReminderAudience.people(for: occurrence, in: directory, academies: academies, enrolments: Enrolments()).map(\.name)
    }

    @Test func everyActiveEnglishLeadAndNobodyElse() throws {
        #expect(try invited("english-leaders-2021-09-16") == ["Ann English", "Bob English"])
    }

    /// The 8 February morning session is for Greater Manchester and Rudheath; central staff
    /// serve every region and are invited to both.
    @Test func regionalSessionsInviteOnlyTheirRegionsAcademies() throws {
        #expect(try invited("leadership-heads-2022-02-08-am") == ["Fay Head", "Gus Head", "Hal Central"])
        #expect(try invited("leadership-heads-2022-02-08-pm") == ["Eve Head", "Hal Central"])
    }

    @Test func anOccurrenceAudienceReplacesTheForums() throws {
        #expect(try invited("ipops-2021-10-14") == ["Ivy Six"])
        #expect(try invited("ipops-2021-10-21") == [])
    }
}
