import Foundation
import HTTPServer
import LiveTestSupport
import Postgres
import SplitlaneService
import SplitlaneStorage
import Synchronization
import Testing

extension TestDatabase {
    /// The recorded arm of each unit of an experiment.
    func exposures(_ experiment: String) throws -> [String: String] {
        let rows = try store.connection.query(
            "SELECT unit_id, arm FROM splitlane.exposures WHERE experiment = $1", [experiment])
        var arms: [String: String] = [:]
        for row in rows.rows {
            arms[try row.requiredString("unit_id")] = try row.requiredString("arm")
        }
        return arms
    }
}

/// Experiment definitions written to a temporary directory.
enum Fixtures {
    static let channel = """
        key: channel-test
        name: Channel test
        owner: qa
        unit: delivery
        status: running
        arms:
          - { key: email, control: true }
          - { key: sms }
        overrides: { qa-unit: sms }
        eligibility:
          blocked: { exists: false }
        metrics:
          - { key: responded, type: proportion, event: survey_response, window: 7d, primary: true }
        segments: [region]
        """

    static let draft = """
        key: draft-test
        name: Draft
        unit: account
        status: draft
        arms:
          - { key: a, control: true }
          - { key: b }
        metrics:
          - { key: orders, type: mean, event: order, aggregate: count, window: 30d }
        """

    /// A new directory holding the given files.
    static func directory(_ files: [String: String] = ["channel.yaml": channel, "draft.yaml": draft])
        throws -> String
    {
        let path = NSTemporaryDirectory() + "splitlane-service-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
        return path
    }
}

/// A running service on a free port with its log lines collected.
final class ServiceHarness: Sendable {
    let service: SplitlaneService
    let port: UInt16
    let experimentsPath: String
    private let collected: LineCollector

    init(databaseURL: String, experimentsPath: String? = nil, threads: Int = 2) throws {
        let path = try experimentsPath ?? Fixtures.directory()
        let lines = LineCollector()
        let logger = LogfmtLogger { line in lines.append(line) }
        let configuration = SplitlaneService.Configuration(
            port: 0, threads: threads, experimentsPath: path, databaseURL: databaseURL,
            tokens: ["other-token", TestHTTPClient.token], drainTimeout: .seconds(5))
        service = try SplitlaneService(configuration: configuration, logger: logger)
        try service.start()
        port = try #require(service.port)
        self.experimentsPath = path
        collected = lines
    }

    var logLines: [String] { collected.lines }

    func get(_ path: String, token: String? = TestHTTPClient.token) throws -> TestResponse {
        try TestHTTPClient.request(port: port, "GET", path, contentType: nil, token: token)
    }

    func post(_ path: String, json: Any) throws -> TestResponse {
        try TestHTTPClient.post(port: port, path, json: json)
    }

    func post(_ path: String, bytes: [UInt8], contentType: String? = "application/json")
        throws -> TestResponse
    {
        try TestHTTPClient.request(port: port, "POST", path, body: bytes, contentType: contentType)
    }

    deinit {
        service.stop()
    }
}

/// Log lines gathered from any thread.
final class LineCollector: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    var lines: [String] { storage.withLock { $0 } }
}
