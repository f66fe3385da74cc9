import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneJSON

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
            OptionSpec("format", value: "FORMAT", help: "Output of a single assignment.",
                choices: ["text", "json"]),
            .experiments,
        ],
        examples: [
            "splitlane assign detractor-recovery --unit acct-1042 --attr nps_score=4 --attr vertical=pharmacy",
            "splitlane assign survey-channel --unit delivery-88 --format json",
            "splitlane assign survey-channel --input deliveries.csv > arms.csv",
        ],
        discussion: """
            A batch reads CSV with a header: a unit_id column, and any other columns as \
            attributes (cells that read as numbers are numbers). It writes CSV with the \
            header unit_id,arm,reason; arm is empty when the unit gets none. A malformed \
            row stops the batch with its line number and exit status 1.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let key = arguments.value("EXPERIMENT") ?? ""
        let time = try Timestamp.option("at", arguments, spec: spec) ?? Date()

        switch (arguments.value("unit"), arguments.value("input")) {
        case (let unit?, nil):
            let experiment = try context.loadExperiment(key, arguments)
            let attributes = try parseAttributes(arguments.values("attr"))
            let assignment = Assigner(experiment).assign(unit: unit, attributes: attributes, at: time)
            write(assignment, unit: unit, experiment: key, json: arguments.value("format") == "json",
                to: context.console)
            return 0
        case (nil, let input?):
            guard arguments.values("attr").isEmpty else {
                throw UsageError("--attr applies to --unit; a batch reads attributes from its columns",
                    command: spec.path)
            }
            let experiment = try context.loadExperiment(key, arguments)
            let batch = BatchAssignment(assigner: Assigner(experiment), time: time, console: context.console)
            let count = try batch.run(input: input)
            if context.console.isErrorTerminal {
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
        _ assignment: Assignment, unit: String, experiment: String, json: Bool, to console: Console
    ) {
        if json {
            let document = JSONValue.object([
                ("experiment", .string(experiment)),
                ("unit", .string(unit)),
                ("arm", .string(assignment.arm)),
                ("reason", .string(assignment.reason.rawValue)),
                ("recorded", .bool(false)),
            ])
            console.write(document.serialized() + "\n")
        } else {
            console.write("\(assignment.arm ?? "-") \(assignment.reason.rawValue)\n")
        }
    }
}
