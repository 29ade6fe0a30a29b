import TrustDomain

/// A synthetic `directory.csv` shaped like the trust: every academy with its head and
/// deputies (who lead assessment and send the data drop), a class teacher per 30 pupils in each
/// year group, subject leads, SENCo, business manager, support staff, ECTs with mentors, new
/// starters and six to eight governors, plus the central team and the trustees. Demos and load
/// tests need a thousand realistic recipients, and real colleagues' addresses must never be
/// used for that.
///
/// Deterministic: the same academies and seed give the same file, byte for byte, on every
/// platform (its own PRNG and its own bounded-integer method, not the standard library's, whose
/// algorithm may change between releases). Every address is on `focus-trust.local`, a domain
/// that cannot exist on the internet.
public struct DirectoryGenerator: Sendable {
    public static let defaultSeed: UInt64 = 2021
    public static let domain = "focus-trust.local"

    public let academies: [Academy]
    public let seed: UInt64

    public init(academies: [Academy], seed: UInt64 = defaultSeed) {
        self.academies = academies
        self.seed = seed
    }

    /// Everyone, in file order: academy by academy as in `academies.json`, then the central team.
    public func people() -> [Person] {
        var run = Run(seed: seed)
        for academy in academies { run.staff(academy) }
        run.centralTeam()
        return run.people
    }

    /// The CSV text: header, then one line per person, `\n` line ends.
    public func csv() -> String { Self.csv(people()) }

    public static func csv(_ people: [Person]) -> String {
        var lines = [Directory.columns.joined(separator: ",")]
        for person in people {
            let roles = person.roles.map(\.rawValue).sorted().joined(separator: ";")
            lines.append([person.name, person.email, person.affiliation.description, roles, person.active ? "Y" : "N"]
                .map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// One generation pass: the PRNG and the addresses handed out so far.
    private struct Run {
        var rng: SplitMix64
        var people: [Person] = []
        var usedEmails: Set<String> = []

        init(seed: UInt64) { rng = SplitMix64(seed: seed) }

        mutating func staff(_ academy: Academy) {
            let id = academy.id
            let host = "\(id.rawValue).\(DirectoryGenerator.domain)"
            add(host, .academy(id), [.headteacher])
            // A deputy leads assessment and sends the data drop; large schools share it.
            add(host, .academy(id), [.deputy, .dsl, .dataLead])
            if academy.pupils >= 500 { add(host, .academy(id), [.deputy, .dataLead]) }

            // A class per 30 pupils in each year group; nursery places are mostly part-time,
            // so a school with a nursery spreads its roll over seven and a half year groups.
            let perYear = Double(academy.pupils) / (academy.includesNursery ? 7.5 : 7)
            let classes = max(1, Int((perYear / 30).rounded()))
            let years: [Role] = [.teacherR, .teacherY1, .teacherY2, .teacherY3, .teacherY4, .teacherY5, .teacherY6]
            var teachers = years.flatMap { year in (0..<classes).map { _ in Set([year]) } }
            teachers[0].insert(.eyfsLead)
            // Subject leads and ECTs are class teachers too; each ECT has a different mentor.
            var free = Array(classes..<teachers.count)
            for lead in [Role.englishLead, .mathsLead, .curriculumLead] {
                teachers[free.remove(at: rng.below(free.count))].insert(lead)
            }
            for n in 0..<max(1, teachers.count / 7) where free.count >= 2 {
                // Alternate induction years without a PRNG draw, so everyone else is unchanged.
                teachers[free.remove(at: rng.below(free.count))].formUnion([.ect, n % 2 == 0 ? .ectYear1 : .ectYear2])
                teachers[free.remove(at: rng.below(free.count))].insert(.ectMentor)
            }
            for roles in teachers { add(host, .academy(id), roles) }
            add(host, .academy(id), [.senco])
            add(host, .academy(id), [.businessManager])
            // Teaching assistants, lunchtime, office, site and kitchen staff.
            // The first is a trainee teacher with an ECT post from next September.
            for n in 0..<(classes * years.count * 5 / 2 + 8) {
                add(host, .academy(id), n == 0 ? [.supportStaff, .ectIncoming] : [.supportStaff])
            }
            for _ in 0..<(1 + rng.below(3)) { add(host, .academy(id), [.newStaff]) }
            for _ in 0..<(6 + rng.below(3)) { add(host, .academy(id), [.governor]) }
            // Leavers stay in the file, marked inactive, until someone tidies it.
            for _ in 0..<(1 + rng.below(3)) {
                add(host, .academy(id), [rng.below(2) == 0 ? .supportStaff : years[rng.below(years.count)]], active: false)
            }
        }

        mutating func centralTeam() {
            // The first two run the workers and receive their alerts.
            let roles: [Set<Role>] = [[.centralTeam, .operator], [.centralTeam, .operator]]
                + Array(repeating: [.centralTeam], count: 12)
                + [[.centralTeam, .dataManager], [.centralTeam, .dataManager], [.dataManager]]
            for set in roles { add(DirectoryGenerator.domain, .central, set) }
            add(DirectoryGenerator.domain, .central, [.centralTeam], active: false)
            // The Trust Board: they read the termly report.
            for _ in 0..<8 { add(DirectoryGenerator.domain, .central, [.trustee]) }
        }

        mutating func add(_ host: String, _ affiliation: Affiliation, _ roles: Set<Role>, active: Bool = true) {
            let first = Names.first[rng.below(Names.first.count)]
            let last = Names.last[rng.below(Names.last.count)]
            let local = "\(Names.ascii(first)).\(Names.ascii(last))"
            var email = "\(local)@\(host)"
            var n = 2
            while usedEmails.contains(email) {
                email = "\(local)\(n)@\(host)"
                n += 1
            }
            usedEmails.insert(email)
            people.append(Person(name: "\(first) \(last)", email: email, affiliation: affiliation,
                                 roles: roles, active: active))
        }
    }
}

/// Names reflecting the trust's communities in Greater Manchester, West Yorkshire and
/// Cheshire, including a few with letters outside ASCII so every mail path meets them.
enum Names {
    static let first = [
        "Aisha", "Amira", "Fatima", "Zainab", "Maryam", "Hannah", "Emily", "Olivia", "Sophie", "Chloe",
        "Jessica", "Rebecca", "Laura", "Sarah", "Rachel", "Claire", "Helen", "Joanne", "Nicola", "Gemma",
        "Kirsty", "Priya", "Anjali", "Nadia", "Yasmin", "Sadia", "Ayesha", "Siobhán", "Zoë", "Agnieszka",
        "Magdalena", "Ngozi", "Grace", "Megan", "Lucy", "Katie", "Amy", "Eleanor", "Ruth", "Mohammed",
        "Imran", "Bilal", "Hamza", "Usman", "Tariq", "Adeel", "James", "Thomas", "Daniel", "Matthew",
        "Christopher", "Andrew", "David", "Michael", "Richard", "Paul", "Mark", "Stephen", "Gareth", "Rhys",
        "Liam", "Ryan", "Ben", "Sam", "Joe", "Łukasz", "Piotr", "Tomasz", "Kwame", "Darren",
    ]
    static let last = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
        "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "King", "Harrison",
        "Lee", "Shaw", "Holt", "Barker", "Whitehead", "Ashworth", "Greenwood", "Sutcliffe", "Hargreaves", "Crossley",
        "Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Begum", "Iqbal", "Patel", "Mahmood", "Rashid",
        "Chaudhry", "Malik", "Shah", "Nowak", "Kowalczyk", "Wójcik", "O'Neill", "O'Brien", "Murphy", "Okafor",
        "Mensah", "Nguyen", "Brontë", "Sánchez",
    ]

    private static let folded: [Character: String] = [
        "á": "a", "ą": "a", "é": "e", "ë": "e", "ó": "o", "ł": "l", "Ł": "l", "ś": "s", "ż": "z",
    ]

    /// Lower-case ASCII for an address: letters outside ASCII folded, apostrophes dropped.
    static func ascii(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if let plain = folded[ch] { out += plain } else if ch.isASCII && (ch.isLetter || ch == "-") { out.append(ch) }
        }
        return out
    }
}
