import Foundation
import Glibc
import LiveTestSupport
import SplitlaneStorage
import Synchronization
import Testing

/// The real `splitlane serve` binary as a subprocess.
final class ServeProcess {
    let process = Process()
    let port: UInt16
    private let errorPipe = Pipe()

    /// The built `splitlane` next to the test bundle, or in `.build/debug`.
    static func binary() throws -> URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0])
            .deletingLastPathComponent().appendingPathComponent("splitlane")
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            beside,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("splitlane"),
            root.appendingPathComponent(".build/debug/splitlane"),
        ]
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "build the splitlane product first (swift build)")
    }

    init(databaseURL: String, experimentsPath: String) throws {
        process.executableURL = try Self.binary()
        process.arguments = [
            "serve", "--listen", "127.0.0.1:0", "--experiments", experimentsPath,
            "--database-url", databaseURL, "--threads", "2",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["SPLITLANE_API_TOKENS"] = "ignored-token, \(TestHTTPClient.token)"
        process.environment = environment
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()

        var seen = ""
        var found: UInt16?
        let handle = errorPipe.fileHandleForReading
        while found == nil {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "listening on http://127.0.0.1:") {
                let digits = seen[range.upperBound...].prefix { $0.isNumber }
                if seen[range.upperBound...].contains("\n") { found = UInt16(digits) }
            }
        }
        port = try #require(found, "serve did not report its address: \(seen)")

        // Keep draining stderr so the child never blocks on a full pipe.
        handle.readabilityHandler = { $0.availableData.isEmpty ? ($0.readabilityHandler = nil) : () }
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

@Suite(.enabled(if: TestDatabase.isAvailable, "needs SPLITLANE_TEST_DATABASE_URL"))
struct ProcessTests {
    @Test func everyAcknowledgedExposureSurvivesSIGKILL() throws {
        let database = try TestDatabase()
        let server = try ServeProcess(
            databaseURL: database.url, experimentsPath: try Fixtures.directory())
        let acknowledged = Mutex<[String: String]>([:])
        let attempts = Atomic<Int>(0)

        let port = server.port
        let group = DispatchGroup()
        for worker in 0..<8 {
            DispatchQueue.global().async(group: group) {
                for index in 0..<10_000 {
                    let unit = "k-\(worker)-\(index)"
                    attempts.add(1, ordering: .relaxed)
                    guard
                        let response = try? TestHTTPClient.post(
                            port: port, "/v1/assign",
                            json: ["experiment": "channel-test", "unit": unit]),
                        response.status == 200
                    else {
                        return
                    }
                    if response.json["recorded"] as? Bool == true, let arm = response.json["arm"] as? String {
                        acknowledged.withLock { $0[unit] = arm }
                    }
                }
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while acknowledged.withLock({ $0.count }) < 300, Date() < deadline {
            usleep(10_000)
        }
        server.signal(SIGKILL)
        group.wait()
        server.process.waitUntilExit()

        let answered = acknowledged.withLock { $0 }
        let stored = try database.exposures("channel-test")
        #expect(answered.count >= 300)
        #expect(server.process.terminationReason == .uncaughtSignal)
        for (unit, arm) in answered {
            #expect(stored[unit] == arm, "acknowledged \(unit) is missing or differs")
        }
        #expect(attempts.load(ordering: .relaxed) > answered.count)
    }

    @Test func sigtermDrainsAndExitsZero() throws {
        let database = try TestDatabase()
        let server = try ServeProcess(
            databaseURL: database.url, experimentsPath: try Fixtures.directory())
        let first = try TestHTTPClient.post(
            port: server.port, "/v1/assign", json: ["experiment": "channel-test", "unit": "t-1"])

        server.signal(SIGTERM)
        server.process.waitUntilExit()

        #expect(first.status == 200)
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        #expect(try database.exposures("channel-test").keys.contains("t-1"))
    }

    @Test func syncDryRunPrintsThePlanAndExitsOneWhenItWouldBeRefused() throws {
        let database = try TestDatabase()
        let experiments = try Fixtures.directory()
        #expect(try Self.splitlane(["sync", "--experiments", experiments, "--database-url", database.url]).status == 0)
        _ = try database.store.recordExposures([
            ExposureRecord(
                experiment: "channel-test", unit: "u-1", arm: "sms", exposedAt: Date(), source: "test")
        ])
        let digest = try database.column("SELECT digest FROM splitlane.experiments ORDER BY key")
        let salted = try Fixtures.directory([
            "channel.yaml": Fixtures.channel + "\nsalt: a-new-salt\n", "draft.yaml": Fixtures.draft,
        ])

        let clean = try Self.splitlane(
            ["sync", "--dry-run", "--experiments", experiments, "--database-url", database.url])
        let refused = try Self.splitlane(
            ["sync", "--dry-run", "--experiments", salted, "--database-url", database.url])

        #expect(clean.status == 0)
        #expect(clean.output.contains("unchanged channel-test"))
        #expect(refused.status == 1)
        #expect(refused.output.contains("would be refused channel-test"))
        #expect(refused.errors.contains("of 1 exposed units"))
        #expect(refused.errors.contains("dry run: nothing was stored"))
        #expect(try database.column("SELECT digest FROM splitlane.experiments ORDER BY key") == digest)
    }

    /// Runs the `splitlane` binary to its end; its exit status, stdout and stderr.
    /// - Parameter environment: The child's whole environment; this process's when nil.
    static func splitlane(
        _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = try ServeProcess.binary()
        process.arguments = arguments
        if let environment {
            process.environment = environment
        }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    @Test func migrateUsesTheMigrationsInTheBinaryOrSPLITLANE_SQL_DIR() throws {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "SPLITLANE_SQL_DIR")
        let embedded = try TestDatabase(migrated: false)
        let directory = try Fixtures.directory(["001_probe.sql": "CREATE TABLE probe_only (x int);"])
        let overridden = try TestDatabase(migrated: false)

        let fromBinary = try Self.splitlane(
            ["db", "migrate", "--database-url", embedded.url], environment: environment)
        environment["SPLITLANE_SQL_DIR"] = directory
        let fromDirectory = try Self.splitlane(
            ["db", "migrate", "--database-url", overridden.url], environment: environment)

        #expect(fromBinary.status == 0, "\(fromBinary.errors)")
        #expect(try embedded.count("SELECT count(*) FROM splitlane.schema_migrations") == 1)
        #expect(fromDirectory.status == 0, "\(fromDirectory.errors)")
        #expect(try overridden.count("SELECT count(*) FROM probe_only") == 0)
    }

    @Test func serveRefusesInvalidDefinitionsAndMissingTokens() throws {
        let invalid = try Fixtures.directory(["bad.yaml": "key: bad\narms: 3\n"])
        let refused = try Self.splitlane(
            [
                "serve", "--listen", "127.0.0.1:0", "--experiments", invalid,
                "--database-url", "postgresql://127.0.0.1:1/none",
            ],
            environment: ["SPLITLANE_API_TOKENS": "t"])
        let tokenless = try Self.splitlane(
            [
                "serve", "--listen", "127.0.0.1:0", "--experiments", try Fixtures.directory(),
                "--database-url", "postgresql://127.0.0.1:1/none",
            ],
            environment: [:])

        #expect(refused.status == 1)
        #expect(refused.errors.contains("bad.yaml"))
        #expect(tokenless.status == 1)
    }
}
