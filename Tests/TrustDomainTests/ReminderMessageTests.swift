import Foundation
import Testing

import TrustDomain

@Suite("Reminders: reminder.due and calendar.update bodies")
struct ReminderMessageTests {
    let schedule = ReminderSchedule(calendar: try! ConfigFixture.forums())
    let now = ReminderFixture.utc("2021-09-09T08:00:00Z")

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func problem(_ body: String, due: Bool = false) -> String? {
        do {
            if due { _ = try ReminderRequest.parse(bytes(body)) } else { _ = try CalendarUpdate.parse(bytes(body)) }
            return nil
        } catch {
            return error.description
        }
    }

    private func refusal(_ update: CalendarUpdate, in schedule: ReminderSchedule? = nil) -> String? {
        do {
            _ = try (schedule ?? self.schedule).change(for: update, now: now)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func reminderDueRoundTripsWithItsDeterministicID() throws {
        let request = ReminderRequest(forumID: "english-leaders", occurrenceID: "english-leaders-2021-09-16", leadDays: 7)
        #expect(String(decoding: request.body, as: UTF8.self)
                == #"{"forum_id":"english-leaders","lead_days":7,"occurrence":"english-leaders-2021-09-16"}"#)
        #expect(try ReminderRequest.parse(request.body) == request)
        #expect(request.messageID == "reminder.due:english-leaders-2021-09-16:7")
    }

    @Test(arguments: [
        ("[1]", "reminder.due: the body is not a JSON object"),
        (#"{"forum_id":"a","occurrence":"b"}"#, #"reminder.due: "lead_days" is missing"#),
        (#"{"forum_id":"a","occurrence":"b","lead_days":"7"}"#, #"reminder.due: "lead_days" "7" should be a whole number"#),
        (#"{"forum_id":"a","occurrence":"b","lead_days":true}"#, #"reminder.due: "lead_days" true should be a whole number"#),
        (#"{"forum_id":"a","occurrence":"b","lead_days":7.5}"#, #"reminder.due: "lead_days" 7.5 should be a whole number"#),
        (#"{"forum_id":"a","occurrence":"b","lead_days":90}"#, #"reminder.due: "lead_days" 90 is not a number of days from 0 to 60"#),
        (#"{"forum_id":"a","occurrence":7,"lead_days":1}"#, #"reminder.due: "occurrence" 7 should be text in quotes"#),
    ])
    func badReminderBodiesAreExplained(body: String, expected: String) {
        #expect(problem(body, due: true) == expected)
    }

    @Test func aReminderMustNameTheOccurrencesOwnForum() {
        let wrong = ReminderRequest(forumID: "maths-leaders", occurrenceID: "english-leaders-2021-09-16", leadDays: 7)
        #expect(throws: ReminderMessageError.self) { try schedule.occurrence(for: wrong) }
        let unknown = ReminderRequest(forumID: "english-leaders", occurrenceID: "english-leaders-2031-09-16", leadDays: 7)
        do {
            _ = try schedule.occurrence(for: unknown)
            Issue.record("unknown occurrence accepted")
        } catch {
            #expect(error.description == #"reminder.due: "occurrence" "english-leaders-2031-09-16" is not an occurrence id in forums.json"#)
        }
    }

    @Test func calendarUpdatesRoundTrip() throws {
        let move = CalendarUpdate(occurrenceID: "english-leaders-2021-09-16",
                                  action: .move(date: CalendarDate("2021-09-17")!, start: ClockTime("10:00"), end: nil),
                                  reason: "Venue unavailable")
        #expect(String(decoding: move.body, as: UTF8.self)
                == #"{"action":"move","date":"2021-09-17","occurrence":"english-leaders-2021-09-16","reason":"Venue unavailable","start":"10:00"}"#)
        #expect(try CalendarUpdate.parse(move.body) == move)
        let cancel = CalendarUpdate(occurrenceID: "x", action: .cancel)
        #expect(try CalendarUpdate.parse(cancel.body) == cancel)
    }

    @Test(arguments: [
        (#"{"occurrence":"x","action":"postpone"}"#, #"calendar.update: "action" "postpone" is not one of move, cancel"#),
        (#"{"occurrence":"x","action":"move"}"#, #"calendar.update: "date" is missing"#),
        (#"{"occurrence":"x","action":"move","date":"2021-02-30"}"#,
         #"calendar.update: "date" "2021-02-30" is not a real calendar date (expected YYYY-MM-DD)"#),
        (#"{"occurrence":"x","action":"move","date":"2021-09-17","start":"9:00"}"#,
         #"calendar.update: "start" "9:00" is not a time of day (expected HH:MM, 24-hour clock)"#),
        (#"{"action":"cancel"}"#, #"calendar.update: "occurrence" is missing"#),
        ("not json", "calendar.update: the body is not a JSON object"),
    ])
    func badCalendarUpdatesAreExplained(body: String, expected: String) {
        #expect(problem(body) == expected)
    }

    @Test func changesCountTheirSequenceAndRepeatsChangeNothing() throws {
        let id = "english-leaders-2021-09-16"
        let move = CalendarUpdate(occurrenceID: id, action: .move(date: CalendarDate("2021-09-17")!, start: nil, end: nil))
        let first = try #require(try schedule.change(for: move, now: now))
        #expect(first.sequence == 1 && first.status == .moved)
        #expect(first.slot == OccurrenceChange.Slot(date: CalendarDate("2021-09-17")!, start: ClockTime("09:00")!,
                                                     end: ClockTime("15:30")!))
        #expect(first.previous.date == CalendarDate("2021-09-16"))
        let moved = ReminderSchedule(calendar: schedule.calendar, changes: [first])
        #expect(try moved.change(for: move, now: now) == nil)
        let cancelled = try #require(try moved.change(for: CalendarUpdate(occurrenceID: id, action: .cancel), now: now))
        #expect(cancelled.sequence == 2 && cancelled.slot.date == CalendarDate("2021-09-17"))
        let gone = ReminderSchedule(calendar: schedule.calendar, changes: [cancelled])
        #expect(try gone.change(for: CalendarUpdate(occurrenceID: id, action: .cancel), now: now) == nil)
        #expect(refusal(move, in: gone)
                == #"calendar.update: occurrence "english-leaders-2021-09-16" is cancelled; add a new occurrence to forums.json instead of moving it"#)
    }

    @Test func impossibleChangesAreRefusedInWords() {
        func move(_ id: String, _ date: String, _ start: String? = nil, _ end: String? = nil) -> CalendarUpdate {
            CalendarUpdate(occurrenceID: id, action: .move(date: CalendarDate(date)!, start: start.flatMap(ClockTime.init),
                                                           end: end.flatMap(ClockTime.init)))
        }
        #expect(refusal(move("english-leaders-2021-09-16", "2021-09-08"))
                == #"calendar.update: "date" "2021-09-08" at 09:00 is in the past"#)
        #expect(refusal(move("english-leaders-2021-09-16", "2021-09-17", "16:00"))
                == #"calendar.update: "end" "15:30" is not after start "16:00""#)
        #expect(refusal(move("nope", "2021-09-17"))
                == #"calendar.update: "occurrence" "nope" is not an occurrence id in forums.json"#)
        #expect(refusal(CalendarUpdate(occurrenceID: "induction-2021-09-14", action: .cancel)) == nil)
        let past = CalendarUpdate(occurrenceID: "induction-2021-09-14", action: .cancel)
        do {
            _ = try schedule.change(for: past, now: ReminderFixture.utc("2021-09-14T09:00:00Z"))
            Issue.record("a session under way was cancelled")
        } catch {
            #expect(error.description == #"calendar.update: occurrence "induction-2021-09-14" has already started (2021-09-14 09:30), so it can no longer be changed"#)
        }
    }
}
