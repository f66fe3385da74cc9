import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import Testing

@testable import SplitlaneCLI

/// The real `splitlane` binary, run as a user would: arguments, stdin, exit status,
/// and what lands on stdout and stderr.
@Suite("The splitlane command line")
struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary() throws -> URL {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("splitlane"),
            root.appendingPathComponent(".build/debug/splitlane"),
        ]
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "build the splitlane product first")
    }

    static func run(_ arguments: [String], stdin: String = "") throws -> Run {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "SPLITLANE_EXPERIMENTS")
        process.environment = environment

        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func versionAndUnknownCommands() throws {
        let version = try Self.run(["--version"])
        let typo = try Self.run(["valdate"])

        #expect(version.status == 0)
        #expect(version.stdout == "splitlane \(Splitlane.version)\n")
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown command \"valdate\"; did you mean \"validate\"?"))
    }

    @Test func everyCommandHasHelpWithExamples() throws {
        for command in Splitlane.commands {
            let run = try Self.run(command.spec.path + ["--help"])
            #expect(run.status == 0, "\(command.spec.path)")
            let examples = run.stdout.components(separatedBy: "EXAMPLES:\n").last ?? ""
            #expect(run.stdout.contains("EXAMPLES:\n"), "\(command.spec.path)")
            #expect(examples.contains("splitlane \(command.spec.path.joined(separator: " "))"))
            let prose = run.stdout.components(separatedBy: "EXAMPLES:\n").first ?? ""
            #expect(prose.split(separator: "\n").allSatisfy { $0.count <= 100 }, "\(command.spec.path)")
        }
    }

    @Test func validateNamesFileLineAndColumnAndExitsOne() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("splitlane-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml")
        try """
            key: recovery
            name: Recovery
            unit: account
            status: running
            arms:
              - { key: a, weight: 0.5, control: true }
              - { key: b, weight: 1 }
            """.write(to: file, atomically: true, encoding: .utf8)

        let bad = try Self.run(["validate", directory.path])
        let good = try Self.run(["validate"])

        #expect(bad.status == 1)
        #expect(bad.stderr.contains("\(file.path):6:23: error: arm weight must be a positive integer"))
        #expect(bad.stdout.isEmpty)
        #expect(good.status == 0)
        #expect(good.stdout.contains("ok survey-channel-2026"))
    }

    @Test func batchAssignmentMatchesTheEngineRowForRow() throws {
        var csv = "unit_id,nps_score,vertical\n"
        for index in 0..<500 { csv += "acct-\(index),\(index % 11),pharmacy\n" }
        csv += "\"acct,quoted\",3,grocery\n"
        let experiments = Self.root.appendingPathComponent("experiments").path
        let definitions = try DefinitionLoader().loadCatalog(paths: [experiments])
        let assigner = Assigner(try #require(definitions["detractor-recovery-2026q4"]))

        let run = try Self.run(
            ["assign", "detractor-recovery-2026q4", "--input", "-", "--at", "2026-11-01T00:00:00Z"], stdin: csv)

        #expect(run.status == 0)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "unit_id,arm,reason")
        #expect(lines.count == 502)
        #expect(lines.last?.hasPrefix("\"acct,quoted\",") == true)
        let at = try #require(Timestamp.parse("2026-11-01T00:00:00Z"))
        for index in 0..<500 {
            let expected = assigner.assign(
                unit: "acct-\(index)",
                attributes: ["nps_score": .number(Double(index % 11)), "vertical": .string("pharmacy")], at: at)
            #expect(lines[index + 1] == "acct-\(index),\(expected.arm ?? ""),\(expected.reason.rawValue)")
        }
    }

    @Test func aMalformedBatchRowNamesItsLine() throws {
        let csv = "unit_id,lane\nd-1,urban\nd-2,rural\nd-3,urban,extra\nd-4,urban\n"

        let run = try Self.run(["assign", "survey-channel-2026", "--input", "-"], stdin: csv)

        #expect(run.status == 1)
        #expect(run.stderr.contains("stdin:4: expected 2 fields, got 3"))
    }

    @Test func aNULInABatchCellNamesItsLine() throws {
        // vertical decides eligibility, so the batch reads it even without --record.
        let csv = "unit_id,vertical,nps_score\nd-1,pharmacy,3\nd-2,pharm\u{0}acy,3\n"

        let run = try Self.run(["assign", "detractor-recovery-2026q4", "--input", "-"], stdin: csv)

        #expect(run.status == 1)
        #expect(run.stderr.contains("stdin:3: column vertical holds a NUL character"))
    }

    @Test func aUnitIdLongerThanAKeyHoldsNamesItsLine() throws {
        let csv = "unit_id\nd-1\n\(String(repeating: "d", count: 1_025))\n"

        let run = try Self.run(["assign", "survey-channel-2026", "--input", "-"], stdin: csv)

        #expect(run.status == 1)
        #expect(run.stderr.contains("stdin:3: unit_id is longer than 1024 bytes"))
    }

    @Test func usageErrorsExitTwo() throws {
        let neither = try Self.run(["assign", "survey-channel-2026"])
        let badTime = try Self.run(["assign", "survey-channel-2026", "--unit", "u", "--at", "yesterday"])
        let unknown = try Self.run(["assign", "survey-chanel-2026", "--unit", "u"])

        #expect(neither.status == 2)
        #expect(badTime.status == 2)
        #expect(badTime.stderr.contains("--at must be an RFC 3339 time"))
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean \"survey-channel-2026\"?"))
    }

    @Test func powerAnswersInJSON() throws {
        let run = try Self.run(["power", "--baseline", "0.12", "--mde", "0.02", "--format", "json"])

        #expect(run.status == 0)
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // statsmodels NormalIndPower on the same inputs gives 4,434.6 per arm (see the
        // statistics fixture); the command rounds up.
        #expect(document["units_per_arm"] as? Int == 4_435)
        #expect(document["total_units"] as? Int == 8_870)
    }
}
