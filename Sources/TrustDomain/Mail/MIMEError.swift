/// Why a message could not be built. Every case is a caller's mistake (bad directory data, a
/// bad id), never a transient condition, so a worker dead-letters rather than retries. The
/// offending value is shown escaped, so a CR/LF in it cannot forge a log line either.
public enum MIMEError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidAddress(String)
    case invalidMessageID(String)
    case noRecipients
    case invalidHeaderName(String)
    /// Headers the builder writes itself; a second copy would let a caller override them.
    case reservedHeader(String)
    case invalidMediaType(String)

    public var description: String {
        switch self {
        case .invalidAddress(let value):
            "\(value.debugDescription) is not a plain e-mail address (name@domain, ASCII, no spaces)"
        case .invalidMessageID(let value):
            "\(value.debugDescription) is not a valid Message-ID (<left@right>, ASCII, no spaces)"
        case .noRecipients:
            "a message needs at least one recipient"
        case .invalidHeaderName(let name):
            "\(name.debugDescription) is not a valid header name (letters, digits and hyphens)"
        case .reservedHeader(let name):
            "\(name) is written by the message builder and cannot be supplied as an extra header"
        case .invalidMediaType(let value):
            "\(value.debugDescription) is not a media type of the form type/subtype"
        }
    }
}
