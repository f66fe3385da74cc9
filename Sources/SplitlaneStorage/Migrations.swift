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
    /// The files of `sql/` are compiled into the binary at build time (the
    /// EmbedMigrations plugin), so an installed `splitlane` needs nothing beside it.
    /// `SPLITLANE_SQL_DIR`, when set, names a directory read instead, for trying a
    /// migration without rebuilding.
    public static func bundled() throws -> [Migration] {
        if let path = ProcessInfo.processInfo.environment["SPLITLANE_SQL_DIR"], !path.isEmpty {
            return try load(directory: URL(fileURLWithPath: path))
        }
        return try embedded()
    }

    /// The migrations compiled into the binary from `sql/`.
    static func embedded() throws -> [Migration] {
        let files = try embeddedFiles.map { file -> (String, String) in
            guard let data = Data(base64Encoded: file.base64),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw StorageError(
                    code: .migration, message: "the embedded migration \(file.fileName) is not UTF-8")
            }
            return (file.fileName, sql)
        }
        return try ordered(files)
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

        let files = try names.filter { $0.hasSuffix(".sql") }.map { fileName -> (String, String) in
            let url = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: url.path),
                let sql = String(data: data, encoding: .utf8)
            else {
                throw StorageError(
                    code: .migration, message: "cannot read migration file \(url.path)")
            }
            return (fileName, sql)
        }
        return try ordered(files)
    }

    /// Numbers `NNN_name.sql` files by their names and sorts them by version.
    /// - Throws: ``StorageError`` when a name has no number or two files share one.
    private static func ordered(_ files: [(fileName: String, sql: String)]) throws -> [Migration] {
        var migrations: [Migration] = []
        for (fileName, sql) in files where fileName.hasSuffix(".sql") {
            let name = String(fileName.dropLast(4))
            let digits = name.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let version = Int(digits) else {
                throw StorageError(
                    code: .migration,
                    message: "migration file \(fileName) must start with its number, like 001_")
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
