import Foundation
import Synchronization

/// One metric family in the Prometheus text exposition format (0.0.4): a name, its help text,
/// its type and its samples. Names follow Prometheus conventions (`trust_` prefix, base units,
/// `_total` on counters); labels carry only low-cardinality values (queue, kind, status, drop),
/// never message ids or addresses.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public struct Sample: Sendable, Equatable {
        /// The family name plus `_bucket`, `_sum` or `_count` for a histogram's series; "" otherwise.
        public var suffix: String
        public var labels: [(String, String)]
        public var value: Double

        public init(suffix: String = "", labels: [(String, String)] = [], value: Double) {
            self.suffix = suffix
            self.labels = labels
            self.value = value
        }

        public static func == (a: Sample, b: Sample) -> Bool {
            a.suffix == b.suffix && a.value == b.value && a.labels.elementsEqual(b.labels) { $0 == $1 }
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, _ kind: Kind, help: String, samples: [Sample]) {
        self.name = name
        self.kind = kind
        self.help = help
        self.samples = samples
    }

    /// A family of one sample per label set, e.g. gauges by queue.
    public init(_ name: String, _ kind: Kind, help: String, _ values: [([(String, String)], Double)]) {
        self.init(name, kind, help: help, samples: values.map { Sample(labels: $0.0, value: $0.1) })
    }
}

/// Cumulative bucket counts with fixed upper bounds, as Prometheus histograms expose them.
public struct Histogram: Sendable {
    public let bounds: [Double]
    /// counts[i]: observations ≤ bounds[i] and > bounds[i-1]; the last slot is above every bound.
    private var counts: [UInt64]
    public private(set) var sum = 0.0
    public private(set) var count: UInt64 = 0

    public init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    public mutating func observe(_ value: Double) {
        var i = 0
        while i < bounds.count, value > bounds[i] { i += 1 }
        counts[i] += 1
        sum += value
        count += 1
    }

    /// `_bucket` samples (cumulative, ending with `le="+Inf"`), `_sum` and `_count`.
    public func samples(labels: [(String, String)]) -> [MetricFamily.Sample] {
        var out: [MetricFamily.Sample] = []
        var running: UInt64 = 0
        for (i, bound) in bounds.enumerated() {
            running += counts[i]
            out.append(.init(suffix: "_bucket", labels: labels + [("le", PrometheusText.number(bound))],
                             value: Double(running)))
        }
        out.append(.init(suffix: "_bucket", labels: labels + [("le", "+Inf")], value: Double(count)))
        out.append(.init(suffix: "_sum", labels: labels, value: sum))
        out.append(.init(suffix: "_count", labels: labels, value: Double(count)))
        return out
    }
}

/// Renders families as the text that node_exporter's textfile collector reads.
public enum PrometheusText {
    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(escape(family.help, quotes: false))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name + sample.suffix
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { "\($0.0)=\"\(escape($0.1, quotes: true))\"" }
                        .joined(separator: ",") + "}"
                }
                out += " \(number(sample.value))\n"
            }
        }
        return out
    }

    /// Whole numbers without a fraction (`12`, not `12.0`), infinities as Prometheus spells them.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Backslash and newline always; double quotes inside label values.
    static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.append(ch)
            }
        }
        return out
    }
}

/// One queue's consumer figures in memory, added to once per batch under one lock (no I/O):
/// the metrics writer reads them on its own timer.
public final class QueueMetrics: Sendable {
    public let queue: String
    private let figures: Mutex<Figures>

    struct Figures {
        var consumed: UInt64 = 0
        var processed: UInt64 = 0
        var duplicates: UInt64 = 0
        var retried: UInt64 = 0
        var deadLettered: UInt64 = 0
        var batchSize = Histogram(bounds: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        var commitSeconds = Histogram(bounds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
    }

    init(queue: String) {
        self.queue = queue
        figures = Mutex(Figures())
    }

    /// A committed batch: what its messages became, and how long its commit took.
    public func record(consumed: Int, processed: Int, duplicates: Int, retried: Int, deadLettered: Int,
                       commitSeconds: Double) {
        figures.withLock { f in
            f.consumed += UInt64(consumed)
            f.processed += UInt64(processed)
            f.duplicates += UInt64(duplicates)
            f.retried += UInt64(retried)
            f.deadLettered += UInt64(deadLettered)
            f.batchSize.observe(Double(consumed))
            f.commitSeconds.observe(commitSeconds)
        }
    }

    var snapshot: Figures { figures.withLock { $0 } }
}

/// A process's metrics: queue figures its consumers add to, the last successful run of its
/// scheduled jobs, and collectors that read the store or the broker when the file is written.
/// `process` is the one registry of an executable (like a Prometheus client's default
/// registry); tests may make their own.
public final class MetricsRegistry: Sendable {
    public static let process = MetricsRegistry()

    /// Wall-clock start of the process (not the demo's simulated clock).
    public let startTime = Date()
    private let state = Mutex(State())

    private struct State {
        var queues: [String: QueueMetrics] = [:]
        var jobs: [String: Date] = [:]
        var collectors: [@Sendable () throws -> [MetricFamily]] = []
    }

    public init() {}

    /// The figures of `queue`, shared by every consumer of the queue in this process.
    public func queue(_ name: String) -> QueueMetrics {
        state.withLock { s in
            if let q = s.queues[name] { return q }
            let q = QueueMetrics(queue: name)
            s.queues[name] = q
            return q
        }
    }

    /// A scheduled job (`reminders`, `newsletter`, `alerts`) finished without error.
    public func jobSucceeded(_ job: String, at date: Date = Date()) {
        state.withLock { $0.jobs[job] = date }
    }

    /// Adds families computed when the file is written (on the writer's thread). A collector
    /// that throws leaves its families out of that one file; the rest are written.
    public func register(_ collector: @escaping @Sendable () throws -> [MetricFamily]) {
        state.withLock { $0.collectors.append(collector) }
    }

    /// Everything this process exposes, `process` naming it in the start-time series.
    public func families(process: String, log: Log? = nil) -> [MetricFamily] {
        let (queues, jobs, collectors) = state.withLock { s in
            (s.queues.values.sorted { $0.queue < $1.queue }, s.jobs.sorted { $0.key < $1.key }, s.collectors)
        }
        var out = [MetricFamily("trust_process_start_time_seconds", .gauge,
                                help: "Start time of the process since the Unix epoch, in seconds.",
                                [([("process", process)], startTime.timeIntervalSince1970.rounded(.down))])]
        if !queues.isEmpty { out += Self.queueFamilies(queues.map { ($0.queue, $0.snapshot) }) }
        if !jobs.isEmpty {
            out.append(MetricFamily("trust_scheduler_last_success_timestamp_seconds", .gauge,
                                    help: "When each scheduled job last finished without error, since the Unix epoch.",
                                    jobs.map { ([("job", $0.key)], $0.value.timeIntervalSince1970.rounded(.down)) }))
        }
        for collect in collectors {
            do { out += try collect() } catch { log?.warn("metrics collector failed; left out of this file", ["error": error]) }
        }
        return out
    }

    private static func queueFamilies(_ queues: [(String, QueueMetrics.Figures)]) -> [MetricFamily] {
        func counter(_ name: String, _ help: String, _ value: (QueueMetrics.Figures) -> UInt64) -> MetricFamily {
            MetricFamily(name, .counter, help: help, queues.map { ([("queue", $0.0)], Double(value($0.1))) })
        }
        return [
            counter("trust_messages_consumed_total", "Messages taken from the queue in committed batches.", \.consumed),
            counter("trust_messages_processed_total", "Messages whose effects and ledger row committed.", \.processed),
            counter("trust_messages_duplicates_total", "Messages already in the ledger: acked without effects.", \.duplicates),
            counter("trust_messages_retried_total", "Messages sent to a retry queue after a transient failure.", \.retried),
            counter("trust_messages_dead_lettered_total", "Messages dead-lettered.", \.deadLettered),
            MetricFamily("trust_batch_size_messages", .histogram, help: "Messages per committed batch.",
                         samples: queues.flatMap { $0.1.batchSize.samples(labels: [("queue", $0.0)]) }),
            MetricFamily("trust_batch_commit_duration_seconds", .histogram,
                         help: "Time the SQLite commit of a batch took, in seconds.",
                         samples: queues.flatMap { $0.1.commitSeconds.samples(labels: [("queue", $0.0)]) }),
        ]
    }
}

/// Writes a process's metrics to `<directory>/<process>.prom` for node_exporter's textfile
/// collector: every `interval` seconds while running and once more at the end (`ServiceMain`
/// calls `write()` after every service has returned, so the last batch is in it). Written to a
/// temporary file and renamed, so a reader never sees half a file. No HTTP server of its own.
public final class MetricsWriter: Service, @unchecked Sendable {
    public let name = "metrics"
    public let path: String
    private let process: String
    private let directory: String
    private let interval: Double
    private let registry: MetricsRegistry
    private let log: Log
    private let shutdown: ShutdownSignal
    private let lock = NSLock()
    private var failing = false

    public init(process: String, directory: String, interval: Double, registry: MetricsRegistry = .process, log: Log,
                shutdown: ShutdownSignal) {
        self.process = process
        self.directory = directory
        self.interval = interval
        self.registry = registry
        self.log = log
        self.shutdown = shutdown
        path = "\(directory)/\(process).prom"
    }

    public convenience init(process: String, settings: Settings, registry: MetricsRegistry = .process, log: Log,
                            shutdown: ShutdownSignal) {
        self.init(process: process, directory: settings.metricsDirectory, interval: settings.metricsInterval,
                  registry: registry, log: log, shutdown: shutdown)
    }

    public func run() {
        while !shutdown.isRequested {
            write()
            let until = Date().addingTimeInterval(interval)
            while !shutdown.isRequested, until.timeIntervalSinceNow > 0 {
                Thread.sleep(forTimeInterval: min(0.25, max(0, until.timeIntervalSinceNow)))
            }
        }
    }

    /// One file, atomically. A failure (full disk, unwritable directory) is logged once per
    /// streak and never stops the process: metrics must not take a worker down.
    public func write() {
        lock.withLock {
            let text = PrometheusText.render(registry.families(process: process, log: log))
            let temporary = "\(path).tmp"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, path) == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                                                                   NSLocalizedDescriptionKey: String(cString: strerror(errno))])
                }
                if failing { log.info("metrics file written again", ["path": path]) }
                failing = false
            } catch {
                if !failing { log.warn("cannot write the metrics file", ["path": path, "error": error]) }
                failing = true
            }
        }
    }
}
