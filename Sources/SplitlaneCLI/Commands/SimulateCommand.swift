import Foundation
import HTTPServer
import SplitlaneDefinitions

/// `splitlane simulate`: synthetic last-mile data with planted effects, sent through a
/// running splitlane service.
enum SimulateCommand: Command {
    static let spec = CommandSpec(
        path: ["simulate"],
        abstract: "Send realistic synthetic last-mile data with planted effects through the service.",
        options: [
            OptionSpec("url", value: "URL", help: "The splitlane service, such as http://127.0.0.1:8080 (required)."),
            OptionSpec("token-file", value: "FILE", help: "A file whose first line is the API token "
                + "(default: $SPLITLANE_API_TOKEN, else the first of $SPLITLANE_API_TOKENS)."),
            OptionSpec("deliveries", value: "N", help: "Deliveries to simulate (default 150000)."),
            OptionSpec("days", value: "D", help: "Days of deliveries before the last week (default 60)."),
            OptionSpec("seed", value: "S", help: "Random seed (default 42); the same seed gives the same data."),
            OptionSpec("end", value: "TIME", help: "The simulated now (default: now); nothing happens after it."),
            OptionSpec("channel", value: "KEY", help: "The survey-channel experiment (default survey-channel-2026)."),
            OptionSpec("recovery", value: "KEY", help: "The recovery experiment (default detractor-recovery-2026q4)."),
            .experiments,
        ],
        examples: [
            "SPLITLANE_API_TOKEN=… splitlane simulate --url http://127.0.0.1:8080",
            "splitlane simulate --url http://127.0.0.1:8080 --token-file token --deliveries 20000 --seed 7",
        ],
        discussion: """
            Shipper accounts by vertical (e-commerce, grocery, pharmacy, and a thin B2B \
            office segment), lane (urban, suburban, rural) and region receive deliveries; \
            failed first attempts depend on the lane. Each delivery is assigned a survey \
            channel through POST /v1/assign/batch (recorded, dated at the delivery); opens \
            and answers depend on the channel; scores depend on the vertical and on \
            failures. Each account's first detractor answer (0–6) asks for a recovery offer; \
            orders, revenue, churn and the next survey over the following months follow \
            the offer. Events go through POST /v1/events.

            \(LastMileWorld.plantedEffects)
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        guard let url = arguments.value("url") else {
            throw UsageError("--url is required: start `splitlane serve` and pass its address", command: spec.path)
        }
        let token = try readToken(arguments, context: context)
        let client: HTTPClient
        do {
            client = try HTTPClient(url: url, timeoutSeconds: 120)
        } catch {
            throw UsageError(error.message, command: spec.path)
        }

        let catalog = try context.loadCatalog(arguments)
        let channelKey = arguments.value("channel") ?? "survey-channel-2026"
        let recoveryKey = arguments.value("recovery") ?? "detractor-recovery-2026q4"
        guard let channel = catalog[channelKey], let recovery = catalog[recoveryKey] else {
            throw CLIError("the experiments \(channelKey) and \(recoveryKey) must both be defined in "
                + context.experimentsPath(arguments))
        }

        var simulation = Simulation(
            service: ServiceClient(client: client, token: token), channel: channel, recovery: recovery,
            deliveries: try integer("deliveries", arguments, default: 150_000),
            days: try integer("days", arguments, default: 60),
            end: try Timestamp.option("end", arguments, spec: spec) ?? Date(),
            seed: UInt64(try integer("seed", arguments, default: 42)),
            console: context.console)
        let started = Date()
        try simulation.run()

        let summary = simulation.summary
        func arms(_ counts: [String: Int]) -> String {
            let total = counts.values.reduce(0, +)
            let parts = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            return "\(total) exposures (\(parts.joined(separator: ", ")))"
        }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        let lines = [
            "simulated \(simulation.deliveries) deliveries in \(seconds) s (seed \(simulation.seed))",
            "  \(channel.key): \(arms(summary.channelExposures)); \(summary.responses) survey answers",
            "  \(recovery.key): \(summary.detractors) detractor accounts, "
                + arms(summary.recoveryExposures),
            "  events: \(summary.eventsInserted) inserted, \(summary.eventsDuplicate) duplicates",
            "",
            LastMileWorld.plantedEffects,
            "",
        ]
        context.console.write(lines.joined(separator: "\n"))
        return 0
    }

    private static func readToken(_ arguments: ParsedArguments, context: CommandContext) throws -> String {
        if let path = arguments.value("token-file") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                let line = text.split(whereSeparator: \.isNewline).first
            else {
                throw CLIError("cannot read a token from \(path)")
            }
            return line.trimmingCharacters(in: .whitespaces)
        }
        if let token = context.environment["SPLITLANE_API_TOKEN"], !token.isEmpty { return token }
        if let tokens = context.environment["SPLITLANE_API_TOKENS"],
            let first = tokens.split(separator: ",").first
        {
            return first.trimmingCharacters(in: .whitespaces)
        }
        throw UsageError("no API token: set SPLITLANE_API_TOKEN or pass --token-file", command: spec.path)
    }

    private static func integer(_ name: String, _ arguments: ParsedArguments, default value: Int) throws -> Int {
        guard let text = arguments.value(name) else { return value }
        guard let number = Int(text), number > 0 else {
            throw UsageError("--\(name) must be a positive integer; got \"\(text)\"", command: spec.path)
        }
        return number
    }
}
