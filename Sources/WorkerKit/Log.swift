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

    public init(component: String, minimum: Level? = nil,
                sink: @escaping @Sendable (String) -> Void = Log.stderr) {
        self.component = component
        self.minimum = minimum ?? (try? Settings.logLevel()) ?? .info
        self.sink = sink
    }

    /// A logger for a part of this component, e.g. `datadrop-worker.consumer-1`.
    public func child(_ name: String) -> Log {
        Log(component: "\(component).\(name)", minimum: minimum, sink: sink)
    }

    public func debug(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.debug, event, fields) }
    public func info(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.info, event, fields) }
    public func warn(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.warn, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, Any> = [:]) { write(.error, event, fields) }

    private func write(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, Any>) {
        guard level >= minimum else { return }
        var line = "\(Log.timestamp()) \(level.rawValue) \(component) \(Log.quote(event))"
        for (k, v) in fields { line += " \(k)=\(Log.quote(String(describing: v)))" }
        sink(line)
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
