import Foundation
import PackagePlugin

/// Compiles the package's `sql/` migrations into the target that applies this plugin,
/// so that the `splitlane` binary carries its schema and needs no files beside it.
///
/// The files stay the source of truth: every build lists `sql/` again and regenerates
/// the Swift file when a migration is added or edited.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.package.directoryURL.appendingPathComponent("sql")
        let migrations = try FileManager.default
            .contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(migrations.count) migration(s) from sql/",
                executable: try context.tool(named: "embed-migrations").url,
                arguments: [output.path] + migrations.map(\.path),
                inputFiles: migrations,
                outputFiles: [output])
        ]
    }
}
