import Foundation
import Testing

@testable import TrustDomain

/// FAcT as readers get it: past items reported as past, each reader's own diary, and a layout
/// classic Outlook renders as designed.
@Suite("Newsletter: school year, personal diary, Outlook layout")
struct NewsletterSchoolYearTests {
    let assembler: NewsletterAssembler

    init() throws {
        let terms = try TermCalendar.load(contentsOf: ConfigFixture.directory.appendingPathComponent(TermCalendar.fileName))
        assembler = NewsletterAssembler(config: try NewsletterFixture.config(), academies: try ConfigFixture.academies(),
                                        forums: try ConfigFixture.forums(), terms: terms)
    }

    static let date = CalendarDate("2021-11-05")!

    func issue(on date: CalendarDate = date) throws -> NewsletterIssue {
        let rules = NewsletterItemRules(config: try NewsletterFixture.config(), academies: try ConfigFixture.academies())
        let items = [
            try NewsletterItem(title: "INSET day on 1 November", body: "All staff.", category: "trust-news", academy: nil,
                               author: "Central Team", eventDate: "2021-11-01", rules: rules),
            try NewsletterItem(title: "Support staff training", body: "Today.", category: "wellbeing", academy: nil,
                               author: "Central Team", eventDate: "2021-11-05", rules: rules),
            try NewsletterItem(title: "Vacancy", body: "Apply.", category: "vacancies", academy: nil, author: "HR", rules: rules),
        ]
        let enrolled = Enrolments(byForum: ["support-staff-training": ["enrolled.ta@birstall.focus-trust.local"]])
        return assembler.assemble(number: 4, date: date, items: items, enrolments: enrolled)
    }

    static func person(_ email: String, _ roles: Set<Role>, _ region: Region? = .westYorkshire) -> NewsletterRecipient {
        NewsletterRecipient(name: "A Reader", email: email, affiliation: "Birstall", roles: roles, region: region)
    }

    static func diary(_ text: String) -> String {
        text.components(separatedBy: "Dates for your diary\n").dropFirst().first?.components(separatedBy: "\n\n").first ?? ""
    }

    @Test func itemsWhoseDayHasPassedAreReportedSinceTheLastIssue() throws {
        let issue = try issue()
        #expect(issue.sections.first?.categoryID == NewsletterIssue.sinceLastIssueID)
        #expect(issue.sections.first?.items.map(\.title) == ["INSET day on 1 November"])
        // The session on the issue's own day is still to come; the vacancy has no date.
        #expect(issue.sections.dropFirst().flatMap(\.items).map(\.title) == ["Support staff training", "Vacancy"])
        let text = NewsletterRenderer(issue: issue).archive().text
        #expect(text.contains("Since the last issue\n====================\n\nINSET day on 1 November\n"))
    }

    @Test func eachReaderGetsTheirOwnDiary() throws {
        // 4 to 24 March 2022: Support Staff Training, ECT Forum Year One and a Governor Forum.
        let spring = try issue(on: CalendarDate("2022-03-04")!)
        let renderer = NewsletterRenderer(issue: spring)
        let governor = Self.diary(renderer.personalised(for: Self.person("g@birstall.focus-trust.local", [.governor])).text)
        let ect1 = Self.diary(renderer.personalised(for: Self.person("e1@birstall.focus-trust.local", [.ect, .ectYear1, .teacherY3])).text)
        let ect2 = Self.diary(renderer.personalised(for: Self.person("e2@birstall.focus-trust.local", [.ect, .ectYear2, .teacherY3])).text)
        let enrolledTA = Self.diary(renderer.personalised(for: Self.person("enrolled.ta@birstall.focus-trust.local", [.supportStaff])).text)
        let otherTA = Self.diary(renderer.personalised(for: Self.person("other.ta@birstall.focus-trust.local", [.supportStaff])).text)
        let diaries = [governor, ect1, ect2, enrolledTA, otherTA]
        #expect(Set([governor, ect1, enrolledTA]).count == 3, "\(diaries)")
        // Expected from forums.json: the ECT forum is year one's, support staff training the enrolled's.
        #expect(ect1.contains("Year One: Early Career Teachers Forum") && !ect2.contains("Year One: Early Career Teachers Forum"))
        #expect(enrolledTA.contains("Support Staff Training") && !otherTA.contains("Support Staff Training"))
        #expect(governor.contains("Governor Forum") && !ect1.contains("Governor Forum"))
        // The archive lists every session.
        let archive = Self.diary(renderer.archive().text)
        #expect(spring.diary.allSatisfy { archive.contains($0.title) })
        // All-staff dates (INSET, half term from terms.json) are on every reader's diary.
        let autumn = NewsletterRenderer(issue: try issue(on: CalendarDate("2021-10-15")!))
        for reader in [Self.person("g@x.local", [.governor]), Self.person("t@x.local", [.supportStaff]),
                       Self.person("h@x.local", [.headteacher])] {
            let diary = Self.diary(autumn.personalised(for: reader).text)
            #expect(diary.contains("Autumn half term, until Friday 29 October"), "\(diary)")
            #expect(diary.contains("Trust INSET Day"), "\(diary)")
            // The INSET session itself is for staff, not governors.
            #expect(diary.contains("INSET Day, in person") == !reader.roles.contains(.governor), "\(diary)")
        }
    }

    @Test func theHTMLIsA600PixelTableLayoutWithTheOutlookWrapper() throws {
        let renderer = NewsletterRenderer(issue: try issue())
        let html = renderer.personalised(for: Self.person("g@birstall.focus-trust.local", [.governor])).html
        #expect(html.contains(#"<!--[if mso]><table role="presentation" width="600""#))
        #expect(html.contains(#"<table role="presentation" class="container" width="600""#))
        #expect(html.contains("width:600px"))
        #expect(html.contains("<!--[if mso]></td></tr></table><![endif]-->"))
        // No layout hangs on CSS Outlook ignores: no style block, no max-width on the body.
        #expect(!html.contains("<style"))
        #expect(!html.contains(#"<body style="font-family:Arial,Helvetica,sans-serif;max-width"#))
        // Every heading, paragraph and list item carries its own style.
        for tag in ["<h1", "<h2", "<h3", "<p", "<li", "<ul"] {
            let bare = html.components(separatedBy: tag + ">").count - 1
            #expect(bare == 0, "\(tag) without a style")
        }
        // The tables balance, and the content sits in rows of the container.
        #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count)
        #expect(html.contains(#"<a href="https://news.focus-trust.local/fact/FAcT-4-2021-11-05.html""#))
        let text = renderer.personalised(for: Self.person("g@birstall.focus-trust.local", [.governor])).text
        #expect(text.contains("View in your browser: https://news.focus-trust.local/fact/FAcT-4-2021-11-05.html"))
        #expect(!renderer.archive().html.contains("View this issue in your browser"))
    }

    @Test func theAuthorIsToldWhichIssueWithoutTheirTextInAHeader() throws {
        let notice = NewsletterNotice(authorName: "Amira Khan", authorEmail: "amira@birstall.focus-trust.local",
                                      itemTitle: "Fun run\nBcc: x@example.com", issueNumber: 5,
                                      issueDate: CalendarDate("2021-11-26")!, cutoff: Date(timeIntervalSince1970: 1_637_755_200),
                                      sinceLastIssue: true)
        let mail = try notice.message(newsletter: "FAcT", itemID: 7, from: try MailAddress("fact@focus-trust.local"),
                                      date: Date(timeIntervalSince1970: 1_637_755_200))
        let parsed = try PythonParser.run(MIMEPythonTests.parseScript, input: mail.bytes())
        #expect(parsed["subject"] == "Your item for FAcT 5 — Friday 26 November 2021")
        #expect(parsed["bcc"] == nil && parsed["defects"] == "0")
        #expect(parsed["text/plain"]?.contains("It will appear in FAcT 5, which goes out on Friday 26 November 2021.") == true)
        #expect(parsed["text/plain"]?.contains("Since the last issue") == true)
    }
}
