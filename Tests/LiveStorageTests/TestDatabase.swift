import Foundation
import Postgres
import SplitlaneStorage
import Testing

/// A fresh database on the test server, one per test, so tests can run in parallel.
///
/// The server comes from `SPLITLANE_TEST_DATABASE_URL` (see `scripts/lib/postgres.sh`).
struct TestDatabase {
    static let serverURL = ProcessInfo.processInfo.environment["SPLITLANE_TEST_DATABASE_URL"]
    static let isAvailable = serverURL.map { !$0.isEmpty } ?? false

    let name: String
    let url: String
    let store: SplitlaneStore

    /// Creates an empty database with a unique name; migrates it unless asked not to.
    init(migrated: Bool = true) throws {
        let serverURL = try #require(Self.serverURL)
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
    static func url(_ serverURL: String, database: String) -> String {
        guard var components = URLComponents(string: serverURL) else { return serverURL }
        components.path = "/" + database
        return components.string ?? serverURL
    }

    /// Runs a query on the test database and returns the first column of each row.
    func column(_ sql: String, _ parameters: [any PostgresBindable] = []) throws -> [String?] {
        try store.connection.query(sql, parameters).rows.map { try $0.string(0) }
    }

    /// The single integer a query returns.
    func count(_ sql: String) throws -> Int {
        let text = try #require(try column(sql).first ?? nil)
        return try #require(Int(text))
    }
}
