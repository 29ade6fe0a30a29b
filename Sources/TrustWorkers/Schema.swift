import Store

/// Every table of the trust's database. All workers share one SQLite file and one migration
/// history, so every worker applies the same complete list: a worker that only knew its own
/// migrations would see the others' versions as "from a newer release" and refuse to start.
/// Versions: 100s data drops, 200s surveys, 300s newsletter, 400s reminders, 500s scheduler,
/// 600s delivery (relay rules, the newsletter editor's controls), 700s alerts.
public enum TrustSchema {
    public static var all: [Migration] {
        (dataDrop + survey + newsletter + newsletterCalendar + reminders + scheduler + delivery + alerts)
            .sorted { $0.version < $1.version }
    }
}
