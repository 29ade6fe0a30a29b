/// One result row, detached from the statement so it can outlive the next `step()` and cross
/// threads.
///
/// All rows of one query share a single column-name array (copy-on-write), so name-based access
/// costs no per-row allocation beyond the values themselves.
public struct Row: Sendable, Hashable {
    /// Column names as SQLite reports them (the `AS` alias when one is given).
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(index: Int) -> SQLValue { values[index] }

    /// `nil` means no such column, distinct from a column holding NULL (`.null`), so a typo in a
    /// column name is not mistaken for missing data.
    public subscript(name: String) -> SQLValue? {
        index(of: name).map { values[$0] }
    }

    /// Exact match first; then case-insensitive, because SQL identifiers are.
    public func index(of name: String) -> Int? {
        if let i = columns.firstIndex(of: name) { return i }
        let lowered = name.lowercased()
        return columns.firstIndex { $0.lowercased() == lowered }
    }

    // Typed accessors: `nil` for NULL, a missing column, or a value of another storage class.

    public func int(_ name: String) -> Int? { self[name]?.int64Value.flatMap { Int(exactly: $0) } }
    public func int(_ index: Int) -> Int? { self[index].int64Value.flatMap { Int(exactly: $0) } }
    public func int64(_ name: String) -> Int64? { self[name]?.int64Value }
    public func int64(_ index: Int) -> Int64? { self[index].int64Value }
    public func double(_ name: String) -> Double? { self[name]?.doubleValue }
    public func double(_ index: Int) -> Double? { self[index].doubleValue }
    public func string(_ name: String) -> String? { self[name]?.stringValue }
    public func string(_ index: Int) -> String? { self[index].stringValue }
    public func blob(_ name: String) -> [UInt8]? { self[name]?.blobValue }
    public func blob(_ index: Int) -> [UInt8]? { self[index].blobValue }
    public func bool(_ name: String) -> Bool? { self[name]?.boolValue }
    public func bool(_ index: Int) -> Bool? { self[index].boolValue }
}
