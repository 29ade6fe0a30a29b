import Foundation
import Testing
@testable import TrustDomain

private let repoConfig = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Config")

@Suite("Drop calendar: Config/drops.json")
struct DropCalendarTests {
    let calendar = try! DropCalendar.load(contentsOf: repoConfig.appendingPathComponent(DropCalendar.fileName))

    @Test func theShippedCalendarHasThreeDropsAYearEachBeforeItsBoardMeeting() throws {
        let years = Set(calendar.drops.map(\.id.startYear))
        #expect(years.contains(2021))
        for year in years {
            #expect(calendar.drops.filter { $0.id.startYear == year }.map(\.id.term) == [.autumn, .spring, .summer])
        }
        for drop in calendar.drops {
            #expect(drop.opens < drop.deadline && drop.deadline < drop.boardMeeting, "\(drop.id)")
            #expect(drop.deadline.isWeekday && drop.boardMeeting.isWeekday, "\(drop.id)")
        }
    }

    @Test func autumn2021RemindsOnMondayAndChasesOnFriday() throws {
        let autumn = try calendar.resolve("2021-22/autumn")
        #expect(autumn.deadline.longDescription == "Thursday 25 November 2021")
        #expect(autumn.reminderDay(workingDays: 3).longDescription == "Monday 22 November 2021")
        #expect(autumn.chaseDay.longDescription == "Friday 26 November 2021")
        // A Friday deadline is chased on the Monday after, not on the Saturday.
        #expect(CalendarDate("2021-11-26")!.weekdays(after: 1) == CalendarDate("2021-11-29")!)
        #expect(CalendarDate("2021-11-29")!.weekdays(before: 3) == CalendarDate("2021-11-24")!)
    }

    @Test func anUnknownDropIsRefusedWithTheKnownOnesListed() {
        #expect(throws: UnknownDrop.self) { try calendar.resolve("2021-22/autum") }
        do {
            _ = try calendar.resolve("2031-32/autumn")
            Issue.record("accepted a drop outside the calendar")
        } catch {
            #expect(error.description.contains("not in drops.json"))
            #expect(error.description.contains("2021-22/autumn, 2021-22/spring"))
        }
    }

    @Test func mistakesInTheFileNameTheDropAndTheField() {
        func load(_ drops: String) -> String {
            let text = """
                {"timezone": "Europe/London", "send_time": "07:00", "reminder_working_days": 3,
                 "mail": {"sender_name": "Data", "sender_address": "data@focus-trust.local", "academy_roles": ["data-lead"],
                          "fallback_roles": ["headteacher"], "summary_roles": ["data-manager"], "report_roles": ["trustee"]},
                 "drops": [\(drops)]}
                """
            do {
                _ = try DropCalendar.load(from: Data(text.utf8))
                return "loaded"
            } catch {
                return error.description
            }
        }
        #expect(load(#"{"id": "2021-22/autumn", "opens": "2021-11-15", "deadline": "2021-11-25", "board_meeting": "2021-12-09"}"#) == "loaded")
        #expect(load(#"{"id": "2021-22/autumn", "opens": "2021-11-15", "deadline": "2021-11-27", "board_meeting": "2021-12-09"}"#)
            .contains("deadline \"2021-11-27\" falls on a weekend"))
        #expect(load(#"{"id": "2021-22/autumn", "opens": "2021-11-15", "deadline": "2021-11-25", "board_meeting": "2021-11-24"}"#)
            .contains("board_meeting"))
        #expect(load(#"{"id": "2021-22/autum", "opens": "2021-11-15", "deadline": "2021-11-25", "board_meeting": "2021-12-09"}"#)
            .contains("is not a drop"))
    }
}

@Suite("Submission state: the data in use apart from the latest attempt")
struct SubmissionStateTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static func attempt(_ n: Int, _ outcome: DropAttempt.Outcome, _ time: String) -> DropAttempt {
        DropAttempt(sequence: n, outcome: outcome, receivedAt: at(time), submittedBy: "thornhill",
                    pupils: outcome == .accepted ? 400 + n : nil, errorCount: outcome == .accepted ? 0 : n)
    }

    @Test func goodThenBadKeepsTheGoodDataAndSaysSo() {
        let state = AcademySubmission(academy: AcademyID("thornhill"), attempts: [
            Self.attempt(2, .refused, "2021-11-24T10:02:00Z"), Self.attempt(1, .accepted, "2021-11-24T09:14:00Z"),
        ])
        #expect(state.status == .acceptedLaterRefused)
        #expect(state.inUse?.pupils == 401)
        #expect(state.hasData)
        #expect(state.summary == "accepted 24 November 2021, 09:14 (401 pupils); a later file on 24 November 2021, 10:02 was refused: 2 errors")
    }

    @Test func badThenGoodIsPlainlyAccepted() {
        let state = AcademySubmission(academy: AcademyID("coppice"), attempts: [
            Self.attempt(1, .refused, "2021-11-22T09:00:00Z"), Self.attempt(2, .accepted, "2021-11-23T09:00:00Z"),
        ])
        #expect(state.status == .accepted)
        #expect(state.refusal == nil)
        #expect(state.attempts == 2)
        #expect(state.first?.sequence == 1)
        #expect(state.summary == "accepted 23 November 2021, 09:00 (402 pupils)")
    }

    @Test func onlyRefusedFilesMeanNoData() {
        let state = AcademySubmission(academy: AcademyID("deeplish"), attempts: [Self.attempt(3, .refused, "2021-11-22T09:00:00Z")])
        #expect(state.status == .refused)
        #expect(!state.hasData)
        #expect(state.summary == "refused 22 November 2021, 09:00: 3 errors; no data in use")
        #expect(AcademySubmission(academy: AcademyID("x"), attempts: []).summary == "not submitted")
    }

    @Test func theDropCountsOnlyDataInUse() throws {
        let catalog = try AcademyCatalog.load(contentsOf: repoConfig.appendingPathComponent(AcademyCatalog.fileName))
        let state = DropSubmissionState(drop: DropID("2021-22/autumn")!, catalog: catalog, attempts: [
            AcademyID("thornhill"): [Self.attempt(1, .accepted, "2021-11-24T09:14:00Z"), Self.attempt(2, .refused, "2021-11-24T10:02:00Z")],
            AcademyID("deeplish"): [Self.attempt(3, .refused, "2021-11-22T09:00:00Z")],
            AcademyID("nowhere"): [Self.attempt(4, .accepted, "2021-11-22T09:00:00Z")],
        ])
        #expect(state.submitted == [AcademyID("thornhill")])
        #expect(state.notSubmitted.count == 14)
        #expect(state.pupils == 401)
        #expect(state.headline { $0.rawValue } == "1 of 15 academies have data in use (401 pupils); a later file was refused for thornhill (earlier data stands)")
    }
}

@Suite("Data-drop file: spellings, name columns, GLD by term")
struct DropFileHelpTests {
    static let header = DropColumn.header
    static let upn = DropTemplate.exampleUPN(0)

    func read(_ rows: [String], header: String = header, term: Term? = .autumn) throws(DropRejection) -> DropFileContents {
        try DataDropFile.read(Array(([header] + rows).joined(separator: "\n").utf8), term: term)
    }

    @Test(arguments: [
        ("Working towards", Judgement.wts), ("WTS", .wts), ("wt", .wts), ("Expected", .exs), ("EXS", .exs),
        ("expected standard", .exs), ("Greater depth", .gds), ("GDS", .gds), ("greater-depth", .gds), ("Below", .blw),
    ])
    func judgementSpellings(_ text: String, _ judgement: Judgement) throws {
        let pupil = try read(["\(Self.upn),3,F,N,N,N,\(text),EXS,EXS,EXS,EXS,EXS,,,"]).pupils[0]
        #expect(pupil.attainment?.reading.judgement == judgement)
    }

    @Test(arguments: [("Y3", YearGroup.year3), ("Year 3", .year3), ("3", .year3), ("yr3", .year3), ("Reception", .reception),
                      ("Nursery", .nursery), ("YEAR  6", .year6)])
    func yearSpellings(_ text: String, _ year: YearGroup) throws {
        let assessed = year.isAssessed ? "EXS,EXS,EXS,EXS,EXS,EXS" : ",,,,,"
        #expect(try read(["\(Self.upn),\(text),F,N,N,N,\(assessed),,,"]).pupils[0].year == year)
    }

    @Test(arguments: [("SEN Support", SENDStatus.senSupport), ("K", .senSupport), ("EHCP", .ehcPlan), ("EHC plan", .ehcPlan),
                      ("E", .ehcPlan), ("None", .none), ("N", .none)])
    func sendSpellings(_ text: String, _ send: SENDStatus) throws {
        #expect(try read(["\(Self.upn),3,F,N,N,\(text),EXS,EXS,EXS,EXS,EXS,EXS,,,"]).pupils[0].send == send)
    }

    @Test(arguments: [("Yes", true), ("Y", true), ("no", false), ("N", false)])
    func yesNoSpellings(_ text: String, _ value: Bool) throws {
        #expect(try read(["\(Self.upn),3,F,\(text),N,N,EXS,EXS,EXS,EXS,EXS,EXS,,,"]).pupils[0].pupilPremium == value)
    }

    @Test func otherSpellingsAreStillErrorsNamingLineColumnAndValue() {
        #expect(throws: DropRejection.self) { try read(["\(Self.upn),3,F,N,N,N,Expectedish,EXS,EXS,EXS,EXS,EXS,,,"]) }
        do {
            _ = try read(["\(Self.upn),Year 7,F,N,N,N,EXS,EXS,EXS,EXS,EXS,EXS,,,"])
        } catch {
            #expect(error.errors.first?.description == "line 2, column year: \"Year 7\" is not a primary year (N, R, 1–6)")
        }
    }

    @Test func nameColumnsAreDroppedAndNeverRead() throws {
        let contents = try read(["Amy,Ward,\(Self.upn),3,F,N,N,N,EXS,EXS,EXS,EXS,EXS,EXS,,,"],
                                header: "Forename,Legal Surname," + Self.header)
        #expect(contents.droppedNameColumns == ["Forename", "Legal Surname"])
        #expect(contents.pupils.count == 1)
        // Any other extra column is still refused.
        #expect(throws: DropRejection.self) { try read(["x,\(Self.upn),3,F,N,N,N,EXS,EXS,EXS,EXS,EXS,EXS,,,"], header: "notes," + Self.header) }
    }

    @Test func headerSpellingsOfTheContractColumns() throws {
        let header = Self.header.replacingOccurrences(of: "reading_target", with: "Reading Target").replacingOccurrences(of: "upn", with: "UPN")
        #expect(try read(["\(Self.upn),3,F,N,N,N,EXS,EXS,EXS,GDS,EXS,EXS,,,"], header: header).pupils[0].targets?.reading == .gds)
    }

    @Test func gldIsRequiredForReceptionOnlyInTheSummerDrop() throws {
        let row = "\(Self.upn),R,F,N,N,N,,,,,,,,,"
        #expect(try read([row], term: .autumn).pupils[0].goodLevelOfDevelopment == nil)
        #expect(try read([row], term: .spring).pupils.count == 1)
        #expect(throws: DropRejection.self) { try read([row], term: .summer) }
        #expect(throws: DropRejection.self) { try read([row], term: nil) }
    }

    @Test(arguments: Term.allCases)
    func theTemplatePassesTheCheckAsShipped(_ term: Term) throws {
        let contents = try DataDropFile.read(Array(DropTemplate.csv(term: term).utf8), term: term)
        #expect(Set(contents.pupils.map(\.year)) == Set(YearGroup.allCases))
    }
}

@Suite("Drop notices: what academies and the Board are told")
struct DropNoticeTests {
    let catalog = try! AcademyCatalog.load(contentsOf: repoConfig.appendingPathComponent(AcademyCatalog.fileName))
    let calendar = try! DropCalendar.load(contentsOf: repoConfig.appendingPathComponent(DropCalendar.fileName))

    @Test func aRefusalNamesLineAndColumnAndWhatToDo() throws {
        let academy = try #require(catalog.academy(AcademyID("thornhill")))
        let drop = try calendar.resolve("2021-22/autumn")
        let rejection = DropRejection(errors: [DropValidationError(line: 7, column: "reading", value: "EXS",
                                                                   reason: "is given for a reception pupil, but reading is for years 1–6 only; leave it empty")],
                                      totalCount: 1)
        let state = AcademySubmission(academy: academy.id, attempts: [SubmissionStateTests.attempt(1, .accepted, "2021-11-24T09:14:00Z")])
        let notice = DropNotices.refusal(academy: academy, drop: drop, rejection: rejection,
                                         receivedAt: SubmissionStateTests.at("2021-11-24T10:02:00Z"),
                                         submittedBy: "thornhill", state: state, messageID: "m1")
        #expect(notice.id == "refusal:m1")
        #expect(notice.subject.contains("refused (1 problem)"))
        #expect(notice.text.contains("line 7, column reading: \"EXS\" is given for a reception pupil"))
        #expect(notice.text.contains("still stands"))
        #expect(notice.text.contains("Thursday 25 November 2021"))
        #expect(notice.text.contains("trustctl drop check FILE --drop 2021-22/autumn"))
    }

    @Test func remindersSayHowLongIsLeftFromTheDayTheyAreSent() throws {
        let academy = try #require(catalog.academy(AcademyID("lyndhurst")))
        let drop = try calendar.resolve("2021-22/autumn")
        let none = AcademySubmission(academy: academy.id, attempts: [])
        #expect(DropNotices.reminder(academy: academy, drop: drop, state: none, today: CalendarDate("2021-11-22")!)
            .text.contains("due in 3 days, Thursday 25 November 2021"))
        #expect(DropNotices.reminder(academy: academy, drop: drop, state: none, today: CalendarDate("2021-11-24")!)
            .subject.contains("due tomorrow"))
        #expect(DropNotices.chaser(academy: academy, drop: drop, state: none, today: CalendarDate("2021-11-26")!)
            .text.contains("1 day ago"))
    }
}

@Suite("DATA-DROP-FILE.md, the specification academies work from")
struct DropSpecificationTests {
    static let text = try! String(contentsOf: repoConfig.deletingLastPathComponent().appendingPathComponent("DATA-DROP-FILE.md"),
                                  encoding: .utf8)

    @Test func itsExamplePassesTheCheckAsShipped() throws {
        let start = try #require(Self.text.range(of: "```csv\n"))
        let end = try #require(Self.text.range(of: "```", range: start.upperBound..<Self.text.endIndex))
        let contents = try DataDropFile.read(Array(Self.text[start.upperBound..<end.lowerBound].utf8), term: .autumn)
        #expect(contents.pupils.map(\.year) == [.nursery, .reception, .year1, .year6])
        #expect(contents.pupils[3].attainment?.maths.judgement == .gds)
    }

    @Test func itListsEverySpellingTheReaderAccepts() {
        let documented = DropSpellings.normalised(Self.text)
        for spelling in Array(DropSpellings.judgements.keys) + Array(DropSpellings.send.keys) + Array(DropSpellings.genders.keys)
            + Array(DropSpellings.nameColumns) {
            #expect(documented.contains(spelling), "\(spelling) is accepted but not documented")
        }
        for column in DropColumn.allCases { #expect(Self.text.contains("`\(column.rawValue)`"), "\(column.rawValue)") }
    }
}
