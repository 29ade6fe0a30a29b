import CCurl
import CCurlShim
import Foundation

/// Where ``SMTPTransport`` gets a bearer token for SASL XOAUTH2 before each message.
public protocol BearerTokenSource: AnyObject {
    /// A token valid for at least the next message; fetched, or the cached one.
    func token() throws(MailError) -> String
}

/// The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) that Microsoft Entra offers for SMTP
/// AUTH to Exchange Online: `POST` the client id, secret and scope to the tenant's token
/// endpoint, get an access token and its lifetime.
public struct ClientCredentials: Sendable, Equatable {
    /// `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`, or a loopback test endpoint.
    public var tokenEndpoint: String
    public var clientID: String
    public var clientSecret: String
    /// `https://outlook.office365.com/.default` for SMTP AUTH with application permissions.
    public var scope: String

    public init(tokenEndpoint: String, clientID: String, clientSecret: String, scope: String) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
    }
}

/// Tokens from a ``ClientCredentials`` grant, cached and fetched again before they expire:
/// at a fifth of their lifetime before, and at most five minutes before, so no message goes
/// with a token about to lapse and a long-lived token is not fetched needlessly often.
///
/// A refused request (4xx: a wrong secret, an unknown client) is about the sender: every
/// message would fail alike, so the error's scope is `.sender` and the engine pauses. No reply
/// (the endpoint unreachable) is `.relay`. Neither the secret nor a token appears in an error.
/// Not thread-safe: one per transport.
public final class ClientCredentialsTokens: BearerTokenSource {
    public let credentials: ClientCredentials
    /// Tokens fetched so far; a test reads it to see a refresh happen.
    public private(set) var fetched = 0
    private let now: () -> Date
    private var cached: (token: String, refreshAt: Date)?

    public init(credentials: ClientCredentials, now: @escaping () -> Date = Date.init) {
        self.credentials = credentials
        self.now = now
    }

    public func token() throws(MailError) -> String {
        let at = now()
        if let cached, at < cached.refreshAt { return cached.token }
        let (token, lifetime) = try fetch()
        fetched += 1
        cached = (token, at.addingTimeInterval(Self.refreshAfter(lifetime: lifetime)))
        return token
    }

    /// Seconds after issue at which a token of `lifetime` seconds is fetched again.
    public static func refreshAfter(lifetime: Double) -> Double {
        max(0, lifetime - min(300, lifetime / 5))
    }

    private func fetch() throws(MailError) -> (String, Double) {
        let context = "OAuth token endpoint \(credentials.tokenEndpoint)"
        let form = [("grant_type", "client_credentials"), ("client_id", credentials.clientID),
                    ("client_secret", credentials.clientSecret), ("scope", credentials.scope)]
            .map { "\($0)=\(Self.formEncoded($1))" }.joined(separator: "&")
        let (status, body) = try HTTPPost.perform(url: credentials.tokenEndpoint, form: form, context: context)
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        guard status == 200 else {
            let why = [object?["error"] as? String, object?["error_description"] as? String].compactMap { $0 }
                .joined(separator: ": ").prefix(300)
            let detail = "\(context) answered HTTP \(status)\(why.isEmpty ? "" : " (\(why))")"
            // 4xx: these credentials are refused; 5xx: the service is in trouble. Both stop
            // every message alike, so neither may fail a recipient.
            throw .transient(detail, scope: status >= 400 && status < 500 ? .sender : .relay)
        }
        guard let token = object?["access_token"] as? String, !token.isEmpty,
              token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { throw .transient("\(context) answered without a usable access_token", scope: .sender) }
        let lifetime = (object?["expires_in"] as? Double) ?? (object?["expires_in"] as? String).flatMap(Double.init) ?? 3600
        return (token, max(1, lifetime))
    }

    /// `application/x-www-form-urlencoded` for one value.
    static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// One form POST over libcurl (http or https), returning the status and body. A fresh handle
/// per request: tokens are fetched about once an hour.
enum HTTPPost {
    static func perform(url: String, form: String, context: String) throws(MailError) -> (Int, [UInt8]) {
        guard let curl = curl_easy_init() else { throw .transient("could not create a libcurl handle") }
        defer { curl_easy_cleanup(curl) }
        let body = ResponseBody()
        let state = Unmanaged.passUnretained(body).toOpaque()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let setup: [CURLcode] = [
            trust_curl_setopt_string(curl, CURLOPT_URL, url),
            trust_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "https,http"),
            trust_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1),
            trust_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, 10_000),
            trust_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, 30_000),
            trust_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, form),
            trust_curl_setopt_write_function(curl) { data, size, count, state in
                Unmanaged<ResponseBody>.fromOpaque(state!).takeUnretainedValue()
                    .append(UnsafeRawBufferPointer(start: data, count: size * count))
            },
            trust_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, state),
            trust_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)),
        ]
        if let bad = setup.first(where: { $0 != CURLE_OK }) {
            throw .permanent("libcurl rejected an HTTP option: \(String(cString: curl_easy_strerror(bad)))")
        }
        let result = curl_easy_perform(curl)
        guard result == CURLE_OK else {
            throw .transient("\(context) failed: \(String(cString: errorBuffer)) (curl \(result.rawValue))", scope: .relay)
        }
        var status = 0
        _ = trust_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return (status, body.bytes)
    }

    /// WRITEFUNCTION's target; a token response is small, so anything past 64 KiB is refused.
    private final class ResponseBody {
        var bytes: [UInt8] = []
        func append(_ chunk: UnsafeRawBufferPointer) -> Int {
            guard bytes.count + chunk.count <= 65_536 else { return 0 }
            bytes.append(contentsOf: chunk)
            return chunk.count
        }
    }
}
