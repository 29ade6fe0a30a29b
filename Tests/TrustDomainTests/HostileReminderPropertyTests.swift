import Foundation
import Testing

@testable import TrustDomain

/// `reminder.due` and `calendar.update` bodies come off the broker from anyone allowed to
/// publish; whatever the bytes, the parser returns a message that re-encodes to itself or a
/// reason that names the message type.
@Suite("Hostile inputs: reminder and calendar message properties")
struct HostileReminderPropertyTests {
    static let seeds: [[UInt8]] = [
        ReminderRequest(forumID: "english-leaders", occurrenceID: "english-leaders-2021-09-16", leadDays: 7).body,
        CalendarUpdate(occurrenceID: "english-leaders-2021-09-16",
                       action: .move(date: CalendarDate(year: 2021, month: 9, day: 23)!,
                                     start: ClockTime(hour: 9, minute: 30), end: nil),
                       reason: "Room <b>booked</b>\r\nsorry").body,
        CalendarUpdate(occurrenceID: "maths-leaders-2021-10-05", action: .cancel).body,
    ]

    @Test func mutatedBodiesParseToThemselvesOrAreExplained() {
        var mutator = HostileMutator(seed: 0x4E_3141)
        var parsed = 0
        for iteration in 0..<8_000 {
            let bytes = mutator.mutate(Self.seeds[iteration % Self.seeds.count])
            parsed += Self.check(bytes, iteration: iteration)
        }
        #expect(parsed > 400, "the success path was hardly reached: \(parsed)")
    }

    /// Deep nesting is the classic way to overflow a recursive parser's stack.
    @Test(arguments: [("[", "]"), ("{\"a\":", "}"), ("{\"occurrence\":[", "]}")])
    func deeplyNestedBodiesAreRefused(open: String, close: String) {
        for depth in [10, 1_000, 100_000] {
            let body = Array((String(repeating: open, count: depth) + String(repeating: close, count: depth)).utf8)
            #expect(Self.check(body, iteration: depth) == 0)
        }
    }

    /// Returns how many of the two parsers accepted `bytes` (after checking what they gave).
    private static func check(_ bytes: [UInt8], iteration: Int) -> Int {
        var accepted = 0
        do throws(ReminderMessageError) {
            let request = try ReminderRequest.parse(bytes)
            #expect(try ReminderRequest.parse(request.body) == request, "iteration \(iteration)")
            #expect((0...60).contains(request.leadDays))
            accepted += 1
        } catch {
            #expect(error.description.hasPrefix("reminder.due: "), "iteration \(iteration): \(error)")
        }
        do throws(ReminderMessageError) {
            let update = try CalendarUpdate.parse(bytes)
            #expect(try CalendarUpdate.parse(update.body) == update, "iteration \(iteration)")
            accepted += 1
        } catch {
            #expect(error.description.hasPrefix("calendar.update: "), "iteration \(iteration): \(error)")
        }
        return accepted
    }
}
