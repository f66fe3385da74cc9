public import Foundation

/// One numbered SQL file from `sql/`, such as `001_schema.sql`.
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with.
    public var version: Int
    /// The file name without its extension, such as `001_schema`.
    public var name: String
    /// The SQL script.
    public var sql: String

    /// Makes a migration from its parts (tests use this; the store reads files).
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations that ship with splitlane, in version order.
    ///
    /// The files live in `sql/` only. SwiftPM copies symlinks into a resource bundle
    /// as symlinks, so they cannot be bundled through a link; they are looked up at
    /// run time instead, first found wins: the directory in `SPLITLANE_SQL_DIR`;
    /// `share/splitlane/sql` beside the executable's directory (an installed copy);
    /// the `sql/` directory of the source tree this module was compiled from.
    public static func bundled() throws -> [Migration] {
        try load(directory: try shippedDirectory())
    }

    /// The directory ``bundled()`` reads, per the lookup order it describes.
    public static func shippedDirectory() throws -> URL {
        var candidates: [URL] = []
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SPLITLANE_SQL_DIR"], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(
                executable.deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("share/splitlane/sql"))
        }
        candidates.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("sql"))

        for candidate in candidates
        where FileManager.default.fileExists(
            atPath: candidate.appendingPathComponent("001_schema.sql").path)
        {
            return candidate
        }
        let searched = candidates.map(\.path).joined(separator: ", ")
        throw StorageError(
            code: .migration,
            message: "cannot find splitlane's SQL migrations (looked in \(searched)); "
                + "set SPLITLANE_SQL_DIR to the sql/ directory")
    }

    /// Reads every `NNN_name.sql` file of a directory, in version order.
    /// - Throws: ``StorageError`` when a name has no number or two files share one.
    public static func load(directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StorageError(
                code: .migration, message: "cannot list migrations in \(directory.path): \(error)")
        }

        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let name = String(fileName.dropLast(4))
            let digits = name.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let version = Int(digits) else {
                throw StorageError(
                    code: .migration,
                    message: "migration file \(fileName) must start with its number, like 001_")
            }
            let url = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: url.path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw StorageError(
                    code: .migration, message: "cannot read migration file \(url.path)")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }

        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst())
        where previous.version == next.version {
            throw StorageError(
                code: .migration,
                message:
                    "migrations \(previous.name) and \(next.name) share version \(next.version)")
        }
        return migrations
    }
}
