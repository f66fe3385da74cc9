import Foundation
import SplitlaneStorage

/// `splitlane db migrate`: applies pending migrations; a second run changes nothing.
enum DatabaseMigrateCommand: Command {
    static let spec = CommandSpec(
        path: ["db", "migrate"],
        abstract: "Apply pending schema migrations (idempotent).",
        options: [.databaseURL],
        examples: ["splitlane db migrate", "splitlane db migrate --database-url postgresql://localhost/crm"]
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let applied: [Int] = try context.storageCall {
            try context.databaseLocator(arguments).connect().migrate()
        }
        if applied.isEmpty {
            context.console.write("schema is up to date; nothing applied\n")
        } else {
            let versions = applied.map { String(format: "%03d", $0) }.joined(separator: ", ")
            context.console.write("applied \(applied.count) migration(s): \(versions)\n")
        }
        return 0
    }
}

/// `splitlane db status`: where the database is, and which migrations it has.
enum DatabaseStatusCommand: Command {
    static let spec = CommandSpec(
        path: ["db", "status"],
        abstract: "Show which database is used, its psql URL, and its migrations.",
        options: [.databaseURL],
        examples: ["splitlane db status", "splitlane db status --database-url postgresql://db/crm"],
        discussion: "With the embedded cluster, prints the URL an analyst can give psql."
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let locator = context.databaseLocator(arguments)
        let resolution = try context.storageCall { try locator.resolve(startingEmbedded: false) }
        var lines = ["database: \(resolution.displayDescription)"]

        if let cluster = resolution.cluster {
            let status = try context.storageCall { try cluster.status() }
            let state: String
            switch status {
            case .notCreated: state = "not created yet"
            case .stopped: state = "stopped"
            case .running(let port): state = "running on port \(port)"
            }
            lines.append("embedded cluster: \(state) (\(cluster.directory.path))")
            guard case .running = status else {
                lines.append("start it with `splitlane db start` (any command that needs it starts it too)")
                context.console.write(lines.joined(separator: "\n") + "\n")
                return 0
            }
            lines.append("psql URL: \(cluster.analystURL)")
        }

        let schema = try context.storageCall { try SplitlaneStore(url: resolution.conninfo).schemaStatus() }
        let applied = schema.applied.map { String(format: "%03d", $0.version) }.joined(separator: ", ")
        lines.append("migrations applied: \(applied.isEmpty ? "none" : applied)")
        if !schema.pending.isEmpty {
            let pending = schema.pending.map { String(format: "%03d", $0.version) }.joined(separator: ", ")
            lines.append("migrations pending: \(pending) (run `splitlane db migrate`)")
        }
        if !schema.unknown.isEmpty {
            lines.append("database is ahead of this build: unknown versions \(schema.unknown)")
        }
        context.console.write(lines.joined(separator: "\n") + "\n")
        return 0
    }
}

/// `splitlane db start`: creates (first time) and starts the embedded cluster.
enum DatabaseStartCommand: Command {
    static let spec = CommandSpec(
        path: ["db", "start"],
        abstract: "Create and start the embedded PostgreSQL cluster under .splitlane/.",
        examples: ["splitlane db start"],
        discussion: """
            The embedded cluster runs from the machine's PostgreSQL binaries (as the \
            postgres user when run as root) and listens on a Unix socket in .splitlane/ \
            and a free loopback port.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let cluster = EmbeddedCluster()
        if context.console.isErrorTerminal { context.console.message("starting the embedded cluster…") }
        _ = try context.storageCall { try cluster.start() }
        context.console.write("embedded cluster running; psql URL: \(cluster.analystURL)\n")
        return 0
    }
}

/// `splitlane db stop`: stops the embedded cluster.
enum DatabaseStopCommand: Command {
    static let spec = CommandSpec(
        path: ["db", "stop"],
        abstract: "Stop the embedded PostgreSQL cluster.",
        examples: ["splitlane db stop"]
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        try context.storageCall { try EmbeddedCluster().stop() }
        context.console.write("embedded cluster stopped\n")
        return 0
    }
}
