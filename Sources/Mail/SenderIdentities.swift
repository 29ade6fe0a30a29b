import Foundation

/// How one sending mailbox authenticates to the relay.
public enum SMTPIdentity: Sendable, Equatable {
    /// AUTH LOGIN/PLAIN with this mailbox's user name and password.
    case login(username: String, password: String)
    /// SASL XOAUTH2 for this mailbox with tokens from the client-credentials grant.
    case xoauth2(username: String, credentials: ClientCredentials)
}

/// One relay, several sending mailboxes: each sender address (FAcT's, the forums') uses its own
/// identity and its own SMTP connection; a sender without one uses the relay URL's own
/// credentials (or none). Transports are made on first use and kept, so each identity's
/// connection is reused across its messages. Not thread-safe: one per thread.
public final class SenderRoutedTransport: MailTransport {
    public let relay: SMTPConfiguration
    private let identities: [String: SMTPIdentity]
    private let now: @Sendable () -> Date
    private var transports: [String: SMTPTransport] = [:]

    /// `identities` by sender address (compared without case); `now` drives token expiry.
    public init(relay: SMTPConfiguration, identities: [String: SMTPIdentity], now: @escaping @Sendable () -> Date = Date.init) {
        self.relay = relay
        self.identities = Dictionary(identities.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.now = now
    }

    public func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt {
        let sender = mail.sender.address.lowercased()
        let key = identities[sender] == nil ? "" : sender
        if let transport = transports[key] { return try transport.send(mail) }
        let transport = try makeTransport(identities[sender])
        transports[key] = transport
        return try transport.send(mail)
    }

    private func makeTransport(_ identity: SMTPIdentity?) throws(MailError) -> SMTPTransport {
        var configuration = relay
        switch identity {
        case nil:
            return try SMTPTransport(configuration: configuration)
        case .login(let username, let password):
            configuration.username = username
            configuration.password = password
            return try SMTPTransport(configuration: configuration)
        case .xoauth2(let username, let credentials):
            configuration.username = username
            configuration.password = nil
            return try SMTPTransport(configuration: configuration,
                                     bearer: ClientCredentialsTokens(credentials: credentials, now: now))
        }
    }
}
