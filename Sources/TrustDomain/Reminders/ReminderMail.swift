import Foundation

/// The e-mails about one occurrence for one person: a reminder, a "moved" notice or a
/// cancellation, each with a calendar invitation.
///
/// Every e-mail about an occurrence carries the same UID with the occurrence's current
/// SEQUENCE, so whichever of them a person opens last leaves exactly one, correct event in their
/// calendar. Text is composed when the e-mail is sent, from the occurrence as it stands then, so
/// a reminder queued before a move already shows the new time.
public enum ReminderMail {
    public enum Kind: Sendable, Equatable {
        case reminder(leadDays: Int)
        case moved
        case cancelled

        var isReminder: Bool { if case .reminder = self { true } else { false } }
    }

    /// The organiser when forums.json names none: the forum team's shared mailbox.
    public static let defaultOrganizer = try! MailAddress("forums@focus-trust.local",
                                                          displayName: "Focus-Trust Forums")

    /// One UID per occurrence for its whole life: moves and cancellations update that event.
    public static func uid(for occurrenceID: String) -> String { "\(occurrenceID)@focus-trust.local" }

    /// The same for every attempt at the same e-mail, so a resend after a crash can be recognised
    /// by mail clients and overwrites its own `.eml` in the outbox. The address is hashed so the
    /// id (which appears in file names and logs) does not spell it out.
    public static func messageID(_ kind: Kind, occurrence: PlannedOccurrence, recipient: String) -> String {
        let tag: String
        switch kind {
        case .reminder(let lead): tag = "d\(lead)"
        case .moved: tag = "m\(occurrence.sequence)"
        case .cancelled: tag = "c\(occurrence.sequence)"
        }
        return "<forum.\(occurrence.id).\(tag).\(MIMEMessage.fnv1a64(recipient.lowercased()))@focus-trust.local>"
    }

    /// The complete e-mail. `calendar` supplies the time-length conventions and must be in
    /// Europe/London, the zone the invitation's VTIMEZONE describes.
    public static func message(_ kind: Kind, for occurrence: PlannedOccurrence, calendar: ForumCalendar,
                               to recipient: MailAddress, now: Date) throws(MIMEError) -> MIMEMessage {
        let organizer = organizer(of: calendar)
        let wording = Wording(occurrence: occurrence, calendar: calendar, now: now, organizer: organizer)
        let method: ICalendar.Method = kind == .cancelled ? .cancel : .request
        let event = ICalendarEvent(
            uid: uid(for: occurrence.id), sequence: occurrence.sequence, stamp: now,
            start: wording.londonTime(occurrence.slot.start), end: wording.londonTime(occurrence.slot.end),
            summary: wording.title, description: wording.calendarDescription, location: wording.calendarLocation,
            onlineURL: wording.session.mode == .virtual ? wording.onlineURL : nil,
            organizer: organizer, attendees: [recipient])
        return try MIMEMessage(
            messageID: messageID(kind, occurrence: occurrence, recipient: recipient.address), date: now,
            from: organizer, to: [recipient], subject: wording.subject(kind),
            text: wording.text(kind, greeting: recipient.displayName),
            invitation: ICalendar(method: method, events: [event]),
            extraHeaders: [(name: "Auto-Submitted", value: "auto-generated")])
    }

    /// forums.json's `organiser`, else ``defaultOrganizer``; validated when the worker starts.
    public static func organizer(of calendar: ForumCalendar) -> MailAddress {
        calendar.organiser.flatMap { try? MailAddress($0.address, displayName: $0.name) } ?? defaultOrganizer
    }

    /// "full day", "half day" or "10:00–11:30": the calendar's own default slots are named,
    /// anything else is shown as times.
    public static func length(of slot: OccurrenceChange.Slot, defaults: DefaultTimes) -> String {
        let times = TimeSlot(start: slot.start, end: slot.end)
        if times == defaults.fullDay { return "full day" }
        if times == defaults.halfDayAM || times == defaults.halfDayPM { return "half day" }
        return "\(slot.start)–\(slot.end)"
    }

    /// Times equal to one of forums.json's `default_times` are the file's convention for a
    /// session published without times, not the organiser's word, so people are told they are
    /// to be confirmed.
    public static func timesToBeConfirmed(_ slot: OccurrenceChange.Slot, defaults: DefaultTimes) -> Bool {
        defaults.slots.contains { $0.slot == TimeSlot(start: slot.start, end: slot.end) }
    }
}

/// The words of the e-mails, built once per occurrence.
private struct Wording {
    let occurrence: PlannedOccurrence
    let calendar: ForumCalendar
    let now: Date
    let organizer: MailAddress

    var forum: Forum { occurrence.forum }
    var session: ForumOccurrence { occurrence.scheduled.occurrence }

    /// "IPOPs (Y6)": the session marker tells apart sessions of a series on one day.
    var title: String { session.session.map { "\(forum.title) (\($0))" } ?? forum.title }

    func day(_ slot: OccurrenceChange.Slot) -> String { slot.date.longDescription }

    func when(_ slot: OccurrenceChange.Slot) -> String {
        let length = ReminderMail.length(of: slot, defaults: calendar.defaultTimes)
        let labels = [length.contains(":") ? nil : length,
                      ReminderMail.timesToBeConfirmed(slot, defaults: calendar.defaultTimes) ? "time to be confirmed" : nil]
            .compactMap { $0 }
        let times = "\(slot.start)–\(slot.end)" + (labels.isEmpty ? "" : " (\(labels.joined(separator: "; ")))")
        return "\(day(slot)), \(times), UK time"
    }

    func subject(_ kind: ReminderMail.Kind) -> String {
        let slot = occurrence.slot
        let length = ReminderMail.length(of: slot, defaults: calendar.defaultTimes)
        switch kind {
        case .reminder: return "Reminder: \(title) — \(day(slot)), \(length)"
        case .moved: return "Moved: \(title) — now \(day(slot)), \(length)"
        case .cancelled: return "Cancelled: \(title) — \(day(slot))"
        }
    }

    var onlineURL: String? { session.onlineURL ?? forum.onlineURL }
    var venue: String? { session.location ?? forum.location }

    var place: String {
        switch session.mode {
        case .virtual:
            return onlineURL.map { "Virtual (Microsoft Teams): \($0)" }
                ?? "Virtual (Microsoft Teams); the organiser will send the joining link"
        case .inPerson:
            return venue ?? "In person; the organiser will confirm the venue"
        }
    }

    var calendarLocation: String {
        session.mode == .virtual ? "Microsoft Teams Meeting" : (venue ?? "")
    }

    /// "today", "tomorrow", "in 6 days": counted from the day the e-mail is sent, because a
    /// late reminder is not "a week ahead" any more.
    var howSoon: String {
        switch occurrence.slot.date.days(since: CalendarDate(now, in: calendar.timeZone)) {
        case ...0: return "today"
        case 1: return "tomorrow"
        case let n: return "in \(n) days"
        }
    }

    /// Label and value pairs of what the session is, for the e-mail and the calendar entry.
    var details: [(String, String)] {
        var rows: [(String, String)] = [("What", title)]
        if let topic = session.topic { rows.append(("Topic", topic)) }
        rows += [("When", when(occurrence.slot)), ("Where", place)]
        if let who = forum.who { rows.append(("Who", who)) }
        if let ledBy = forum.ledBy { rows.append(("Led by", ledBy)) }
        if let why = forum.why { rows.append(("Why", why)) }
        if let content = forum.content { rows.append(("Content", content)) }
        if let note = session.note { rows.append(("Note", note)) }
        return rows
    }

    var calendarDescription: String {
        details.filter { ["Topic", "Who", "Led by", "Why", "Content", "Note"].contains($0.0) }
            .map { "\($0.0): \($0.1)" }.joined(separator: "\n")
            + (ReminderMail.timesToBeConfirmed(occurrence.slot, defaults: calendar.defaultTimes)
                ? "\nTime to be confirmed by the organiser." : "")
            + (onlineURL.map { "\nJoin on Microsoft Teams: \($0)" } ?? "")
    }

    func text(_ kind: ReminderMail.Kind, greeting name: String) -> String {
        var lines = ["Dear \(name.isEmpty ? "colleague" : name),", ""]
        switch kind {
        case .reminder:
            lines.append("A reminder: \(title) is \(howSoon).")
        case .moved:
            let previous = occurrence.change?.previous ?? occurrence.slot
            lines.append("\(title) has moved. It is now on \(when(occurrence.slot)); it was on \(when(previous)).")
        case .cancelled:
            lines.append("\(title) on \(when(occurrence.slot)) is cancelled. Please remove it from your diary;")
            lines.append("opening the attached invitation removes it from your calendar.")
        }
        if let reason = occurrence.change?.reason, !kind.isReminder { lines += ["", "Reason: \(reason)"] }
        if kind != .cancelled {
            let width = details.map(\.0.count).max() ?? 0
            lines.append("")
            lines += details.map { label, value in
                "\(label):" + String(repeating: " ", count: width - label.count + 1) + value
            }
            lines += ["", "The attached invitation (invite.ics) adds the session to your calendar and keeps it",
                      "up to date if it moves."]
        }
        lines += ["", "Focus-Trust Forums",
                  "Questions? Reply to this e-mail: it reaches the forum organisers at \(organizer.address)."]
        return lines.joined(separator: "\n")
    }

    func londonTime(_ time: ClockTime) -> ICalendar.LondonDateTime {
        let date = occurrence.slot.date
        return ICalendar.LondonDateTime(year: date.year, month: date.month, day: date.day,
                                        hour: time.hour, minute: time.minute)!
    }
}
