import Foundation
import Mail
import TrustDomain
import WorkerKit

/// The data-drop worker process: the `datadrop.ingest` consumer and the delivery engine that
/// sends its notices (receipts, refusals, reminders, chasers, the Board report) once they are
/// committed. Built here rather than in `main.swift` so tests run exactly what the executable runs.
public enum DataDropService {
    public static let queue = "datadrop.ingest"

    /// Throws for a bad config, `TRUST_SMTP_URL` or `Config/mail.json`, so the process stops at start.
    public static func services(settings: Settings, shutdown: ShutdownSignal, log: Log) throws -> [any Service] {
        let config = try TrustConfig(directory: settings.configDirectory)
        let relay = try RelaySetup(settings: settings,
                                   outboxDirectory: URL(fileURLWithPath: settings.varDirectory).appendingPathComponent("outbox"))
        _ = try relay.makeTransport()
        // A batch can hold many academies' files; 32 MiB of page cache keeps a batch of thirty
        // 4,000-pupil files from spilling to the log before its commit.
        let options = settings.workerOptions(name: "datadrop-worker", queue: queue, topology: settings.topology,
                                             cacheKiB: 32 * 1024)
        return [
            Worker(options: options, settings: settings, log: log, shutdown: shutdown) { try DataDropHandler(settings: settings) },
            delivery(sender: config.drops.mail.sender, databasePath: settings.databasePath,
                     options: DeliveryOptions(chunkSize: settings.deliveryChunk ?? 1, pacing: relay.limits),
                     now: settings.clock, log: log.child("delivery"), shutdown: shutdown) { try relay.makeTransport() },
        ]
    }

    /// The engine that sends the notices committed in `databasePath`, From `sender`.
    public static func delivery(sender: MailAddress, databasePath: String, options: DeliveryOptions = DeliveryOptions(),
                                now: @escaping @Sendable () -> Date, log: Log, shutdown: ShutdownSignal,
                                makeTransport: @escaping @Sendable () throws -> any MailTransport) -> any Service {
        DeliveryEngine(kind: DropNoticeDeliveries(sender: sender), databasePath: databasePath, options: options,
                       makeTransport: makeTransport, announcer: nil, now: now, log: log, shutdown: shutdown)
    }
}
