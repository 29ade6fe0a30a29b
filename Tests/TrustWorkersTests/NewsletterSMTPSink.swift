import Foundation
import Testing

/// A real SMTP server (Debian's aiosmtpd) on 127.0.0.1 that keeps every message it accepts as
/// `<pid>-<n>.eml` plus its envelope as `<pid>-<n>.json`, so a restarted server never
/// overwrites what the previous one received. `replies` makes it answer RCPT for some
/// addresses with a code (`address=550`). The script is written from this string at run time,
/// which keeps a non-Swift file out of the test target. Shared by the newsletter and reminder
/// tests.
final class SMTPSink {
    static let script = #"""
        import asyncio, email, json, os, socket, sys, threading
        from email import policy

        def write(outdir, name, data):
            tmp = os.path.join(outdir, "." + name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(outdir, name))

        class Sink:
            def __init__(self, outdir, replies):
                self.outdir, self.count, self.replies = outdir, 0, replies

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                code = self.replies.get(address.lower())
                if code:
                    return "%s %s.1.1 <%s>: recipient refused" % (code, code[0], address)
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                name = "%d-%d" % (os.getpid(), self.count)
                write(self.outdir, name + ".json", json.dumps({"rcpt_tos": envelope.rcpt_tos}).encode())
                write(self.outdir, name + ".eml", envelope.original_content)
                return "250 2.0.0 Ok: queued as " + name

        def serve(outdir, port, replies):
            from aiosmtpd.smtp import SMTP
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen(64)
            loop = asyncio.new_event_loop()
            handler = Sink(outdir, replies)
            factory = lambda: SMTP(handler, hostname="sink.local", ident="sink", loop=loop)
            loop.run_until_complete(loop.create_server(factory, sock=sock))
            def until_stdin_closes():
                print(sock.getsockname()[1], flush=True)
                sys.stdin.buffer.read()
                os._exit(0)
            threading.Thread(target=until_stdin_closes, daemon=True).start()
            loop.run_forever()

        def parse(directory):
            out = []
            for name in sorted(os.listdir(directory)):
                if not name.endswith(".eml"):
                    continue
                with open(os.path.join(directory, name), "rb") as f:
                    msg = email.message_from_bytes(f.read(), policy=policy.default)
                with open(os.path.join(directory, name[:-4] + ".json")) as f:
                    envelope = json.load(f)
                plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
                html_text = html.get_content() if html else ""
                out.append({
                    "rcpt": ",".join(envelope["rcpt_tos"]),
                    "message_id": str(msg["Message-ID"]),
                    "subject": str(msg["Subject"]),
                    "to": str(msg["To"]),
                    "headers": ",".join(msg.keys()),
                    "structure": ",".join(p.get_content_type() for p in msg.walk()),
                    "defects": sum(len(p.defects) for p in msg.walk()),
                    "greeting": (plain.get_content() if plain else "").splitlines()[4].strip() if plain else "",
                    "script_escaped": "&lt;script&gt;" in html_text and "<script" not in html_text,
                })
            print(json.dumps(out))

        if sys.argv[1] == "serve":
            serve(sys.argv[2], int(sys.argv[3]), dict(r.lower().split("=", 1) for r in sys.argv[4:]))
        else:
            parse(sys.argv[2])
        """#

    let inbox: URL
    let replies: [String]
    private(set) var port: Int
    private var process: Process?
    private var stdin: Pipe?

    /// Starts a server writing into `inbox`, on `port` (0: any free port).
    init(inbox: URL, port: Int = 0, replies: [String] = []) throws {
        self.inbox = inbox
        self.replies = replies
        self.port = port
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try start()
    }

    static var scriptPath: String {
        get throws {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("newsletter-smtp-sink-\(getpid()).py")
            if !FileManager.default.fileExists(atPath: url.path) {
                try Data(script.utf8).write(to: url, options: .atomic)
            }
            return url.path
        }
    }

    /// (Re)starts the server on the same port.
    func start() throws {
        let process = Process(), stdin = Pipe(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [try Self.scriptPath, "serve", inbox.path, String(port)] + replies
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let bound = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SinkError(message: "the SMTP sink printed no port")
        }
        port = bound
        self.process = process
        self.stdin = stdin
    }

    /// Kills the server outright (SIGKILL): no goodbye to connected clients.
    func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? stdin?.fileHandleForWriting.close()
        self.process = nil
    }

    func stop() {
        try? stdin?.fileHandleForWriting.close()
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    /// Messages accepted so far.
    var received: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: inbox.path)) ?? []).filter { $0.hasSuffix(".eml") }.count
    }

    /// Messages accepted per envelope recipient.
    func receivedCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: inbox.path)
        where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let data = try Data(contentsOf: inbox.appendingPathComponent(name))
            let envelope = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            for to in envelope?["rcpt_tos"] as? [String] ?? [] { counts[to.lowercased(), default: 0] += 1 }
        }
        return counts
    }

    /// Python's `email` package's view of every accepted message.
    func parse() throws -> [ReceivedMessage] {
        let process = Process(), stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [try Self.scriptPath, "parse", inbox.path]
        process.standardOutput = stdout
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the parser failed")
        return try JSONDecoder().decode([ReceivedMessage].self, from: output)
    }
}

struct ReceivedMessage: Decodable {
    /// The messages by envelope recipient, and how many arrived beyond one per recipient.
    static func tally(_ messages: [ReceivedMessage]) -> (byRecipient: [String: [ReceivedMessage]], duplicates: Int) {
        let byRecipient = Dictionary(grouping: messages, by: \.rcpt)
        return (byRecipient, messages.count - byRecipient.count)
    }

    let rcpt: String
    let message_id: String
    let subject: String
    let to: String
    let headers: String
    let structure: String
    let defects: Int
    let greeting: String
    let script_escaped: Bool
}

struct SinkError: Error {
    let message: String
}
