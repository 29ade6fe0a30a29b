import Foundation

/// A file sent with a message. Names are reduced to safe ASCII (`[A-Za-z0-9._-]`) rather
/// than RFC 2231-encoded: our attachments are generated (`invite.ics`, reports), and a plain
/// name is the one every client displays the same way.
public struct MIMEAttachment: Sendable, Equatable {
    public let filename: String
    /// Lower-case `type/subtype`, without parameters.
    public let mediaType: String
    public let data: [UInt8]

    public init(filename: String, mediaType: String, data: [UInt8]) throws(MIMEError) {
        let type = mediaType.lowercased()
        let halves = type.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2,
            halves.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 64 && $0.utf8.allSatisfy(Self.isTokenByte) })
        else { throw .invalidMediaType(mediaType) }
        let safe = String(decoding: filename.utf8.prefix(60).map { byte in
            MailAddress.isAlphanumeric(byte) || "._-".utf8.contains(byte) ? byte : UInt8(ascii: "_")
        }, as: UTF8.self)
        self.init(checkedFilename: safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "attachment" : safe,
                  mediaType: type, data: data)
    }

    /// For names and types the builder itself supplies.
    init(checkedFilename: String, mediaType: String, data: [UInt8]) {
        self.filename = checkedFilename
        self.mediaType = mediaType
        self.data = data
    }

    /// RFC 2045 `token` characters.
    static func isTokenByte(_ b: UInt8) -> Bool {
        MailAddress.isAlphanumeric(b) || "!#$%&'*+-.^_`{|}~".utf8.contains(b)
    }
}

/// One complete e-mail (RFC 5322 + MIME), rendered to CRLF bytes ready for SMTP `DATA` or an
/// `.eml` file.
///
/// Everything a caller supplies is validated or cleaned at construction, so a built message
/// is always well-formed: addresses are checked, header text cannot inject headers, and
/// output is deterministic for the same inputs (boundaries come from the Message-ID, the date
/// is rendered in UTC), which lets a retried send produce identical bytes and tests compare
/// exact output.
public struct MIMEMessage: Sendable {
    /// With angle brackets, e.g. `<fact-12.rcp-3f2a@focus-trust.local>`. Callers derive it
    /// from what the message is about and who receives it, so a resend carries the same id
    /// and receivers (and the outbox) can recognise a duplicate.
    public let messageID: String
    public let date: Date
    public let from: MailAddress
    public let to: [MailAddress]
    public let replyTo: MailAddress?
    /// Cleaned: one line, no control characters.
    public let subject: String
    public let text: String
    public let html: String?
    /// Sent the way Google Calendar sends invitations (an alternative part plus an
    /// `invite.ics` attachment), the layout Outlook, Gmail and Apple Mail all recognise.
    public let invitation: ICalendar?
    public let attachments: [MIMEAttachment]
    let extraHeaders: [(name: String, value: String)]

    /// - Parameter extraHeaders: low-risk additions such as `List-Unsubscribe`,
    ///   `Auto-Submitted` or `Precedence`. Values are cleaned like the subject; names the
    ///   builder owns (addresses, `Subject`, `Content-*`, …) are refused so they cannot be
    ///   overridden.
    public init(
        messageID: String, date: Date, from: MailAddress, to: [MailAddress],
        replyTo: MailAddress? = nil, subject: String, text: String, html: String? = nil,
        invitation: ICalendar? = nil, attachments: [MIMEAttachment] = [],
        extraHeaders: [(name: String, value: String)] = []
    ) throws(MIMEError) {
        guard !to.isEmpty else { throw .noRecipients }
        self.messageID = try Self.validatedMessageID(messageID)
        for header in extraHeaders { try Self.validateExtraHeaderName(header.name) }
        self.date = date
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = MIMEHeaderText.sanitised(subject)
        self.text = text
        self.html = html
        self.invitation = invitation
        self.attachments = attachments
        self.extraHeaders = extraHeaders
    }

    /// The whole message, CRLF line endings, 7-bit clean.
    public func bytes() -> [UInt8] {
        var out = Array(messageHeaders().utf8)
        body().render(into: &out)
        return out
    }

    // MARK: Structure

    private func messageHeaders() -> String {
        var fields = [
            MIMEHeaderText.folded(name: "Date", atoms: [UTCDateFields(date).rfc5322]),
            MIMEHeaderText.folded(name: "From", atoms: MIMEHeaderText.addressAtoms(from)),
        ]
        if let replyTo {
            fields.append(MIMEHeaderText.folded(name: "Reply-To", atoms: MIMEHeaderText.addressAtoms(replyTo)))
        }
        fields += [
            MIMEHeaderText.folded(name: "To", atoms: MIMEHeaderText.addressListAtoms(to)),
            MIMEHeaderText.folded(name: "Subject", atoms: MIMEHeaderText.unstructuredAtoms(subject)),
            MIMEHeaderText.folded(name: "Message-ID", atoms: [messageID]),
            "MIME-Version: 1.0\r\n",
        ]
        fields += extraHeaders.map {
            MIMEHeaderText.folded(name: $0.name, atoms: MIMEHeaderText.unstructuredAtoms($0.value))
        }
        return fields.joined()
    }

    private func body() -> MIMEEntity {
        var alternatives = [MIMEEntity.text(text, subtype: "plain")]
        if let html { alternatives.append(.text(html, subtype: "html")) }
        var attached = attachments.map(MIMEEntity.attachment)
        if let invitation {
            let ics = invitation.bytes()
            alternatives.append(.leaf(
                contentType: ["text/calendar;", "charset=UTF-8;", "method=\(invitation.method.rawValue)"],
                disposition: nil, body: MIMEBodyEncoding.base64(ics), quotedPrintable: false))
            // application/ics, not text/calendar: clients then offer the file without
            // processing the same invitation twice.
            attached.insert(.attachment(MIMEAttachment(
                checkedFilename: "invite.ics", mediaType: "application/ics", data: ics)), at: 0)
        }
        let hash = Self.fnv1a64(messageID)
        let content = alternatives.count == 1
            ? alternatives[0]
            : .multipart(subtype: "alternative", boundary: "=_ft_\(hash)_alt", parts: alternatives)
        return attached.isEmpty
            ? content
            : .multipart(subtype: "mixed", boundary: "=_ft_\(hash)_mix", parts: [content] + attached)
    }

    // MARK: Validation

    /// RFC 5322 `msg-id` without obsolete forms: `<dot-atom@dot-atom>`. Brackets are added
    /// if the caller left them off.
    static func validatedMessageID(_ id: String) throws(MIMEError) -> String {
        var inner = Substring(id)
        if inner.hasPrefix("<") && inner.hasSuffix(">") && inner.count >= 2 {
            inner = inner.dropFirst().dropLast()
        }
        let halves = inner.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard inner.utf8.count <= 250, halves.count == 2,
            halves.allSatisfy({ MailAddress.isDotAtom($0) })
        else { throw .invalidMessageID(id) }
        return "<\(inner)>"
    }

    private static let reservedHeaders: Set<String> = [
        "date", "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "message-id",
        "mime-version", "return-path", "received", "in-reply-to", "references",
    ]

    static func validateExtraHeaderName(_ name: String) throws(MIMEError) {
        guard (1...60).contains(name.utf8.count), name.utf8.first != UInt8(ascii: "-"),
            name.utf8.allSatisfy({ MailAddress.isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else { throw .invalidHeaderName(name) }
        let lower = name.lowercased()
        if reservedHeaders.contains(lower) || lower.hasPrefix("content-") || lower.hasPrefix("resent-") {
            throw .reservedHeader(name)
        }
    }

    /// FNV-1a, 64-bit: stable across runs and platforms (unlike `Hasher`), which is all a
    /// boundary needs — uniqueness comes from the `=_` prefix no encoded body can contain.
    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

/// A MIME entity tree; leaves carry already-encoded bodies.
indirect enum MIMEEntity {
    case leaf(contentType: [String], disposition: [String]?, body: [UInt8], quotedPrintable: Bool)
    case multipart(subtype: String, boundary: String, parts: [MIMEEntity])

    static func text(_ text: String, subtype: String) -> MIMEEntity {
        .leaf(contentType: ["text/\(subtype);", "charset=UTF-8"], disposition: nil,
              body: MIMEBodyEncoding.quotedPrintable(text), quotedPrintable: true)
    }

    static func attachment(_ file: MIMEAttachment) -> MIMEEntity {
        .leaf(contentType: ["\(file.mediaType);", "name=\"\(file.filename)\""],
              disposition: ["attachment;", "filename=\"\(file.filename)\""],
              body: MIMEBodyEncoding.base64(file.data), quotedPrintable: false)
    }

    /// Appends this entity's own headers, a blank line and its body.
    func render(into out: inout [UInt8]) {
        switch self {
        case .leaf(let contentType, let disposition, let body, let quotedPrintable):
            var headers = MIMEHeaderText.folded(name: "Content-Type", atoms: contentType)
            headers += "Content-Transfer-Encoding: \(quotedPrintable ? "quoted-printable" : "base64")\r\n"
            if let disposition {
                headers += MIMEHeaderText.folded(name: "Content-Disposition", atoms: disposition)
            }
            out += Array((headers + "\r\n").utf8)
            out += body
        case .multipart(let subtype, let boundary, let parts):
            out += Array(MIMEHeaderText.folded(
                name: "Content-Type", atoms: ["multipart/\(subtype);", "boundary=\"\(boundary)\""]).utf8)
            out += Array("\r\n".utf8)
            for part in parts {
                out += Array("--\(boundary)\r\n".utf8)
                part.render(into: &out)
            }
            out += Array("--\(boundary)--\r\n".utf8)
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
