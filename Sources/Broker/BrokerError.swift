/// What went wrong talking to RabbitMQ. A consumer reconnects on any of them; `replyCode` says
/// what the server refused.
public enum BrokerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad settings; retrying will not help.
    case configuration(String)
    /// TCP/TLS connect or login failed.
    case connect(String)
    /// The server closed the channel or connection with an AMQP reply code (e.g. 404 NOT_FOUND,
    /// 406 PRECONDITION_FAILED, 403 ACCESS_REFUSED, 320 CONNECTION_FORCED).
    case server(code: Int, text: String, context: String, connectionClosed: Bool)
    /// The socket failed, a heartbeat was missed or the library reported an error.
    case connectionLost(String)
    /// Publisher confirms did not all arrive in time.
    case confirmTimeout(outstanding: Int)
    /// The broker refused (nack) or could not route (return) published messages.
    case notConfirmed(messageIDs: [String], reason: String)
    /// The server cancelled our consumer (queue deleted, or a quorum leader moved).
    case consumerCancelled(String)

    public var description: String {
        switch self {
        case .configuration(let s): return "broker configuration: \(s)"
        case .connect(let s): return "cannot connect to broker: \(s)"
        case .server(let code, let text, let context, let closed):
            return "broker refused \(context): \(code) \(text)\(closed ? " (connection closed)" : "")"
        case .connectionLost(let s): return "broker connection lost: \(s)"
        case .confirmTimeout(let n): return "broker did not confirm \(n) message(s) in time"
        case .notConfirmed(let ids, let reason):
            return "broker did not accept \(ids.count) message(s) (\(reason)): \(ids.prefix(5).joined(separator: ", "))"
        case .consumerCancelled(let q): return "broker cancelled the consumer on \(q)"
        }
    }

    /// The AMQP reply code when the server refused something.
    public var replyCode: Int? {
        if case .server(let code, _, _, _) = self { return code }
        return nil
    }
}
