import WorkerKit

/// The commands one area adds to trustctl: their usage lines and what runs for each verb.
struct CommandGroup: Sendable {
    var usage: String
    var commands: [String: @Sendable (Arguments, Settings) throws -> Void]
}
