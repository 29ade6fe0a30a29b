/// A permanent Unique Pupil Number: a check letter followed by 12 digits (LA number,
/// establishment number, year of issue, serial).
///
/// Why the check letter matters here: a mistyped UPN would hash to a different pseudonym and
/// silently split one pupil's history in two, so typing mistakes are caught at the door.
/// Temporary UPNs (ending in a letter) are refused because they are replaced later and would
/// split the history the same way. LA numbers are not checked against a list, which changes
/// when local authorities reorganise.
public struct UPN: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public enum Problem: Error, Equatable, Sendable {
        /// Not a letter followed by 12 digits.
        case format
        /// A letter, 11 digits and a letter: a temporary number.
        case temporary
        case checkLetter
    }

    /// Validates an upper-case, trimmed candidate.
    public init(_ text: String) throws(Problem) {
        var text = text
        // The bytes in place (no array per pupil): this runs for every row of every drop.
        let problem: Problem? = text.withUTF8 { bytes in
            guard bytes.count == 13, Self.isLetter(bytes[0]) else { return .format }
            let tail = UnsafeBufferPointer(rebasing: bytes[1...])
            if tail.dropLast().allSatisfy(Self.isDigit), Self.isLetter(bytes[12]) { return .temporary }
            guard tail.allSatisfy(Self.isDigit) else { return .format }
            return Self.checkLetter(forDigits: tail) == bytes[0] ? nil : .checkLetter
        }
        if let problem { throw problem }
        rawValue = text
    }

    /// The 12 digits as a number: with the check letter fixed by them, it identifies the UPN,
    /// and hashes far faster than the text (duplicate checks hash every pupil).
    public var number: Int {
        rawValue.utf8.dropFirst().reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    public var description: String { rawValue }

    /// The DfE check letter for the 12 characters after it: each digit in character position
    /// 2–13 is multiplied by its position, the sum is taken modulo 23, and the remainder picks
    /// a letter from A–Z without I, O and S (DfE, "Unique pupil numbers (UPN)" guidance; the
    /// same rule as the Government Data Standards Catalogue entry for UPN).
    /// Returns nil unless given exactly 12 ASCII digits.
    public static func checkLetter(forDigits digits: some Collection<UInt8>) -> UInt8? {
        guard digits.count == 12, digits.allSatisfy(isDigit) else { return nil }
        var sum = 0
        for (weight, digit) in zip(2..., digits) { sum += weight * Int(digit - 0x30) }
        return checkLetter(sum % 23)
    }

    /// ABCDEFGHJKLMNPQRTUVWXYZ by index: A–H, then J–N, P–R, T–Z (no I, O or S). Arithmetic,
    /// not a global table, so the per-pupil call has no lazy-initialisation check.
    private static func checkLetter(_ index: Int) -> UInt8 {
        let skipped = index >= 8 ? (index >= 13 ? (index >= 16 ? 3 : 2) : 1) : 0
        return UInt8(0x41 + index + skipped)
    }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLetter(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
}
