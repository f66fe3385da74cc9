public import Foundation

/// Decides which database a command uses, in the order of SPEC §3: an explicit URL
/// (`--database-url`), else `DATABASE_URL`, else libpq's own `PG*` environment
/// variables, else the embedded cluster under `.splitlane/`, started on demand.
public struct DatabaseLocator: Sendable {
    /// Where a resolved database came from.
    public enum Source: Sendable, Equatable {
        /// `--database-url`.
        case explicit
        /// The `DATABASE_URL` environment variable.
        case databaseURLVariable
        /// libpq's `PGHOST`, `PGDATABASE`, `PGSERVICE`, … variables.
        case libpqEnvironment
        /// The embedded cluster.
        case embedded
    }

    /// A database to connect to.
    public struct Resolution: Sendable {
        /// What to hand to ``SplitlaneStore/init(url:)``; may hold a password, so
        /// never print it.
        public var conninfo: String
        public var source: Source
        /// The embedded cluster, when that is the source.
        public var cluster: EmbeddedCluster?

        /// A description safe to show: where the database came from, without secrets.
        public var displayDescription: String {
            switch source {
            case .explicit: return "--database-url"
            case .databaseURLVariable: return "DATABASE_URL"
            case .libpqEnvironment: return "libpq environment (PG* variables)"
            case .embedded: return "embedded cluster at \(cluster?.analystURL ?? "")"
            }
        }
    }

    /// libpq variables that, when any is set, mean the user chose a server.
    public static let libpqVariables = [
        "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE",
        "PGSERVICEFILE",
    ]

    public var explicitURL: String?
    public var environment: [String: String]
    public var cluster: EmbeddedCluster

    /// A locator for a command's `--database-url` value (or `nil`), the process
    /// environment, and the embedded cluster directory (default `.splitlane/`).
    public init(
        explicitURL: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clusterDirectory: URL? = nil
    ) {
        self.explicitURL = explicitURL
        self.environment = environment
        self.cluster = EmbeddedCluster(directory: clusterDirectory)
    }

    /// Picks the database; with the embedded cluster, starts it (creating it on first
    /// use) unless `startingEmbedded` is false.
    public func resolve(startingEmbedded: Bool = true) throws -> Resolution {
        if let explicitURL, !explicitURL.isEmpty {
            return Resolution(conninfo: explicitURL, source: .explicit)
        }
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            return Resolution(conninfo: url, source: .databaseURLVariable)
        }
        if Self.libpqVariables.contains(where: { !(environment[$0] ?? "").isEmpty }) {
            return Resolution(conninfo: "", source: .libpqEnvironment)
        }
        if startingEmbedded { try cluster.start() }
        return Resolution(conninfo: cluster.connectionString, source: .embedded, cluster: cluster)
    }

    /// Resolves, connects and returns a store.
    ///
    /// - Parameter migratingEmbedded: Whether to apply pending migrations when the
    ///   database is the embedded cluster, so that a first `splitlane` command works
    ///   without `db migrate`. Servers named by the user are never migrated here.
    public func connect(migratingEmbedded: Bool = true) throws -> SplitlaneStore {
        let resolution = try resolve()
        let store = try SplitlaneStore(url: resolution.conninfo)
        if migratingEmbedded, resolution.source == .embedded {
            try store.migrate()
        }
        return store
    }
}
