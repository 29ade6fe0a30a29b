import Broker
import Foundation
import Store
import TrustDomain
import WorkerKit

/// The Scheduler's alert pass: looks at the broker, the store, the workers' metrics files and
/// the disk, and opens or resolves incidents (`alert_incidents`) with one pending e-mail per
/// operator (`alert_deliveries`) in the same transaction, which the alert delivery engine then
/// sends. An incident still holding says nothing again, so each is mailed exactly once when
/// it opens and once when it clears.
final class AlertMonitor {
    private let db: Database
    private let config: AlertConfig
    private let trust: TrustConfig
    private let topology: Topology
    private let databasePath: String
    private let metricsDirectory: String
    private let metricsInterval: Double
    /// This process's own metrics file, which it does not check.
    private let ownProcess: String
    private let log: Log

    init(settings: Settings, db: Database, trust: TrustConfig, topology: Topology, ownProcess: String = "scheduler",
         log: Log) throws {
        self.db = db
        config = try AlertConfig.load(contentsOf: trust.file(AlertConfig.fileName))
        self.trust = trust
        self.topology = topology
        databasePath = settings.databasePath
        metricsDirectory = settings.metricsDirectory
        metricsInterval = settings.metricsInterval
        self.ownProcess = ownProcess
        self.log = log
    }

    /// One pass at `now` (the settings' clock: delivery windows, relay pause); the metrics
    /// files' ages are measured on the real clock, which is what writes them.
    func evaluate(now: Date, connection: Connection) throws {
        let observation = AlertObservation(
            deadLetters: Dictionary(try QueueDepths.read(topology, on: connection).map { ($0.queue, $0.deadLetters) },
                                    uniquingKeysWith: +),
            failedDeliveries: try failedDeliveries(since: now.addingTimeInterval(-Double(config.failedWindowHours) * 3600)),
            relayPausedSince: try DeliveryPauses.relayPausedSince(in: db),
            metricsAge: metricsAges(at: Date()),
            diskFreePercent: try diskFreePercent())
        let active = AlertRules.evaluate(observation, config: config, metricsInterval: metricsInterval, now: now)
        try db.transaction {
            var open: [String: (id: Int64, summary: String, openedAt: String)] = [:]
            for row in try db.query("SELECT id, key, summary, opened_at FROM alert_incidents WHERE resolved_at IS NULL") {
                open[row.string(1) ?? ""] = (row.int64(0) ?? 0, row.string(2) ?? "", row.string(3) ?? "")
            }
            let (opened, resolved) = AlertRules.transitions(open: Set(open.keys), active: active)
            guard !opened.isEmpty || !resolved.isEmpty else { return }
            let recipients = config.recipients(in: try trust.loadDirectory())
            if recipients.isEmpty {
                log.warn("alert has nobody to tell: no active person has the role, and no extra recipient is set",
                         ["role": config.recipientRole.rawValue, "file": AlertConfig.fileName])
            }
            let stamp = Timestamp.string(now)
            for alert in opened {
                try db.execute("INSERT INTO alert_incidents (key, rule, summary, opened_at) VALUES (?, ?, ?, ?)",
                               [.text(alert.key), .text(alert.rule.rawValue), .text(alert.summary), .text(stamp)])
                let mail = AlertMail.opened(alert, at: now)
                try queue(mail, incident: db.lastInsertRowID, event: "opened", to: recipients, at: stamp)
                log.warn("alert opened", ["incident": alert.key, "summary": alert.summary, "recipients": recipients.count])
            }
            for key in resolved {
                guard let incident = open[key] else { continue }
                try db.execute("UPDATE alert_incidents SET resolved_at = ? WHERE id = ?", [.text(stamp), .integer(incident.id)])
                let mail = AlertMail.resolved(key: key, summary: incident.summary,
                                              openedAt: Settings.parseInstant(incident.openedAt) ?? now, at: now)
                try queue(mail, incident: incident.id, event: "resolved", to: recipients, at: stamp)
                log.info("alert resolved", ["incident": key, "recipients": recipients.count])
            }
        }
    }

    /// Alert e-mails committed but not yet sent or failed.
    func pendingDeliveries() throws -> Int {
        Int(try db.scalar("SELECT count(*) FROM alert_deliveries WHERE status = 'pending'")?.int64Value ?? 0)
    }

    private func queue(_ mail: (subject: String, text: String), incident: Int64, event: String, to recipients: [MailAddress],
                       at stamp: String) throws {
        for r in recipients {
            try db.execute("""
                INSERT INTO alert_deliveries (incident_id, event, email, name, subject, text, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident_id, event, email) DO NOTHING
                """, [.integer(incident), .text(event), .text(r.address), .text(r.displayName), .text(mail.subject),
                      .text(mail.text), .text(stamp)])
        }
    }

    /// Newsletter and reminder deliveries failed since `cutoff` (alert e-mails are not counted:
    /// a relay that refuses them must not feed its own alert).
    private func failedDeliveries(since cutoff: Date) throws -> Int {
        let at = SQLValue.text(Timestamp.string(cutoff))
        return Int(try db.scalar("""
            SELECT (SELECT count(*) FROM newsletter_deliveries WHERE status = 'failed' AND updated_at >= ?1)
                 + (SELECT count(*) FROM reminder_deliveries WHERE status = 'failed' AND updated_at >= ?1)
            """, [at])?.int64Value ?? 0)
    }

    /// Seconds since each other process last renamed its metrics file into place.
    private func metricsAges(at now: Date) -> [String: Double] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: metricsDirectory)) ?? []
        var ages: [String: Double] = [:]
        for file in files where file.hasSuffix(".prom") {
            let process = String(file.dropLast(5))
            guard process != ownProcess,
                  let modified = try? FileManager.default.attributesOfItem(atPath: "\(metricsDirectory)/\(file)")[.modificationDate]
                      as? Date
            else { continue }
            ages[process] = max(0, now.timeIntervalSince(modified))
        }
        return ages
    }

    /// Free space for unprivileged writers on the file system holding the store.
    private func diskFreePercent() throws -> Double {
        var fs = statvfs()
        let directory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        guard statvfs(directory, &fs) == 0, fs.f_blocks > 0 else {
            throw InputError("cannot read the free space under \(directory): \(String(cString: strerror(errno)))")
        }
        return Double(fs.f_bavail) / Double(fs.f_blocks) * 100
    }
}
