public import Foundation

/// Loads experiment definitions from YAML files and validates them, alone and
/// together.
///
/// Placeholder API: the libyaml-backed implementation replaces this file.
public struct DefinitionLoader: Sendable {
    public init() {}

    /// Loads and validates one YAML document; `path` is used in error messages.
    public func load(yaml: [UInt8], path: String) throws(DefinitionErrors) -> ExperimentDefinition {
        throw DefinitionErrors([DefinitionError(path: path, message: "not implemented")])
    }

    /// Loads and validates one file.
    public func load(file path: String) throws(DefinitionErrors) -> ExperimentDefinition {
        throw DefinitionErrors([DefinitionError(path: path, message: "not implemented")])
    }

    /// Loads every `*.yaml`/`*.yml` file under the given files and directories,
    /// validates each and the set as a whole (unique keys, disjoint layer ranges).
    /// Any error rejects the whole set.
    public func loadCatalog(paths: [String]) throws(DefinitionErrors) -> ExperimentCatalog {
        throw DefinitionErrors([DefinitionError(path: paths.first ?? "", message: "not implemented")])
    }
}

/// A validated set of experiments, by key.
public struct ExperimentCatalog: Sendable {
    /// Experiments sorted by key.
    public let experiments: [ExperimentDefinition]
    private let byKey: [String: Int]

    public init(_ experiments: [ExperimentDefinition]) {
        self.experiments = experiments.sorted { $0.key < $1.key }
        var byKey: [String: Int] = [:]
        for (index, experiment) in self.experiments.enumerated() {
            byKey[experiment.key] = index
        }
        self.byKey = byKey
    }

    public subscript(key: String) -> ExperimentDefinition? {
        byKey[key].map { experiments[$0] }
    }
}

/// One problem in a definition file, located as precisely as the YAML allows.
public struct DefinitionError: Error, Sendable, Hashable {
    public var path: String
    /// `nil` when the problem concerns the whole file (unreadable, empty).
    public var location: SourceLocation?
    public var message: String

    public init(path: String, location: SourceLocation? = nil, message: String) {
        self.path = path
        self.location = location
        self.message = message
    }
}

extension DefinitionError: CustomStringConvertible {
    /// `path:line:column: error: message`, the format compilers and editors read.
    public var description: String {
        if let location {
            return "\(path):\(location.line):\(location.column): error: \(message)"
        }
        return "\(path): error: \(message)"
    }
}

/// Every problem found in one load, in file and line order.
public struct DefinitionErrors: Error, Sendable, Hashable {
    public var errors: [DefinitionError]

    public init(_ errors: [DefinitionError]) {
        self.errors = errors
    }
}

extension DefinitionErrors: CustomStringConvertible {
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
