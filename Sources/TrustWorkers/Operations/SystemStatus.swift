import Broker
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Store
import WorkerKit

/// One work queue as the broker sees it now.
public struct QueueStatus: Codable, Sendable {
    public var queue: String
    public var ready: Int
    /// Delivered to a consumer and not yet acked; nil when only passive declares were possible.
    public var unacknowledged: Int?
    public var consumers: Int
    public var retrying: Int
    public var deadLettered: Int
}

/// One worker's figures from the database: the counters its batches committed.
public struct WorkerStatus: Codable, Sendable {
    public var worker: String
    public var lastActivity: String?
    public var counters: [String: Int]
    public var recentErrors: [String]

    enum CodingKeys: String, CodingKey {
        case worker, counters
        case lastActivity = "last_activity", recentErrors = "recent_errors"
    }
}

public struct SystemStatus: Codable, Sendable {
    public var broker: String
    public var source: String
    public var queues: [QueueStatus]
    public var workers: [WorkerStatus]
    /// Paused senders and newsletter issues still being sent; nil before there is a database.
    public var deliveries: DeliveryStatus?

    /// Reads the broker's real numbers from the management API (ready, unacked, consumers);
    /// if that is not reachable, falls back to passive declares, which give ready and
    /// consumers only.
    public static func load(settings: Settings, topology: Topology = .trust) throws -> SystemStatus {
        let endpoint = settings.brokers[0]
        var source = "management API"
        var figures: [String: (ready: Int, unacked: Int?, consumers: Int)] = [:]
        if let api = try? managementQueues(endpoint: endpoint, port: settings.managementPort) {
            figures = api
        } else {
            source = "passive declares (management API unreachable: unacknowledged unknown)"
            let c = try Connection.first(of: settings.brokers, name: "trustctl status")
            defer { c.close() }
            for name in topology.allQueueNames {
                if let counts = try? c.declareQueue(name, passive: true) {
                    figures[name] = (counts.messages, nil, counts.consumers)
                }
            }
        }
        let queues = topology.queues.map { q -> QueueStatus in
            let f = figures[q.name]
            let retrying = topology.retryDelays.indices.reduce(0) { sum, i in
                sum + (figures[Topology.retryQueue(q.name, attempt: i + 1)]?.ready ?? 0)
            }
            return QueueStatus(queue: q.name, ready: f?.ready ?? 0, unacknowledged: f?.unacked,
                               consumers: f?.consumers ?? 0, retrying: retrying,
                               deadLettered: figures[Topology.deadQueue(q.name)]?.ready ?? 0)
        }
        return SystemStatus(broker: endpoint.description, source: source, queues: queues,
                            workers: try workers(databasePath: settings.databasePath),
                            deliveries: try DeliveryStatus.load(settings: settings))
    }

    static func workers(databasePath: String) throws -> [WorkerStatus] {
        guard FileManager.default.fileExists(atPath: databasePath) else { return [] }
        let db = try Database(path: databasePath, readOnly: true)
        defer { db.close() }
        guard try db.tableExists("worker_counters") else {
            return []
        }
        var byWorker: [String: WorkerStatus] = [:]
        for row in try db.query("SELECT worker, name, value, updated_at FROM worker_counters ORDER BY worker, name") {
            let w = row.string(0) ?? "?"
            var status = byWorker[w] ?? WorkerStatus(worker: w, lastActivity: nil, counters: [:], recentErrors: [])
            status.counters[row.string(1) ?? "?"] = row.int(2)
            status.lastActivity = max(status.lastActivity ?? "", row.string(3) ?? "")
            byWorker[w] = status
        }
        for (w, var status) in byWorker {
            status.recentErrors = try db.query("""
                SELECT at, kind, message_id, reason FROM worker_errors WHERE worker = ? ORDER BY id DESC LIMIT 5
                """, [.text(w)]).map { r in
                "\(r.string(0) ?? "") \(r.string(1) ?? "") \(r.string(2) ?? "-"): \(r.string(3) ?? "")"
            }
            byWorker[w] = status
        }
        return byWorker.values.sorted { $0.worker < $1.worker }
    }

    static func managementQueues(endpoint: BrokerEndpoint, port: Int) throws -> [String: (ready: Int, unacked: Int?, consumers: Int)] {
        let vhost = endpoint.vhost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F"
        guard let url = URL(string: "http://\(endpoint.host):\(port)/api/queues/\(vhost)?columns=name,messages_ready,messages_unacknowledged,consumers") else {
            throw InputError("bad management URL")
        }
        var request = URLRequest(url: url, timeoutInterval: 3)
        let credentials = Data("\(endpoint.user):\(endpoint.password)".utf8).base64EncodedString()
        request.setValue("Basic \(credentials)", forHTTPHeaderField: "Authorization")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: Data?
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if (response as? HTTPURLResponse)?.statusCode == 200 { body = data }
            done.signal()
        }.resume()
        // FoundationNetworking can leave a refused (401) request without a completion; never
        // let an operator's status command hang on it.
        guard done.wait(timeout: .now() + 5) == .success, let body, let items = try JSONSerialization.jsonObject(with: body) as? [[String: Any]] else {
            throw InputError("management API unavailable")
        }
        var out: [String: (Int, Int?, Int)] = [:]
        for q in items {
            guard let name = q["name"] as? String else { continue }
            out[name] = ((q["messages_ready"] as? Int) ?? 0, (q["messages_unacknowledged"] as? Int) ?? 0,
                         (q["consumers"] as? Int) ?? 0)
        }
        return out
    }

    public func table() -> String {
        var lines = ["broker \(broker) (\(source))", "",
                     pad("queue", 22) + pad("ready", 8) + pad("unacked", 9) + pad("consumers", 11) + pad("retrying", 10) + "dead"]
        for q in queues {
            lines.append(pad(q.queue, 22) + pad("\(q.ready)", 8) + pad(q.unacknowledged.map(String.init) ?? "?", 9)
                         + pad("\(q.consumers)", 11) + pad("\(q.retrying)", 10) + "\(q.deadLettered)")
        }
        lines.append("")
        if workers.isEmpty { lines.append("no worker has processed anything yet") }
        for w in workers {
            let c = w.counters
            lines.append("\(w.worker): last active \(w.lastActivity ?? "never"); consumed \(c["consumed"] ?? 0), processed \(c["processed"] ?? 0), duplicates \(c["duplicates"] ?? 0), retried \(c["retried"] ?? 0), dead-lettered \(c["dead_lettered"] ?? 0), batches \(c["batches"] ?? 0)")
            for e in w.recentErrors { lines.append("    \(e)") }
        }
        if let deliveries, !deliveries.lines.isEmpty { lines += [""] + deliveries.lines }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count + 1), withPad: " ", startingAt: 0) }
}
