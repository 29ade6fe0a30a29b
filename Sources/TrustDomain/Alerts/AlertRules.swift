import Foundation

/// What the Scheduler saw of the system at one pass, gathered from the broker, the store, the
/// metrics directory and the file system; the rules below turn it into incidents.
public struct AlertObservation: Sendable, Equatable {
    /// Messages waiting in each work queue's dead-letter queue.
    public var deadLetters: [String: Int]
    /// Deliveries (newsletter and reminders) failed within the configured window.
    public var failedDeliveries: Int
    /// Since when the relay has been paused; nil when it is not.
    public var relayPausedSince: Date?
    /// Seconds since each worker last wrote its metrics file.
    public var metricsAge: [String: Double]
    /// Free space under the store, in per cent.
    public var diskFreePercent: Double

    public init(deadLetters: [String: Int] = [:], failedDeliveries: Int = 0, relayPausedSince: Date? = nil,
                metricsAge: [String: Double] = [:], diskFreePercent: Double = 100) {
        self.deadLetters = deadLetters
        self.failedDeliveries = failedDeliveries
        self.relayPausedSince = relayPausedSince
        self.metricsAge = metricsAge
        self.diskFreePercent = diskFreePercent
    }
}

/// The rules, one incident key per thing that is wrong (per queue, per worker), so a second
/// dead letter on a queue already alerting is part of the same incident.
public enum AlertRule: String, Sendable, CaseIterable {
    case deadLetters = "dead-letters"
    case failedDeliveries = "failed-deliveries"
    case relayPaused = "relay-paused"
    case staleWorker = "stale-worker"
    case diskSpace = "disk-space"
}

/// A condition that holds now.
public struct ActiveAlert: Sendable, Equatable {
    /// `rule` or `rule:subject` (`dead-letters:datadrop.ingest`, `stale-worker:survey-worker`).
    public let key: String
    public let rule: AlertRule
    /// One line for the subject: what is wrong, with the figure.
    public let summary: String
    /// What the operator can do (OPERATIONS.md has the longer form).
    public let action: String
}

public enum AlertRules {
    /// Every incident `observation` shows under `config`'s thresholds, in key order.
    /// `metricsInterval` is the workers' metrics-file interval in seconds; `now` the clock the
    /// relay pause is measured against.
    public static func evaluate(_ o: AlertObservation, config: AlertConfig, metricsInterval: Double,
                                now: Date) -> [ActiveAlert] {
        var out: [ActiveAlert] = []
        for (queue, n) in o.deadLetters where n > 0 {
            out.append(ActiveAlert(key: "\(AlertRule.deadLetters.rawValue):\(queue)", rule: .deadLetters,
                                   summary: "\(n) dead \(n == 1 ? "letter" : "letters") on \(queue)",
                                   action: "See why with `trustctl dead list`; fix the cause, then "
                                       + "`trustctl dead replay` or `trustctl dead purge`."))
        }
        if o.failedDeliveries >= config.failedDeliveries {
            out.append(ActiveAlert(key: AlertRule.failedDeliveries.rawValue, rule: .failedDeliveries,
                                   summary: "\(o.failedDeliveries) deliveries failed in the last "
                                       + "\(config.failedWindowHours) h (threshold \(config.failedDeliveries))",
                                   action: "Read the server replies in the delivery tables; check the relay "
                                       + "and the directory's addresses."))
        }
        if let since = o.relayPausedSince, now.timeIntervalSince(since) >= Double(config.relayPausedMinutes) * 60 {
            let minutes = Int(now.timeIntervalSince(since) / 60)
            out.append(ActiveAlert(key: AlertRule.relayPaused.rawValue, rule: .relayPaused,
                                   summary: "mail relay paused for \(minutes) min", action:
                                       "Check the relay (TRUST_SMTP_URL) and the workers' logs; mail waits, pending."))
        }
        let limit = Double(config.staleIntervals) * metricsInterval
        for (process, age) in o.metricsAge where age > limit {
            out.append(ActiveAlert(key: "\(AlertRule.staleWorker.rawValue):\(process)", rule: .staleWorker,
                                   summary: "\(process) has not written its metrics for \(Int(age)) s",
                                   action: "The worker is stopped or stuck: check it is running and read its log. "
                                       + "Delete its metrics file to retire a worker for good."))
        }
        if o.diskFreePercent < config.diskFreePercent {
            out.append(ActiveAlert(key: AlertRule.diskSpace.rawValue, rule: .diskSpace,
                                   summary: String(format: "%.1f%% free under the store", o.diskFreePercent),
                                   action: "Free space or grow the volume; `trustctl purge` removes old personal data."))
        }
        return out.sorted { $0.key < $1.key }
    }

    /// What changed since the last pass: incidents to open (active, not open) and open ones to
    /// resolve (no longer active). An incident still active stays open and says nothing again.
    public static func transitions(open: Set<String>, active: [ActiveAlert]) -> (opened: [ActiveAlert], resolved: [String]) {
        let activeKeys = Set(active.map(\.key))
        return (active.filter { !open.contains($0.key) }, open.subtracting(activeKeys).sorted())
    }
}

/// The text of an alert e-mail and of its recovery.
public enum AlertMail {
    public static func opened(_ alert: ActiveAlert, at: Date) -> (subject: String, text: String) {
        ("[Focus-Trust] ALERT: \(alert.summary)",
         """
         Something in the Focus-Trust workers needs an operator.

         What:  \(alert.summary)
         Rule:  \(alert.rule.rawValue)
         Since: \(UTCDateFields(at).rfc5322)

         \(alert.action)

         You will get one message when this clears, and nothing more until then.
         """)
    }

    public static func resolved(key: String, summary: String, openedAt: Date, at: Date) -> (subject: String, text: String) {
        ("[Focus-Trust] RESOLVED: \(summary)",
         """
         Cleared: \(summary)

         Incident: \(key)
         Opened:   \(UTCDateFields(openedAt).rfc5322)
         Cleared:  \(UTCDateFields(at).rfc5322)
         """)
    }
}
