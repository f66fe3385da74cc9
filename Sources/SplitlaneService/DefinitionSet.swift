import Synchronization
import SplitlaneAssignment
import SplitlaneDefinitions

/// A validated set of experiment definitions with one assigner per experiment,
/// built once at load time and shared by every request.
struct DefinitionSet: Sendable {
    let catalog: ExperimentCatalog
    let assigners: [String: Assigner]

    init(_ catalog: ExperimentCatalog) {
        self.catalog = catalog
        var assigners: [String: Assigner] = [:]
        for experiment in catalog.experiments {
            assigners[experiment.key] = Assigner(experiment)
        }
        self.assigners = assigners
    }

    /// Loads and validates a directory of definitions; every error or nothing.
    static func load(path: String) throws(ServiceError) -> DefinitionSet {
        do {
            return DefinitionSet(try DefinitionLoader().loadCatalog(paths: [path]))
        } catch {
            throw ServiceError(
                status: 500, code: "invalid_definitions",
                message: "\(path) has invalid definitions; nothing was loaded",
                details: error.errors.map(\.description))
        }
    }
}

/// The definitions currently served, swapped whole on reload so that a request sees
/// either the old set or the new one, never a mix.
final class DefinitionHolder: Sendable {
    private let current: Mutex<DefinitionSet>

    init(_ set: DefinitionSet) {
        current = Mutex(set)
    }

    /// The set serving now.
    var definitions: DefinitionSet {
        current.withLock { $0 }
    }

    /// Replaces the set in one step.
    func replace(with set: DefinitionSet) {
        current.withLock { $0 = set }
    }
}
