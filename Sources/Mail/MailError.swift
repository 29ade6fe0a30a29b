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

    public init(isTransient: Bool, replyCode: Int? = nil, message: String) {
        self.isTransient = isTransient
        self.replyCode = replyCode
        self.message = message
    }

    public var description: String { message }

    static func transient(_ message: String, replyCode: Int? = nil) -> MailError {
        MailError(isTransient: true, replyCode: replyCode, message: message)
    }

    static func permanent(_ message: String, replyCode: Int? = nil) -> MailError {
        MailError(isTransient: false, replyCode: replyCode, message: message)
    }
}
