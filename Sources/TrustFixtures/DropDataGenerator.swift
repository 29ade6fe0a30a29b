import TrustDomain

/// One synthetic data-drop file, named the way the demo writes it to disk
/// (`2021-22-autumn/birstall.csv`).
public struct GeneratedDropFile: Hashable, Sendable {
    public let academy: AcademyID
    public let drop: DropID
    public let filename: String
    /// UTF-8 CSV per the contract, CRLF line ends as a spreadsheet export has them.
    public let bytes: [UInt8]
}

/// Seed-shaped, deterministic data drops for demos, tests and benchmarks: every academy of
/// `Config/academies.json` with its own roll, pupil premium, EAL and SEND rates, and
/// attainment that rises through the year and is lower, as in real schools, for
/// disadvantaged pupils and pupils with SEND.
///
/// Why synthetic: the real drops are children's records and must never leave the academies,
/// yet trustees and developers need to see the whole flow with believable figures. Nothing
/// here is real: UPNs are well-formed (they pass the DfE check-letter test) but invented.
///
/// The same seed always gives byte-identical files; a different seed gives a different trust.
/// Within an academic year each pupil keeps their UPN, year group and targets; a new academic
/// year is a fresh roll (pupils do not move up between years).
public struct DropDataGenerator: Sendable {
    public let seed: UInt64
    public let catalog: AcademyCatalog
    /// Pupils per real pupil: 10 makes a trust ten times the size, for the benchmark.
    public let scale: Int

    /// `scale` from 1 to 20: beyond that the invented establishment numbers would run out of
    /// their four digits.
    public init(seed: UInt64, catalog: AcademyCatalog, scale: Int = 1) {
        precondition((1...20).contains(scale), "scale must be from 1 to 20")
        self.seed = seed
        self.catalog = catalog
        self.scale = scale
    }

    /// Every academy's file for each drop (autumn, spring, summer) of the academic year that
    /// starts in `startYear`, drop by drop and in catalog order within a drop.
    public func files(startYear: Int) -> [GeneratedDropFile] {
        let rolls = catalog.academies.indices.map { roll(academyAt: $0, startYear: startYear) }
        return Term.allCases.flatMap { term in
            let drop = DropID(startYear: startYear, term: term)
            return catalog.academies.indices.map { index in
                file(catalog.academies[index], drop: drop,
                     pupils: rolls[index].map { $0.record(in: term) }, mistakes: [])
            }
        }
    }

    /// One academy's file for one drop, optionally with mistakes a data manager might make, so
    /// a demo can show a rejection and then the corrected resubmission (the same call without
    /// mistakes). Nil for an academy that is not in the catalog.
    public func file(for academy: AcademyID, drop: DropID, mistakes: [DropMistake] = [])
        -> GeneratedDropFile?
    {
        guard let records = pupils(for: academy, drop: drop) else { return nil }
        return file(catalog.academy(academy)!, drop: drop, pupils: records, mistakes: mistakes)
    }

    /// The pupils a correct file for this academy and drop holds, in file order.
    public func pupils(for academy: AcademyID, drop: DropID) -> [PupilRecord]? {
        guard let index = catalog.academies.firstIndex(where: { $0.id == academy }) else {
            return nil
        }
        return roll(academyAt: index, startYear: drop.startYear).map { $0.record(in: drop.term) }
    }

    private func file(_ academy: Academy, drop: DropID, pupils: [PupilRecord],
                      mistakes: [DropMistake]) -> GeneratedDropFile {
        var table = [DropColumn.allCases.map(\.rawValue)] + pupils.map(\.csvFields)
        for mistake in DropMistake.allCases where mistakes.contains(mistake) {
            mistake.apply(to: &table)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(table.count * 56)
        for row in table {
            for (index, field) in row.enumerated() {
                if index > 0 { bytes.append(0x2C) }
                bytes.append(contentsOf: field.utf8)
            }
            bytes.append(0x0D)
            bytes.append(0x0A)
        }
        return GeneratedDropFile(
            academy: academy.id, drop: drop,
            filename: "\(drop.academicYear)-\(drop.term.rawValue)/\(academy.id.rawValue).csv",
            bytes: bytes)
    }

    /// The academy's roll for the year, youngest first: the order a census export uses.
    func roll(academyAt index: Int, startYear: Int) -> [SyntheticPupil] {
        let academy = catalog.academies[index]
        var random = SplitMix64(seed: seed, stream: "\(academy.id.rawValue)/\(startYear)/\(scale)")
        let years = academy.includesNursery
            ? YearGroup.allCases : YearGroup.allCases.filter { $0 != .nursery }
        // A nursery class is smaller than a school year; other years vary a little.
        let weights = years.map { $0 == .nursery ? 0.75 : 0.92 + 0.16 * random.unit() }
        let total = academy.pupils * scale
        let sizes = apportion(total, weights: weights)

        let pupilPremium = shuffledFlags(total, percent: academy.ppPercent, &random)
        let eal = shuffledFlags(total, percent: academy.ealPercent, &random)
        let send = sendStatuses(total, percent: academy.sendPercent, &random)
        let academyEffect = 0.3 * random.normal()

        var numbers = UPNSeries(academy: academy, index: index, scale: scale)
        var roll: [SyntheticPupil] = []
        roll.reserveCapacity(total)
        for (year, size) in zip(years, sizes) {
            for _ in 0..<size {
                let n = roll.count
                let context = SyntheticPupil.Context(
                    year: year, pupilPremium: pupilPremium[n], eal: eal[n], send: send[n])
                roll.append(SyntheticPupil(
                    upn: numbers.next(year: year, startYear: startYear), context: context,
                    academyEffect: academyEffect, random: &random))
            }
        }
        return roll
    }
}

/// Exactly the academy's percentage of `total` (to the nearest pupil), in random positions,
/// so the file's rate is within a fraction of a point of the prospectus figure.
private func shuffledFlags(_ total: Int, percent: Double, _ random: inout SplitMix64) -> [Bool] {
    let count = exactCount(of: total, percent: percent)
    var flags = Array(repeating: true, count: count) + Array(repeating: false, count: total - count)
    random.shuffle(&flags)
    return flags
}

private func sendStatuses(_ total: Int, percent: Double, _ random: inout SplitMix64)
    -> [SENDStatus]
{
    let send = exactCount(of: total, percent: percent)
    let plans = Int((Double(send) * AttainmentModel.ehcShareOfSEND).rounded())
    var statuses = Array(repeating: SENDStatus.ehcPlan, count: plans)
        + Array(repeating: .senSupport, count: send - plans)
        + Array(repeating: .none, count: total - send)
    random.shuffle(&statuses)
    return statuses
}

private func exactCount(of total: Int, percent: Double) -> Int {
    Int((Double(total) * percent / 100).rounded())
}

/// Splits `total` in proportion to `weights` by largest remainder, so the parts add up exactly.
func apportion(_ total: Int, weights: [Double]) -> [Int] {
    let sum = weights.reduce(0, +)
    let quotas = weights.map { Double(total) * $0 / sum }
    var parts = quotas.map { Int($0.rounded(.down)) }
    let byRemainder = quotas.indices.sorted {
        (quotas[$0] - Double(parts[$0]), -$0) > (quotas[$1] - Double(parts[$1]), -$1)
    }
    for index in byRemainder.prefix(total - parts.reduce(0, +)) { parts[index] += 1 }
    return parts
}

/// Invented but well-formed permanent UPNs: local authority number, establishment number,
/// year of allocation (the year the pupil started school) and a serial, led by the DfE check
/// letter. Each academy has its own establishment numbers, so UPNs are unique trust-wide.
private struct UPNSeries {
    let localAuthority: Int
    let establishmentBase: Int
    var nextSerial: [Int: Int] = [:]

    init(academy: Academy, index: Int, scale: Int) {
        switch academy.region {
        case .northWest: localAuthority = 353  // Oldham
        case .westYorkshire: localAuthority = 382  // Kirklees
        case .cheshire: localAuthority = 896  // Cheshire West and Chester
        }
        // Up to 1,000 pupils per establishment number and year of allocation; 20 × scale
        // numbers per academy leave room for far more than any year group.
        establishmentBase = 2000 + index * 20 * scale
    }

    mutating func next(year: YearGroup, startYear: Int) -> UPN {
        let yearsInSchool = YearGroup.assessed.firstIndex(of: year).map { $0 + 1 } ?? 0
        let allocated = (startYear - yearsInSchool) % 100
        let serial = nextSerial[allocated, default: 0]
        nextSerial[allocated] = serial + 1
        // Written digit by digit: a whole roll is tens of thousands of numbers.
        var text = [UInt8](repeating: 0x30, count: 13)
        func put(_ value: Int, endingAt last: Int, width: Int) {
            var rest = value
            for offset in 0..<width {
                text[last - offset] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
        }
        put(localAuthority, endingAt: 3, width: 3)
        put(establishmentBase + serial / 1000, endingAt: 7, width: 4)
        put(allocated, endingAt: 9, width: 2)
        put(serial % 1000, endingAt: 12, width: 3)
        text[0] = UPN.checkLetter(forDigits: text[1...])!
        return try! UPN(String(decoding: text, as: UTF8.self))
    }
}
