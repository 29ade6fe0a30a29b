import Foundation
import Synchronization

/// One line per event, `ts level component key=value …`, on stderr: greppable at night and
/// parseable by any log shipper without a schema.
///
/// Values are quoted when they contain spaces, quotes or `=`, and newlines are escaped, so a
/// hostile value (a CSV cell, a subject line) can never forge a second log line.
public struct Log: Sendable {
    public enum Level: String, Sendable, Comparable {
        case debug, info, warn, error
        var rank: Int { [.debug: 0, .info: 1, .warn: 2, .error: 3][self]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    public let component: String
    public let minimum: Level
    private let sink: @Sendable (String) -> Void
    /// ` key=value` pairs ending every line (see `with`), already quoted.
    private let context: String

    public init(component: String, minimum: Level? = nil,
                sink: @escaping @Sendable (String) -> Void = Log.stderr) {
        self.init(component: component, minimum: minimum ?? (try? Settings.logLevel()) ?? .info, sink: sink,
                  context: "")
    }

    private init(component: String, minimum: Level, sink: @escaping @Sendable (String) -> Void, context: String) {
        self.component = component
        self.minimum = minimum
        self.sink = sink
        self.context = context
    }

    /// A logger for a part of this component, e.g. `datadrop-worker.consumer-1`.
    public func child(_ name: String) -> Log {
        Log(component: "\(component).\(name)", minimum: minimum, sink: sink, context: context)
    }

    /// The same logger with `fields` at the end of every line, e.g. the queue and message id
    /// of the message a handler is working on.
    public func with(_ fields: KeyValuePairs<String, Any>) -> Log {
        Log(component: component, minimum: minimum, sink: sink, context: context + Log.render(fields))
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.info, event, fields) }
    public func warn(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.warn, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.error, event, fields) }

    private func write(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= minimum else { return }
        sink("\(Log.timestamp()) \(level.rawValue) \(component) \(Log.quote(event))" + Log.render(fields) + context)
    }

    private static func render(_ fields: KeyValuePairs<String, Any>) -> String {
        var out = ""
        for (k, v) in fields { out += " \(k)=\(quote(String(describing: v)))" }
        return out
    }

    static func quote(_ s: String) -> String {
        let needsQuotes = s.isEmpty || s.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline || $0 == "\t" }
        guard needsQuotes else { return s }
        var out = "\""
        for ch in s {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tm()
        var secs = tv.tv_sec
        gmtime_r(&secs, &t)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1,
                      t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, Int(tv.tv_usec / 1000))
    }

    private static let lock = Mutex(())
    public static let stderr: @Sendable (String) -> Void = { line in
        lock.withLock { _ in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
