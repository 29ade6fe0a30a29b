import Foundation

/// Where and how to reach RabbitMQ, parsed from `TRUST_AMQP_URL`.
///
/// One value per node: a comma-separated URL list names several nodes of one cluster, and the
/// runtime moves to the next node when a connection is lost.
public struct BrokerEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    /// Seconds; rabbitmq-c only answers heartbeats inside library calls, so callers that block
    /// elsewhere for long must keep this comfortably above their longest pause.
    public var heartbeat: Int
    public var connectTimeout: Double
    /// CA bundle for `amqps://`; nil uses the system's trust store.
    public var caFile: String?
    /// Client certificate and key for `amqps://` with mutual TLS.
    public var certFile: String?
    public var keyFile: String?
    public var verifyPeer: Bool

    public static let defaultURL = "amqp://guest:guest@127.0.0.1:5672/"

    /// The URL with the password masked, for logs and error messages.
    public var description: String {
        "\(tls ? "amqps" : "amqp")://\(user)@\(host):\(port)/\(vhost == "/" ? "" : vhost)"
    }

    /// Parses one `amqp[s]://user:pass@host:port/vhost?heartbeat=N&connection_timeout=S`.
    /// Percent-escapes in user, password and vhost are decoded (`%2F` is the vhost `/`).
    public init(url text: String) throws(BrokerError) {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
            let scheme = components.scheme?.lowercased(), scheme == "amqp" || scheme == "amqps"
        else { throw .configuration("TRUST_AMQP_URL: \"\(Self.masked(text))\" is not an amqp:// or amqps:// URL") }
        tls = scheme == "amqps"
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? (tls ? 5671 : 5672)
        guard (1...65535).contains(port) else {
            throw .configuration("TRUST_AMQP_URL: port \(port) is out of range")
        }
        user = components.user?.removingPercentEncoding ?? "guest"
        password = components.password?.removingPercentEncoding ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            vhost = "/"
        } else {
            vhost = String(path.dropFirst()).removingPercentEncoding ?? String(path.dropFirst())
        }
        heartbeat = 30
        connectTimeout = 5
        caFile = nil
        certFile = nil
        keyFile = nil
        verifyPeer = true
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "heartbeat":
                guard let n = Int(value), n == 0 || (5...600).contains(n) else {
                    throw .configuration("TRUST_AMQP_URL: heartbeat \"\(value)\" must be 0 or 5–600 seconds")
                }
                heartbeat = n
            case "connection_timeout":
                guard let s = Double(value), s > 0 else {
                    throw .configuration("TRUST_AMQP_URL: connection_timeout \"\(value)\" must be a positive number of seconds")
                }
                connectTimeout = s > 1000 ? s / 1000 : s  // accept the common milliseconds form too
            case "cacertfile": caFile = value
            case "certfile": certFile = value
            case "keyfile": keyFile = value
            case "verify": verifyPeer = value != "verify_none"
            default:
                throw .configuration("TRUST_AMQP_URL: unknown option \"\(item.name)\"")
            }
        }
    }

    /// Parses `TRUST_AMQP_URL`, which may list several nodes separated by commas.
    public static func list(_ text: String) throws(BrokerError) -> [BrokerEndpoint] {
        let parts = text.split(separator: ",").map { String($0) }.filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        guard !parts.isEmpty else { throw .configuration("TRUST_AMQP_URL is empty") }
        var result: [BrokerEndpoint] = []
        for part in parts { result.append(try BrokerEndpoint(url: part)) }
        return result
    }

    static func masked(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}
