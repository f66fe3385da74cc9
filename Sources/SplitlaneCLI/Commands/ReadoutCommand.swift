import Foundation
import SplitlaneDefinitions
import SplitlaneReadout

/// `splitlane readout`: the analysis of one experiment.
enum ReadoutCommand: Command {
    static let spec = CommandSpec(
        path: ["readout"],
        abstract: "Analyse an experiment: lift, intervals, tests, sample-ratio check, segments.",
        arguments: [
            ArgumentSpec("EXPERIMENT", help: "The experiment key (several only with --format html).",
                isRepeating: true)
        ],
        options: [
            OptionSpec("by", value: "ATTR", help: "Repeat the analysis per value of a segment attribute."),
            OptionSpec("format", value: "FORMAT", help: "Output format (default: table).",
                choices: ["table", "json", "csv", "markdown", "html"]),
            OptionSpec("as-of", value: "TIME", help: "Count only exposures and events before this RFC 3339 time."),
            OptionSpec("output", short: "o", value: "FILE", help: "Write to FILE instead of stdout."),
            .experiments,
            .databaseURL,
        ],
        examples: [
            "splitlane readout detractor-recovery-2026q4",
            "splitlane readout survey-channel-2026 --by lane --format json",
            "splitlane readout detractor-recovery-2026q4 --format html -o recovery.html",
            "splitlane readout survey-channel-2026 detractor-recovery-2026q4 --format html -o report.html",
        ],
        discussion: """
            The sample-ratio check comes first: a mismatch means the arms are not \
            comparable, whatever the metrics say. Each treatment arm is compared with the \
            control on every metric; p-values are adjusted across all comparisons with the \
            experiment's correction (default Holm). See docs/statistics.md.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let keys = arguments.values("EXPERIMENT")
        let format = arguments.value("format") ?? "table"
        guard !keys.isEmpty else { throw UsageError("missing argument EXPERIMENT", command: spec.path) }
        guard keys.count == 1 || format == "html" else {
            throw UsageError("several experiments go on one page only with --format html", command: spec.path)
        }
        let asOf = try Timestamp.option("as-of", arguments, spec: spec) ?? Date()
        let segment = arguments.value("by")

        let store = try context.openStore(arguments)
        var readouts: [Readout] = []
        for key in keys {
            let experiment = try context.loadExperiment(key, arguments)
            if let segment, !experiment.segments.contains(segment) {
                let known = experiment.segments.joined(separator: ", ")
                throw UsageError(
                    "\"\(segment)\" is not a segment of \(key) (segments: \(known.isEmpty ? "none" : known))",
                    command: spec.path)
            }
            context.console.progress("aggregating \(key) in PostgreSQL…")
            let aggregates = try context.storageCall {
                try ReadoutQuery(experiment: experiment, asOf: asOf, segmentAttribute: segment)
                    .run(on: store.connection)
            }
            readouts.append(
                ReadoutBuilder(experiment: experiment, asOf: asOf).build(from: aggregates, segmentAttribute: segment))
        }
        context.console.endProgress()
        let readout = readouts[0]

        let output = arguments.value("output")
        let text: String
        switch format {
        case "json": text = readout.json.prettySerialized() + "\n"
        case "csv": text = readout.renderCSV()
        case "markdown": text = readout.renderMarkdown()
        case "html": text = readouts.count == 1 ? readout.renderHTML() : Readout.renderHTML(readouts)
        default: text = readout.renderTable(color: output == nil && context.console.usesColor)
        }

        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
            context.console.message("wrote \(output)")
        } else {
            context.console.write(text)
        }
        return 0
    }
}
