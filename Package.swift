// swift-tools-version:6.0
// Focus-Trust background workers. No package dependencies by design: only Foundation,
// Dispatch and the system C libraries (rabbitmq-c, SQLite, OpenSSL's libcrypto, libcurl, zlib).
import PackageDescription

let package = Package(
    name: "FocusTrust",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trustctl", targets: ["trustctl"]),
        .executable(name: "DataDropWorker", targets: ["DataDropWorker"]),
        .executable(name: "SurveyWorker", targets: ["SurveyWorker"]),
        .executable(name: "NewsletterWorker", targets: ["NewsletterWorker"]),
        .executable(name: "ReminderWorker", targets: ["ReminderWorker"]),
        .executable(name: "Scheduler", targets: ["Scheduler"]),
    ],
    targets: [
        // System libraries, found through pkg-config on Debian.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq",
                       providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // Swift cannot call C variadic functions such as amqp_login; this shim wraps them.
        .target(name: "CAMQPShim", dependencies: ["CRabbitMQ"]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        // curl_easy_setopt is variadic too.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        // Raw inflate for the .xlsx reader: a pure bytes-to-bytes function, so the domain may use it.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure domain: no I/O, heavily unit-tested. zlib only inflates bytes in memory.
        .target(name: "TrustDomain", dependencies: ["CZlib"]),
        // Seeded synthetic inputs (drops, directory, Forms exports) for trustctl's `demo`
        // commands and the tests; the workers do not link it.
        .target(name: "TrustFixtures", dependencies: ["TrustDomain"]),
        // Plumbing.
        .target(name: "Store", dependencies: ["CSQLite"]),
        .target(name: "Broker", dependencies: ["CRabbitMQ", "CAMQPShim"]),
        .target(name: "WorkerKit", dependencies: ["Broker", "Store", "TrustDomain"]),
        .target(name: "Mail", dependencies: ["CCurl", "CCurlShim", "TrustDomain"]),
        // The workers' message handlers and the operator commands' logic: domain + plumbing.
        .target(name: "TrustWorkers",
                dependencies: ["TrustDomain", "Store", "Broker", "WorkerKit", "Mail", "CCrypto"]),

        // Thin executables.
        .executableTarget(name: "trustctl",
                          dependencies: ["TrustDomain", "TrustFixtures", "Broker", "Store", "WorkerKit",
                                         "TrustWorkers"],
                          path: "Workers/trustctl"),
        .executableTarget(name: "DataDropWorker", dependencies: ["WorkerKit", "TrustWorkers"],
                          path: "Workers/DataDropWorker"),
        .executableTarget(name: "SurveyWorker", dependencies: ["WorkerKit", "TrustWorkers"],
                          path: "Workers/SurveyWorker"),
        .executableTarget(name: "NewsletterWorker", dependencies: ["WorkerKit", "TrustWorkers"],
                          path: "Workers/NewsletterWorker"),
        .executableTarget(name: "ReminderWorker", dependencies: ["WorkerKit", "TrustWorkers"],
                          path: "Workers/ReminderWorker"),
        .executableTarget(name: "Scheduler", dependencies: ["WorkerKit", "TrustWorkers", "Broker"],
                          path: "Workers/Scheduler"),

        // Fixture for the runtime's fault tests and benchmark; not shipped.
        .executableTarget(name: "RuntimeProbe", dependencies: ["Broker", "Store", "WorkerKit", "TrustWorkers"],
                          path: "Tests/RuntimeProbe"),

        // The .xlsx and CSV reader's side of `scripts/bench xlsx`; not shipped.
        .executableTarget(name: "TableBench", dependencies: ["TrustDomain"], path: "Tests/TableBench"),

        // The tests' handle on scripts/smtp-sink, the one SMTP server of the demo, benchmarks
        // and tests; shared by MailTests and TrustWorkersTests, not shipped.
        .target(name: "SMTPSinkSupport", path: "Tests/SMTPSinkSupport"),

        .testTarget(name: "TrustDomainTests", dependencies: ["TrustDomain", "TrustFixtures"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        // The security tests check the trust's own topology and academy accounts.
        .testTarget(name: "BrokerTests", dependencies: ["Broker", "TrustWorkers"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", "TrustDomain", "SMTPSinkSupport"]),
        .testTarget(name: "TrustWorkersTests",
                    dependencies: ["TrustWorkers", "TrustDomain", "TrustFixtures", "WorkerKit", "Broker",
                                   "Store", "Mail", "SMTPSinkSupport"]),
        .testTarget(name: "WorkerKitTests", dependencies: ["WorkerKit", "Broker", "Store", "TrustDomain"]),
    ],
    swiftLanguageModes: [.v6]
)
