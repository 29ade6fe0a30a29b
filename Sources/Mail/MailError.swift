/// A failed delivery, classified the way the worker runtime needs: transient failures go to
/// the delayed-retry queues, permanent ones are dead-lettered at once.
///
/// The message names the destination, the Message-ID and the server's reply, never the
/// message body or credentials, because it ends up in logs and in the `x-error` header of a
/// dead-lettered message that people read.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// True when the same message may succeed later unchanged: the server was unreachable,
    /// timed out or answered 4xx.
    public let isTransient: Bool
    /// The SMTP reply code that decided the outcome, when a server gave one.
    public let replyCode: Int?
    /// One line for a trust data manager.
    public let message: String
    /// Whom the failure is about, which decides whether the other recipients can go on.
    public let scope: Scope

    /// Whom a failed send is about. Only `.recipient` failures are this message's own; the
    /// others would fail every message alike, so a sender pauses instead of failing anyone.
    public enum Scope: String, Sendable, Equatable {
        /// No reply at all: the relay is unreachable, timed out or broke off.
        case relay
        /// The relay refuses this sender for now: authentication (530, 535, 5.7.x), throttling
        /// (432 4.3.2), the service closing (421), a refused MAIL FROM or token request.
        case sender
        /// The sender's daily submission quota is spent (Exchange's `554 5.2.0
        /// …SubmissionQuotaExceededException`).
        case quota
        /// This recipient or message only (`550 5.1.1`, `451` for one mailbox).
        case recipient
    }

    /// `scope` defaults to `.relay` without a reply code and `.recipient` with one.
    public init(isTransient: Bool, replyCode: Int? = nil, message: String, scope: Scope? = nil) {
        self.isTransient = isTransient
        self.replyCode = replyCode
        self.message = message
        self.scope = scope ?? (replyCode == nil ? .relay : .recipient)
    }

    public var description: String { message }

    static func transient(_ message: String, replyCode: Int? = nil, scope: Scope? = nil) -> MailError {
        MailError(isTransient: true, replyCode: replyCode, message: message, scope: scope)
    }

    static func permanent(_ message: String, replyCode: Int? = nil) -> MailError {
        MailError(isTransient: false, replyCode: replyCode, message: message)
    }
}
