import CCurl
import CCurlShim
import Foundation
import TrustDomain

/// Delivers over SMTP with libcurl, keeping one connection open across messages.
///
/// The curl easy handle lives as long as the transport, so libcurl's connection cache keeps
/// the SMTP session open between transfers: a newsletter to 1000 colleagues is one TCP and
/// TLS handshake and one EHLO, not a thousand. A failed message makes curl close the
/// connection; the next send reconnects.
///
/// Not thread-safe (neither is a curl easy handle): one transport per thread.
///
/// Authentication: the configuration's user and password (AUTH LOGIN or PLAIN, as the server
/// offers), or with a `bearer` source SASL XOAUTH2 for the configuration's user with a token
/// fetched before each message (the source caches it). A new token makes curl open a new
/// connection, since it never reuses one authenticated under other credentials.
///
/// A message with several recipients fails as a whole if any RCPT is refused (libcurl's
/// default), so a partly delivered message is never reported as sent; newsletters and
/// reminders go one recipient per message, which keeps a bad address from blocking others.
///
/// A timeout after the message was transmitted but before the server's reply is reported as
/// transient, and a retry may deliver a second copy; the stable Message-ID lets receiving
/// systems and people recognise it. SMTP offers nothing better.
public final class SMTPTransport: MailTransport {
    public let configuration: SMTPConfiguration
    /// Connections opened so far; a number far below the messages sent shows reuse working.
    public private(set) var connectionsOpened = 0
    private let curl: UnsafeMutableRawPointer
    private let transfer = TransferState()
    private let bearer: (any BearerTokenSource)?
    private var currentToken: String?

    public init(configuration: SMTPConfiguration, bearer: (any BearerTokenSource)? = nil) throws(MailError) {
        _ = CurlGlobal.initialised
        guard let curl = curl_easy_init() else { throw .transient("could not create a libcurl handle") }
        self.configuration = configuration
        self.curl = curl
        self.bearer = bearer
        try configure()
    }

    deinit {
        // Sends QUIT on a cached connection and closes it.
        curl_easy_cleanup(curl)
    }

    public func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt {
        if let bearer {
            let token = try bearer.token()
            if token != currentToken {
                try set(CURLOPT_XOAUTH2_BEARER, token)
                currentToken = token
            }
        }
        transfer.begin(mail.data)
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(recipients) }
        for recipient in mail.recipients {
            guard let list = curl_slist_append(recipients, "<\(recipient.address)>") else {
                throw .transient("out of memory building the recipient list for \(mail.messageID)")
            }
            recipients = list
        }
        try set(CURLOPT_MAIL_FROM, "<\(mail.sender.address)>")
        try set(CURLOPT_MAIL_RCPT, pointer: UnsafeMutableRawPointer(recipients))
        let result = curl_easy_perform(curl)
        // The list is freed on return; curl must not keep a pointer to it.
        try set(CURLOPT_MAIL_RCPT, pointer: nil)
        connectionsOpened += info(CURLINFO_NUM_CONNECTS)
        let code = info(CURLINFO_RESPONSE_CODE)
        let (reply, stage) = transfer.reply(withCode: code)
        guard result == CURLE_OK else {
            throw Self.classify(result, replyCode: code, reply: reply, stage: stage, curlMessage: transfer.errorMessage,
                                context: "SMTP \(configuration.endpoint), message \(mail.messageID)")
        }
        return DeliveryReceipt(messageID: mail.messageID, recipients: mail.recipients.map(\.address),
                               destination: configuration.endpoint, replyCode: code, reply: reply)
    }

    /// SMTP's own split (RFC 5321 §4.2.1): a 5xx reply means this message will never be
    /// accepted as it is, so retrying only delays the dead letter; a 4xx reply, no
    /// connection, a timeout or a broken connection may clear up, so the message is retried.
    /// Curl errors that mean our own setup is wrong are permanent so they surface at once.
    /// Replies about the sender rather than the message (``scope(replyCode:reply:stage:)``)
    /// are transient: the same message goes once the relay takes the sender again.
    static func classify(_ result: CURLcode, replyCode: Int, reply: String?, stage: SMTPStage?, curlMessage: String,
                         context: String) -> MailError {
        let detail = reply ?? curlMessage
        if (400...599).contains(replyCode) {
            let scope = scope(replyCode: replyCode, reply: reply, stage: stage)
            if scope != .recipient {
                return .transient("\(context) refused the sender (\(scope.rawValue)): \(detail)", replyCode: replyCode,
                                  scope: scope)
            }
            return replyCode >= 500 ? .permanent("\(context) rejected: \(detail)", replyCode: replyCode)
                : .transient("\(context) deferred: \(detail)", replyCode: replyCode)
        }
        let curlDetail = "\(curlMessage) (curl \(result.rawValue))"
        if result == CURLE_LOGIN_DENIED {
            return .transient("\(context) refused the login: \(curlDetail)", scope: .sender)
        }
        switch result {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
            CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION:
            return .permanent("\(context) cannot be attempted: \(curlDetail)")
        default:
            return .transient("\(context) failed: \(curlDetail)")
        }
    }

    /// Whom a 4xx/5xx reply is about, from its code, enhanced status code (RFC 3463), text and
    /// the command it answered. The sender (every message would fail alike): 421 (closing),
    /// 530/534/535/538/454 and x.7.x at AUTH or about authentication, 4.3.2 or 432 (Exchange:
    /// too many concurrent sends), any refusal of the greeting, EHLO, AUTH or MAIL FROM. The
    /// quota: `SubmissionQuota…` or 554 5.2.0 outside RCPT. Everything else (a RCPT reply such
    /// as 550 5.1.1, a message refused after DATA) is about this recipient.
    public static func scope(replyCode code: Int, reply: String?, stage: SMTPStage?) -> MailError.Scope {
        let text = reply ?? ""
        let words = text.split(separator: " ", maxSplits: 2).map(String.init)
        let enhanced = words.count > 1 && words[1].split(separator: ".").count == 3 ? words[1] : ""
        if text.localizedCaseInsensitiveContains("SubmissionQuota") || (code == 554 && enhanced == "5.2.0" && stage != .recipient) {
            return .quota
        }
        if code == 421 || code == 432 || enhanced == "4.3.2" || [454, 530, 534, 535, 538].contains(code) {
            return .sender
        }
        if enhanced.dropFirst(1).hasPrefix(".7.")
            && (stage == .auth || stage == .mail || text.localizedCaseInsensitiveContains("authenticat")) {
            return .sender
        }
        switch stage {
        case .connect, .auth, .mail: return .sender
        case .recipient, .data, .message, nil: return .recipient
        }
    }

    // MARK: curl setup

    private func configure() throws(MailError) {
        let state = Unmanaged.passUnretained(transfer).toOpaque()
        try set(CURLOPT_URL, configuration.endpoint)
        try set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try set(CURLOPT_UPLOAD, 1)
        // Without NOSIGNAL, curl's DNS timeouts use SIGALRM, which is unsafe with threads.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_USE_SSL, Int(configuration.security == .startTLSIfOffered
                                         ? CURLUSESSL_TRY.rawValue : CURLUSESSL_ALL.rawValue))
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.timeout))
        if let username = configuration.username { try set(CURLOPT_USERNAME, username) }
        if bearer != nil {
            guard configuration.username != nil else {
                throw .permanent("XOAUTH2 needs the mailbox's user name (\(configuration.endpoint))")
            }
            try set(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
        } else if let password = configuration.password {
            try set(CURLOPT_PASSWORD, password)
        }
        try check(trust_curl_setopt_read_function(curl) { buffer, size, count, state in
            Unmanaged<TransferState>.fromOpaque(state!).takeUnretainedValue()
                .read(into: buffer!, capacity: size * count)
        })
        try set(CURLOPT_READDATA, pointer: state)
        // Verbose output is the only place curl exposes the server's reply text; the debug
        // callback keeps just the replies, so nothing reaches stderr.
        try set(CURLOPT_VERBOSE, 1)
        try check(trust_curl_setopt_debug_function(curl) { _, type, data, size, state in
            guard let data else { return 0 }
            let transfer = Unmanaged<TransferState>.fromOpaque(state!).takeUnretainedValue()
            if type == CURLINFO_HEADER_IN {
                transfer.noteReply(UnsafeRawBufferPointer(start: data, count: size))
            } else if type == CURLINFO_HEADER_OUT {
                transfer.noteCommand(UnsafeRawBufferPointer(start: data, count: size))
            }
            return 0
        })
        try set(CURLOPT_DEBUGDATA, pointer: state)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(transfer.errorBuffer))
    }

    private func set(_ option: CURLoption, _ value: Int) throws(MailError) {
        try check(trust_curl_setopt_long(curl, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(MailError) {
        try check(trust_curl_setopt_string(curl, option, value))
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(MailError) {
        try check(trust_curl_setopt_pointer(curl, option, pointer))
    }

    private func check(_ code: CURLcode) throws(MailError) {
        guard code == CURLE_OK else {
            throw .permanent("libcurl rejected an SMTP option: \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func info(_ item: CURLINFO) -> Int {
        var value = 0
        return trust_curl_getinfo_long(curl, item, &value) == CURLE_OK ? value : 0
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// curl_global_init must run once before any handle exists; a lazy global gives exactly that.
private enum CurlGlobal {
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}

/// The SMTP command a reply answered: what tells a refused sender from a refused recipient.
public enum SMTPStage: Sendable, Equatable {
    /// The greeting, EHLO or STARTTLS.
    case connect
    case auth
    /// MAIL FROM.
    case mail
    /// RCPT TO.
    case recipient
    /// The DATA command itself.
    case data
    /// The end of the message's data.
    case message
}

/// What curl's C callbacks reach through their user-data pointer: the bytes being uploaded,
/// the server's recent reply lines (with the command each answered) and curl's error buffer.
/// Owned by one transport.
private final class TransferState {
    private var upload: [UInt8] = []
    private var offset = 0
    /// The last few reply lines: after a failure curl sends QUIT, so the reply that explains
    /// the failure is not the last one seen.
    private var replies: [(line: String, stage: SMTPStage)] = []
    private var stage = SMTPStage.connect
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init() { errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE)) }
    deinit { errorBuffer.deallocate() }

    func begin(_ data: [UInt8]) {
        upload = data
        offset = 0
        replies.removeAll(keepingCapacity: true)
        stage = .connect
        errorBuffer[0] = 0
    }

    /// Notes which command went out. Only the verb is looked at, so an AUTH continuation line
    /// (credentials) is neither kept nor mistaken for a command.
    func noteCommand(_ bytes: UnsafeRawBufferPointer) {
        let verb = String(decoding: bytes.prefix(while: { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }).prefix(8),
                          as: UTF8.self).uppercased()
        switch verb {
        case "EHLO", "HELO", "STARTTLS": stage = .connect
        case "AUTH": stage = .auth
        case "MAIL": stage = .mail
        case "RCPT": stage = .recipient
        case "DATA": stage = .data
        default: break
        }
    }

    var errorMessage: String { String(cString: errorBuffer) }

    /// READFUNCTION: hands curl the next slice of the message; 0 ends the upload.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, upload.count - offset)
        upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// Records server reply lines, cleaned for logs (printable ASCII, at most 300 characters).
    func noteReply(_ bytes: UnsafeRawBufferPointer) {
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            replies.append((String(line.map { $0.isASCII && !$0.isWhitespace || $0 == " " ? $0 : "?" }.prefix(300)), stage))
            if line.hasPrefix("354") { stage = .message }
        }
        if replies.count > 8 { replies.removeFirst(replies.count - 8) }
    }

    /// The latest reply line carrying `code`, the one curl based its result on, and the
    /// command it answered.
    func reply(withCode code: Int) -> (String?, SMTPStage?) {
        let found = replies.last { $0.line.hasPrefix("\(code) ") } ?? replies.last { $0.line.hasPrefix("\(code)") }
        return (found?.line, found?.stage)
    }
}
