import SplitlaneDefinitions

/// `splitlane validate [PATH…]`: checks definition files and reports every error.
enum ValidateCommand: Command {
    static let spec = CommandSpec(
        path: ["validate"],
        abstract: "Check experiment definitions; print every error with its line and column.",
        arguments: [
            ArgumentSpec("PATH", help: "YAML files or directories (default: the experiments directory).",
                isOptional: true, isRepeating: true)
        ],
        options: [.experiments],
        examples: [
            "splitlane validate",
            "splitlane validate experiments/detractor-recovery.yaml",
        ],
        discussion: """
            Errors read `file:line:column: error: message`. A set with any invalid file is \
            rejected whole; the exit status is 1 when any error was found.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let catalog = try context.loadCatalog(arguments, paths: arguments.values("PATH"))

        for experiment in catalog.experiments {
            let arms = experiment.arms.map { $0.isControl ? "\($0.key)*" : $0.key }
            context.console.write(
                "ok \(experiment.key) (\(experiment.status.rawValue)): "
                    + "arms \(arms.joined(separator: ", ")); \(experiment.metrics.count) metrics\n")
        }
        return 0
    }
}
