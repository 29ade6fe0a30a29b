import Broker
import Foundation
import TrustDomain
import WorkerKit

/// The drop calendar's messages: the Scheduler publishes one per drop and event when it falls
/// due, and the data-drop worker acts on it. `datadrop.calendar` is not an academy, and the
/// broker lets academy users publish only `datadrop.<their id>`, so no academy can send one.
public enum DropCalendarIntake {
    public static let type = "datadrop.calendar"
    public static let routingKey = "datadrop.calendar"

    public enum Event: String, Codable, Sendable, CaseIterable {
        /// `reminder_working_days` before the deadline: academies without accepted data.
        case reminder
        /// The first weekday after the deadline: chasers, the summary, the Board report.
        case deadline
    }

    public struct Tick: Codable, Sendable {
        public let drop: String
        public let event: Event
    }

    /// When `event` of `drop` falls due.
    public static func due(_ event: Event, of drop: ScheduledDrop, in calendar: DropCalendar) -> Date {
        switch event {
        case .reminder: calendar.dueInstant(drop.reminderDay(workingDays: calendar.reminderWorkingDays))
        case .deadline: calendar.dueInstant(drop.chaseDay)
        }
    }

    /// How long after its due time an event is still worth sending: after a week's downtime
    /// a chaser is stale, and a fresh database must not chase last year's drops.
    public static let staleAfter: TimeInterval = 7 * 86_400

    /// Events due at `now` and not yet stale, oldest first. A reminder is dropped once the
    /// deadline event is due: being chased makes being reminded pointless.
    public static func dueEvents(at now: Date, in calendar: DropCalendar) -> [(ScheduledDrop, Event)] {
        calendar.drops.flatMap { drop -> [(ScheduledDrop, Event)] in
            let deadline = due(.deadline, of: drop, in: calendar)
            return Event.allCases.compactMap { event in
                let at = due(event, of: drop, in: calendar)
                guard at <= now, now < at + staleAfter, event == .deadline || now < deadline else { return nil }
                return (drop, event)
            }
        }
    }

    public static func message(_ drop: DropID, _ event: Event, topology: Topology) -> OutgoingMessage {
        let body = Array(try! JSONEvent.encode(Tick(drop: drop.description, event: event)))
        return OutgoingMessage(exchange: topology.intakeExchange, routingKey: routingKey,
                               properties: MessageProperties(messageID: "datadrop.calendar:\(drop):\(event.rawValue)", type: type,
                                                             contentType: "application/json",
                                                             timestamp: UInt64(Date().timeIntervalSince1970)),
                               body: body)
    }
}
