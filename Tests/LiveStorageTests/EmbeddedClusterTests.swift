import Foundation
import Postgres
import SplitlaneStorage
import Testing

/// Creates a real cluster with the machine's PostgreSQL binaries; needs no test server.
@Suite(.enabled(if: (try? EmbeddedCluster.binDirectory()) != nil, "needs PostgreSQL binaries"))
struct EmbeddedClusterTests {
    @Test func startStopAndReuseInATemporaryDirectory() throws {
        // Directly under /tmp: the postgres user must be able to reach it when root.
        let directory = URL(fileURLWithPath: "/tmp")
            .appendingPathComponent("splitlane-cluster-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = EmbeddedCluster(directory: directory)
        #expect(try cluster.status() == .notCreated)
        defer { try? cluster.stop() }

        let url = try cluster.start()
        let port = try #require(cluster.port)
        #expect(try cluster.status() == .running(port: port))
        let store = try SplitlaneStore(url: url)
        #expect(try store.migrate() == (try Migration.bundled()).map(\.version))
        _ = try store.ingest(events: [
            OutcomeEvent(
                eventID: "e1", unitID: "u1", event: "order", value: 1,
                occurredAt: Date(timeIntervalSince1970: 1_790_000_000))
        ])
        store.connection.close()
        #expect(
            !cluster.analystURL.contains(
                try String(
                    contentsOf: directory.appendingPathComponent("password"), encoding: .utf8
                )
                .trimmingCharacters(in: .whitespacesAndNewlines)))

        try cluster.stop()
        #expect(try cluster.status() == .stopped)

        let again = try cluster.start()
        #expect(cluster.port == port)
        let reopened = try Connection(again)
        defer { reopened.close() }
        let count = try reopened.query("SELECT count(*) AS n FROM splitlane.events")
        #expect(try count.first?.int64("n") == 1)
    }

    @Test func locatorPrefersExplicitThenDatabaseURLThenLibpqEnvironment() throws {
        let unused = URL(fileURLWithPath: "/nonexistent/splitlane")
        let explicit = try DatabaseLocator(
            explicitURL: "postgresql://a/b", environment: ["DATABASE_URL": "postgresql://c/d"],
            clusterDirectory: unused
        ).resolve()
        let variable = try DatabaseLocator(
            explicitURL: nil, environment: ["DATABASE_URL": "postgresql://c/d", "PGHOST": "x"],
            clusterDirectory: unused
        ).resolve()
        let libpq = try DatabaseLocator(
            explicitURL: nil, environment: ["PGSERVICE": "analytics"], clusterDirectory: unused
        ).resolve()
        let embedded = try DatabaseLocator(
            explicitURL: nil, environment: [:], clusterDirectory: unused
        ).resolve(startingEmbedded: false)

        #expect(explicit.source == .explicit)
        #expect(explicit.conninfo == "postgresql://a/b")
        #expect(variable.source == .databaseURLVariable)
        #expect(variable.conninfo == "postgresql://c/d")
        #expect(libpq.source == .libpqEnvironment)
        #expect(libpq.conninfo == "")
        #expect(embedded.source == .embedded)
        #expect(embedded.cluster?.directory.path == "/nonexistent/splitlane")
    }
}
