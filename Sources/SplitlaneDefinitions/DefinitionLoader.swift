import Foundation

/// Loads experiment definitions from YAML files and validates them, alone and
/// together.
///
/// Parsing goes through libyaml; every scalar is then typed by the schema, so YAML
/// 1.1 readings (`no` as false, `0800` as octal) never apply. Every problem found
/// is reported with its file, line and column.
public struct DefinitionLoader: Sendable {
    /// Limits on what one file may cost to parse.
    var limits = YAMLParser.Limits()

    /// Creates a loader with the default parsing limits.
    public init() {}

    /// Loads and validates one YAML document; `path` is used in error messages.
    ///
    /// - Throws: ``DefinitionErrors`` with every problem found in the document,
    ///   in line order.
    public func load(yaml: [UInt8], path: String) throws(DefinitionErrors) -> ExperimentDefinition {
        let document: YAMLDocument
        do {
            document = try YAMLParser(limits: limits).parse(yaml)
        } catch {
            throw DefinitionErrors([
                DefinitionError(path: path, location: error.location, message: error.message)
            ])
        }

        var decoder = ExperimentDecoder(path: path)
        for problem in document.problems {
            decoder.reader.fail(at: problem.location, problem.message)
        }
        let definition = decoder.decode(document.root)
        guard let definition, decoder.reader.errors.isEmpty else {
            throw DefinitionErrors(Self.sorted(decoder.reader.errors))
        }
        return definition
    }

    /// Loads and validates one file.
    ///
    /// - Throws: ``DefinitionErrors`` when the file cannot be read or is invalid.
    public func load(file path: String) throws(DefinitionErrors) -> ExperimentDefinition {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
            !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path)
        else {
            throw DefinitionErrors([
                DefinitionError(path: path, message: "expected a readable YAML file, got none")
            ])
        }
        return try load(yaml: [UInt8](data), path: path)
    }

    /// Loads every `*.yaml`/`*.yml` file under the given files and directories,
    /// validates each and the set as a whole (unique keys, disjoint layer ranges).
    /// Any error rejects the whole set.
    ///
    /// Directories are read one level deep, their files in name order; a file
    /// named twice is loaded once.
    ///
    /// - Throws: ``DefinitionErrors`` with every problem of every file and of the set.
    public func loadCatalog(paths: [String]) throws(DefinitionErrors) -> ExperimentCatalog {
        var errors: [DefinitionError] = []
        let files = Self.expand(paths, errors: &errors)

        var definitions: [ExperimentDefinition] = []
        for file in files {
            do {
                definitions.append(try load(file: file))
            } catch {
                errors += error.errors
            }
        }
        errors += CatalogRules.check(definitions)

        guard errors.isEmpty else {
            let order = Dictionary(
                files.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            throw DefinitionErrors(Self.sorted(errors, fileOrder: order))
        }
        return ExperimentCatalog(definitions)
    }

    /// The definition files named by `paths`: files as given, and the `*.yaml` and
    /// `*.yml` files directly inside directories, sorted by name.
    static func expand(_ paths: [String], errors: inout [DefinitionError]) -> [String] {
        var files: [String] = []
        var seen: Set<String> = []
        func add(_ file: String) {
            let identity = URL(fileURLWithPath: file).standardizedFileURL.resolvingSymlinksInPath()
                .path
            if seen.insert(identity).inserted {
                files.append(file)
            }
        }

        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(
                    DefinitionError(
                        path: path, message: "expected a YAML file or a directory, got none"))
                continue
            }
            guard isDirectory.boolValue else {
                add(path)
                continue
            }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                errors.append(
                    DefinitionError(
                        path: path, message: "expected a readable directory, got one that "
                            + "cannot be listed"))
                continue
            }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            for name in names.sorted()
            where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && !name.hasPrefix(".") {
                var isNestedDirectory: ObjCBool = false
                let file = prefix + name
                if FileManager.default.fileExists(atPath: file, isDirectory: &isNestedDirectory),
                    !isNestedDirectory.boolValue
                {
                    add(file)
                }
            }
        }
        return files
    }

    /// Errors in file order (as loaded), then line and column order.
    static func sorted(
        _ errors: [DefinitionError], fileOrder: [String: Int] = [:]
    ) -> [DefinitionError] {
        errors.enumerated().sorted { lhs, rhs in
            let left = fileOrder[lhs.element.path] ?? Int.max
            let right = fileOrder[rhs.element.path] ?? Int.max
            if left != right { return left < right }
            if lhs.element.path != rhs.element.path {
                return lhs.element.path < rhs.element.path
            }
            let leftLocation = lhs.element.location ?? SourceLocation(line: 0, column: 0)
            let rightLocation = rhs.element.location ?? SourceLocation(line: 0, column: 0)
            if leftLocation != rightLocation { return leftLocation < rightLocation }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}

/// A validated set of experiments, by key.
public struct ExperimentCatalog: Sendable {
    /// Experiments sorted by key.
    public let experiments: [ExperimentDefinition]
    private let byKey: [String: Int]

    /// Indexes experiments that were already validated together.
    public init(_ experiments: [ExperimentDefinition]) {
        self.experiments = experiments.sorted { $0.key < $1.key }
        var byKey: [String: Int] = [:]
        for (index, experiment) in self.experiments.enumerated() {
            byKey[experiment.key] = index
        }
        self.byKey = byKey
    }

    /// The experiment with the given key, if the catalog holds one.
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

    /// Creates an error; leave `location` out when it concerns the whole file.
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

    /// Wraps the errors of one load, already in the order to show them.
    public init(_ errors: [DefinitionError]) {
        self.errors = errors
    }
}

extension DefinitionErrors: CustomStringConvertible {
    /// One error a line, each as `path:line:column: error: message`.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
