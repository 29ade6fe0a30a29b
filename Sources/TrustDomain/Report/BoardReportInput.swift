import Foundation

/// Everything the termly board report is made from. The report is a pure function of this
/// value: the caller reads the store and the config, the report does no I/O, so the same input
/// always gives the same JSON and the same HTML.
public struct BoardReportInput: Sendable {
    /// The drop the board is looking at.
    public var drop: DropID
    /// Which academies the trust has, and the published profile the drop is set beside.
    public var catalog: AcademyCatalog
    /// Every stored drop's aggregates per academy. The report reads `drop` (an academy without
    /// it has not submitted), the earlier drops of the same academic year (the trend) and
    /// `drop.previous` (the change, which for autumn is the previous summer); other drops are
    /// ignored, so the caller may pass more than it needs.
    public var aggregates: [AcademyID: [DropID: DropAggregates]]
    /// This drop's head counts per academy. Without them an academy's profile shows only the
    /// number of pupils in its drop.
    public var demographics: [AcademyID: DropDemographics]
    public var thresholds: RAGThresholds
    /// Printed on the report so a printed copy can be dated; `TRUST_NOW` in demos.
    public var generatedAt: Date

    public init(drop: DropID, catalog: AcademyCatalog,
                aggregates: [AcademyID: [DropID: DropAggregates]],
                demographics: [AcademyID: DropDemographics], thresholds: RAGThresholds,
                generatedAt: Date) {
        self.drop = drop
        self.catalog = catalog
        self.aggregates = aggregates
        self.demographics = demographics
        self.thresholds = thresholds
        self.generatedAt = generatedAt
    }
}
