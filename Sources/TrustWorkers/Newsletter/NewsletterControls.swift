import Foundation
import Store
import TrustDomain
import WorkerKit

/// The editor's controls over an assembled issue (`trustctl news approve|pause|resume|cancel
/// N`): one state change in one transaction on the store the delivery engine reads. The engine
/// picks only issues in state `sending`, so a change is honoured from its next round (one
/// chunk, one message by default, a fraction of a second). Sent rows are never picked again,
/// so nobody sent before a pause is sent again after resume.
public enum NewsletterControls {
    public enum Action: String, Sendable, CaseIterable {
        case approve, pause, resume, cancel

        /// The states an issue may be in for this action, and the state it moves to.
        var transition: (from: Set<String>, to: String) {
            switch self {
            case .approve: (["awaiting_approval"], "sending")
            case .pause: (["sending"], "paused")
            case .resume: (["paused"], "sending")
            case .cancel: (["awaiting_approval", "sending", "paused"], "cancelled")
            }
        }
    }

    /// Applies `action` to issue `number`; returns a line for the operator. An issue that
    /// does not exist, is already settled, or is in the wrong state is an ``InputError``.
    @discardableResult
    public static func apply(_ action: Action, issue number: Int, in db: Database, at now: Date) throws -> String {
        try db.transaction {
            guard let row = try db.query("SELECT state, settled_at FROM newsletter_issues WHERE number = ?",
                                         [.int(number)]).first, let state = row.string("state")
            else { throw InputError("there is no issue \(number) (see trustctl news issues)") }
            if row.string("settled_at") != nil && state == "sending" {
                throw InputError("issue \(number) has been sent to everyone already (\(state)); nothing to \(action.rawValue)")
            }
            let (from, to) = action.transition
            guard from.contains(state) else {
                throw InputError("issue \(number) is \(state.replacingOccurrences(of: "_", with: " ")); "
                    + "\(action.rawValue) needs it \(from.sorted().joined(separator: " or ").replacingOccurrences(of: "_", with: " "))")
            }
            try db.execute("UPDATE newsletter_issues SET state = ?, state_changed_at = ? WHERE number = ?",
                           [.text(to), .text(Timestamp.string(now)), .int(number)])
            var cancelled = 0
            if action == .cancel {
                cancelled = try db.execute("""
                    UPDATE newsletter_deliveries SET status = 'cancelled', updated_at = ?
                    WHERE issue_number = ? AND status = 'pending'
                    """, [.text(Timestamp.string(now)), .int(number)])
            }
            let sent = Int(try db.scalar("SELECT count(*) FROM newsletter_deliveries WHERE issue_number = ? AND status = 'sent'",
                                         [.int(number)])?.int64Value ?? 0)
            switch action {
            case .approve: return "issue \(number) approved: sending to its recipients"
            case .pause: return "issue \(number) paused after \(sent) sent; `trustctl news resume \(number)` goes on"
            case .resume: return "issue \(number) resumed (\(sent) already sent, none will be sent twice)"
            case .cancel: return "issue \(number) cancelled: \(sent) sent, \(cancelled) will not be sent"
            }
        }
    }
}

/// Progress of the issues being sent: an estimated finish at the relay's pace.
public enum NewsletterProgress {
    /// `summaries` with `estimatedFinish` filled in for issues in state `sending` with
    /// deliveries pending, at `limits` for the newsletter's sender; the issues in order share
    /// the relay, so each one's estimate counts the pending of those before it.
    public static func withEstimates(_ summaries: [NewsletterIssueSummary], sender: String, limits: RelayLimits,
                                     in db: Database, now: Date) throws -> [NewsletterIssueSummary] {
        let history = try db.tableExists("relay_sends") ? try RelaySendLog.history(sender.lowercased(), before: now, in: db) : []
        let pacer = RelayPacer(limits: limits)
        var ahead = 0
        return summaries.map { summary in
            var summary = summary
            guard summary.state == "sending", summary.pending > 0 else { return summary }
            ahead += summary.pending
            summary.estimatedFinish = pacer.estimatedFinish(pending: ahead, history: history, now: now).map(Timestamp.string)
            return summary
        }
    }
}
