import Foundation

// embed-migrations OUTPUT FILE…
//
// Writes OUTPUT, a Swift source file declaring `Migration.embeddedFiles`: the name and
// the base64 of each FILE's bytes, in the order given. Base64 keeps the generated
// literal free of quotes, backslashes and interpolations whatever the SQL holds.

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: embed-migrations OUTPUT FILE…\n".utf8))
    exit(2)
}

var source = """
    // Generated at build time by the EmbedMigrations plugin from the package's sql/
    // directory. Do not edit; change the .sql files.

    extension Migration {
        /// Each migration file of `sql/`: its name and its bytes in base64.
        static let embeddedFiles: [(fileName: String, base64: String)] = [

    """
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    guard let contents = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("embed-migrations: cannot read \(path)\n".utf8))
        exit(1)
    }
    source += "        (\"\(url.lastPathComponent)\", \"\(contents.base64EncodedString())\"),\n"
}
source += "    ]\n}\n"

do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("embed-migrations: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
