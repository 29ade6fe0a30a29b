import Foundation
import Testing

@testable import TrustDomain

/// Runs Debian's Python (which has the `email` package and `icalendar`) as an independent
/// parser: a message our own code round-trips could still be unreadable to everyone else.
enum PythonParser {
    /// Feeds `input` to `script` on stdin and decodes the flat JSON object it prints.
    static func run(_ script: String, input: [UInt8]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The scripts read all of stdin before writing, so this order cannot deadlock.
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([String: String].self, from: output)
    }
}

@Suite struct MIMEPythonTests {
    static let parseScript = #"""
        import sys, json, email
        from email import policy
        msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        out = {k.lower(): str(v) for k, v in msg.items()}
        out["header-names"] = ",".join(msg.keys())
        out["defects"] = str(sum(len(p.defects) for p in msg.walk()))
        out["structure"] = ",".join(p.get_content_type() for p in msg.walk())
        for p in msg.walk():
            if not p.is_multipart():
                key = p.get_filename() or p.get_content_type()
                body = p.get_content()
                out[key] = body if isinstance(body, str) else body.decode("utf-8")
                out[key + ";params"] = ";".join("%s=%s" % kv for kv in p.get_params()[1:])
        print(json.dumps(out))
        """#

    static let date = Date(timeIntervalSince1970: 1_631_779_200)  // 2021-09-16 08:00:00 UTC

    static func sample(subject: String = "Café — Governors’ Forum", text: String = "Hello",
                       invitation: ICalendar? = nil) throws -> MIMEMessage {
        try MIMEMessage(
            messageID: "<fact-12.rcp-1a2b@focus-trust.local>", date: date,
            from: MailAddress("news@focus-trust.local", displayName: "Focus-Trust Central Team"),
            to: [MailAddress("zoe.bronte@focus-trust.local", displayName: "Zoë Brontë")],
            subject: subject, text: text, html: "<p>Hello <b>colleagues</b></p>",
            invitation: invitation,
            extraHeaders: [(name: "Auto-Submitted", value: "auto-generated")])
    }

    @Test func pythonSeesBothAlternativesAndDecodedHeaders() throws {
        let text = "Line one with a trailing space \nA very long line "
            + String(repeating: "naïve café = costs £5 ", count: 12) + "\n.leading dot\nend"
        let parsed = try PythonParser.run(Self.parseScript, input: try Self.sample(text: text).bytes())
        #expect(parsed["structure"] == "multipart/alternative,text/plain,text/html")
        #expect(parsed["defects"] == "0")
        #expect(parsed["subject"] == "Café — Governors’ Forum")
        #expect(parsed["from"] == "Focus-Trust Central Team <news@focus-trust.local>")
        #expect(parsed["to"] == "Zoë Brontë <zoe.bronte@focus-trust.local>")
        #expect(parsed["message-id"] == "<fact-12.rcp-1a2b@focus-trust.local>")
        #expect(parsed["date"] == "Thu, 16 Sep 2021 08:00:00 +0000")
        #expect(parsed["mime-version"] == "1.0")
        #expect(parsed["auto-submitted"] == "auto-generated")
        #expect(parsed["text/plain"] == text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(parsed["text/html"] == "<p>Hello <b>colleagues</b></p>")
    }

    @Test func injectedLinesInSubjectAndNamesStayInsideTheirHeader() throws {
        let message = try MIMEMessage(
            messageID: "x.1@focus-trust.local", date: Self.date,
            from: MailAddress("news@focus-trust.local", displayName: "News\r\nBcc: evil@example.com"),
            to: [MailAddress("a@focus-trust.local", displayName: "A\nX-Evil: 1")],
            subject: "Hello\r\nBcc: evil@example.com", text: "body",
            extraHeaders: [(name: "X-Trust-Fact", value: "12\r\n\r\ninjected body")])
        let parsed = try PythonParser.run(Self.parseScript, input: message.bytes())
        #expect(parsed["header-names"] == "Date,From,To,Subject,Message-ID,MIME-Version,X-Trust-Fact,"
            + "Content-Type,Content-Transfer-Encoding")
        #expect(parsed["subject"] == "Hello Bcc: evil@example.com")
        #expect(parsed["from"] == "\"News Bcc: evil@example.com\" <news@focus-trust.local>")
        #expect(parsed["x-trust-fact"] == "12 injected body")
        // A single-part body keeps its final line break (in a multipart it belongs to the boundary).
        #expect(parsed["text/plain"]?.trimmingCharacters(in: .newlines) == "body")
    }

    @Test func invitationTravelsAsAlternativeAndAttachment() throws {
        let invite = ICalendarTests.forumInvite()
        let parsed = try PythonParser.run(Self.parseScript, input: try Self.sample(invitation: invite).bytes())
        #expect(parsed["structure"] == "multipart/mixed,multipart/alternative,text/plain,text/html,"
            + "text/calendar,application/ics")
        #expect(parsed["text/calendar;params"] == "charset=UTF-8;method=REQUEST")
        #expect(parsed["invite.ics"] == String(decoding: invite.bytes(), as: UTF8.self))
        #expect(parsed["text/calendar"] == parsed["invite.ics"])
        #expect(parsed["defects"] == "0")
    }
}
