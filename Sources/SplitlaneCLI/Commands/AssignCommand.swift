import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneJSON
import SplitlaneStorage

/// `splitlane assign`: one unit, or a CSV batch streamed from a file or stdin.
enum AssignCommand: Command {
    static let spec = CommandSpec(
        path: ["assign"],
        abstract: "Assign a unit, or a CSV batch of units, to an experiment's arms.",
        arguments: [ArgumentSpec("EXPERIMENT", help: "The experiment key.")],
        options: [
            OptionSpec("unit", value: "ID", help: "The unit id to assign."),
            OptionSpec(
                "attr", value: "KEY=VALUE", help: "An attribute for eligibility (repeatable).",
                isRepeating: true),
            OptionSpec(
                "input", value: "FILE",
                help: "Batch: a CSV file with a unit_id column and attribute columns; - for stdin."),
            OptionSpec(
                "at", value: "TIME",
                help: "Assign as of this RFC 3339 time (default: now); dates backfilled exposures."),
            OptionSpec("record", help: "Also record the exposures in the database (first exposure wins)."),
            OptionSpec("format", value: "FORMAT", help: "Output of a single assignment.",
                choices: ["text", "json"]),
            .experiments,
            .databaseURL,
        ],
        examples: [
            "splitlane assign detractor-recovery --unit acct-1042 --attr nps_score=4 --attr vertical=pharmacy",
            "splitlane assign survey-channel --unit delivery-88 --format json",
            "splitlane assign survey-channel --input deliveries.csv > arms.csv",
            "splitlane assign survey-channel --input backfill.csv --record --at 2026-10-02T09:00:00Z",
        ],
        discussion: """
            A batch reads CSV with a header: a unit_id column, and any other columns as \
            attributes (cells that read as numbers are numbers). It writes CSV with the \
            header unit_id,arm,reason; arm is empty when the unit gets none. A malformed \
            row stops the batch with its line number and exit status 1.

            With --record, units that get an arm are recorded in splitlane.exposures with \
            the attributes sent, dated --at (backfills) or now. The first exposure of a \
            unit wins: a repeat is a no-op, and a different arm is reported as a conflict, \
            never overwritten. A batch commits every 10,000 rows, so after a malformed row \
            the rows before it stay recorded; re-running the fixed file is safe.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let key = arguments.value("EXPERIMENT") ?? ""
        let time = try Timestamp.option("at", arguments, spec: spec) ?? Date()

        switch (arguments.value("unit"), arguments.value("input")) {
        case (let unit?, nil):
            guard unit.utf8.count <= maximumIdentifierBytes else {
                throw UsageError("--unit must be at most \(maximumIdentifierBytes) bytes long", command: spec.path)
            }
            let experiment = try context.loadExperiment(key, arguments)
            let attributes = try parseAttributes(arguments.values("attr"))
            let assignment = Assigner(experiment).assign(unit: unit, attributes: attributes, at: time)
            var recording: ExposureRecordingSummary?
            if arguments.flag("record"), let arm = assignment.arm {
                let store = try context.openStore(arguments)
                let record = ExposureRecord(
                    experiment: key, unit: unit, arm: arm, exposedAt: time, attributes: attributes,
                    source: "cli")
                recording = try context.storageCall { try store.recordExposures([record]) }
            }
            write(assignment, unit: unit, experiment: key, recording: recording,
                json: arguments.value("format") == "json", to: context.console)
            return 0
        case (nil, let input?):
            guard arguments.values("attr").isEmpty else {
                throw UsageError("--attr applies to --unit; a batch reads attributes from its columns",
                    command: spec.path)
            }
            let experiment = try context.loadExperiment(key, arguments)
            var batch = BatchAssignment(assigner: Assigner(experiment), time: time, console: context.console)
            var recorder: BatchRecorder?
            if arguments.flag("record") {
                let store = try context.openStore(arguments)
                let newRecorder = BatchRecorder(store: store, experiment: key, time: time, context: context)
                batch.onAssignment = { unit, assignment, attributes in
                    try newRecorder.add(unit: unit, assignment: assignment, attributes: attributes)
                }
                recorder = newRecorder
            }
            let count = try batch.run(input: input)
            try recorder?.finish()
            context.console.flush()
            if let recorder {
                context.console.message(recorder.summary)
            } else if context.console.isErrorTerminal {
                context.console.message("assigned \(count) units of \(key)")
            }
            return 0
        case (nil, nil):
            throw UsageError("give --unit ID for one unit or --input FILE for a batch", command: spec.path)
        case (.some, .some):
            throw UsageError("give either --unit or --input, not both", command: spec.path)
        }
    }

    /// Reads `key=value` pairs; values that read as numbers become numbers.
    static func parseAttributes(_ pairs: [String]) throws -> [String: AttributeValue] {
        var attributes: [String: AttributeValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageError("--attr takes KEY=VALUE; got \"\(pair)\"", command: spec.path)
            }
            let value = String(pair[pair.index(after: equals)...])
            attributes[String(pair[..<equals])] = AttributeValue(inferringFrom: value)
        }
        return attributes
    }

    private static func write(
        _ assignment: Assignment, unit: String, experiment: String,
        recording: ExposureRecordingSummary?, json: Bool, to console: Console
    ) {
        let conflict = recording?.conflicts.first
        if let conflict {
            console.message(
                "warning: \(unit) was already exposed to \(conflict.recordedArm) in \(experiment); "
                    + "the recorded arm was kept (see docs/storage.md on conflicts)")
        }
        if json {
            var members: [(String, JSONValue)] = [
                ("experiment", .string(experiment)),
                ("unit", .string(unit)),
                ("arm", .string(assignment.arm)),
                ("reason", .string(assignment.reason.rawValue)),
                ("recorded", .bool(recording != nil && conflict == nil)),
            ]
            if let conflict {
                members.append(("conflict", .bool(true)))
                members.append(("recorded_arm", .string(conflict.recordedArm)))
            }
            console.write(JSONValue.object(members).serialized() + "\n")
        } else {
            var line = "\(assignment.arm ?? "-") \(assignment.reason.rawValue)"
            if recording != nil { line += conflict == nil ? " recorded" : " conflict" }
            console.write(line + "\n")
        }
    }
}
