import Foundation
import TrustDomain
import TrustFixtures
import TrustWorkers
import WorkerKit

enum DemoCommands {
    static let group = CommandGroup(
        usage: """
              demo data --out DIR [--seed N] [--year YYYY] [--scale K]
                                    seed-shaped synthetic drops (15 academies × 3 terms),
                                    directory, colleague survey export and news items
              demo directory --out FILE [--seed N]
                                    a synthetic Config/directory.csv (1,000+ people)
              demo survey --out FILE [--survey ID] [--responses N] [--seed N] [--first-id N]
                                    a synthetic Microsoft Forms export
            """,
        commands: ["demo": demo])

    static func demo(_ args: Arguments, _ settings: Settings) throws {
        switch args.positionals.dropFirst().first {
        case "data": try data(args, settings)
        case "directory": try NewsCommands.demoDirectory(args, settings)
        case "survey": try SurveyCommands.demoSurvey(args, settings)
        default: throw InputError("usage: trustctl demo data|directory|survey …")
        }
    }

    static func data(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["out", "seed", "year", "scale"])
        let out = URL(fileURLWithPath: try args.required("out"), isDirectory: true)
        let seed = UInt64(try args.int("seed", default: 2021))
        let year = try args.int("year", default: 2021)
        let scale = try args.int("scale", default: 1)
        guard (1...20).contains(scale) else { throw InputError("--scale must be 1–20") }
        let config = try TrustConfig(directory: settings.configDirectory)
        let files = DropDataGenerator(seed: seed, catalog: config.academies, scale: scale).files(startYear: year)
        try write(files.map { ("drops/\($0.filename)", $0.bytes) }, under: out)
        print("wrote \(files.count) data-drop files under \(out.appendingPathComponent("drops").path)")
        let people = DirectoryGenerator(academies: config.academies.academies, seed: DirectoryGenerator.defaultSeed).people()
        try write([("directory.csv", Array(DirectoryGenerator.csv(people).utf8))], under: out)
        print("wrote \(people.count) people to \(out.appendingPathComponent("directory.csv").path)")
        try write(newsItems.enumerated().map { i, item in
            (String(format: "news/%02d-%@.md", i + 1, item.category), Array(item.body.utf8))
        }, under: out)
        let manifest = newsItems.enumerated().map { i, item in
            // Line breaks in a title are written as \r and \n so each item stays one line.
            [String(format: "%02d-%@.md", i + 1, item.category), item.day, item.category,
             item.title.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n"),
             newsEventDates[item.title] ?? ""]
                .joined(separator: "\t")
        }.joined(separator: "\n") + "\n"
        try write([("news/items.tsv", Array(manifest.utf8))], under: out)
        print("wrote \(newsItems.count) news items under \(out.appendingPathComponent("news").path)")
    }

    /// A term's worth of FAcT items, in the trust's own themes (its values, FT-1 to FT-5, the
    /// forums), with the day each is sent in for the demo. Deliberately including one whose
    /// title carries a line break and a Bcc, and a body with markup to escape.
    static let newsItems: [(day: String, category: String, title: String, body: String)] = [
        ("2021-09-01", "trust-news", "Welcome back: Learning together, making the difference",
         "Welcome to the new academic year.\n\nOur five priorities for 21-22 (**FT-1 to FT-5**) are shared with children, colleagues and families. Care, Dare, Fair, Share."),
        ("2021-09-06", "teaching-and-learning", "Subject leader forums start this month",
         "The *English*, *Mathematics* and *Curriculum/Pedagogy* Leaders Forums meet in September.\n\n- English: 16 September\n- Maths: 23 September"),
        ("2021-09-14", "celebrations", "Welcome to our new ECTs",
         "A warm welcome to the Early Career Teachers joining our academies. Details of the programme are on the [Learning Together website](https://learning.focus-trust.co.uk)."),
        ("2021-09-20", "wellbeing", "Healthy Schools: wellbeing for all (FT-4)",
         "Prioritise the social, emotional and mental health of our staff: please look after yourselves and each other."),
        ("2021-10-04", "governance", "Governors Forum\r\nBcc: everyone@example.com",
         "Governors will receive the agenda in their Microsoft Team. <script>alert('not run')</script>"),
        ("2021-10-11", "teaching-and-learning", "IPOPs: Explaining and Modelling",
         "The autumn IPOPs sessions for each year group begin on 14 October with Year 6."),
        ("2021-10-25", "trust-news", "INSET day on 1 November",
         "All staff: INSET on **Monday 1 November**."),
        ("2021-11-02", "wellbeing", "Support staff training: Effective Behaviour Management",
         "Four virtual sessions in November, 09:30 to 10:30."),
        ("2021-11-15", "dates", "Autumn data drop: files due the week of 22 November",
         "Please send your academy's autumn data drop in the week of 22 November. The Board's termly RAG report follows."),
        ("2021-11-29", "celebrations", "Oracy champions share their work",
         "Thank you to the oracy champions who presented at the Leaders Forum."),
        ("2021-12-06", "vacancies", "Central team: Education Director",
         "We are looking for an Education Director to join our small Central Team."),
    ]

    /// The day an item is about, for those that announce one: the demo's issues then show
    /// what has passed under "Since the last issue" (the items.tsv fifth column).
    static let newsEventDates: [String: String] = [
        "Subject leader forums start this month": "2021-09-16",
        "IPOPs: Explaining and Modelling": "2021-10-14",
        "INSET day on 1 November": "2021-11-01",
        "Support staff training: Effective Behaviour Management": "2021-11-05",
        "Autumn data drop: files due the week of 22 November": "2021-11-22",
    ]

    /// Writes generated files, creating folders; each file is replaced whole.
    static func write(_ files: [(String, [UInt8])], under root: URL) throws {
        for (name, bytes) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        }
    }
}
