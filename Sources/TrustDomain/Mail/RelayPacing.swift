import Foundation

/// What a relay lets one sending mailbox do: messages a minute and recipients a day; nil is
/// no limit. Exchange Online's sending limits (Microsoft's "Exchange Online limits", sending
/// limits) are 30 messages a minute and 10,000 recipients a day per mailbox.
public struct RelayLimits: Sendable, Equatable, Codable {
    public var messagesPerMinute: Int?
    public var recipientsPerDay: Int?

    public init(messagesPerMinute: Int?, recipientsPerDay: Int?) {
        self.messagesPerMinute = messagesPerMinute
        self.recipientsPerDay = recipientsPerDay
    }

    /// The default for any relay `mail.json` does not list.
    public static let exchangeOnline = RelayLimits(messagesPerMinute: 30, recipientsPerDay: 10_000)
    public static let unlimited = RelayLimits(messagesPerMinute: nil, recipientsPerDay: nil)

    enum CodingKeys: String, CodingKey {
        case messagesPerMinute = "messages_per_minute"
        case recipientsPerDay = "recipients_per_day"
    }
}

/// One message a mailbox handed to the relay: the pacer's history.
public struct RelaySend: Sendable, Equatable {
    public var at: Date
    public var recipients: Int

    public init(at: Date, recipients: Int) {
        self.at = at
        self.recipients = recipients
    }
}

/// When a mailbox may send next under its ``RelayLimits``. Pure: the history and the clock
/// come in, so tests of a day's pacing take no time.
///
/// Messages are spaced evenly, 1 % wider than the limit allows (30 a minute: one every
/// 2.02 s), rather than sent in bursts: the relay counts arrivals, network jitter moves them,
/// and a burst at each minute's start is what trips a throttle. Besides the spacing, no
/// 60-second window holds more than the limit (two engines sharing a mailbox each keep their
/// spacing, the window keeps their sum) and no rolling 24 hours more recipients than the day's.
public struct RelayPacer: Sendable, Equatable {
    public let limits: RelayLimits

    public init(limits: RelayLimits) { self.limits = limits }

    public static let minute = 60.0
    public static let day = 86_400.0

    /// Seconds between two messages; nil without a per-minute limit.
    public var interval: Double? {
        limits.messagesPerMinute.map { Self.minute / Double(max(1, $0)) * 1.01 }
    }

    /// The earliest instant at or after `now` a message to `recipients` may go, given the
    /// mailbox's `history` of the last day (any order).
    public func nextSend(recipients: Int = 1, history: [RelaySend], now: Date) -> Date {
        var at = now
        let sorted = history.sorted { $0.at < $1.at }
        if let interval, let last = sorted.last {
            at = max(at, last.at.addingTimeInterval(interval))
        }
        if let perMinute = limits.messagesPerMinute {
            let window = sorted.filter { $0.at > at.addingTimeInterval(-Self.minute) }
            if window.count >= perMinute {
                at = max(at, window[window.count - perMinute].at.addingTimeInterval(Self.minute))
            }
        }
        if let perDay = limits.recipientsPerDay {
            var window = sorted.filter { $0.at > at.addingTimeInterval(-Self.day) }[...]
            var used = window.reduce(0) { $0 + $1.recipients }
            // Wait for the oldest sends to leave the rolling day until this one fits.
            while used + recipients > perDay, let oldest = window.first {
                used -= oldest.recipients
                window = window.dropFirst()
                at = max(at, oldest.at.addingTimeInterval(Self.day))
            }
        }
        return at
    }

    /// When `pending` one-recipient messages would all be sent from `now` at this pace, if
    /// nothing pauses the sender: the spacing, plus a day for every day's quota they exceed.
    /// Nil without limits (as fast as the relay takes them).
    public func estimatedFinish(pending: Int, history: [RelaySend], now: Date) -> Date? {
        guard pending > 0 else { return now }
        guard limits.messagesPerMinute != nil || limits.recipientsPerDay != nil else { return nil }
        let first = nextSend(history: history, now: now)
        var finish = first.addingTimeInterval(Double(pending - 1) * (interval ?? 0))
        if let perDay = limits.recipientsPerDay {
            let used = history.filter { $0.at > now.addingTimeInterval(-Self.day) }.reduce(0) { $0 + $1.recipients }
            let beyondToday = pending - max(0, perDay - used)
            if beyondToday > 0 {
                let days = (beyondToday + perDay - 1) / perDay
                finish = max(finish, now.addingTimeInterval(Double(days) * Self.day))
            }
        }
        return finish
    }
}
