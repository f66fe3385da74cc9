import Foundation
public import Postgres
public import SplitlaneStorage

/// A fresh, migrated database on the test server, one per test or suite, so live tests
/// can run in parallel without seeing each other's rows.
///
/// The server comes from `SPLITLANE_TEST_DATABASE_URL`, which `scripts/test.sh` sets
/// after starting a private cluster (see `scripts/lib/postgres.sh`).
public struct TestDatabase: Sendable {
    public static let serverURL = ProcessInfo.processInfo.environment["SPLITLANE_TEST_DATABASE_URL"]
    public static let isAvailable = serverURL.map { !$0.isEmpty } ?? false

    public let name: String
    public let url: String
    public let store: SplitlaneStore

    /// Creates an empty database with a unique name; migrates it unless asked not to.
    public init(migrated: Bool = true) throws {
        guard let serverURL = Self.serverURL, !serverURL.isEmpty else {
            throw TestDatabaseError(message: "SPLITLANE_TEST_DATABASE_URL is not set; run scripts/test.sh")
        }
        let admin = try Connection(serverURL)
        defer { admin.close() }

        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        name = "splitlane_test_\(suffix.prefix(20))"
        try admin.execute("CREATE DATABASE \(name)")
        url = Self.url(serverURL, database: name)
        store = try SplitlaneStore(url: url)
        if migrated { try store.migrate() }
    }

    /// The server URL with its database path replaced.
    public static func url(_ serverURL: String, database: String) -> String {
        guard var components = URLComponents(string: serverURL) else { return serverURL }
        components.path = "/" + database
        return components.string ?? serverURL
    }

    /// Runs a query on the test database and returns the first column of each row.
    public func column(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> [String?] {
        try store.connection.query(sql, parameters).rows.map { try $0.string(0) }
    }

    /// The single integer a query returns.
    public func count(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> Int {
        guard let text = try column(sql, parameters).first ?? nil, let value = Int(text) else {
            throw TestDatabaseError(message: "\(sql) returned no integer")
        }
        return value
    }
}

/// A live test's set-up failed.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
