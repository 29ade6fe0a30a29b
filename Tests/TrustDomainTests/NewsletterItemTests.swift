import Foundation
import Testing

import TrustDomain

enum NewsletterFixture {
    static func config() throws -> NewsletterConfig {
        try NewsletterConfig.load(contentsOf: ConfigFixture.directory.appendingPathComponent(NewsletterConfig.fileName))
    }

    static func rules() throws -> NewsletterItemRules {
        NewsletterItemRules(config: try config(), academies: try ConfigFixture.academies())
    }

    static func item(title: String = "Fun run", body: String = "Join us.", category: String = "trust-news",
                     academy: String? = nil, author: String = "Central Team") throws -> NewsletterItem {
        try NewsletterItem(title: title, body: body, category: category, academy: academy, author: author, rules: rules())
    }
}

@Suite("Newsletter items")
struct NewsletterItemTests {
    /// The message for an item built from `json`, or nil if it is accepted.
    func problem(_ json: String) throws -> String? {
        let rules = try NewsletterFixture.rules()
        do {
            _ = try NewsletterItem(json: Array(json.utf8), rules: rules)
            return nil
        } catch {
            return error.description
        }
    }

    func problem(title: String = "Fun run", body: String = "Join us.", category: String = "trust-news",
                 academy: String? = nil, author: String = "Central Team") throws -> String? {
        do {
            _ = try NewsletterFixture.item(title: title, body: body, category: category, academy: academy, author: author)
            return nil
        } catch let error as NewsletterItemError {
            return error.description
        }
    }

    @Test func aValidItemIsCleanedNotRefused() throws {
        let item = try NewsletterFixture.item(title: "  Fun run\r\nBcc: x@example.com ", body: "a\r\nb\rc\td\u{7}\n\n",
                                              category: "celebrations", academy: "birstall", author: "Amira\nKhan")
        #expect(item.title == "Fun run Bcc: x@example.com")
        #expect(item.body == "a\nb\nc d")
        #expect(item.academy == AcademyID("birstall"))
        #expect(item.author == "Amira Khan")
        let again = try NewsletterItem(json: item.json, rules: NewsletterFixture.rules())
        #expect(again == item)
        #expect(String(decoding: item.json, as: UTF8.self)
            == #"{"academy":"birstall","author":"Amira Khan","body":"a\nb\nc d","category":"celebrations","title":"Fun run Bcc: x@example.com"}"#)
    }

    @Test func limitsCountCharactersAfterCleaning() throws {
        #expect(try problem(title: String(repeating: "é", count: 120)) == nil)
        #expect(try problem(title: String(repeating: "a", count: 121))
            == "newsletter item: title \"\(String(repeating: "a", count: 57))...\" is 121 characters long; the limit is 120")
        #expect(try problem(body: String(repeating: "b", count: 5_000)) == nil)
        #expect(try problem(body: String(repeating: "b", count: 5_001))
            == "newsletter item: body is 5001 characters long; the limit is 5000")
        #expect(try problem(title: " \r\n ") == "newsletter item: title is empty")
        #expect(try problem(body: "\n\n") == "newsletter item: body is empty")
        #expect(try problem(author: "") == "newsletter item: author is empty")
    }

    @Test func categoryAndAcademyMustBeKnown() throws {
        #expect(try problem(category: "sport") == "newsletter item: category \"sport\" is not a newsletter category "
            + "(expected one of: trust-news, teaching-and-learning, wellbeing, celebrations, governance, vacancies, dates)")
        #expect(try problem(academy: "hogwarts") == "newsletter item: academy \"hogwarts\" is not an academy id from academies.json")
        #expect(try problem(academy: "") == nil)
    }

    @Test func onlyHTTPSLinks() throws {
        #expect(try problem(body: "See [the page](http://example.org/x) now")
            == "newsletter item: body \"http://example.org/x\" is a plain http:// address; only https:// links are allowed")
        #expect(try problem(title: "Visit HTTP://example.org")
            == "newsletter item: title \"HTTP://example.org\" is a plain http:// address; only https:// links are allowed")
        #expect(try problem(body: "[x](javascript:alert(1))")
            == "newsletter item: body \"javascript:alert(1\" is not an https:// link (write links as [text](https://…))")
        #expect(try problem(body: "[form](https://forms.office.com/r/abc)") == nil)
    }

    @Test func messageBodiesNameTheMissingOrWrongField() throws {
        #expect(try problem("not json") == "newsletter item: message is not a JSON object "
            + #"{"title", "body", "category", "academy", "author"}"#)
        #expect(try problem(#"{"title":"T","body":"B","category":"dates"}"#) == "newsletter item: author is missing")
        #expect(try problem(#"{"title":7,"body":"B","category":"dates","author":"A"}"#)
            == "newsletter item: title should be text in double quotes")
        #expect(try problem(#"{"title":"T","body":"B","category":"dates","author":"A","academy":null}"#) == nil)
    }

    @Test func quotedValuesCannotBreakALine() {
        #expect(NewsletterItemError.quoted("a\r\nb\"c") == #""a\u{d}\u{a}b\"c""#)
    }
}

@Suite("Config/newsletter.json")
struct NewsletterConfigTests {
    @Test func theRepositoryFileLoads() throws {
        let config = try NewsletterFixture.config()
        #expect(config.title == "FAcT")
        #expect(config.anchor == CalendarDate("2021-09-03"))
        #expect(config.periodDays == 21)
        #expect(config.categories.map(\.id) == ["trust-news", "teaching-and-learning", "wellbeing", "celebrations",
                                                "governance", "vacancies", "dates"])
        #expect(config.senderAddress.description == "FAcT <fact@focus-trust.local>")
        #expect(config.schedule(schoolDays: nil) == NewsletterSchedule(
            anchor: CalendarDate("2021-09-03")!, periodDays: 21, sendTime: ClockTime("07:30")!, cutoffDays: 2,
            cutoffTime: ClockTime("12:00")!))
        #expect(config.archiveURL(for: "FAcT-2-2021-09-24.html") == "https://news.focus-trust.local/fact/FAcT-2-2021-09-24.html")
    }

    func message(replacing target: String, with replacement: String) throws -> String? {
        let url = ConfigFixture.directory.appendingPathComponent(NewsletterConfig.fileName)
        let text = try String(contentsOf: url, encoding: .utf8)
        try #require(text.contains(target))
        do {
            _ = try NewsletterConfig.load(from: Data(text.replacingOccurrences(of: target, with: replacement).utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func mistakesAreNamed() throws {
        #expect(try message(replacing: #""fact@focus-trust.local""#, with: #""not an address""#)
            == #"newsletter.json: sender.address "not an address" is not a plain e-mail address (name@domain)"#)
        #expect(try message(replacing: #""id": "wellbeing""#, with: #""id": "trust-news""#)
            == #"newsletter.json: category 3: id "trust-news" is already used by category 1"#)
        #expect(try message(replacing: #""2021-09-03""#, with: #""2021-09-31""#)
            == #"newsletter.json: anchor "2021-09-31" is not a real calendar date (expected YYYY-MM-DD)"#)
        #expect(try message(replacing: #""period_days": 21"#, with: #""period_days": 0"#)
            == "newsletter.json: period_days 0 is not a number of days from 1 to 366")
        #expect(try message(replacing: #""title": "FAcT""#, with: #""title": "FAcT news!""#)
            == #"newsletter.json: title "FAcT news!" must be a short name of letters, digits and hyphens (it names the archive files)"#)
    }
}
