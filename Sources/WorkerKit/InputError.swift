import Store

/// A person's mistake: bad input (a file, an id, a date), a command called wrongly, a setting
/// or config that cannot work. Exit code 1 with a message that says what to fix, as opposed
/// to a system failure (exit code 2).
public struct InputError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The runtime's own schema, public so operator tools can migrate a database before any
/// worker has started.
public enum WorkerRuntime {
    public static var migrations: [Migration] { RuntimeSchema.migrations }
}
