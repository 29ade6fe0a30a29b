import Foundation
import TrustDomain

/// Something that delivers finished messages: a real SMTP relay, or an outbox directory when
/// no relay is configured (demos, tests, a trust without mail set up yet).
///
/// Transports hold a connection or file handles and are not thread-safe: create one per
/// worker thread and keep it for the thread's lifetime, so that connections are reused.
public protocol MailTransport {
    /// Blocks until the message is accepted (or refused) by the destination.
    func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt
}

/// A rendered message plus its envelope. The envelope is separate from the headers because
/// SMTP routes on it (a newsletter's `To` could list a group while the envelope names one
/// person), and it is typed as ``MailAddress`` so no unchecked text reaches `MAIL FROM` or
/// `RCPT TO`, where a CR/LF would inject SMTP commands.
public struct OutgoingMail: Sendable {
    /// Identifies the message in receipts, errors and outbox file names.
    public let messageID: String
    public let sender: MailAddress
    public let recipients: [MailAddress]
    public let data: [UInt8]

    public init(messageID: String, sender: MailAddress, recipients: [MailAddress], data: [UInt8])
        throws(MailError)
    {
        guard !recipients.isEmpty else { throw .permanent("message \(messageID) has no recipients") }
        self.init(checked: messageID, sender: sender, recipients: recipients, data: data)
    }

    /// The envelope is the message's own From and To.
    public init(_ message: MIMEMessage) {
        self.init(checked: message.messageID, sender: message.from, recipients: message.to,
                  data: message.bytes())
    }

    private init(checked messageID: String, sender: MailAddress, recipients: [MailAddress], data: [UInt8]) {
        self.messageID = messageID
        self.sender = sender
        self.recipients = recipients
        self.data = data
    }
}

/// Proof of hand-over, worth logging: the relay's reply usually carries its queue id, which
/// is what a mail administrator asks for when tracing a message.
public struct DeliveryReceipt: Sendable, Equatable {
    public let messageID: String
    public let recipients: [String]
    /// `smtp://host:port` (no credentials) or the outbox file path.
    public let destination: String
    /// The server's final reply code (250), nil for the outbox.
    public let replyCode: Int?
    /// The server's final reply line, e.g. `250 2.0.0 Ok: queued as 4F1C2`.
    public let reply: String?
}

/// The contract's rule for `TRUST_SMTP_URL`: unset or empty means "write `.eml` files", so a
/// fresh checkout can run every worker without a mail server.
public func makeMailTransport(smtpURL: String?, outboxDirectory: URL) throws(MailError) -> any MailTransport {
    if let smtpURL, !smtpURL.isEmpty {
        return try SMTPTransport(configuration: SMTPConfiguration(url: smtpURL))
    }
    return try OutboxTransport(directory: outboxDirectory)
}
