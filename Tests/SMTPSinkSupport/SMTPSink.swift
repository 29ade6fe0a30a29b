import Foundation

/// `scripts/smtp-sink`, the project's one loopback SMTP server (Debian's aiosmtpd), run for a
/// test: MailTests and TrustWorkersTests both use it, and the demo and benchmarks run the same
/// script. Its stdin is held open and it exits when that closes, so it dies with the test
/// process even if the test crashes before stopping it. Stop it yourself with `defer`.
public final class SMTPSink {
    /// The script, found from the repository root (this file is `Tests/SMTPSinkSupport/…`).
    public static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/smtp-sink").path

    /// Something on a port that is not a mail server.
    public enum Impostor: String {
        /// Accepts TCP connections and never says a word.
        case mute
        /// A bound port nobody listens on: connections are refused.
        case closed
    }

    /// Where a mail server keeps what it accepts; nil for an impostor.
    public let inbox: URL?
    /// `address=code` answers to RCPT.
    public let replies: [String]
    /// The port it listens on (or holds); a restart keeps it.
    public private(set) var port: Int
    /// With `oauth`: the loopback port of its OAuth 2.0 token endpoint (`POST /token`).
    public private(set) var tokenPort: Int?
    private let command: [String]
    private var process: Process?
    private var stdin: Pipe?

    /// A mail server on `port` (0: any free port) keeping each message it accepts in `inbox`
    /// as `<pid>-<n>.eml` with its envelope `<pid>-<n>.json`, so a restarted server never
    /// overwrites what the previous one received; every EHLO is appended to `sessions.log`.
    /// `replies` (`address=550`) make it answer RCPT for some addresses with a code.
    ///
    /// Authentication (AUTH offered in clear, required before MAIL): `logins` (`user:password`)
    /// for AUTH LOGIN/PLAIN; `oauth` runs a token endpoint for the client-credentials grant of
    /// `client:secret` (on ``tokenPort``) whose tokens, valid `tokenLifetime` seconds, it takes
    /// for AUTH XOAUTH2. Every AUTH is logged (``authLog()``).
    public init(inbox: URL, port: Int = 0, replies: [String] = [], logins: [String] = [], oauth: String? = nil,
                tokenLifetime: Int = 3600) throws {
        self.inbox = inbox
        self.replies = replies
        self.port = port
        command = ["serve", inbox.path] + replies.flatMap { ["--reply", $0] } + logins.flatMap { ["--login", $0] }
            + (oauth.map { ["--oauth", $0, "--token-lifetime", String(tokenLifetime)] } ?? [])
        try start()
    }

    public init(_ impostor: Impostor) throws {
        inbox = nil
        replies = []
        port = 0
        command = [impostor.rawValue]
        try start()
    }

    /// (Re)starts the server, on the same port once it has one.
    public func start() throws {
        let process = Process(), stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script] + command + (inbox == nil ? [] : ["--port", String(port)])
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        let lines = command.contains("--oauth") ? 2 : 1
        var line = Data()
        while line.filter({ $0 == UInt8(ascii: "\n") }).count < lines {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let ports = String(decoding: line, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        guard ports.count == lines, let bound = ports.first
        else {
            process.terminate()
            process.waitUntilExit()
            throw SinkError(message: "scripts/smtp-sink \(command.joined(separator: " ")) printed no port")
        }
        port = bound
        tokenPort = lines == 2 ? ports[1] : nil
        self.process = process
        self.stdin = stdin
    }

    /// Kills the server outright (SIGKILL): no goodbye to connected clients.
    public func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? stdin?.fileHandleForWriting.close()
        self.process = nil
    }

    /// Closing stdin alone would do (the sink exits on EOF); terminating as well makes the
    /// end certain before the test's temporary directory is removed.
    public func stop() {
        try? stdin?.fileHandleForWriting.close()
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    /// The names (without `.eml`) of the messages accepted so far.
    private var names: [String] {
        guard let inbox else { return [] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? [])
            .filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }
    }

    /// Messages accepted so far.
    public var received: Int { names.count }

    /// Makes the server answer every AUTH, MAIL or DATA (`stage`) with `reply` from its next
    /// command on, or behave normally again with nil: a relay broken and fixed while running.
    public func answer(_ stage: String, with reply: String?) throws {
        guard let inbox else { return }
        let file = inbox.appendingPathComponent("answers.json")
        var answers = (try? JSONSerialization.jsonObject(with: Data(contentsOf: file))) as? [String: String] ?? [:]
        answers[stage] = reply
        let temporary = inbox.appendingPathComponent(".answers.json.tmp")
        try JSONSerialization.data(withJSONObject: answers).write(to: temporary)
        _ = rename(temporary.path, file.path)
    }

    /// One line per AUTH tried: `MECHANISM user ok|expired|unknown|refused`.
    public func authLog() -> [String] { lines("auth.log") }

    /// One line per token its endpoint issued: `issued TOKEN LIFETIME`.
    public func tokensIssued() -> [String] { lines("tokens.log") }

    private func lines(_ name: String) -> [String] {
        guard let inbox, let text = try? String(contentsOf: inbox.appendingPathComponent(name), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Every accepted message's arrival (seconds since 1970, the server's clock), envelope
    /// recipient and AUTH identity (`XOAUTH2 user`, nil unauthenticated), in arrival order.
    public func arrivals() throws -> [(at: Double, recipient: String, auth: String?)] {
        guard let inbox else { return [] }
        return try names.map { name in
            let data = try Data(contentsOf: inbox.appendingPathComponent(name + ".json"))
            let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            return (envelope["received_at"] as? Double ?? 0, (envelope["rcpt_tos"] as? [String])?.first?.lowercased() ?? "",
                    envelope["auth"] as? String)
        }.sorted { $0.at < $1.at }
    }

    /// Messages accepted per envelope recipient (lower-cased), read from the envelopes alone.
    public func receivedCounts() throws -> [String: Int] {
        guard let inbox else { return [:] }
        var counts: [String: Int] = [:]
        for name in names {
            let data = try Data(contentsOf: inbox.appendingPathComponent(name + ".json"))
            let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            for to in envelope?["rcpt_tos"] as? [String] ?? [] { counts[to.lowercased(), default: 0] += 1 }
        }
        return counts
    }

    /// Python's `email` package's view of every message accepted.
    public func parse() throws -> [ReceivedMessage] {
        guard let inbox else { return [] }
        return try Self.parse(inbox)
    }

    /// Python's `email` package's view of every `.eml` file in `directory` (an inbox, an outbox).
    public static func parse(_ directory: URL) throws -> [ReceivedMessage] {
        let process = Process(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, "parse", directory.path]
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SinkError(message: "scripts/smtp-sink parse \(directory.path) exited \(process.terminationStatus)")
        }
        return try JSONDecoder().decode([ReceivedMessage].self, from: output)
    }
}

/// One message as `scripts/smtp-sink parse` reports it.
public struct ReceivedMessage: Decodable, Sendable {
    public let file: String
    /// The envelope's sender and recipients (comma-separated); "" for a file without one.
    public let mail_from: String
    public let rcpt: String
    public let message_id: String
    public let subject: String
    public let to: String
    /// Header names in order, comma-separated.
    public let headers: String
    /// Every part's content type, comma-separated.
    public let structure: String
    public let defects: Int
    /// The plain-text and HTML bodies, "" if there is none.
    public let text: String
    public let html: String
}

public struct SinkError: Error {
    public let message: String
}
