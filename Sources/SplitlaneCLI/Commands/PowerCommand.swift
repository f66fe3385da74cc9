import Foundation
import SplitlaneJSON
import SplitlaneStatistics

/// `splitlane power`: units per arm (and days) needed to detect a given lift.
enum PowerCommand: Command {
    static let spec = CommandSpec(
        path: ["power"],
        abstract: "Units per arm (and days) needed to detect a lift with a given power.",
        options: [
            OptionSpec("baseline", value: "P", help: "Control rate of a proportion metric, in (0, 1)."),
            OptionSpec("sd", value: "S", help: "Standard deviation of a mean metric (instead of --baseline)."),
            OptionSpec("mde", value: "D", help: "Minimum detectable effect: absolute, or relative with --relative."),
            OptionSpec("relative", help: "Read --mde as a relative lift (0.1 = +10%)."),
            OptionSpec("arms", value: "K", help: "Arms including the control (default 2)."),
            OptionSpec("alpha", value: "A", help: "Two-sided significance level (default 0.05)."),
            OptionSpec("power", value: "B", help: "Power (default 0.8)."),
            OptionSpec("daily-units", value: "N", help: "Units entering per day, to estimate duration."),
            OptionSpec("format", value: "FORMAT", help: "Output format.", choices: ["text", "json"]),
        ],
        examples: [
            "splitlane power --baseline 0.12 --mde 0.02",
            "splitlane power --baseline 0.12 --mde 0.15 --relative --arms 4 --daily-units 300",
            "splitlane power --sd 40 --mde 5 --arms 3",
        ],
        discussion: """
            With more than two arms, alpha is split evenly (Bonferroni) over the K − 1 \
            comparisons with the control. The proportion formula uses the unpooled \
            variance p1(1 − p1) + p2(1 − p2); see docs/statistics.md.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let mde = try number("mde", arguments, required: true) ?? 0
        let arms = try number("arms", arguments).map(Int.init) ?? 2
        let alpha = try number("alpha", arguments) ?? 0.05
        let power = try number("power", arguments) ?? 0.8
        let dailyUnits = try number("daily-units", arguments)

        let size: SampleSize
        do {
            switch (try number("baseline", arguments), try number("sd", arguments)) {
            case (let baseline?, nil):
                let effect: MinimumDetectableEffect = arguments.flag("relative") ? .relative(mde) : .absolute(mde)
                size = try PowerAnalysis.proportions(
                    baseline: baseline, effect: effect, alpha: alpha, power: power, arms: arms)
            case (nil, let deviation?):
                guard !arguments.flag("relative") else {
                    throw UsageError(
                        "--relative needs --baseline; give --mde in the metric's units", command: spec.path)
                }
                size = try PowerAnalysis.means(
                    standardDeviation: deviation, delta: mde, alpha: alpha, power: power, arms: arms)
            default:
                throw UsageError("give either --baseline (a proportion) or --sd (a mean)", command: spec.path)
            }
        } catch let error as StatisticsError {
            throw CLIError(error.description)
        }

        let days = dailyUnits.map { ceil(Double(size.totalUnits) / $0) }
        if arguments.value("format") == "json" {
            let document = JSONValue.object([
                ("units_per_arm", .number(Double(size.unitsPerArm))),
                ("total_units", .number(Double(size.totalUnits))),
                ("arms", .number(Double(arms))),
                ("comparison_alpha", .number(size.comparisonAlpha)),
                ("power", .number(power)),
                ("days", .number(days)),
            ])
            context.console.write(document.serialized() + "\n")
        } else {
            var text = "\(size.unitsPerArm) units per arm, \(size.totalUnits) in all (\(arms) arms"
            text += ", alpha \(format(size.comparisonAlpha)) per comparison, power \(format(power)))"
            if let days { text += "; about \(Int(days)) days at \(Int(dailyUnits ?? 0)) units a day" }
            context.console.write(text + "\n")
        }
        return 0
    }

    private static func number(_ name: String, _ arguments: ParsedArguments, required: Bool = false) throws -> Double? {
        guard let text = arguments.value(name) else {
            if required { throw UsageError("--\(name) is required", command: spec.path) }
            return nil
        }
        guard let value = Double(text), value.isFinite else {
            throw UsageError("--\(name) must be a number; got \"\(text)\"", command: spec.path)
        }
        return value
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
