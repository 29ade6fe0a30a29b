import Foundation
import TrustDomain
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
        default: throw UsageError("usage: trustctl demo data|directory|survey …")
        }
    }

    static func data(_ args: Arguments, _ settings: Settings) throws {
        try args.allowOnly(["out", "seed", "year", "scale"])
        let out = URL(fileURLWithPath: try args.required("out"), isDirectory: true)
        let seed = UInt64(try args.int("seed", default: 2021))
        let year = try args.int("year", default: 2021)
        let scale = try args.int("scale", default: 1)
        guard (1...20).contains(scale) else { throw UsageError("--scale must be 1–20") }
        let config = try TrustConfig(directory: settings.configDirectory)
        let files = DropDataGenerator(seed: seed, catalog: config.academies, scale: scale).files(startYear: year)
        try write(files.map { ("drops/\($0.filename)", $0.bytes) }, under: out)
        print("wrote \(files.count) data-drop files under \(out.appendingPathComponent("drops").path)")
    }

    /// Writes generated files, creating folders; each file is replaced whole.
    static func write(_ files: [(String, [UInt8])], under root: URL) throws {
        for (name, bytes) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        }
    }
}
