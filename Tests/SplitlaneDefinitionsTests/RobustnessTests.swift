import Foundation
import SplitlaneDefinitions
import Testing

@Test func billionLaughsIsRefused() {
    var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
        let aliases = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
        yaml += "a\(level): &a\(level) [\(aliases)]\n"
    }

    let errors = loadErrors(yaml)

    #expect(errors.count == 1)
    #expect(errors.first?.message.contains("expanding aliases") == true, "\(errors)")
    #expect((errors.first?.location?.line ?? 0) <= 10)
}

@Test func deepNestingIsRefused() {
    let yaml = "key: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)

    let errors = loadErrors(yaml)

    #expect(errors.first?.message.contains("nested at most 64 deep") == true, "\(errors)")
}

@Test func oversizedFileIsRefused() {
    let yaml = "description: " + String(repeating: "x", count: 1 << 20) + "\n"

    let errors = loadErrors(yaml)

    #expect(errors.first?.location == nil)
    #expect(errors.first?.message.contains("at most 1048576 bytes") == true)
}

@Test(arguments: ["", "   \n", "# only a comment\n"])
func emptyFileIsAnError(_ text: String) {
    let errors = loadErrors(text)

    #expect(errors.map(\.description) == [
        "demo.yaml: error: expected an experiment mapping, got an empty file"
    ])
}

@Test func nonUTF8BytesAreLocated() {
    var bytes = Array("key: demo\nname: caf".utf8)
    bytes += [0xE9, 0x0A]

    var errors: [DefinitionError] = []
    do {
        _ = try DefinitionLoader().load(yaml: bytes, path: "latin1.yaml")
    } catch {
        errors = error.errors
    }

    #expect(errors.count == 1)
    #expect(errors.first?.location == SourceLocation(line: 2, column: 10))
    #expect(errors.first?.message.contains("expected UTF-8 text") == true)
}

@Test func utf16IsNotAccepted() {
    let bytes: [UInt8] = [0xFF, 0xFE] + Array("k".utf8) + [0]

    #expect(throws: DefinitionErrors.self) {
        try DefinitionLoader().load(yaml: bytes, path: "utf16.yaml")
    }
}

@Test func columnsCountCharactersNotBytes() {
    let errors = loadErrors(minimalDocument + "owner: ünïcødé\nstatus: maybe\n")

    #expect(errors.first?.location == SourceLocation(line: 8, column: 9))
}

@Test func nonScalarKeysAreRejected() {
    let errors = loadErrors(minimalDocument + "? [a, b]\n: c\n")

    #expect(errors.first?.location == SourceLocation(line: 7, column: 3))
    #expect(errors.first?.message.contains("must be a plain name, got a list") == true)
}

@Test func everyPrefixOfAnExampleLoadsOrReportsLocatedErrors() throws {
    let path = examplesDirectory + "/detractor-recovery.yaml"
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let lineCount = bytes.filter { $0 == UInt8(ascii: "\n") }.count + 1
    var rejected = 0

    for length in 0...bytes.count {
        do {
            _ = try DefinitionLoader().load(yaml: Array(bytes[..<length]), path: "prefix.yaml")
        } catch {
            rejected += 1
            #expect(!error.errors.isEmpty)
            for located in error.errors.compactMap(\.location) {
                #expect((1...lineCount).contains(located.line), "\(error)")
                #expect(located.column >= 1)
            }
        }
    }

    #expect(rejected > bytes.count / 2)
}
