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
/// at init; each reader's copy only adds a greeting, their own diary and a footer, so a
/// thousand personalised copies cost little more than one.
///
/// The HTML is built for classic Outlook's Word engine as well as browsers: nested
/// presentation tables, a fixed 600 px container (inside an `<!--[if mso]>` table, since Word
/// ignores `max-width`), every style inline, no CSS layout. The plain-text part carries the
/// same content.
public struct NewsletterRenderer: Sendable {
    public let issue: NewsletterIssue
    private let itemsHTML: String
    private let itemsText: String
    private let statusHTML: String
    private let statusText: String
    private let diaryLines: [(html: String, text: String)]

    /// The container's width in CSS pixels: the common e-mail width every client shows whole.
    public static let width = 600

    public init(issue: NewsletterIssue) {
        self.issue = issue
        var html: [String] = []
        var text: [String] = []
        for section in issue.sections {
            html.append(Style.heading2(section.title))
            text.append(Self.heading(section.title, "="))
            for entry in section.items {
                let markup = NewsletterMarkup(entry.body)
                let byline = ([entry.author] + (entry.academy.map { [$0] } ?? [])).joined(separator: ", ")
                html.append("<h3 style=\"\(Style.h3)\">\(HTMLText.escaped(entry.title))</h3>\n"
                    + "<p style=\"\(Style.byline)\">\(HTMLText.escaped(byline))</p>\n" + Style.inline(markup.html))
                text.append(Self.heading(entry.title, "-") + byline + "\n\n" + markup.text + "\n")
            }
        }
        if issue.sections.isEmpty {
            html.append("<p style=\"\(Style.p)\">No news items this time: send yours for the next issue.</p>")
            text.append("No news items this time: send yours for the next issue.\n")
        }
        itemsHTML = html.joined(separator: "\n")
        itemsText = text.joined(separator: "\n")
        (statusHTML, statusText) = Self.status(issue)
        diaryLines = issue.diary.map(Self.diaryLine)
    }

    /// The archive copy: no greeting, every diary date.
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
        } ?? "\(issue.name) is sent every three weeks in term time to colleagues and governors across the Focus-Trust academies."
        let browser = issue.archiveURL.flatMap { url in recipient == nil ? nil : url }

        var rows: [String] = []
        if let browser {
            rows.append(Style.row("<a href=\"\(HTMLText.escaped(browser))\" style=\"\(Style.link)\">View this issue in your browser</a>",
                                  style: Style.topBar))
        }
        rows.append(Style.row("<h1 style=\"\(Style.h1)\">\(HTMLText.escaped(title))</h1>\n"
                              + "<p style=\"\(Style.masthead)\">\(HTMLText.escaped(dateLine))</p>", style: Style.header))
        var body = greeting.map { "<p style=\"\(Style.p)\">\(HTMLText.escaped($0))</p>\n" } ?? ""
        body += itemsHTML
        rows.append(Style.row(body, style: Style.content))
        if !diaryHTML.isEmpty { rows.append(Style.row(diaryHTML, style: Style.content)) }
        if !statusHTML.isEmpty { rows.append(Style.row(statusHTML, style: Style.content)) }
        rows.append(Style.row("<p style=\"\(Style.footerText)\">\(HTMLText.escaped(footer))</p>", style: Style.footer))

        let html = """
            <!DOCTYPE html>
            <html lang="en-GB" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="x-apple-disable-message-reformatting"><title>\(HTMLText.escaped(issue.subject))</title>
            <!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->
            </head>
            <body style="margin:0;padding:0;background-color:#eeeeee;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#eeeeee;">
            <tr><td align="center" style="padding:16px 0;">
            <!--[if mso]><table role="presentation" width="\(Self.width)" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td><![endif]-->
            <table role="presentation" class="container" width="\(Self.width)" cellpadding="0" cellspacing="0" border="0" style="width:\(Self.width)px;max-width:\(Self.width)px;background-color:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#222222;">
            \(rows.joined(separator: "\n"))
            </table>
            <!--[if mso]></td></tr></table><![endif]-->
            </td></tr>
            </table>
            </body>
            </html>

            """
        var text = Self.heading(title, "#") + dateLine + "\n"
        if let browser { text += "View in your browser: \(browser)\n" }
        text += "\n"
        if let greeting { text += greeting + "\n\n" }
        text += itemsText + "\n" + diaryText + statusText + "--\n" + footer + "\n"
        return RenderedNewsletter(subject: issue.subject, text: text, html: html)
    }

    /// A reader's "Dates for your diary": the sessions they are invited to (by role and
    /// region, or by enrolment), the all-staff ones when they are staff, and the term
    /// calendar's key dates; the archive lists every session.
    private func diary(for recipient: NewsletterRecipient?) -> (String, String) {
        var lines: [(date: CalendarDate, html: String, text: String)] = []
        for (entry, line) in zip(issue.diary, diaryLines) where recipient.map({ Self.invites(entry, $0) }) ?? true {
            lines.append((entry.date, line.html, line.text))
        }
        for key in issue.keyDates ?? [] {
            let day = IssueCalendar.weekdayAndDay(key.date)
            lines.append((key.date, "<li style=\"\(Style.li)\"><strong>\(HTMLText.escaped(day))</strong>: \(HTMLText.escaped(key.title))</li>",
                          "- \(day): \(key.title)"))
        }
        guard !lines.isEmpty else { return ("", "") }
        let ordered = lines.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        let html = Style.heading2("Dates for your diary") + "\n<ul style=\"\(Style.ul)\">\n"
            + ordered.map { $0.html + "\n" }.joined() + "</ul>"
        let text = Self.heading("Dates for your diary", "=") + ordered.map { $0.text + "\n" }.joined() + "\n"
        return (html, text)
    }

    /// Each diary entry's line, the same for every reader it is shown to.
    private static func diaryLine(_ entry: NewsletterIssue.DiaryEntry) -> (html: String, text: String) {
        var line = "\(entry.start)–\(entry.end)"
        if entry.timesToBeConfirmed == true { line += " (time to be confirmed)" }
        line += " \(entry.title)"
        if let detail = entry.detail { line += " (\(detail))" }
        line += entry.virtual ? ", online" : ", in person"
        let day = IssueCalendar.weekdayAndDay(entry.date)
        return ("<li style=\"\(Style.li)\"><strong>\(HTMLText.escaped(day))</strong>: \(HTMLText.escaped(line))</li>",
                "- \(day): \(line)")
    }

    /// Whether `entry` is on `recipient`'s diary: enrolled in it (enrolment forums), or holding
    /// one of its roles in one of its regions; all-staff sessions are on every colleague's.
    static func invites(_ entry: NewsletterIssue.DiaryEntry, _ recipient: NewsletterRecipient) -> Bool {
        if let enrolled = entry.enrolled { return enrolled.contains(recipient.email.lowercased()) }
        if entry.allStaff == true && !recipient.roles.isDisjoint(with: NewsletterAssembler.staffRoles) { return true }
        guard !recipient.roles.isDisjoint(with: entry.audience) else { return false }
        guard let regions = entry.regions else { return true }
        return recipient.region.map(regions.contains) ?? false
    }

    private static func status(_ issue: NewsletterIssue) -> (String, String) {
        var html = "", text = ""
        if let drop = issue.dataDrop {
            let title = "Data drop \(drop.dropID)"
            html += Style.heading2(title) + "\n<p style=\"\(Style.p)\">\(HTMLText.escaped(drop.line))</p>\n"
            text += heading(title, "=") + drop.line + "\n\n"
        }
        if let said = issue.youSaid {
            let title = "You said: \(said.surveyTitle)"
            html += Style.heading2(title) + "\n"
            text += heading(title, "=")
            for (label, statements) in [("Strongest", said.strongest), ("Where we need to do better", said.weakest)]
            where !statements.isEmpty {
                let lines = statements.map { "\($0.text) — \(Int($0.percentAgree.rounded()))% agree" }
                html += "<p style=\"\(Style.p)\"><strong>\(label)</strong></p>\n<ul style=\"\(Style.ul)\">\n"
                    + lines.map { "<li style=\"\(Style.li)\">\(HTMLText.escaped($0))</li>\n" }.joined() + "</ul>\n"
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

/// The inline styles of the e-mail layout, in one place: Outlook drops `<style>` blocks and
/// classes, so every element carries its own.
enum Style {
    static let font = "font-family:Arial,Helvetica,sans-serif;"
    static let h1 = font + "margin:0;font-size:30px;line-height:36px;color:#ffffff;"
    static let masthead = font + "margin:4px 0 0 0;font-size:14px;line-height:20px;color:#ffffff;"
    static let h2 = font + "margin:20px 0 8px 0;font-size:20px;line-height:26px;color:#003a70;"
    static let h3 = font + "margin:16px 0 4px 0;font-size:16px;line-height:22px;color:#222222;"
    static let p = font + "margin:0 0 12px 0;font-size:15px;line-height:22px;color:#222222;"
    static let byline = font + "margin:0 0 8px 0;font-size:12px;line-height:16px;color:#555555;"
    static let ul = font + "margin:0 0 12px 0;padding:0 0 0 20px;"
    static let li = font + "margin:0 0 6px 0;font-size:15px;line-height:22px;color:#222222;"
    static let link = font + "color:#003a70;text-decoration:underline;"
    static let footerText = font + "margin:0;font-size:12px;line-height:18px;color:#555555;"
    static let topBar = "padding:8px 24px;font-size:12px;line-height:16px;text-align:right;background-color:#f7f7f7;"
    static let header = "padding:24px;background-color:#003a70;"
    static let content = "padding:8px 24px 8px 24px;"
    static let footer = "padding:16px 24px;border-top:1px solid #dddddd;"

    /// One full-width row of the container table.
    static func row(_ html: String, style: String) -> String { "<tr><td style=\"\(style)\">\n\(html)\n</td></tr>" }

    static func heading2(_ title: String) -> String { "<h2 style=\"\(h2)\">\(HTMLText.escaped(title))</h2>" }

    /// Markup's bare tags with the layout's inline styles.
    static func inline(_ html: String) -> String {
        html.replacingOccurrences(of: "<p>", with: "<p style=\"\(p)\">")
            .replacingOccurrences(of: "<ul>", with: "<ul style=\"\(ul)\">")
            .replacingOccurrences(of: "<li>", with: "<li style=\"\(li)\">")
            .replacingOccurrences(of: "<a href=", with: "<a style=\"\(link)\" href=")
    }
}
