// splitlane-bench: in-process figures for Benchmarks/run.sh.
//
//   splitlane-bench assign COUNT
//       Assigns COUNT generated unit ids ("unit-00000000", …) to a three-arm
//       experiment on one core; prints "ids_per_second checksum". The C floor in
//       Benchmarks/sha256_floor.c hashes the same ids.
//   splitlane-bench readout-query URL DEFINITION AS_OF [explain]
//       Runs the readout's aggregation query alone (no statistics, no rendering)
//       and prints its wall time in seconds; with `explain`, prints the plan.

import Foundation
import Postgres
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneReadout

func benchmarkAssignment(count: Int) {
    let experiment = ExperimentDefinition(
        key: "survey-channel", name: "Survey channel", unit: "delivery", status: .running,
        arms: [
            Arm(key: "email", isControl: true), Arm(key: "sms"), Arm(key: "portal"),
        ])
    let assigner = Assigner(experiment)
    let now = Date()
    var unit = Array("unit-00000000".utf8)
    let noAttributes: [String: AttributeValue] = [:]
    var checksum = 0
    var best = 0.0

    // The best of three rounds, as the C floor reports, so that a moment of load from
    // elsewhere on the machine does not decide the figure.
    for _ in 0..<3 {
        checksum = 0
        let start = DispatchTime.now().uptimeNanoseconds
        unit.withUnsafeMutableBufferPointer { bytes in
            // Write the id's eight digits in place, as the C loop does.
            for index in 0..<count {
                var value = index
                for position in stride(from: 12, through: 5, by: -1) {
                    bytes[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                let assignment = assigner.assign(
                    unitUTF8: UnsafeBufferPointer(bytes), attributes: noAttributes, at: now)
                checksum &+= assignment.arm?.utf8.count ?? 0
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = max(best, Double(count) / seconds)
    }
    print(String(format: "%.0f %d", best, checksum))
}

func benchmarkReadoutQuery(url: String, definition: String, asOf: String, explain: Bool) throws {
    let experiment = try DefinitionLoader().load(file: definition)
    guard let time = ISO8601DateFormatter().date(from: asOf) else {
        throw BenchmarkError(message: "bad time \(asOf)")
    }
    let (sql, parameters) = ReadoutQuery(experiment: experiment, asOf: time).makeStatement()
    let connection = try Connection(url)
    // The same memory setting the readout uses, for the whole session.
    try connection.execute("SET work_mem = '\(ReadoutQuery.workMemory)'")

    if explain {
        for row in try connection.query("EXPLAIN (ANALYZE, BUFFERS) " + sql, parameters).rows {
            print(try row.string(0) ?? "")
        }
        return
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let rows = try connection.query(sql, parameters).rows.count
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "%.3f %d", seconds, rows))
}

struct BenchmarkError: Error {
    var message: String
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "assign":
        benchmarkAssignment(count: arguments.dropFirst().first.flatMap { Int($0) } ?? 2_000_000)
    case "readout-query" where arguments.count >= 4:
        try benchmarkReadoutQuery(
            url: arguments[1], definition: arguments[2], asOf: arguments[3],
            explain: arguments.count > 4 && arguments[4] == "explain")
    default:
        FileHandle.standardError.write(
            Data("usage: splitlane-bench assign COUNT | readout-query URL DEFINITION AS_OF [explain]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
