import SplitlaneDefinitions
import SplitlaneStorage

/// `splitlane sync`: registers the definitions in the database.
enum SyncCommand: Command {
    static let spec = CommandSpec(
        path: ["sync"],
        abstract: "Register experiment definitions in the database.",
        arguments: [
            ArgumentSpec("PATH", help: "YAML files or directories (default: the experiments directory).",
                isOptional: true, isRepeating: true)
        ],
        options: [.experiments, .databaseURL],
        examples: ["splitlane sync", "splitlane sync experiments/detractor-recovery.yaml"],
        discussion: """
            Each definition is stored with a digest of what decides assignment (salt, arms \
            and weights, coverage, layer, eligibility). A change to that digest of a \
            running experiment is refused, with the number of exposed units that would \
            switch arms: start a new experiment (a new key) instead. Names, metrics, \
            segments and analysis settings may change freely. All definitions are stored \
            in one transaction, or none.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let catalog = try context.loadCatalog(arguments, paths: arguments.values("PATH"))

        let store = try context.openStore(arguments)
        let synced = try context.storageCall { try store.sync(catalog) }
        for experiment in synced {
            let digest = experiment.digest.prefix(12)
            context.console.write("\(experiment.change.rawValue) \(experiment.key) (digest \(digest))\n")
        }
        return 0
    }
}
