/// An e-mail address that is safe to put in a header, an SMTP envelope or a `mailto:` URI.
///
/// Directory data is edited by people, so an address is checked once, here, against a strict
/// subset of RFC 5322 (`dot-atom@domain`, ASCII only): anything with a space, CR/LF, angle
/// brackets, quotes or comments is rejected rather than repaired, because a repaired address
/// would deliver to someone else. Display names are never rejected, only cleaned, since they
/// cannot misroute mail.
public struct MailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The bare `local@domain`, exactly as given.
    public let address: String
    /// The cleaned display name: control characters and line breaks become single spaces.
    public let displayName: String

    public init(_ address: String, displayName: String = "") throws(MIMEError) {
        guard Self.isValid(address) else { throw .invalidAddress(address) }
        self.address = address
        self.displayName = MIMEHeaderText.sanitised(displayName)
    }

    /// For logs only; header text comes from ``MIMEMessage`` which encodes the name.
    public var description: String {
        displayName.isEmpty ? address : "\(displayName) <\(address)>"
    }

    /// SMTP limits the path to 254 octets and the local part to 64 (RFC 5321 §4.5.3.1).
    public static func isValid(_ address: String) -> Bool {
        let parts = address.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard address.utf8.count <= 254, parts.count == 2, parts[0].count <= 64 else { return false }
        return isDotAtom(parts[0]) && isDomain(parts[1])
    }

    /// RFC 5322 `dot-atom-text`: atext runs separated by single dots.
    static func isDotAtom(_ bytes: Substring.UTF8View) -> Bool {
        isDotSeparated(bytes, maxLabel: 64) { $0.allSatisfy(isAtext) }
    }

    /// Host names only (no address literals): LDH labels of at most 63 octets.
    static func isDomain(_ bytes: Substring.UTF8View) -> Bool {
        bytes.count <= 253
            && isDotSeparated(bytes, maxLabel: 63) { label in
                label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                    && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            }
    }

    private static func isDotSeparated(
        _ bytes: Substring.UTF8View, maxLabel: Int,
        _ labelIsValid: (Substring.UTF8View) -> Bool
    ) -> Bool {
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { !$0.isEmpty && $0.count <= maxLabel && labelIsValid($0) }
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    /// RFC 5322 `atext`: letters, digits and the specials that need no quoting.
    static func isAtext(_ b: UInt8) -> Bool {
        isAlphanumeric(b) || "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
    }
}
