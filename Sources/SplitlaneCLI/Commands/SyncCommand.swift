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
        options: [
            OptionSpec(
                "dry-run",
                help: "Show what the sync would do and whether it would be refused; store nothing."),
            .experiments, .databaseURL,
        ],
        examples: [
            "splitlane sync", "splitlane sync experiments/detractor-recovery.yaml",
            "splitlane sync --dry-run",
        ],
        discussion: """
            Each definition is stored with a digest of what decides assignment (salt, arms \
            and weights, coverage, layer, eligibility). A change to that digest of a \
            running experiment is refused, with the number of exposed units that would \
            switch arms: start a new experiment (a new key) instead. Names, metrics, \
            segments and analysis settings may change freely. All definitions are stored \
            in one transaction, or none.

            --dry-run runs the same checks in a transaction that is rolled back, prints \
            what would be created, updated or left unchanged, and exits 1 when the sync \
            would be refused: a check for CI before a definition change is merged.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let catalog = try context.loadCatalog(arguments, paths: arguments.values("PATH"))
        let store = try context.openStore(arguments)

        guard arguments.flag("dry-run") else {
            let synced = try context.storageCall { try store.sync(catalog) }
            for experiment in synced {
                context.console.write(line(experiment, experiment.change.rawValue))
            }
            return 0
        }

        let preview = try context.storageCall { try store.syncPreview(catalog) }
        for experiment in preview.synced {
            let verb =
                switch experiment.change {
                case .created: "would create"
                case .updated: "would update"
                case .unchanged: "unchanged"
                }
            context.console.write(line(experiment, verb))
        }
        for refusal in preview.refusals {
            context.console.write("would be refused \(refusal.key)\n")
        }
        context.console.flush()
        for refusal in preview.refusals {
            context.console.error(refusal.message)
        }
        context.console.message("dry run: nothing was stored")
        return preview.refusals.isEmpty ? 0 : 1
    }

    /// `VERB KEY (digest 0123456789ab)`, with a newline.
    private static func line(_ experiment: SyncedExperiment, _ verb: String) -> String {
        "\(verb) \(experiment.key) (digest \(experiment.digest.prefix(12)))\n"
    }
}
