import Foundation
import SplitlaneDefinitions
import Testing

/// A minimal valid definition; cases append fields from line 7 on.
let minimalDocument = """
    key: demo
    name: Demo
    unit: account
    arms:
      - { key: a, control: true }
      - { key: b }

    """

/// Loads YAML text and returns its errors, or an empty list if it loaded.
func loadErrors(_ text: String, path: String = "demo.yaml") -> [DefinitionError] {
    do {
        _ = try DefinitionLoader().load(yaml: Array(text.utf8), path: path)
        return []
    } catch {
        return error.errors
    }
}

/// Loads YAML text that must be valid.
func loadValid(_ text: String) throws -> ExperimentDefinition {
    try DefinitionLoader().load(yaml: Array(text.utf8), path: "demo.yaml")
}

/// A fresh directory under the system's temporary directory, removed by `cleanUp`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "splitlane-definitions-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true)
    }

    /// Writes a file and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The repository's `experiments/` directory, found from this file's path.
let examplesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("experiments").path

