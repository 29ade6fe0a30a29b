import Foundation
import Testing

@testable import TrustDomain

@Suite struct MIMEMessageTests {
    /// Physical lines of the header block, without their CRLF.
    static func headerLines(_ bytes: [UInt8]) -> [String] {
        let text = String(decoding: bytes, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        return head.components(separatedBy: "\r\n")
    }

    /// Field values with folding undone (RFC 5322 §2.2.3), keyed by name.
    static func unfoldedHeaders(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for line in headerLines(bytes) {
            if line.hasPrefix(" ") {
                fields[fields.count - 1].value += line
            } else {
                let colon = line.firstIndex(of: ":")!
                fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
            }
        }
        return fields
    }

    @Test func subjectWithCRLFAddsNoHeader() throws {
        let bytes = try MIMEPythonTests.sample(subject: "Hello\r\nBcc: evil@example.com").bytes()
        let names = Self.unfoldedHeaders(bytes).map(\.name)
        #expect(!names.contains("Bcc"))
        #expect(Self.unfoldedHeaders(bytes).first { $0.name == "Subject" }?.value
            == "Hello Bcc: evil@example.com")
        #expect(!Self.headerLines(bytes).contains { $0.hasPrefix("Bcc") })
    }

    @Test(arguments: [
        "a b@focus-trust.local", "a@focus-trust.local\r\nBcc: e@example.com", "<a@focus-trust.local>",
        "a@", "@focus-trust.local", "a@focus..local", "a.@focus-trust.local", "\"a\"@focus-trust.local",
        "a@focus-trust.local>", "zoë@focus-trust.local", "a@-focus.local", "a@focus_trust.local",
        "a,b@focus-trust.local", "a@b@focus-trust.local", "",
    ])
    func unsafeAddressesAreRejected(_ address: String) {
        #expect(throws: MIMEError.invalidAddress(address)) { try MailAddress(address) }
    }

    @Test func plainAddressesAreAccepted() throws {
        for address in ["a@b", "first.last+news@focus-trust.local", "o'neil@academy.sch.uk"] {
            #expect(try MailAddress(address).address == address)
        }
    }

    @Test func nonASCIIHeadersBecomeEncodedWordsOnShortLines() throws {
        let subject = String(repeating: "Café — Governors’ Forum ", count: 6)
        let bytes = try MIMEPythonTests.sample(subject: subject).bytes()
        #expect(bytes.allSatisfy { $0 < 0x80 })
        for line in Self.headerLines(bytes) {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        let value = try #require(Self.unfoldedHeaders(bytes).first { $0.name == "Subject" }?.value)
        let words = value.split(separator: " ")
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        // Each word decodes on its own: no UTF-8 sequence was split between words.
        let decoded = words.map { word -> String in
            let payload = word.dropFirst(10).dropLast(2)
            return String(validating: Data(base64Encoded: String(payload))!, as: UTF8.self)!
        }
        #expect(decoded.joined() == MIMEHeaderText.sanitised(subject))
    }

    @Test func longASCIISubjectFoldsAtSpaces() throws {
        let subject = (1...30).map { "word\($0)" }.joined(separator: " ")
        let bytes = try MIMEPythonTests.sample(subject: subject).bytes()
        let lines = Self.headerLines(bytes)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.filter { $0.hasPrefix(" word") }.count >= 2)
        #expect(Self.unfoldedHeaders(bytes).first { $0.name == "Subject" }?.value == subject)
    }

    @Test func lookalikeEncodedWordIsEncodedRatherThanPassedThrough() throws {
        let lookalike = "=?UTF-8?B?ZXZpbA==?="
        #expect(MIMEHeaderText.unstructuredAtoms(lookalike)[0] != lookalike)
        let mailbox = try MailAddress("a@b", displayName: lookalike)
        #expect(MIMEHeaderText.addressAtoms(mailbox)[0] != lookalike)
    }

    @Test func bodyIsSevenBitCRLFWithShortLines() throws {
        let text = String(repeating: "é", count: 200) + "\n\r\nx = y\r" + String(repeating: "a", count: 300)
        let bytes = try MIMEPythonTests.sample(text: text, invitation: ICalendarTests.forumInvite()).bytes()
        #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0 })
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 && !$0.contains("\r") && !$0.contains("\n") })
    }

    @Test func quotedPrintableEscapesWhatTransportsMangle() {
        let encoded = String(decoding: MIMEBodyEncoding.quotedPrintable(".dot\nend \nx=1\n"), as: UTF8.self)
        #expect(encoded == "=2Edot\r\nend=20\r\nx=3D1\r\n")
    }

    @Test func outputIsDeterministicAndBoundariesFollowTheMessageID() throws {
        let invite = ICalendarTests.forumInvite()
        let first = try MIMEPythonTests.sample(invitation: invite).bytes()
        #expect(first == (try MIMEPythonTests.sample(invitation: invite).bytes()))
        let text = String(decoding: first, as: UTF8.self)
        let hash = MIMEMessage.fnv1a64("<fact-12.rcp-1a2b@focus-trust.local>")
        #expect(text.contains("boundary=\"=_ft_\(hash)_mix\""))
        #expect(text.contains("\r\n--=_ft_\(hash)_alt--\r\n"))
        #expect(text.hasSuffix("\r\n--=_ft_\(hash)_mix--\r\n"))
    }

    @Test func builderOwnedHeadersCannotBeSuppliedAsExtras() throws {
        for name in ["Bcc", "subject", "Content-Type", "Resent-To"] {
            #expect(throws: MIMEError.reservedHeader(name)) {
                try MIMEMessage(messageID: "a@b", date: MIMEPythonTests.date, from: MailAddress("a@b"),
                                to: [MailAddress("c@d")], subject: "s", text: "t",
                                extraHeaders: [(name: name, value: "x")])
            }
        }
        #expect(throws: MIMEError.invalidHeaderName("X-Bad:Name")) {
            try MIMEMessage(messageID: "a@b", date: MIMEPythonTests.date, from: MailAddress("a@b"),
                            to: [MailAddress("c@d")], subject: "s", text: "t",
                            extraHeaders: [(name: "X-Bad:Name", value: "x")])
        }
    }

    @Test func messageIDsAreValidatedAndBracketed() throws {
        #expect(try MIMEMessage.validatedMessageID("fact-12.rcp-ab@focus-trust.local")
            == "<fact-12.rcp-ab@focus-trust.local>")
        for bad in ["<a b@c>", "no-at-sign", "<a@b>\r\nBcc: x@y", "<a@b@c>", "<>"] {
            #expect(throws: MIMEError.invalidMessageID(bad)) { try MIMEMessage.validatedMessageID(bad) }
        }
    }

    @Test func attachmentNamesAreReducedToSafeASCII() throws {
        let file = try MIMEAttachment(filename: "../Board \"report\"\r\n.pdf", mediaType: "Application/PDF",
                                      data: [1, 2, 3])
        #expect(file.filename == ".._Board__report___.pdf")
        #expect(file.mediaType == "application/pdf")
        #expect(throws: MIMEError.invalidMediaType("text/html; charset=x")) {
            try MIMEAttachment(filename: "a", mediaType: "text/html; charset=x", data: [])
        }
    }

    @Test func dateHeaderIsRFC5322InUTC() {
        #expect(UTCDateFields(Date(timeIntervalSince1970: 0)).rfc5322 == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(UTCDateFields(Date(timeIntervalSince1970: 1_709_164_800)).rfc5322
            == "Thu, 29 Feb 2024 00:00:00 +0000")
        #expect(UTCDateFields(Date(timeIntervalSince1970: -1)).iCalendarUTC == "19691231T235959Z")
    }
}
