import Foundation

/// Someone an issue is sent to, with what personalises their copy: the greeting, the footer
/// and which diary dates are theirs.
public struct NewsletterRecipient: Sendable, Equatable {
    public let name: String
    public let email: String
    /// Academy short name, or "Central Team".
    public let affiliation: String
    public let roles: Set<Role>
    /// Their academy's area; sessions limited to other areas are not marked as theirs.
    public let region: Region?

    public init(name: String, email: String, affiliation: String, roles: Set<Role>, region: Region?) {
        self.name = name
        self.email = email
        self.affiliation = affiliation
        self.roles = roles
        self.region = region
    }

    public init(person: Person, academies: AcademyCatalog) {
        var affiliation = "Central Team"
        var region: Region?
        if case .academy(let id) = person.affiliation {
            let academy = academies.academy(id)
            affiliation = academy?.shortName ?? id.rawValue
            region = academy?.region
        }
        self.init(name: person.name, email: person.email, affiliation: affiliation, roles: person.roles, region: region)
    }

    /// The first word of the name: "Dear Amira," reads as a newsletter from colleagues.
    var greetingName: String { name.split(separator: " ").first.map(String.init) ?? name }
}

/// An issue as text and HTML for one reader (or for the archive).
public struct RenderedNewsletter: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String
}

/// Renders an issue. Everything shared by all readers (items, status boxes) is rendered once
/// at init; each reader's copy only adds a greeting, their diary marks and a footer, so a
/// thousand personalised copies cost little more than one.
public struct NewsletterRenderer: Sendable {
    public let issue: NewsletterIssue
    private let itemsHTML: String
    private let itemsText: String
    private let statusHTML: String
    private let statusText: String
    private let diaryLines: [(html: String, text: String)]

    public init(issue: NewsletterIssue) {
        self.issue = issue
        var html: [String] = []
        var text: [String] = []
        for section in issue.sections {
            html.append("<h2>\(HTMLText.escaped(section.title))</h2>")
            text.append(Self.heading(section.title, "="))
            for entry in section.items {
                let markup = NewsletterMarkup(entry.body)
                let byline = ([entry.author] + (entry.academy.map { [$0] } ?? [])).joined(separator: ", ")
                html.append("<h3>\(HTMLText.escaped(entry.title))</h3>\n"
                    + "<p style=\"color:#555;font-size:small\">\(HTMLText.escaped(byline))</p>\n" + markup.html)
                text.append(Self.heading(entry.title, "-") + byline + "\n\n" + markup.text + "\n")
            }
        }
        if issue.sections.isEmpty {
            html.append("<p>No news items this time: send yours for the next issue.</p>")
            text.append("No news items this time: send yours for the next issue.\n")
        }
        itemsHTML = html.joined(separator: "\n")
        itemsText = text.joined(separator: "\n")
        (statusHTML, statusText) = Self.status(issue)
        diaryLines = issue.diary.map(Self.diaryLine)
    }

    /// The archive copy: no greeting, no personal marks.
    public func archive() -> RenderedNewsletter { render(for: nil) }

    public func personalised(for recipient: NewsletterRecipient) -> RenderedNewsletter { render(for: recipient) }

    /// The e-mail for one recipient. The Message-ID depends only on the issue and the address,
    /// so a resend after a crash carries the same id and is recognisable as a duplicate.
    public func message(for recipient: NewsletterRecipient, from sender: MailAddress, date: Date) throws(MIMEError) -> MIMEMessage {
        let copy = personalised(for: recipient)
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "focus-trust.local"
        return try MIMEMessage(
            messageID: Self.messageID(issue: issue, email: recipient.email, domain: domain),
            date: date, from: sender, to: [MailAddress(recipient.email, displayName: recipient.name)],
            subject: copy.subject, text: copy.text, html: copy.html,
            extraHeaders: [("List-Id", "\(issue.name) <\(issue.name.lowercased()).\(domain)>"),
                           ("Precedence", "bulk"), ("Auto-Submitted", "auto-generated")])
    }

    /// `<fact-12.2021-09-24.3f2a…@focus-trust.local>`; the address is hashed so the id is
    /// always a valid dot-atom whatever the address looks like.
    public static func messageID(issue: NewsletterIssue, email: String, domain: String) -> String {
        "<\(issue.name.lowercased())-\(issue.number).\(issue.date).\(MIMEMessage.fnv1a64(email.lowercased()))@\(domain)>"
    }

    private func render(for recipient: NewsletterRecipient?) -> RenderedNewsletter {
        let title = "\(issue.name) \(issue.number)"
        let dateLine = "The Focus-Trust newsletter, \(IssueCalendar.long(issue.date))"
        let greeting = recipient.map { "Dear \($0.greetingName)," }
        let (diaryHTML, diaryText) = diary(for: recipient)
        let footer = recipient.map {
            "You receive \(issue.name) as a member of the Focus-Trust directory (\($0.affiliation)). "
                + "To contribute an item for the next issue, reply to this e-mail."
        } ?? "\(issue.name) is sent every three weeks to colleagues and governors across the Focus-Trust academies."

        var html = """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head><meta charset="utf-8"><title>\(HTMLText.escaped(issue.subject))</title></head>
            <body style="font-family:Arial,Helvetica,sans-serif;max-width:640px;margin:0 auto;color:#222">
            <h1>\(HTMLText.escaped(title))</h1>
            <p><em>\(HTMLText.escaped(dateLine))</em></p>

            """
        var text = Self.heading(title, "#") + dateLine + "\n\n"
        if let greeting {
            html += "<p>\(HTMLText.escaped(greeting))</p>\n"
            text += greeting + "\n\n"
        }
        html += itemsHTML + "\n" + diaryHTML + statusHTML
        html += "<hr>\n<p style=\"color:#555;font-size:small\">\(HTMLText.escaped(footer))</p>\n</body>\n</html>\n"
        text += itemsText + "\n" + diaryText + statusText + "--\n" + footer + "\n"
        return RenderedNewsletter(subject: issue.subject, text: text, html: html)
    }

    private func diary(for recipient: NewsletterRecipient?) -> (String, String) {
        guard !issue.diary.isEmpty else { return ("", "") }
        var html = "<h2>Dates for your diary</h2>\n<ul>\n"
        var text = Self.heading("Dates for your diary", "=")
        for (entry, line) in zip(issue.diary, diaryLines) {
            let yours = recipient.map { Self.invites(entry, $0) } ?? false
            html += line.html + (yours ? " <strong>— you are invited</strong>" : "") + "</li>\n"
            text += line.text + (yours ? " — you are invited" : "") + "\n"
        }
        return (html + "</ul>\n", text + "\n")
    }

    /// Each diary entry's line up to where a reader's "you are invited" mark goes.
    private static func diaryLine(_ entry: NewsletterIssue.DiaryEntry) -> (html: String, text: String) {
        var line = "\(entry.start)–\(entry.end) \(entry.title)"
        if let detail = entry.detail { line += " (\(detail))" }
        line += entry.virtual ? ", online" : ", in person"
        let day = IssueCalendar.weekdayAndDay(entry.date)
        return ("<li><strong>\(HTMLText.escaped(day))</strong>: \(HTMLText.escaped(line))", "- \(day): \(line)")
    }

    static func invites(_ entry: NewsletterIssue.DiaryEntry, _ recipient: NewsletterRecipient) -> Bool {
        guard !recipient.roles.isDisjoint(with: entry.audience) else { return false }
        guard let regions = entry.regions else { return true }
        return recipient.region.map(regions.contains) ?? false
    }

    private static func status(_ issue: NewsletterIssue) -> (String, String) {
        var html = "", text = ""
        if let drop = issue.dataDrop {
            let title = "Data drop \(drop.dropID)"
            let line = drop.line
            html += "<h2>\(HTMLText.escaped(title))</h2>\n<p>\(HTMLText.escaped(line))</p>\n"
            text += heading(title, "=") + line + "\n\n"
        }
        if let said = issue.youSaid {
            let title = "You said: \(said.surveyTitle)"
            html += "<h2>\(HTMLText.escaped(title))</h2>\n"
            text += heading(title, "=")
            for (label, statements) in [("Strongest", said.strongest), ("Where we need to do better", said.weakest)]
            where !statements.isEmpty {
                let lines = statements.map { "\($0.text) — \(Int($0.percentAgree.rounded()))% agree" }
                html += "<p><strong>\(label)</strong></p>\n<ul>\n"
                    + lines.map { "<li>\(HTMLText.escaped($0))</li>\n" }.joined() + "</ul>\n"
                text += "\(label):\n" + lines.map { "- \($0)\n" }.joined() + "\n"
            }
        }
        return (html, text)
    }

    private static let londonZone = TimeZone(identifier: "Europe/London")!

    private static func heading(_ title: String, _ underline: Character) -> String {
        title + "\n" + String(repeating: underline, count: min(72, max(3, title.count))) + "\n"
    }
}
