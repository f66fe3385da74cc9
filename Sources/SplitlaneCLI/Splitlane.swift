public import Foundation
import Postgres
import SplitlaneDefinitions
import SplitlaneStorage

/// One command of the `splitlane` tool.
protocol Command {
    static var spec: CommandSpec { get }
    /// Runs the command and returns its exit status; throws ``CLIError`` for a
    /// failure and ``UsageError`` for a command line that does not fit.
    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32
}

/// What a running command can read and write.
struct CommandContext {
    var console: Console
    var environment: [String: String]

    /// The definitions directory: `--experiments`, else `SPLITLANE_EXPERIMENTS`,
    /// else `experiments/`.
    func experimentsPath(_ arguments: ParsedArguments) -> String {
        arguments.value("experiments") ?? environment["SPLITLANE_EXPERIMENTS"] ?? "experiments"
    }

    /// Loads and validates the definitions directory, or fails with every error.
    ///
    /// - Parameter paths: Files or directories; the definitions directory when empty.
    func loadCatalog(_ arguments: ParsedArguments, paths: [String] = []) throws -> ExperimentCatalog {
        let paths = paths.isEmpty ? [experimentsPath(arguments)] : paths
        do {
            return try DefinitionLoader().loadCatalog(paths: paths)
        } catch {
            let count = error.errors.count
            throw CLIError(
                "\(count) error\(count == 1 ? "" : "s") in \(paths.joined(separator: ", ")); "
                    + "nothing is loaded until all are fixed",
                details: error.errors.map(\.description))
        }
    }

    /// Where the database is: `--database-url`, else `DATABASE_URL`, else libpq's
    /// own `PG*` variables, else the embedded cluster under `.splitlane/`.
    func databaseLocator(_ arguments: ParsedArguments) -> DatabaseLocator {
        DatabaseLocator(explicitURL: arguments.value("database-url"), environment: environment)
    }

    /// The libpq connection string, starting the embedded cluster when it is the
    /// one in use. Never print it: it may hold a password.
    func databaseURL(_ arguments: ParsedArguments) throws -> String {
        try storageCall { try databaseLocator(arguments).resolve().conninfo }
    }

    /// Opens the database and brings its schema up to date, so every command that
    /// needs the database works on a fresh machine without a separate migrate step.
    func openStore(_ arguments: ParsedArguments) throws -> SplitlaneStore {
        try storageCall {
            let store = try databaseLocator(arguments).connect()
            try store.migrate()
            return store
        }
    }

    /// Runs a storage call and turns its errors into messages for the terminal.
    func storageCall<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StorageError {
            throw CLIError(error.description)
        } catch let error as PostgresError {
            throw CLIError(error.description)
        }
    }

    /// Loads one experiment by key from the definitions directory.
    func loadExperiment(_ key: String, _ arguments: ParsedArguments) throws -> ExperimentDefinition {
        let catalog = try loadCatalog(arguments)
        guard let experiment = catalog[key] else {
            let known = catalog.experiments.map(\.key)
            var message = "no experiment \"\(key)\" in \(experimentsPath(arguments))"
            if let hint = ArgumentParser.closest(key, among: known) {
                message += "; did you mean \"\(hint)\"?"
            } else if !known.isEmpty {
                message += " (known: \(known.joined(separator: ", ")))"
            }
            throw CLIError(message)
        }
        return experiment
    }
}

/// The `splitlane` command-line tool.
public enum Splitlane {
    /// The version `--version` prints.
    public static let version = "0.1.0"

    static var commands: [any Command.Type] {
        [
            ValidateCommand.self,
            AssignCommand.self,
            DatabaseMigrateCommand.self,
            DatabaseStatusCommand.self,
            DatabaseStartCommand.self,
            DatabaseStopCommand.self,
            SyncCommand.self,
            IngestCommand.self,
            ReadoutCommand.self,
            PowerCommand.self,
            ServeCommand.self,
            SimulateCommand.self,
        ]
    }

    /// Runs the tool with the process's arguments (without the program name) and
    /// returns the exit status: 0 on success, 2 on a usage error, 1 otherwise.
    public static func main(
        _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Int32 {
        let console = Console(environment: environment)
        defer { console.flush() }

        if arguments.first == "--version" {
            console.write("splitlane \(version)\n")
            return 0
        }
        guard let first = arguments.first, first != "--help", first != "-h", first != "help" else {
            console.write(overview())
            return 0
        }
        guard let command = match(arguments) else {
            var message = "unknown command \"\(first)\""
            let names = Set(commands.map { $0.spec.path[0] })
            if let hint = ArgumentParser.closest(first, among: Array(names)) {
                message += "; did you mean \"\(hint)\"?"
            }
            console.error(message + " (see splitlane --help)")
            return 2
        }

        let spec = command.spec
        let rest = Array(arguments.dropFirst(spec.path.count))
        if rest.contains("--help") || rest.contains("-h") {
            console.write(HelpFormatter.help(for: spec))
            return 0
        }
        let context = CommandContext(console: console, environment: environment)
        do {
            let parsed = try ArgumentParser.parse(rest, as: spec)
            return try command.run(parsed, context: context)
        } catch let error as UsageError {
            console.flush()
            let name = (["splitlane"] + spec.path).joined(separator: " ")
            console.error("\(error.message)\nsee: \(name) --help")
            return 2
        } catch let error as CLIError {
            console.flush()
            // Details first, like a compiler: the summary line ends the output.
            for line in error.details { console.message(line) }
            console.error(error.message)
            return 1
        } catch {
            console.flush()
            console.error("\(error)")
            return 1
        }
    }

    private static func match(_ arguments: [String]) -> (any Command.Type)? {
        commands
            .filter { arguments.starts(with: $0.spec.path) }
            .max { $0.spec.path.count < $1.spec.path.count }
    }

    private static func overview() -> String {
        var lines = [
            "splitlane \(version): experiments and recovery offers for last-mile NPS programs.",
            "",
            "USAGE: splitlane COMMAND [OPTIONS]",
            "",
            "COMMANDS:",
        ]
        for command in commands {
            let name = command.spec.path.joined(separator: " ")
            let padded = name + String(repeating: " ", count: max(1, 14 - name.count))
            lines.append("  " + padded + command.spec.abstract)
        }
        lines += ["", "Run `splitlane COMMAND --help` for a command's options and examples."]
        return lines.joined(separator: "\n") + "\n"
    }
}
