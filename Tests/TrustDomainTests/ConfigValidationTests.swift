import Foundation
import Testing

import TrustDomain

/// Each case breaks one thing in a small valid file and pins the exact message, because the
/// message is the whole user interface of a config mistake.
@Suite("Config validation messages")
struct ConfigValidationTests {
    /// Two academies whose figures add up: 100 + 200 pupils; pupil-weighted 20 / 10 / 5 %.
    static let academies = """
        {"as_of": "2021-07",
         "trust_totals": {"pupils": 300, "pp_percent": 20, "eal_percent": 10, "send_percent": 5},
         "academies": [
          {"id": "alpha", "name": "Alpha Primary Academy", "short_name": "Alpha", "pupils": 100,
           "includes_nursery": false, "pp_percent": 14, "eal_percent": 4, "send_percent": 2,
           "region": "north-west", "ofsted": {"judgement": "Good", "date": "2019-05"}},
          {"id": "beta", "name": "Beta Primary Academy", "short_name": "Beta", "pupils": 200,
           "includes_nursery": true, "pp_percent": 23, "eal_percent": 13, "send_percent": 6.5,
           "region": "west-yorkshire", "ofsted": {"judgement": null, "note": "Not yet inspected"},
           "previous_ofsted": {"judgement": "Outstanding", "date": "2011-02"}}
         ]}
        """

    static let forums = """
        {"timezone": "Europe/London",
         "default_times": {"full_day": {"start": "09:00", "end": "15:30"},
                           "half_day_am": {"start": "09:00", "end": "12:00"},
                           "half_day_pm": {"start": "13:00", "end": "16:00"},
                           "unstated": {"start": "09:30", "end": "12:00"}},
         "default_lead_days": [7, 1],
         "forums": [
          {"id": "english-leaders", "title": "English Leaders Forum", "audience": ["english-lead"],
           "occurrences": [
            {"id": "english-leaders-2021-09-16", "date": "2021-09-16", "start": "09:00",
             "end": "15:30", "mode": "in-person"},
            {"id": "english-leaders-2022-05-23", "date": "2022-05-23", "start": "09:00",
             "end": "15:30", "mode": "in-person"}]},
          {"id": "ipops", "title": "IPOPs Forum", "audience": ["teacher-y6"], "lead_days": [1],
           "occurrences": [
            {"id": "ipops-2021-10-14", "date": "2021-10-14", "start": "13:00", "end": "16:00",
             "mode": "virtual", "audience": ["teacher-y6"], "regions": ["cheshire"]}]}
         ]}
        """

    static let roles = "headteacher, deputy, english-lead, maths-lead, curriculum-lead, "
        + "eyfs-lead, senco, dsl, business-manager, governor, ect, ect-mentor, support-staff, "
        + "teacher-r, teacher-y1, teacher-y2, teacher-y3, teacher-y4, teacher-y5, teacher-y6, "
        + "new-staff, central-team, data-manager, operator"
    static let slugRule =
        "is not a valid id (lower-case letters, digits and single hyphens, at most 40 characters)"

    /// The message loading `template` gives once `target` is replaced, or nil if it loads.
    private func message(
        _ template: String, replacing target: String, with replacement: String,
        load: (Data) throws(ConfigError) -> Void
    ) throws -> String? {
        try #require(template.contains(target), "the template has no \(target)")
        do {
            try load(Data(template.replacingOccurrences(of: target, with: replacement).utf8))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theTemplatesAreValid() throws {
        _ = try AcademyCatalog.load(from: Data(Self.academies.utf8))
        _ = try ForumCalendar.load(from: Data(Self.forums.utf8))
    }

    @Test(arguments: [
        (#""short_name": "Alpha", "#, "",
         #"academies.json: academy "alpha": short_name is missing"#),
        (#""pupils": 100"#, #""pupils": "100""#,
         #"academies.json: academy "alpha": pupils "100" should be a whole number"#),
        (#""ofsted": {"judgement": "Good", "date": "2019-05"}"#, #""ofsted": "Good""#,
         #"academies.json: academy "alpha": ofsted "Good" should be an object { … }"#),
        (#""id": "alpha""#, #""id": "Alpha""#,
         #"academies.json: academy 1: id "Alpha" \#(slugRule)"#),
        (#""id": "beta""#, #""id": "alpha""#,
         #"academies.json: academy 2: id "alpha" is already used by academy 1"#),
        (#""name": "Alpha Primary Academy""#, #""name": " ""#,
         #"academies.json: academy "alpha": name " " is blank"#),
        (#""pupils": 100"#, #""pupils": 0"#,
         #"academies.json: academy "alpha": pupils 0 is not a positive number of pupils"#),
        (#""pp_percent": 14"#, #""pp_percent": 140"#,
         #"academies.json: academy "alpha": pp_percent 140 is not a percentage (expected 0 to 100)"#),
        (#""send_percent": 6.5"#, #""send_percent": -6.5"#,
         #"academies.json: academy "beta": send_percent -6.5 is not a percentage (expected 0 to 100)"#),
        (#""region": "north-west""#, #""region": "north west""#,
         #"academies.json: academy "alpha": region "north west" is not a known region (expected one of: north-west, west-yorkshire, cheshire)"#),
        (#""date": "2019-05""#, #""date": "2019-13""#,
         #"academies.json: academy "alpha": ofsted.date "2019-13" is not a real month (expected YYYY-MM)"#),
        (#""judgement": "Outstanding""#, #""judgement": "Very Good""#,
         #"academies.json: academy "beta": previous_ofsted.judgement "Very Good" is not a known Ofsted judgement (expected one of: Outstanding, Good, Requires Improvement, Satisfactory, Inadequate, Serious Weaknesses, Special Measures)"#),
        (#""pupils": 300"#, #""pupils": 301"#,
         #"academies.json: trust_totals.pupils 301 does not match the academies' pupils, which add up to 300"#),
        (#""eal_percent": 10"#, #""eal_percent": 12"#,
         #"academies.json: trust_totals.eal_percent 12 is more than 1 point from the academies' pupil-weighted average (10.00)"#),
        (#""send_percent": 5"#, #""send_percent": 105"#,
         #"academies.json: trust_totals.send_percent 105 is not a percentage (expected 0 to 100)"#),
        (#""as_of": "2021-07""#, #""as_of": "July 2021""#,
         #"academies.json: as_of "July 2021" is not a real month (expected YYYY-MM)"#),
        (#""pupils": 100"#, #""pupils": 100.5"#,
         "academies.json: has a number with a fraction or out of range where a whole number is expected"),
    ])
    func academiesErrors(target: String, replacement: String, expected: String) throws {
        let actual = try message(Self.academies, replacing: target, with: replacement) {
            data throws(ConfigError) in _ = try AcademyCatalog.load(from: data)
        }
        #expect(actual == expected)
    }

    @Test(arguments: [
        (#""date": "2022-05-23""#, #""date": "2021-02-30""#,
         #"forums.json: forum "english-leaders" occurrence 2: date "2021-02-30" is not a real calendar date (expected YYYY-MM-DD)"#),
        (#""date": "2021-10-14""#, #""date": "14/10/2021""#,
         #"forums.json: forum "ipops" occurrence 1: date "14/10/2021" is not a real calendar date (expected YYYY-MM-DD)"#),
        (#""date": "2021-10-14""#, #""date": 20211014"#,
         #"forums.json: forum "ipops" occurrence 1: date 20211014 should be text in double quotes"#),
        (#""start": "13:00", "end": "16:00","#, #""start": "1pm", "end": "16:00","#,
         #"forums.json: forum "ipops" occurrence 1: start "1pm" is not a time of day (expected HH:MM, 24-hour clock)"#),
        (#""end": "16:00","#, #""end": "24:00","#,
         #"forums.json: forum "ipops" occurrence 1: end "24:00" is not a time of day (expected HH:MM, 24-hour clock)"#),
        (#""end": "16:00","#, #""end": "12:00","#,
         #"forums.json: forum "ipops" occurrence 1: end "12:00" is not after start "13:00""#),
        (#""mode": "virtual""#, #""mode": "online""#,
         #"forums.json: forum "ipops" occurrence 1: mode "online" is not a known mode (expected one of: in-person, virtual)"#),
        (#""mode": "virtual", "#, "",
         #"forums.json: forum "ipops" occurrence 1: mode is missing"#),
        (#""audience": ["english-lead"]"#, #""audience": ["english-leader"]"#,
         #"forums.json: forum "english-leaders": audience "english-leader" is not a known role (expected one of: \#(roles))"#),
        (#""audience": ["english-lead"]"#, #""audience": []"#,
         #"forums.json: forum "english-leaders": audience [] lists no roles (name at least one)"#),
        (#""audience": ["teacher-y6"], "regions""#, #""audience": [], "regions""#,
         #"forums.json: forum "ipops" occurrence 1: audience [] lists no roles (name at least one)"#),
        (#""regions": ["cheshire"]"#, #""regions": []"#,
         #"forums.json: forum "ipops" occurrence 1: regions [] lists no regions (leave it out to include every academy)"#),
        (#""id": "ipops-2021-10-14""#, #""id": "english-leaders-2021-09-16""#,
         #"forums.json: forum "ipops" occurrence 1: id "english-leaders-2021-09-16" is already used by forum "english-leaders" occurrence 1"#),
        (#""id": "ipops-2021-10-14""#, #""id": "ipops 2021""#,
         #"forums.json: forum "ipops" occurrence 1: id "ipops 2021" \#(slugRule)"#),
        (#""id": "ipops", "#, #""id": "english-leaders", "#,
         #"forums.json: forum 2: id "english-leaders" is already used by forum 1"#),
        (#""id": "ipops", "#, #""id": "IPOPs", "#,
         #"forums.json: forum 2: id "IPOPs" \#(slugRule)"#),
        (#""title": "IPOPs Forum""#, #""title": """#,
         #"forums.json: forum "ipops": title "" is blank"#),
        (#""lead_days": [1]"#, #""lead_days": [90]"#,
         #"forums.json: forum "ipops": lead_days 90 is not a number of days from 0 to 60"#),
        (#""default_lead_days": [7, 1]"#, #""default_lead_days": [7, -1]"#,
         #"forums.json: default_lead_days -1 is not a number of days from 0 to 60"#),
        (#""unstated": {"start": "09:30", "end": "12:00"}"#,
         #""unstated": {"start": "09:30", "end": "09:00"}"#,
         #"forums.json: default_times.unstated.end "09:00" is not after start "09:30""#),
        (#""timezone": "Europe/London""#, #""timezone": "Europe/Londres""#,
         #"forums.json: timezone "Europe/Londres" is not a known time zone (expected a name such as Europe/London)"#),
    ])
    func forumsErrors(target: String, replacement: String, expected: String) throws {
        let actual = try message(Self.forums, replacing: target, with: replacement) {
            data throws(ConfigError) in _ = try ForumCalendar.load(from: data)
        }
        #expect(actual == expected)
    }

    /// Windows editors save UTF-8 with a byte-order mark; the file must still load.
    @Test func aByteOrderMarkIsAccepted() throws {
        _ = try AcademyCatalog.load(from: Data([0xEF, 0xBB, 0xBF]) + Data(Self.academies.utf8))
    }

    @Test func syntaxErrorsSayTheFileIsNotJSON() throws {
        let actual = try message(Self.forums, replacing: #""timezone""#, with: "timezone") {
            data throws(ConfigError) in _ = try ForumCalendar.load(from: data)
        }
        #expect(actual?.hasPrefix("forums.json: is not valid JSON (") == true)
    }

    @Test func aWrongTopLevelShapeIsNamed() {
        #expect(throws: ConfigError.wrongType(file: "academies.json", entry: nil,
                                              field: "top level", value: "[]",
                                              expected: "an object { … }")) {
            try AcademyCatalog.load(from: Data("[]".utf8))
        }
    }

    @Test func aMissingFileNamesTheFile() throws {
        let url = ConfigFixture.directory.appendingPathComponent("no-such-file.json")
        do {
            _ = try ForumCalendar.load(contentsOf: url)
            Issue.record("loaded a file that does not exist")
        } catch {
            guard case .unreadable(let file, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "no-such-file.json")
        }
    }
}
