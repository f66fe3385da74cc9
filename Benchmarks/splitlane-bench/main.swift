// splitlane-bench: in-process figures for the benchmark table.
//
// Usage: splitlane-bench assign COUNT
//   Prints "ids_per_second checksum" for assigning COUNT generated unit ids
//   ("unit-00000000", …) to a three-arm experiment on one core, the same ids the C
//   floor in Benchmarks/sha256_floor.c hashes.

import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions

func benchmarkAssignment(count: Int) {
    let experiment = ExperimentDefinition(
        key: "survey-channel", name: "Survey channel", unit: "delivery", status: .running,
        arms: [
            Arm(key: "email", isControl: true), Arm(key: "sms"), Arm(key: "portal"),
        ])
    let assigner = Assigner(experiment)
    let now = Date()
    var unit = Array("unit-00000000".utf8)
    var checksum = 0

    let start = DispatchTime.now().uptimeNanoseconds
    for index in 0..<count {
        var value = index
        for position in stride(from: 12, through: 5, by: -1) {
            unit[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        let assignment = unit.withUnsafeBufferPointer { assigner.assign(unitUTF8: $0, at: now) }
        checksum &+= assignment.arm?.utf8.count ?? 0
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "%.0f %d", Double(count) / seconds, checksum))
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "assign":
    benchmarkAssignment(count: arguments.dropFirst().first.flatMap { Int($0) } ?? 2_000_000)
default:
    FileHandle.standardError.write(Data("usage: splitlane-bench assign COUNT\n".utf8))
    exit(2)
}
