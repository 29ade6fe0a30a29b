import Foundation
import Testing
import TrustDomain

/// The pacer on a synthetic clock: a day of sending checked in no time.
@Suite struct RelayPacingTests {
    let start = Date(timeIntervalSince1970: 1_631_865_600)

    /// Sends as fast as the pacer allows, from `start`, and returns their instants.
    func simulate(_ limits: RelayLimits, messages: Int) -> [Date] {
        let pacer = RelayPacer(limits: limits)
        var history: [RelaySend] = [], now = start
        for _ in 0..<messages {
            now = pacer.nextSend(history: history.filter { $0.at > now.addingTimeInterval(-RelayPacer.day) }, now: now)
            history.append(RelaySend(at: now, recipients: 1))
        }
        return history.map(\.at)
    }

    @Test func exchangeOnlineSpacesMessagesJustOverTwoSecondsApart() {
        let times = simulate(.exchangeOnline, messages: 61)
        let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }
        #expect(gaps.allSatisfy { abs($0 - 60.0 / 30 * 1.01) < 1e-6 })
        // Independently: no 60-second window holds more than 30.
        for (i, t) in times.enumerated() {
            #expect(times[i...].prefix { $0 < t.addingTimeInterval(60) }.count <= 30)
        }
    }

    @Test func aThousandAndFortyOneRecipientsTakeAsLongAsTheLimitSays() {
        let times = simulate(.exchangeOnline, messages: 1_041)
        let minutes = times.last!.timeIntervalSince(times.first!) / 60
        // 1,040 gaps of 2.02 s: just over 35 minutes, never under 1,040 / 30.
        #expect(minutes >= 1_040.0 / 30 && minutes < 1_040.0 / 30 * 1.02)
        let estimate = RelayPacer(limits: .exchangeOnline).estimatedFinish(pending: 1_041, history: [], now: start)
        #expect(abs(estimate!.timeIntervalSince(times.last!)) < 1e-3)
    }

    @Test func theDailyQuotaWaitsForTheRollingDay() {
        let limits = RelayLimits(messagesPerMinute: nil, recipientsPerDay: 100)
        let times = simulate(limits, messages: 250)
        #expect(times[99] == start && times[100] == start.addingTimeInterval(RelayPacer.day))
        #expect(times[200] == start.addingTimeInterval(2 * RelayPacer.day))
        for (i, t) in times.enumerated() {
            #expect(times[i...].prefix { $0 < t.addingTimeInterval(RelayPacer.day) }.count <= 100)
        }
    }

    @Test func twoEnginesSharingAMailboxStayUnderTheMinuteLimitTogether() {
        // Another engine's 30 sends in the last 30 s: this one waits until the oldest is a minute old.
        let history = (0..<30).map { RelaySend(at: start.addingTimeInterval(Double($0) - 30), recipients: 1) }
        let pacer = RelayPacer(limits: RelayLimits(messagesPerMinute: 30, recipientsPerDay: nil))
        #expect(pacer.nextSend(history: history, now: start) == start.addingTimeInterval(30))
    }

    @Test func noLimitsMeansNoWaitAndNoEstimate() {
        let pacer = RelayPacer(limits: .unlimited)
        #expect(pacer.nextSend(history: [RelaySend(at: start, recipients: 1)], now: start) == start)
        #expect(pacer.estimatedFinish(pending: 10, history: [], now: start) == nil)
    }
}

@Suite struct MailConfigTests {
    func load(_ json: String) throws(ConfigError) -> MailConfig { try MailConfig.load(from: Data(json.utf8)) }

    @Test func theShippedFileHasExchangeOnlineAndLoopbackIsUnlimited() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/mail.json")
        let config = try MailConfig.load(contentsOf: url)
        #expect(config.limits(forHost: "smtp.office365.com") == RelayLimits(messagesPerMinute: 30, recipientsPerDay: 10_000))
        #expect(config.limits(forHost: "relay.example.org") == .exchangeOnline)
        #expect(config.limits(forHost: nil) == .unlimited)
        #expect(config.limits(forHost: "127.0.0.1") == .unlimited && config.limits(forHost: "localhost") == .unlimited)
    }

    @Test func mistakesNameTheEntryFieldAndValue() {
        #expect(throws: ConfigError.invalidValue(file: "mail.json", entry: "relay \"smtp.x\"", field: "messages_per_minute",
                                                 value: "0", reason: "is not a whole number of at least 1 (null for no limit)")) {
            try load(#"{"relays": [{"host": "smtp.x", "messages_per_minute": 0, "recipients_per_day": null}], "senders": []}"#)
        }
        #expect(throws: ConfigError.invalidValue(file: "mail.json", entry: "sender \"fact@x.org\"", field: "token_endpoint",
                                                 value: "\"http://login.example.org/token\"",
                                                 reason: "must be an https:// URL (http:// only to 127.0.0.1 or localhost)")) {
            try load(#"{"relays": [], "senders": [{"address": "fact@x.org", "auth": "xoauth2", "username": "fact@x.org", "#
                + #""client_id": "c", "client_secret_file": "/s", "token_endpoint": "http://login.example.org/token"}]}"#)
        }
        #expect(throws: ConfigError.invalidValue(file: "mail.json", entry: "sender \"fact@x.org\"", field: "auth",
                                                 value: "\"basic\"", reason: "is not login or xoauth2")) {
            try load(#"{"relays": [], "senders": [{"address": "fact@x.org", "auth": "basic", "username": "fact@x.org"}]}"#)
        }
    }

    @Test func theTenantFillsTheDefaultTokenEndpoint() throws {
        let config = try load(#"{"relays": [], "senders": [{"address": "fact@x.org", "auth": "xoauth2", "username": "fact@x.org", "#
            + #""tenant_id": "t-1", "client_id": "c", "client_secret_file": "/s"}]}"#)
        #expect(config.sender("FACT@x.org")?.resolvedTokenEndpoint == "https://login.microsoftonline.com/t-1/oauth2/v2.0/token")
    }

    @Test func theEditorBlockIsOptional() throws {
        #expect(try NewsletterEditorConfig.load(from: Data(#"{"title": "FAcT"}"#.utf8)) == NewsletterEditorConfig())
        let editor = try NewsletterEditorConfig.load(from: Data(#"{"editor": {"preview_to": ["ed@x.org"], "approval_required": true}}"#.utf8))
        #expect(editor == NewsletterEditorConfig(previewTo: ["ed@x.org"], approvalRequired: true))
        #expect(throws: ConfigError.self) {
            try NewsletterEditorConfig.load(from: Data(#"{"editor": {"preview_to": ["not an address"]}}"#.utf8))
        }
    }
}
