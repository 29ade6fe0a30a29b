import Foundation
import Testing

@testable import TrustDomain

@Suite("Newsletter issues: assembly and rendering")
struct NewsletterIssueTests {
    let assembler: NewsletterAssembler
    let items: [NewsletterItem]

    init() throws {
        assembler = NewsletterAssembler(config: try NewsletterFixture.config(), academies: try ConfigFixture.academies(),
                                        forums: try ConfigFixture.forums())
        items = [
            try NewsletterFixture.item(title: "Mindful Mondays", body: "Ten minutes, *every* week.", category: "wellbeing"),
            try NewsletterFixture.item(title: "Welcome, new colleagues", body: "<script>alert(1)</script>"),
            try NewsletterFixture.item(title: "Fun run\r\nBcc: x@example.com", body: "**Well done** all!",
                                       academy: "birstall", author: "Amira Khan"),
        ]
    }

    func issue(dataDrop: DataDropStatusSummary? = nil, youSaid: YouSaidSummary? = nil) -> NewsletterIssue {
        assembler.assemble(number: 2, date: CalendarDate("2021-09-24")!, items: items, dataDrop: dataDrop, youSaid: youSaid)
    }

    static let governor = NewsletterRecipient(name: "Zoë Brontë", email: "zoe.bronte@birstall.focus-trust.local",
                                              affiliation: "Birstall", roles: [.governor], region: .westYorkshire)

    @Test func itemsAreGroupedInCategoryOrderKeepingArrivalOrder() {
        let issue = issue()
        #expect(issue.sections.map(\.categoryID) == ["trust-news", "wellbeing"])
        #expect(issue.sections[0].items.map(\.title) == ["Welcome, new colleagues", "Fun run Bcc: x@example.com"])
        #expect(issue.sections[0].items[1].academy == "Birstall")
        #expect(issue.itemCount == 3)
        #expect(issue.subject == "FAcT 2 — 24 September 2021")
        #expect(issue.archiveFileName == "FAcT-2-2021-09-24.html")
    }

    @Test func theDiaryCoversTheThreeWeeksFromTheIssueDate() {
        // 24 September to 14 October inclusive, from Config/forums.json, in time order.
        #expect(issue().diary.map(\.occurrenceID) == [
            "ect-mentor-training-2021-09-28", "governor-forum-2021-09-28", "leaders-forum-2021-09-30",
            "early-years-2021-10-06", "ect-forum-year-one-2021-10-07", "business-managers-2021-10-12",
            "leadership-heads-2021-10-12", "ipops-2021-10-14",
        ])
    }

    @Test func anIssueSurvivesStorage() throws {
        let drop = DataDropStatusSummary(dropID: "2021-22/autumn", submitted: 12, expected: 15,
                                         lastUpdated: Date(timeIntervalSince1970: 1_632_132_000))
        let original = issue(dataDrop: drop)
        #expect(try NewsletterIssue.decode(original.encoded()) == original)
    }

    @Test func aPersonalisedCopyGreetsAndMarksTheReadersDates() {
        let copy = NewsletterRenderer(issue: issue()).personalised(for: Self.governor)
        #expect(copy.text.hasPrefix("FAcT 2\n######\nThe Focus-Trust newsletter, 24 September 2021\n"
            + "View in your browser: https://news.focus-trust.local/fact/FAcT-2-2021-09-24.html\n\nDear Zoë,\n\nTrust news\n==="))
        // A governor's diary holds the governors' sessions only, with the times the calendar
        // did not state marked as such.
        #expect(copy.text.contains("- Tuesday 28 September: 09:30–12:00 (time to be confirmed) Governor Forum, in person\n"))
        #expect(!copy.text.contains("Leaders Forum"))
        #expect(copy.text.contains("Fun run Bcc: x@example.com\n--------------------------\nAmira Khan, Birstall\n\nWell done all!\n"))
        #expect(copy.html.contains("<strong>Tuesday 28 September</strong>: 09:30–12:00 (time to be confirmed) Governor Forum, in person</li>"))
        #expect(copy.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;</p>"))
        #expect(!copy.html.contains("<script>"))
        #expect(copy.text.hasSuffix("--\nYou receive FAcT as a member of the Focus-Trust directory (Birstall). "
            + "To contribute an item for the next issue, reply to this e-mail.\n"))
        let archive = NewsletterRenderer(issue: issue()).archive()
        #expect(!archive.text.contains("Dear "))
        #expect(archive.text.contains("Leaders Forum") && archive.text.contains("Governor Forum"))
    }

    @Test func regionalSessionsAreOnlyMarkedForThatRegion() {
        let entry = NewsletterIssue.DiaryEntry(occurrenceID: "x", date: CalendarDate("2022-02-08")!, start: ClockTime("10:00")!,
                                               end: ClockTime("11:30")!, title: "Leadership", virtual: false, detail: "am",
                                               audience: [.deputy], regions: [.northWest, .cheshire], enrolled: nil,
                                               allStaff: nil, timesToBeConfirmed: nil)
        let deputy = { (region: Region?) in
            NewsletterRecipient(name: "A B", email: "a@b.local", affiliation: "X", roles: [.deputy], region: region)
        }
        #expect(NewsletterRenderer.invites(entry, deputy(.cheshire)))
        #expect(!NewsletterRenderer.invites(entry, deputy(.westYorkshire)))
        #expect(!NewsletterRenderer.invites(entry, deputy(nil)))
        #expect(!NewsletterRenderer.invites(entry, Self.governor))
    }

    @Test func statusBoxesShowTheDropAndWhatColleaguesSaid() {
        let drop = DataDropStatusSummary(dropID: "2021-22/autumn", submitted: 12, expected: 15,
                                         lastUpdated: Date(timeIntervalSince1970: 1_632_132_000))  // 2021-09-20 10:00 UTC
        let said = YouSaidSummary(surveyTitle: "Staff wellbeing 2021",
                                  strongest: [.init(text: "I feel valued", percentAgree: 91.6)],
                                  weakest: [.init(text: "My workload is manageable", percentAgree: 48.2)])
        let copy = NewsletterRenderer(issue: issue(dataDrop: drop, youSaid: said)).archive()
        #expect(copy.text.contains("Data drop 2021-22/autumn\n========================\n"
            + "12 of 15 academies have data in use; last updated 20 September 2021.\n"))
        #expect(copy.text.contains("Strongest:\n- I feel valued — 92% agree\n\nWhere we need to do better:\n"
            + "- My workload is manageable — 48% agree\n"))
        #expect(copy.html.contains(">You said: Staff wellbeing 2021</h2>"))
    }

    @Test func theEmailCarriesOnlyHeadersBuiltFromTheIssueNumberAndDate() throws {
        let renderer = NewsletterRenderer(issue: issue())
        let sender = try MailAddress("fact@focus-trust.local", displayName: "FAcT")
        let date = Date(timeIntervalSince1970: 1_632_466_800)
        let message = try renderer.message(for: Self.governor, from: sender, date: date)
        let bytes = message.bytes()
        let raw = String(decoding: bytes, as: UTF8.self)
        let headers = String(raw[..<raw.range(of: "\r\n\r\n")!.lowerBound])
        let names = headers.split(separator: "\r\n").filter { !$0.hasPrefix(" ") }.map { $0.split(separator: ":")[0] }
        #expect(names == ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "List-Id", "Precedence",
                          "Auto-Submitted", "Content-Type"])
        #expect(!raw.contains("\r\nBcc:"))
        #expect(message.messageID == "<fact-2.2021-09-24.\(MIMEMessage.fnv1a64("zoe.bronte@birstall.focus-trust.local"))@focus-trust.local>")
        // Deterministic: the same recipient gets the same bytes, another gets another id.
        #expect(try renderer.message(for: Self.governor, from: sender, date: date).bytes() == bytes)
        let other = NewsletterRecipient(name: "A B", email: "a.b@birstall.focus-trust.local", affiliation: "Birstall",
                                        roles: [], region: nil)
        #expect(try renderer.message(for: other, from: sender, date: date).messageID != message.messageID)
        #expect(headers.contains("To: =?UTF-8?B?"))
        #expect(headers.contains("Subject: =?UTF-8?B?"))
    }
}
