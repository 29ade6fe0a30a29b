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

    public init(configuration: SMTPConfiguration) throws(MailError) {
        _ = CurlGlobal.initialised
        guard let curl = curl_easy_init() else { throw .transient("could not create a libcurl handle") }
        self.configuration = configuration
        self.curl = curl
        try configure()
    }

    deinit {
        // Sends QUIT on a cached connection and closes it.
        curl_easy_cleanup(curl)
    }

    public func send(_ mail: OutgoingMail) throws(MailError) -> DeliveryReceipt {
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
        let reply = transfer.reply(withCode: code)
        guard result == CURLE_OK else {
            throw Self.classify(result, replyCode: code, reply: reply, curlMessage: transfer.errorMessage,
                                context: "SMTP \(configuration.endpoint), message \(mail.messageID)")
        }
        return DeliveryReceipt(messageID: mail.messageID, recipients: mail.recipients.map(\.address),
                               destination: configuration.endpoint, replyCode: code, reply: reply)
    }

    /// SMTP's own split (RFC 5321 §4.2.1): a 5xx reply means this message will never be
    /// accepted as it is, so retrying only delays the dead letter; a 4xx reply, no
    /// connection, a timeout or a broken connection may clear up, so the message is retried.
    /// Curl errors that mean our own setup is wrong are permanent so they surface at once.
    static func classify(_ result: CURLcode, replyCode: Int, reply: String?, curlMessage: String,
                         context: String) -> MailError {
        let detail = reply ?? curlMessage
        switch replyCode {
        case 500...599:
            return .permanent("\(context) rejected: \(detail)", replyCode: replyCode)
        case 400...499:
            return .transient("\(context) deferred: \(detail)", replyCode: replyCode)
        default:
            break
        }
        let curlDetail = "\(curlMessage) (curl \(result.rawValue))"
        switch result {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN,
            CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION:
            return .permanent("\(context) cannot be attempted: \(curlDetail)")
        default:
            return .transient("\(context) failed: \(curlDetail)")
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
        if let password = configuration.password { try set(CURLOPT_PASSWORD, password) }
        try check(trust_curl_setopt_read_function(curl) { buffer, size, count, state in
            Unmanaged<TransferState>.fromOpaque(state!).takeUnretainedValue()
                .read(into: buffer!, capacity: size * count)
        })
        try set(CURLOPT_READDATA, pointer: state)
        // Verbose output is the only place curl exposes the server's reply text; the debug
        // callback keeps just the replies, so nothing reaches stderr.
        try set(CURLOPT_VERBOSE, 1)
        try check(trust_curl_setopt_debug_function(curl) { _, type, data, size, state in
            if type == CURLINFO_HEADER_IN, let data {
                Unmanaged<TransferState>.fromOpaque(state!).takeUnretainedValue()
                    .noteReply(UnsafeRawBufferPointer(start: data, count: size))
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

/// What curl's C callbacks reach through their user-data pointer: the bytes being uploaded,
/// the server's recent reply lines and curl's error buffer. Owned by one transport.
private final class TransferState {
    private var upload: [UInt8] = []
    private var offset = 0
    /// The last few reply lines: after a failure curl sends QUIT, so the reply that explains
    /// the failure is not the last one seen.
    private var replies: [String] = []
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))

    init() { errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE)) }
    deinit { errorBuffer.deallocate() }

    func begin(_ data: [UInt8]) {
        upload = data
        offset = 0
        replies.removeAll(keepingCapacity: true)
        errorBuffer[0] = 0
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
            replies.append(String(line.map { $0.isASCII && !$0.isWhitespace || $0 == " " ? $0 : "?" }.prefix(300)))
        }
        if replies.count > 8 { replies.removeFirst(replies.count - 8) }
    }

    /// The latest reply line carrying `code`, the one curl based its result on.
    func reply(withCode code: Int) -> String? {
        replies.last { $0.hasPrefix("\(code) ") } ?? replies.last { $0.hasPrefix("\(code)") }
    }
}
