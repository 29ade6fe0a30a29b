/// Upper bounds on what the parser will read. Files arrive from outside the trust over the
/// broker, so every dimension that drives memory or time is capped and breaking a cap is a
/// clear error rather than a slow worker.
public struct CSVLimits: Equatable, Sendable {
    public var maxBytes: Int
    public var maxColumns: Int
    /// Measured in UTF-8 bytes of the field's content, after quote unescaping.
    public var maxFieldBytes: Int
    /// Rows after the header; the header itself is not counted.
    public var maxRows: Int

    public init(maxBytes: Int = 20 << 20, maxColumns: Int = 200, maxFieldBytes: Int = 32 << 10,
                maxRows: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxColumns = maxColumns
        self.maxFieldBytes = maxFieldBytes
        self.maxRows = maxRows
    }

    /// Generous enough for a Microsoft Forms export with long free-text answers
    /// (Forms allows 4,000 characters, up to 16 KB in UTF-8).
    public static let standard = CSVLimits()
}
