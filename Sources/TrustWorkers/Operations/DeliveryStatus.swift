import Foundation
import Store
import WorkerKit

/// What `trustctl status` says about sending: engines paused by their relay, and the
/// newsletter issues not yet fully sent, with progress and the estimated finish.
public struct DeliveryStatus: Codable, Sendable {
    public var pauses: [DeliveryPause]
    public var issues: [NewsletterIssueSummary]

    /// Nil before the database exists; issues without estimates if the config cannot be read.
    static func load(settings: Settings) throws -> DeliveryStatus? {
        guard FileManager.default.fileExists(atPath: settings.databasePath) else { return nil }
        let db = try Database(path: settings.databasePath, readOnly: true)
        defer { db.close() }
        let open = try NewsletterIssueSummary.all(in: db).filter { $0.settledAt == nil }
        var issues = open
        if let setup = try? NewsletterSetup(settings: settings),
           let relay = try? RelaySetup(settings: settings, outboxDirectory: setup.outboxDirectory) {
            issues = try NewsletterProgress.withEstimates(open, sender: setup.newsletter.sender.address, limits: relay.limits,
                                                          in: db, now: settings.clock())
        }
        return DeliveryStatus(pauses: try DeliveryPause.all(in: db), issues: issues)
    }

    var lines: [String] {
        var lines = pauses.map { p in
            "\(p.kind) delivery PAUSED since \(Timestamp.string(p.pausedAt)) (\(p.reason), \(p.attempts) refusals) "
                + "until \(Timestamp.string(p.resumeAt)): \(p.reply)"
        }
        for s in issues {
            let done = s.sent + s.failed + s.cancelled
            lines.append("newsletter issue \(s.number) \(s.state.replacingOccurrences(of: "_", with: " ")): \(done) of "
                + "\(s.recipients) done (\(s.sent) sent, \(s.failed) failed, \(s.cancelled) cancelled), \(s.pending) pending"
                + (s.estimatedFinish.map { ", finish about \($0)" } ?? ""))
        }
        return lines
    }
}
