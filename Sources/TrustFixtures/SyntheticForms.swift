import Foundation
import TrustDomain

/// SplitMix64: a tiny generator whose output is fixed by its seed on every platform and Swift
/// release (the standard library's `random(in:using:)` algorithms may change), so a seed names
/// the same export for ever.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in 0..<n.
    public mutating func below(_ n: Int) -> Int { min(n - 1, Int(unit() * Double(n))) }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Standard normal, by Box–Muller.
    public mutating func normal() -> Double {
        let u = max(unit(), 1e-12)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }

    /// An index drawn with the given (non-negative, not all zero) weights.
    public mutating func weighted(_ weights: [Double]) -> Int {
        var x = unit() * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Synthetic Microsoft Forms exports for tests, demos and benchmarks: the same columns, date
/// format and quoting as a real export, with names and e-mail addresses in it as Forms would
/// have them, so the pipeline's promise never to store them is tested against the real thing.
///
/// Answers are realistic rather than uniform: each academy has its own climate, each
/// respondent a disposition, workload and wellbeing run lower than pride and leadership, some
/// questions are skipped, academies respond at different rates (so small groups occur), and a
/// few comments carry an e-mail address or phone number for redaction to catch.
public enum SyntheticForms {
    /// The shape of an export; every default is what the tests and the demo rely on.
    public struct Options: Sendable {
        public var respondents: Int
        public var seed: UInt64
        /// Forms numbers responses from 1; a later export of the same form starts where the
        /// earlier one did, so overlapping exports can be made by choosing ranges.
        public var firstID: Int
        /// Share of respondents who answer each free-text question.
        public var commentRate: Double
        /// Share of comments that include the writer's e-mail address or a phone number.
        public var contactRate: Double
        /// Share of optional answers left blank.
        public var skipRate: Double
        /// When the form opened; responses spread over the following fortnight.
        public var opens: Date

        public init(respondents: Int, seed: UInt64 = 2022, firstID: Int = 1, commentRate: Double = 0.35,
                    contactRate: Double = 0.05, skipRate: Double = 0.03,
                    opens: Date = Date(timeIntervalSince1970: 1_654_473_600)) {
            self.respondents = respondents
            self.seed = seed
            self.firstID = firstID
            self.commentRate = commentRate
            self.contactRate = contactRate
            self.skipRate = skipRate
            self.opens = opens
        }
    }

    /// Who "answered", so tests can check that none of it reaches storage.
    public struct Respondent: Sendable, Equatable {
        public let formsID: String
        public let name: String
        public let email: String
        public let academy: AcademyID
    }

    /// The CSV as Forms would export it, and who is in it.
    public struct Export: Sendable {
        public let csv: String
        public let respondents: [Respondent]
    }

    /// The export, a pure function of its arguments. Respondent k (counting from 0) is the
    /// same person with the same answers whatever `firstID` and `respondents` are, as long as
    /// the seed is the same: exports of 1–100 and 51–150 overlap exactly on 51–100.
    public static func export(survey: SurveyDefinition, academies: AcademyCatalog, options: Options) -> Export {
        var header = SurveyDefinition.formsLeadingColumns + [survey.academyQuestion]
        header += survey.questions.map(\.text)
        var lines = [csvLine(header)]
        var setup = SeededRandom(seed: options.seed)
        let list = academies.academies
        // Some academies answer far more readily than others.
        let weights = list.map { Double($0.pupils) * (0.2 + 1.6 * setup.unit()) }
        let climate = list.map { _ in 0.35 * setup.normal() }
        let offsets = survey.questions.map { question in themeOffset(question.theme) + 0.3 * setup.normal() }
        var respondents: [Respondent] = []
        for k in (options.firstID - 1)..<(options.firstID - 1 + options.respondents) {
            var random = SeededRandom(seed: options.seed ^ (UInt64(k + 1) &* 0x2545_F491_4F6C_DD1D))
            let a = random.weighted(weights)
            let name = "\(random.pick(firstNames)) \(random.pick(surnames))"
            let email = emailAddress(name, audience: survey.audience, random: &random)
            let person = Respondent(formsID: "\(k + 1)", name: name, email: email, academy: list[a].id)
            respondents.append(person)
            let disposition = climate[a] + 0.6 * random.normal()
            var row = [person.formsID] + times(options.opens, &random) + [email, name, list[a].name]
            for (q, question) in survey.questions.enumerated() {
                row.append(answer(question, offset: offsets[q] + disposition, person: person, survey: survey,
                                  options: options, random: &random))
            }
            lines.append(csvLine(row))
        }
        return Export(csv: lines.joined(), respondents: respondents)
    }

    private static func themeOffset(_ theme: String) -> Double {
        switch theme {
        case "workload": -0.9
        case "wellbeing", "ft-4": -0.35
        case "communication": -0.15
        default: 0.1
        }
    }

    private static func answer(_ question: SurveyDefinition.Question, offset: Double, person: Respondent,
                               survey: SurveyDefinition, options: Options, random: inout SeededRandom) -> String {
        switch question.type {
        case .likert5:
            if random.chance(options.skipRate) { return "" }
            let value = Int((3.75 + offset + 0.75 * random.normal()).rounded())
            return question.labels[min(5, max(1, value)) - 1]
        case .rating, .nps:
            if random.chance(options.skipRate) { return "" }
            let points = question.labels
            let value = Int((Double(points.count) * 0.7 + offset * 2 + random.normal()).rounded())
            return points[min(points.count - 1, max(0, value))]
        case .ranking:
            var order = question.choices ?? []
            for i in order.indices.reversed() where i > 0 { order.swapAt(i, random.below(i + 1)) }
            return order.map { $0 + ";" }.joined()
        case .choice:
            let choices = question.choices ?? []
            if question.allowOther == true, random.chance(0.04) { return random.pick(otherAnswers) }
            return choices[random.weighted(choices.indices.map { 1 / pow(Double($0 + 1), 0.8) })]
        case .multi:
            let picked = (question.choices ?? []).filter { _ in random.chance(0.3) }
            let chosen = picked.isEmpty ? [random.pick(question.choices ?? [""])] : picked
            return chosen.map { $0 + ";" }.joined()
        case .text:
            guard random.chance(options.commentRate) else { return "" }
            var comment = random.pick(survey.audience == .colleagues ? colleagueComments : familyComments)
            if random.chance(options.contactRate) {
                comment += random.chance(0.5)
                    ? " Happy to talk more: \(person.email)"
                    : " Please ring me on 07700 900\(100 + random.below(900))."
            }
            return comment
        }
    }

    private static func emailAddress(_ name: String, audience: SurveyDefinition.Audience,
                                     random: inout SeededRandom) -> String {
        let parts = name.lowercased().split(separator: " ").map { $0.filter(\.isLetter) }
        switch audience {
        case .colleagues:
            return "\(parts[0]).\(parts[1])@focus-trust.co.uk"
        case .families:
            let domain = random.pick(["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com"])
            return "\(parts[0])\(parts[1])\(10 + random.below(90))@\(domain)"
        }
    }

    /// Start and completion in Forms' export format, `M/d/yy H:mm:ss`.
    private static func times(_ opens: Date, _ random: inout SeededRandom) -> [String] {
        let start = opens.addingTimeInterval(Double(random.below(14)) * 86_400 + Double(7 * 3600 + random.below(14 * 3600)))
        let end = start.addingTimeInterval(Double(180 + random.below(900)))
        return [formsTime(start), formsTime(end)]
    }

    static func formsTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%d/%d/%02d %d:%02d:%02d", c.month!, c.day!, c.year! % 100, c.hour!, c.minute!, c.second!)
    }

    /// RFC 4180 quoting where needed, CRLF line ends, as Excel writes "CSV UTF-8".
    static func csvLine(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\r\n"
    }

    static let firstNames = [
        "Amelia", "Olivia", "Aisha", "Fatima", "Sophie", "Emily", "Grace", "Hannah", "Zara", "Maryam",
        "Chloe", "Lucy", "Jessica", "Priya", "Sarah", "Rachel", "Joanne", "Helen", "Nadia", "Yasmin",
        "Oliver", "Jack", "Mohammed", "Ibrahim", "Harry", "George", "Daniel", "James", "Tom", "Ravi",
        "Adam", "Samuel", "Ali", "Matthew", "David", "Michael", "Kwame", "Tariq", "Ben", "Lewis",
    ]
    static let surnames = [
        "Hussain", "Khan", "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Ahmed", "Begum",
        "Patel", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
        "Ali", "Hall", "Green", "Wood", "Harris", "Clarke", "Jackson", "Lewis", "Shah", "Mahmood",
        "Iqbal", "Kaur", "Singh", "Murphy", "O'Brien", "Kowalski", "Nowak", "Okafor", "Mensah", "Ward",
    ]
    static let otherAnswers = ["Lunchtime supervisor", "Site manager", "Peripatetic music teacher", "Cook"]
    static let colleagueComments = [
        "The wellbeing days this year made a real difference.",
        "Marking and data deadlines all land in the same fortnight; spreading them would help.",
        "I feel trusted to try new things in my classroom.",
        "More time for subject leadership, please.",
        "The forums are brilliant for sharing ideas with other academies.",
        "Communication about changes sometimes arrives too late to plan for.",
        "Leaders are visible and approachable.",
        "Support staff training on Fridays is really valued.",
        "I would like clearer information about career progression within the trust.",
        "Behaviour has improved a lot since the new approach, thank you.",
    ]
    static let familyComments = [
        "My child loves coming to school.",
        "It would help to have more notice of events.",
        "The teachers are kind and always have time for us.",
        "Homework expectations are not always clear.",
        "The outdoor learning has been wonderful.",
        "Parking at drop-off is a problem.",
        "I would like more updates on how my child is doing in reading.",
        "The breakfast club is a lifeline for working parents.",
        "Thank you for all the support during the year.",
        "Communication through the app is much better this year.",
    ]
}
