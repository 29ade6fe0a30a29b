import Foundation
import Testing

@testable import WorkerKit

@Suite("Metrics text")
struct MetricsTests {
    @Test func countersAndHistogramsRenderInTheExpositionFormat() {
        let registry = MetricsRegistry()
        let q = registry.queue("a.b")
        q.record(consumed: 3, processed: 2, duplicates: 1, retried: 0, deadLettered: 0, commitSeconds: 0.002)
        q.record(consumed: 200, processed: 200, duplicates: 0, retried: 0, deadLettered: 0, commitSeconds: 3)
        let text = PrometheusText.render(registry.families(process: "p"))
        #expect(text.contains("# TYPE trust_messages_processed_total counter\ntrust_messages_processed_total{queue=\"a.b\"} 202\n"))
        #expect(text.contains("trust_batch_size_messages_bucket{queue=\"a.b\",le=\"5\"} 1\n"))
        #expect(text.contains("trust_batch_size_messages_bucket{queue=\"a.b\",le=\"200\"} 2\n"))
        #expect(text.contains("trust_batch_commit_duration_seconds_bucket{queue=\"a.b\",le=\"2.5\"} 1\n"))
        #expect(text.contains("trust_batch_commit_duration_seconds_bucket{queue=\"a.b\",le=\"+Inf\"} 2\n"))
        #expect(text.contains("trust_batch_size_messages_sum{queue=\"a.b\"} 203\n"))
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let family = MetricFamily("m", .gauge, help: "a\\b\nc", [([("l", "x\"y\\z\nw")], 1.5)])
        #expect(PrometheusText.render([family]) == "# HELP m a\\\\b\\nc\n# TYPE m gauge\nm{l=\"x\\\"y\\\\z\\nw\"} 1.5\n")
    }

    @Test func theWriterRenamesAWholeFileIntoPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = MetricsWriter(process: "w", directory: dir.path, interval: 1, registry: MetricsRegistry(),
                                   log: Log(component: "test", minimum: .error), shutdown: ShutdownSignal())
        writer.write()
        let text = try String(contentsOfFile: writer.path, encoding: .utf8)
        #expect(text.hasPrefix("# HELP trust_process_start_time_seconds"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["w.prom"])
    }
}
