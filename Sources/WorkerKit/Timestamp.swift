import Foundation

/// Timestamps as stored and sent: UTC, ISO 8601, milliseconds ("2021-09-09T08:00:00.000Z"),
/// so stored times sort and compare as text. Written out from `gmtime_r`, not Foundation's
/// ISO 8601 formatters, which are slow on first use and per call; the milliseconds are the
/// ledger's `at_ms`, rounded down.
public enum Timestamp {
    public static func string(_ date: Date) -> String {
        let (seconds, millis) = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            .quotientAndRemainder(dividingBy: 1000)
        // Division truncates towards zero; before 1970 the remainder is negative.
        var time = time_t(millis < 0 ? seconds - 1 : seconds)
        let milli = Int(millis < 0 ? millis + 1000 : millis)
        var t = tm()
        gmtime_r(&time, &t)
        return String(unsafeUninitializedCapacity: 24) { out in
            func digits(_ value: Int, _ width: Int, at start: Int, then separator: Character) {
                var value = value
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                out[start + width] = separator.asciiValue!
            }
            digits(Int(t.tm_year) + 1900, 4, at: 0, then: "-")
            digits(Int(t.tm_mon) + 1, 2, at: 5, then: "-")
            digits(Int(t.tm_mday), 2, at: 8, then: "T")
            digits(Int(t.tm_hour), 2, at: 11, then: ":")
            digits(Int(t.tm_min), 2, at: 14, then: ":")
            digits(Int(t.tm_sec), 2, at: 17, then: ".")
            digits(milli, 3, at: 20, then: "Z")
            return 24
        }
    }
    public static func now() -> String { string(Date()) }
}
