import Foundation

/// The e-mail telling an item's author which FAcT issue their item will appear in, sent when
/// the item is accepted, so a contributor knows the date readers will see it and can send a
/// correction before the cut-off.
public struct NewsletterNotice: Sendable, Equatable {
    public let authorName: String
    public let authorEmail: String
    public let itemTitle: String
    public let issueNumber: Int
    public let issueDate: CalendarDate
    public let cutoff: Date
    /// The item's day will have passed by the issue date: it goes under "Since the last issue".
    public let sinceLastIssue: Bool

    public init(authorName: String, authorEmail: String, itemTitle: String, issueNumber: Int, issueDate: CalendarDate,
                cutoff: Date, sinceLastIssue: Bool) {
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.itemTitle = itemTitle
        self.issueNumber = issueNumber
        self.issueDate = issueDate
        self.cutoff = cutoff
        self.sinceLastIssue = sinceLastIssue
    }

    /// The subject carries only the issue's name, number and date, never the item's text, so
    /// nothing a contributor typed reaches a header. The Message-ID depends on the item and the
    /// address alone, so a resend after a crash is recognisably the same e-mail.
    public func message(newsletter: String, itemID: Int64, from sender: MailAddress, date: Date) throws(MIMEError) -> MIMEMessage {
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "focus-trust.local"
        let when = issueDate.longDescription
        var lines = ["Dear \(authorName.isEmpty ? "colleague" : authorName),", "",
                     "Thank you for your item \"\(itemTitle)\".", "",
                     "It will appear in \(newsletter) \(issueNumber), which goes out on \(when)."]
        if sinceLastIssue {
            lines += ["", "The date it is about will have passed by then, so it appears under \"\(NewsletterIssue.sinceLastIssueTitle)\"",
                      "rather than as something coming up."]
        }
        lines += ["", "To change it, reply to this e-mail before the editorial cut-off, \(Self.london(cutoff)) (UK time).",
                  "", "\(newsletter) editors"]
        return try MIMEMessage(
            messageID: "<\(newsletter.lowercased())-item.\(itemID).\(MIMEMessage.fnv1a64(authorEmail.lowercased()))@\(domain)>",
            date: date, from: sender, to: [MailAddress(authorEmail, displayName: authorName)],
            subject: "Your item for \(newsletter) \(issueNumber) — \(when)", text: lines.joined(separator: "\n"),
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }

    /// "Wednesday 24 November 2021, 12:00".
    static func london(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        return "\(CalendarDate(instant, in: calendar.timeZone).longDescription), \(ClockTime(hour: c.hour!, minute: c.minute!)!)"
    }
}

extension NewsletterSchedule {
    /// When mail about the newsletter (an author's notice) may go: `now` on a working day once
    /// the day's send time has come, else the next working day's send time, so nobody is
    /// mailed at a weekend or in a holiday.
    public func nextSendingInstant(after now: Date) -> Date {
        let today = CalendarDate(now, in: timeZone)
        for offset in 0...120 {
            let day = today.adding(days: offset)
            guard schoolDays?.isWorkingDay(day) ?? true else { continue }
            return max(sendInstant(of: day), now)
        }
        return now
    }
}
