import Broker
import Foundation
import TrustDomain
import TrustWorkers
import WorkerKit

/// `forums list`, `reminders plan` and `calendar move|cancel`: what the calendar holds, what
/// reminders will go out, and how to change a session so that everyone invited hears of it.
enum ReminderCommands {
    static let group = CommandGroup(
        usage: """
              forums list [--from D] [--to D] [--json]
                                    the forum calendar with moves and cancellations applied
              forums enrolled [--forum ID] [--json]
                                    people enrolled in forums open by enrolment (Config/enrolments.csv)
              reminders plan [--days N] [--warn-days N] [--json]
                                    reminders due now or in the next N days (14), with audience sizes,
                                    and sessions of the next warn-days with no audience, venue or link
              calendar move --occurrence ID --date D [--start HH:MM] [--end HH:MM] [--reason TEXT]
              calendar cancel --occurrence ID [--reason TEXT]
                                    publish a calendar.update; people already reminded are told
            """,
        commands: ["forums": forums, "reminders": reminders, "calendar": calendar])

    static func forums(_ args: Arguments, _ settings: Settings) throws {
        if try expectVerb(args, "forums", ["list", "enrolled"]) == "enrolled" { return try enrolled(args, settings) }
        try args.allowOnly(["from", "to", "json"])
        let listed = try overview(settings).occurrences(from: try date(args, "from"), to: try date(args, "to"))
        if args.flag("json") { return try printJSON(listed) }
        printTable(["date", "time", "status", "occurrence", "forum", "mode", "audience"], listed.map { o in
            [o.date, "\(o.start)–\(o.end)", o.status + (o.previousDate.map { " (was \($0))" } ?? ""), o.occurrence,
             o.title, o.mode, o.audience.joined(separator: ",") + (o.regions.map { " [\($0.joined(separator: ","))]" } ?? "")]
        })
        print("\(listed.count) occurrence(s)")
    }

    static func reminders(_ args: Arguments, _ settings: Settings) throws {
        try expectVerb(args, "reminders", ["plan"])
        try args.allowOnly(["days", "warn-days", "json"])
        let days = try args.int("days", default: 14)
        guard (0...400).contains(days) else { throw InputError("--days \(days) is not from 0 to 400") }
        let warnDays = try args.option("warn-days").map { _ in try args.int("warn-days", default: 14) }
        if let warnDays, !(0...400).contains(warnDays) { throw InputError("--warn-days \(warnDays) is not from 0 to 400") }
        let now = settings.clock()
        let overview = try overview(settings)
        let plan = try overview.plan(now: now, days: days)
        let warnings = try overview.warnings(now: now, days: warnDays)
        if args.flag("json") { return try printJSON(plan) }
        printTable(["due (London)", "status", "lead", "occurrence", "date", "people"], plan.map { r in
            [r.dueLocal, r.status, "\(r.leadDays)d", r.occurrence, r.occurrenceDate, String(r.recipients)]
        })
        print("\(plan.count) reminder(s), \(plan.reduce(0) { $0 + $1.recipients }) e-mail(s)")
        for w in warnings { print("warning: \(w.occurrence) (\(w.date)): \(w.detail)") }
    }

    static func enrolled(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["forum", "json"])
        let forum = args.option("forum")
        let overview = try overview(settings)
        if let forum, overview.config.forums.forum(id: forum)?.isByEnrolment != true {
            throw InputError("--forum \(forum) is not a forum open by enrolment in forums.json")
        }
        let people = try overview.enrolled(forum: forum)
        if args.flag("json") { return try printJSON(people) }
        printTable(["forum", "email", "name", "status"], people.map { [$0.forumID, $0.email, $0.name, $0.status] })
        print("\(people.count) enrolment(s), \(people.filter { $0.status == "active" }.count) invited")
    }

    static func calendar(_ args: Arguments, _ settings: Settings) throws {
        let action = try expectVerb(args, "calendar", ["move", "cancel"])
        let occurrence = try args.required("occurrence")
        let reason = args.option("reason")
        let update: CalendarUpdate
        if action == "move" {
            try args.allowOnly(["occurrence", "date", "start", "end", "reason"])
            guard let day = try date(args, "date") else { throw InputError("missing --date") }
            update = CalendarUpdate(occurrenceID: occurrence, action: .move(date: day, start: try time(args, "start"),
                                                                            end: try time(args, "end")), reason: reason)
        } else {
            try args.allowOnly(["occurrence", "reason"])
            update = CalendarUpdate(occurrenceID: occurrence, action: .cancel, reason: reason)
        }
        // Checked here too, so a mistake is an error on the command line, not a dead letter.
        let schedule = try overview(settings).schedule
        let change: OccurrenceChange?
        do { change = try schedule.change(for: update, now: settings.clock()) } catch {
            throw InputError(error.description)
        }
        guard let change else { return print("\(occurrence): already so; nothing published") }
        let c = try Connection(endpoint: settings.brokers[0], name: "trustctl calendar")
        defer { c.close() }
        try settings.topology.declare(on: c)
        let id = "calendar.update:\(occurrence):\(UUID().uuidString.lowercased())"
        try c.publishConfirmed([OutgoingMessage(
            exchange: settings.topology.intakeExchange, routingKey: CalendarUpdate.routingKey,
            properties: MessageProperties(messageID: id, type: CalendarUpdate.type, contentType: "application/json",
                                          timestamp: UInt64(Date().timeIntervalSince1970)),
            body: update.body)])
        let slot = change.slot
        print("published \(id): \(occurrence) \(change.status.rawValue)"
              + (change.status == .moved ? " to \(slot.date.longDescription), \(slot.start)–\(slot.end)" : ""))
    }

    // MARK: Helpers

    private static func overview(_ settings: Settings) throws -> ReminderOverview {
        let config: TrustConfig
        do { config = try TrustConfig(directory: settings.configDirectory) } catch { throw InputError("\(error)") }
        return try ReminderOverview(config: config, databasePath: settings.databasePath)
    }

    @discardableResult
    private static func expectVerb(_ args: Arguments, _ noun: String, _ verbs: [String]) throws -> String {
        guard args.positionals.count == 2, let verb = args.positionals.last, verbs.contains(verb) else {
            throw InputError("usage: trustctl \(noun) \(verbs.joined(separator: "|")) …; see trustctl help")
        }
        return verb
    }

    private static func date(_ args: Arguments, _ name: String) throws -> CalendarDate? {
        guard let text = args.option(name) else { return nil }
        guard let date = CalendarDate(text) else { throw InputError("--\(name) \"\(text)\" is not a date (YYYY-MM-DD)") }
        return date
    }

    private static func time(_ args: Arguments, _ name: String) throws -> ClockTime? {
        guard let text = args.option(name) else { return nil }
        guard let time = ClockTime(text) else { throw InputError("--\(name) \"\(text)\" is not a time (HH:MM)") }
        return time
    }

    private static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    private static func printTable(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        for row in all {
            print(zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
    }
}
