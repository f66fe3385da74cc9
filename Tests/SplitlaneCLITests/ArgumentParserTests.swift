import Testing

@testable import SplitlaneCLI

@Suite("Argument parsing")
struct ArgumentParserTests {
    static let spec = CommandSpec(
        path: ["assign"],
        abstract: "test",
        arguments: [ArgumentSpec("EXPERIMENT", help: "key")],
        options: [
            OptionSpec("unit", value: "ID", help: "unit"),
            OptionSpec("attr", value: "K=V", help: "attribute", isRepeating: true),
            OptionSpec("format", value: "F", help: "format", choices: ["text", "json"]),
            OptionSpec("record", help: "record"),
        ])

    @Test func readsOptionsFlagsAndPositionals() throws {
        let parsed = try ArgumentParser.parse(
            ["recovery", "--unit", "acct-1", "--attr=a=1", "--attr", "b=x", "--record", "--format=json"],
            as: Self.spec)

        #expect(parsed.value("EXPERIMENT") == "recovery")
        #expect(parsed.value("unit") == "acct-1")
        #expect(parsed.values("attr") == ["a=1", "b=x"])
        #expect(parsed.flag("record"))
        #expect(parsed.value("format") == "json")
    }

    @Test func doubleDashEndsOptions() throws {
        let parsed = try ArgumentParser.parse(["--", "--unit"], as: Self.spec)

        #expect(parsed.value("EXPERIMENT") == "--unit")
        #expect(parsed.value("unit") == nil)
    }

    @Test(arguments: [
        (["recovery", "--unti", "x"], "unknown option --unti; did you mean --unit?"),
        (["recovery", "--unit"], "option --unit needs a value (ID)"),
        (["recovery", "--format", "xml"], "--format must be one of text, json; got \"xml\""),
        (["recovery", "--record=yes"], "option --record takes no value"),
        (["recovery", "--unit", "a", "--unit", "b"], "option --unit is given twice"),
        ([], "missing argument EXPERIMENT"),
        (["a", "b"], "unexpected argument \"b\""),
    ])
    func rejectsBadCommandLines(arguments: [String], message: String) {
        #expect(throws: UsageError(message, command: ["assign"])) {
            try ArgumentParser.parse(arguments, as: Self.spec)
        }
    }

    @Test func helpListsEveryOptionAndExample() {
        var spec = Self.spec
        spec.examples = ["splitlane assign recovery --unit acct-1"]

        let help = HelpFormatter.help(for: spec)

        for option in spec.options {
            #expect(help.contains("--\(option.name)"))
        }
        #expect(help.contains("(text|json)"))
        #expect(help.contains("EXAMPLES:\n  splitlane assign recovery --unit acct-1"))
    }

    @Test func editDistanceHints() {
        #expect(ArgumentParser.editDistance("kitten", "sitting") == 3)
        #expect(ArgumentParser.closest("readuot", among: ["readout", "ingest"]) == "readout")
        #expect(ArgumentParser.closest("zzzzzz", among: ["readout", "ingest"]) == nil)
    }
}
