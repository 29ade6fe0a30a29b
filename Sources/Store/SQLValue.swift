/// One SQLite value, as bound to a parameter or read from a column.
///
/// SQLite is dynamically typed per value, not per column, so a single enum mirrors its five
/// storage classes exactly; nothing is lost or coerced on the way in or out. Values only ever
/// reach SQLite as bound parameters, never spliced into SQL text, so quoting bugs and SQL
/// injection cannot happen.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue {
    /// Lets `Int` (the type most Swift code holds) be bound without spelling out the widening.
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// SQLite has no boolean storage class; 0/1 integers are its documented convention.
    public static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }

    /// Maps `nil` to SQL NULL so optional model fields bind without a switch at every call site.
    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }

    /// Maps `nil` to SQL NULL so optional model fields bind without a switch at every call site.
    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }

    /// The integer, if this is one; a REAL with an exact integer value also qualifies because
    /// SQLite's numeric affinity may store `3` as `3.0` in a REAL column.
    public var int64Value: Int64? {
        switch self {
        case .integer(let v): v
        case .real(let v): Int64(exactly: v)
        default: nil
        }
    }

    /// Integers widen to `Double` because aggregate functions (`avg`, `sum`) return either.
    public var doubleValue: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }

    /// Only TEXT qualifies: silently stringifying numbers would hide schema mistakes.
    public var stringValue: String? {
        if case .text(let v) = self { v } else { nil }
    }

    public var blobValue: [UInt8]? {
        if case .blob(let v) = self { v } else { nil }
    }

    /// Follows SQLite's 0/1 convention; any non-zero integer is true, as in SQL itself.
    public var boolValue: Bool? { int64Value.map { $0 != 0 } }
}

// Deliberately not `ExpressibleByNilLiteral`: APIs here return `SQLValue?` ("no row", "no such
// column"), and a `nil` that silently became `.null` would erase exactly that distinction.
// Write `.null`.

extension SQLValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
