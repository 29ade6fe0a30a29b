/// Who a drop describes: head counts of the pupils as submitted, nursery to year 6.
///
/// Why a separate type: `DropAggregates` records pupil premium and SEND only inside the
/// attainment of years 1–6 and has no EAL count at all, yet the board compares each academy's
/// drop with its published profile (`academies.json` counts every pupil). These counts are
/// taken from the validated records when a drop is ingested and stored beside its aggregates.
/// Counts, not percentages, so trust figures add up exactly as `DropAggregates` do.
public struct DropDemographics: Hashable, Sendable, Codable, Summable {
    public var pupils: Int
    public var pupilPremium: Int
    public var eal: Int
    /// SEN support (K) and EHC plans (E) together, as the published SEND percentage counts them.
    public var send: Int
    public var ehcPlan: Int

    public init(pupils: Int, pupilPremium: Int, eal: Int, send: Int, ehcPlan: Int) {
        self.pupils = pupils
        self.pupilPremium = pupilPremium
        self.eal = eal
        self.send = send
        self.ehcPlan = ehcPlan
    }

    public init<P: AssessedPupil>(_ records: some Sequence<P>) {
        self = records.map { pupil in
            DropDemographics(pupils: 1, pupilPremium: pupil.pupilPremium ? 1 : 0,
                             eal: pupil.eal ? 1 : 0, send: pupil.send == .none ? 0 : 1,
                             ehcPlan: pupil.send == .ehcPlan ? 1 : 0)
        }.summed()
    }

    public static let zero = DropDemographics(pupils: 0, pupilPremium: 0, eal: 0, send: 0,
                                              ehcPlan: 0)

    public static func + (a: Self, b: Self) -> Self {
        DropDemographics(pupils: a.pupils + b.pupils, pupilPremium: a.pupilPremium + b.pupilPremium,
                         eal: a.eal + b.eal, send: a.send + b.send, ehcPlan: a.ehcPlan + b.ehcPlan)
    }
}
