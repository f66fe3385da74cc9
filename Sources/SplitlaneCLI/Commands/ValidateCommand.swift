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
        var paths = arguments.values("PATH")
        if paths.isEmpty { paths = [context.experimentsPath(arguments)] }

        let catalog: ExperimentCatalog
        do {
            catalog = try DefinitionLoader().loadCatalog(paths: paths)
        } catch {
            for problem in error.errors { context.console.message(problem.description) }
            let count = error.errors.count
            throw CLIError("\(count) error\(count == 1 ? "" : "s"); nothing is valid until all are fixed")
        }

        for experiment in catalog.experiments {
            let arms = experiment.arms.map { $0.isControl ? "\($0.key)*" : $0.key }
            context.console.write(
                "ok \(experiment.key) (\(experiment.status.rawValue)): "
                    + "arms \(arms.joined(separator: ", ")); \(experiment.metrics.count) metrics\n")
        }
        return 0
    }
}
