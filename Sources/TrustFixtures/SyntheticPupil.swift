import TrustDomain

/// How the synthetic attainment is drawn. Each pupil has a hidden standing on a
/// standard-normal-like scale; judgements are cut points on it. The figures were tuned so that
/// a summer drop looks like a typical English primary (about 76 % expected+ in reading, 75 % in
/// maths, 71 % in writing, 62 % RWM, about 69 % RWM on target, GLD near 69 %, phonics near
/// 81 %, MTC mean near 20) with a disadvantaged RWM gap near 19 points, and each academy a
/// little above or below (so the RAG table has all three colours). Autumn RWM is about
/// 19 points below summer.
enum AttainmentModel {
    /// Below these a judgement is BLW, WTS, EXS; at or above the last it is GDS.
    static let cuts: [Double] = [-2.2, -1.0, 0.6]
    /// Writing is the hardest of the three to reach the expected standard in, nationally.
    static func subjectOffset(_ subject: Subject) -> Double { subject == .writing ? -0.12 : 0.05 }
    /// A target sits above where a pupil is heading: "challenging but realistic" (FFT20).
    static let targetStretch = 0.15
    static let goodLevelCut = -1.0
    static let phonicsMean = 38.0, phonicsSpread = 5.0, phonicsPracticePenalty = 4.0
    static let phonicsRetakeGain = 2
    /// Pupils with a no-result code all year: the share of EHC-plan pupils disapplied, and of
    /// all pupils absent for long periods; new arrivals are not yet assessed in autumn.
    static let disappliedShareOfEHC = 0.08
    static let longAbsenceShare = 0.004, newArrivalShare = 0.012
    static let multiplicationMean = 21.5, multiplicationSpread = 4.2
    /// Share of SEND pupils with an EHC plan (about 2 % of all pupils nationally, 13 % on SEN
    /// support).
    static let ehcShareOfSEND = 0.15

    /// How far behind their end-of-year standing pupils are at each drop: the year's progress.
    static func lag(_ term: Term) -> Double {
        switch term {
        case .autumn: 0.55
        case .spring: 0.27
        case .summer: 0
        }
    }

    /// Disadvantage, SEND and early English weigh on a pupil's standing; EAL pupils catch up
    /// as they move through school.
    static func standing(base: Double, academy: Double, pupil: SyntheticPupil.Context) -> Double {
        var value = academy + 0.9 * base
        if pupil.pupilPremium { value -= 0.42 }
        switch pupil.send {
        case .none: break
        case .senSupport: value -= 1.0
        case .ehcPlan: value -= 2.0
        }
        if pupil.eal {
            switch pupil.year {
            case .nursery, .reception: value -= 0.35
            case .year1, .year2: value -= 0.15
            default: break
            }
        }
        return value
    }

    static func judgement(_ score: Double) -> Judgement {
        Judgement.allCases[cuts.firstIndex { score < $0 } ?? cuts.count]
    }

    static func clamped(_ value: Double, to range: ClosedRange<Int>) -> Int {
        min(max(Int(value.rounded()), range.lowerBound), range.upperBound)
    }
}

/// One pupil on an academy's synthetic roll for one academic year. Everything random is drawn
/// once, here, so the year's three drops differ only by the term: the same UPN, year group and
/// targets throughout, and judgements that never go down.
struct SyntheticPupil {
    /// What is known about a pupil before attainment is drawn.
    struct Context {
        var year: YearGroup
        var pupilPremium: Bool
        var eal: Bool
        var send: SENDStatus
    }

    let upn: UPN
    let context: Context
    let gender: Gender?
    /// End-of-year standing in each subject, in `Subject.allCases` order.
    let subjectStanding: [Double]
    let targets: SubjectJudgements?
    /// Standing for whichever early check the pupil's year takes (GLD, phonics or MTC).
    let checkStanding: Double
    /// Some year 1 classes sit a practice phonics check in spring.
    let sitsPracticePhonics: Bool
    /// Absent on the day of the June check.
    let absentFromCheck: Bool
    /// A statutory no-result code in every subject this year, and until which term: a new
    /// arrival (J) is assessed from spring; long absence (A) and disapplication (D) last.
    let noResult: (reason: NoResult, through: Term)?

    init(upn: UPN, context: Context, academyEffect: Double, random: inout SplitMix64) {
        self.upn = upn
        self.context = context
        let roll = random.unit()
        gender = roll < 0.01 ? nil : roll < 0.505 ? .female : .male
        let standing = AttainmentModel.standing(base: random.normal(), academy: academyEffect,
                                                pupil: context)
        var subjects: [Double] = []
        var targets: [Judgement] = []
        for subject in Subject.allCases {
            let score = standing + 0.45 * random.normal() + AttainmentModel.subjectOffset(subject)
            subjects.append(score)
            targets.append(AttainmentModel.judgement(
                score + AttainmentModel.targetStretch + 0.25 * random.normal()))
        }
        subjectStanding = subjects
        self.targets = context.year.isAssessed
            ? SubjectJudgements(reading: targets[0], writing: targets[1], maths: targets[2]) : nil
        checkStanding = standing + 0.5 * random.normal()
        sitsPracticePhonics = random.chance(0.5)
        absentFromCheck = random.chance(0.02)
        let code = random.unit()
        if context.send == .ehcPlan && code < AttainmentModel.disappliedShareOfEHC {
            noResult = (.disapplied, .summer)
        } else if code < AttainmentModel.newArrivalShare {
            noResult = (.newArrival, .autumn)
        } else if code < AttainmentModel.newArrivalShare + AttainmentModel.longAbsenceShare {
            noResult = (.absent, .summer)
        } else {
            noResult = nil
        }
    }

    /// The pupil as the academy's export shows them at the given drop.
    func record(in term: Term) -> PupilRecord {
        let lag = AttainmentModel.lag(term)
        var record = PupilRecord(upn: upn, year: context.year, gender: gender,
                                 pupilPremium: context.pupilPremium, eal: context.eal,
                                 send: context.send)
        switch context.year {
        case .nursery:
            break
        case .reception:
            record.goodLevelOfDevelopment = checkStanding - lag > AttainmentModel.goodLevelCut
        default:
            let now: [Assessment] = subjectStanding.map { standing in
                if let code = noResult, term <= code.through { return .noResult(code.reason) }
                return .judged(AttainmentModel.judgement(standing - lag))
            }
            record.attainment = SubjectAssessments(reading: now[0], writing: now[1], maths: now[2])
            record.targets = targets
            switch context.year {
            case .year1: record.phonics = phonicsScore(in: term)
            case .year2: record.phonics = phonicsByEndOfYear2(in: term)
            case .year4: record.multiplicationCheck = multiplicationScore(in: term)
            default: break
            }
        }
        return record
    }

    /// The check is in June; a spring drop carries practice scores for some classes, and a
    /// pupil absent on the day is recorded A.
    private func phonicsScore(in term: Term) -> CheckResult? {
        switch term {
        case .autumn: return nil
        case .spring: return sitsPracticePhonics ? .score(phonicsMark(practice: true)) : nil
        case .summer: return absentFromCheck ? .noResult(.absent) : .score(phonicsMark(practice: false))
        }
    }

    private func phonicsMark(practice: Bool) -> Int {
        let mark = AttainmentModel.phonicsMean + AttainmentModel.phonicsSpread * checkStanding
            - (practice ? AttainmentModel.phonicsPracticePenalty : 0)
        return AttainmentModel.clamped(mark, to: 0...40)
    }

    /// Year 2: the year 1 score all year; in summer, the retake's score for a pupil who did
    /// not meet the standard in year 1 (a year's more teaching, so higher).
    private func phonicsByEndOfYear2(in term: Term) -> CheckResult {
        let first = phonicsMark(practice: false)
        guard term == .summer, first < DropAggregates.phonicsPassMark else { return .score(first) }
        return .score(min(40, first + AttainmentModel.phonicsRetakeGain))
    }

    private func multiplicationScore(in term: Term) -> CheckResult? {
        guard term == .summer else { return nil }
        guard !absentFromCheck else { return .noResult(.absent) }
        let mark = AttainmentModel.multiplicationMean
            + AttainmentModel.multiplicationSpread * checkStanding
        return .score(AttainmentModel.clamped(mark, to: 0...25))
    }
}

extension PupilRecord {
    /// The row as an academy's export writes it, in the contract's column order.
    var csvFields: [String] {
        func yesNo(_ flag: Bool?) -> String { flag.map { $0 ? "Y" : "N" } ?? "" }
        func number(_ value: CheckResult?) -> String {
            switch value {
            case .score(let score)?: String(score)
            case .noResult(let reason)?: "\(reason.code)"
            case nil: ""
            }
        }
        let judged = Subject.allCases.map { subject in attainment.map { "\($0[subject].code)" } ?? "" }
        let aimed = Subject.allCases.map { targets?[$0].rawValue ?? "" }
        return [upn.rawValue, year.rawValue, gender?.rawValue ?? "", yesNo(pupilPremium),
                yesNo(eal), send.rawValue]
            + judged + aimed
            + [yesNo(goodLevelOfDevelopment), number(phonics), number(multiplicationCheck)]
    }
}
