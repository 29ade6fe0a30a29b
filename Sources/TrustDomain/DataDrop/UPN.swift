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
        let bytes = Array(text.utf8)
        guard bytes.count == 13, let first = bytes.first, Self.isLetter(first) else { throw .format }
        let tail = bytes.dropFirst()
        if tail.dropLast().allSatisfy(Self.isDigit), let last = tail.last, Self.isLetter(last) {
            throw .temporary
        }
        guard tail.allSatisfy(Self.isDigit) else { throw .format }
        guard Self.checkLetter(forDigits: tail) == first else { throw .checkLetter }
        rawValue = text
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
        return checkLetters[sum % 23]
    }

    private static let checkLetters = Array("ABCDEFGHJKLMNPQRTUVWXYZ".utf8)
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isLetter(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
}
