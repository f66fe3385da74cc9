import SplitlaneDefinitions
import Testing

/// One malformed document and where and what its first error must be.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var line: Int
    var column: Int
    var fragment: String

    var testDescription: String { name }
}

private func appended(_ name: String, _ extra: String, _ line: Int, _ column: Int,
    _ fragment: String) -> MalformedCase {
    MalformedCase(name: name, yaml: minimalDocument + extra, line: line, column: column,
        fragment: fragment)
}

private func whole(_ name: String, _ yaml: String, _ line: Int, _ column: Int,
    _ fragment: String) -> MalformedCase {
    MalformedCase(name: name, yaml: yaml, line: line, column: column, fragment: fragment)
}

/// A case whose document has exactly two arms, written in flow style on lines 5 and 6.
private func arms(_ name: String, _ first: String, _ second: String, _ line: Int,
    _ column: Int, _ fragment: String) -> MalformedCase {
    let yaml = "key: d\nname: D\nunit: u\narms:\n  - { \(first) }\n  - { \(second) }\n"
    return MalformedCase(name: name, yaml: yaml, line: line, column: column, fragment: fragment)
}

let malformedCases: [MalformedCase] = [
    appended("unknown top-level field", "stauts: running\n", 7, 1, "did you mean `status`?"),
    appended("unknown field without a near name", "colour: red\n", 7, 1,
        "expected a field of the experiment (`key`, `name`, `owner`"),
    appended("duplicate key", "name: Again\n", 7, 1, "got \"name\" again (first at line 2"),
    appended("yes is no status", "status: yes\n", 7, 9,
        "experiment status must be one of `draft`, `running`, `stopped`, got \"yes\""),
    appended("coverage above one", "coverage: 1.5\n", 7, 11,
        "coverage must be a number in 0...1, got \"1.5\""),
    appended("coverage quoted", "coverage: \"0.5\"\n", 7, 11,
        "got \"0.5\" (a quoted string)"),
    appended("date without time", "start: 2026-10-01\n", 7, 8, "RFC 3339"),
    appended("year zero", "start: 0000-10-01T00:00:00Z\n", 7, 8, "RFC 3339"),
    appended("year zero in UTC", "start: 0001-01-01T00:30:00+01:00\n", 7, 8, "RFC 3339"),
    appended("end before start",
        "start: 2026-10-01T00:00:00Z\nend: 2026-09-01T00:00:00+02:00\n", 8, 6,
        "experiment end must be later than its start"),
    appended("layer bound too large", "layer: { name: rec, buckets: [0, 10001] }\n", 7, 34,
        "layer bucket bound must be a whole number in 0...10000, got \"10001\""),
    appended("layer empty range", "layer: { name: rec, buckets: [500, 500] }\n", 7, 36,
        "greater than 500"),
    appended("layer three bounds", "layer: { name: rec, buckets: [0, 1, 2] }\n", 7, 30,
        "got a list"),
    appended("unknown operator", "eligibility:\n  nps_score: { lessthan: 6 }\n", 8, 16,
        "got \"lessthan\""),
    appended("operator typo", "eligibility:\n  nps_score: { ltee: 6 }\n", 8, 16,
        "did you mean `lte`?"),
    appended("lt needs a number", "eligibility:\n  nps_score: { lt: six }\n", 8, 20,
        "`lt` in condition on `nps_score` must be a number, got \"six\""),
    appended("in needs a list", "eligibility:\n  vertical: { in: grocery }\n", 8, 19,
        "must be a non-empty list of values, got \"grocery\""),
    appended("exists needs a boolean", "eligibility:\n  email: { exists: yes }\n", 8, 20,
        "must be `true` or `false`, got \"yes\""),
    appended("bare list condition", "eligibility:\n  vertical: [a, b]\n", 8, 13,
        "write `{ in: [...] }`"),
    appended("override names no arm", "overrides: { qa-1: c }\n", 7, 20,
        "override arm must be one of `a`, `b`, got \"c\""),
    appended("metric type unknown",
        "metrics:\n  - { key: m, type: median, event: order, window: 7d }\n", 8, 21,
        "metric type must be one of `proportion`, `mean`, `nps`"),
    appended("metric window unit",
        "metrics:\n  - { key: m, type: mean, event: order, window: 7days }\n", 8, 49,
        "metric window must be a duration"),
    appended("aggregate on proportion",
        "metrics:\n  - { key: m, type: proportion, event: o, aggregate: sum, window: 7d }\n",
        8, 43, "`aggregate` must only be set on `mean` metrics"),
    appended("cuped on nps",
        "metrics:\n  - { key: m, type: nps, event: s, window: 7d, cuped: true }\n", 8, 55,
        "`cuped` must be false for `nps` metrics"),
    appended("two primaries",
        "metrics:\n  - { key: m, type: nps, event: s, window: 7d, primary: true }\n"
            + "  - { key: n, type: nps, event: s, window: 7d, primary: true }\n", 9, 57,
        "at most one primary metric, got a second (the first is at line 8)"),
    appended("duplicate metric key",
        "metrics:\n  - { key: m, type: nps, event: s, window: 7d }\n"
            + "  - { key: m, type: nps, event: s, window: 7d }\n", 9, 12,
        "metric key must be unique"),
    appended("direction typo",
        "metrics:\n  - { key: m, type: nps, event: s, window: 7d, direction: up }\n", 8, 59,
        "metric direction must be one of `increase`, `decrease`, got \"up\""),
    appended("segments not a list", "segments: vertical\n", 7, 11,
        "segments must be a list, got \"vertical\""),
    appended("segment repeated", "segments: [lane, lane]\n", 7, 18, "listed once"),
    appended("alpha of one", "analysis: { alpha: 1 }\n", 7, 20,
        "strictly between 0 and 1, got \"1\""),
    appended("correction unknown", "analysis: { correction: sidak }\n", 7, 25,
        "analysis correction must be one of `none`, `holm`, `bonferroni`, `bh`"),
    appended("negative minimum units", "analysis: { minimum_units: -5 }\n", 7, 28,
        "a whole number of at least 0, got \"-5\""),
    whole("key pattern",
        "key: Demo_1\nname: D\nunit: u\narms: [{key: a, control: true}, {key: b}]\n", 1, 6,
        "experiment key must be 1 to 64 of a-z"),
    whole("missing name", "key: demo\nunit: u\narms: [{key: a, control: true}, {key: b}]\n",
        1, 1, "the experiment must have the field `name`, got none"),
    arms("weight one half",
        "key: a, control: true", "key: b, weight: 0.5",
        6, 23, "arm weight must be a positive integer of at most 10000, got \"0.5\""),
    arms("weight zero",
        "key: a, control: true, weight: 0", "key: b",
        5, 38, "got \"0\""),
    arms("weight exponent",
        "key: a, control: true, weight: 1e3", "key: b",
        5, 38, "got \"1e3\""),
    arms("weight quoted",
        "key: a, control: true, weight: \"2\"", "key: b",
        5, 38, "got \"2\" (a quoted string)"),
    arms("arm field typo",
        "key: a, control: true, wieght: 2", "key: b",
        5, 30, "did you mean `weight`?"),
    arms("no control",
        "key: a", "key: b",
        5, 3, "exactly one arm with `control: true`, got none"),
    arms("two controls",
        "key: a, control: true", "key: b, control: true",
        6, 24, "exactly one control arm, got a second"),
    arms("control yes",
        "key: a, control: yes", "key: b",
        5, 24, "arm control must be `true` or `false`, got \"yes\""),
    arms("duplicate arm keys",
        "key: a, control: true", "key: a",
        6, 12, "arm key must be unique (\"a\" is first at line 5)"),
    whole("single arm", "key: d\nname: D\nunit: u\narms:\n  - { key: a, control: true }\n",
        5, 3, "at least two arms, got 1"),
    arms("negative cost",
        "key: a, control: true, cost: -1", "key: b",
        5, 36, "arm cost must be a non-negative number, got \"-1\""),
    whole("top-level list", "- key: d\n- name: D\n", 1, 1,
        "the experiment must be a mapping, got a list"),
    whole("top-level scalar", "just text\n", 1, 1, "must be a mapping, got \"just text\""),
    whole("two documents", minimalDocument + "---\nkey: other\n", 7, 1,
        "one YAML document per file, got a second document"),
    whole("tab indentation", "key: d\narms:\n\t- { key: a }\n", 3, 1, "tab"),
    whole("unclosed flow", "key: d\narms: [a, b\n", 3, 1, "syntax error"),
    whole("undefined alias", "key: *nothing\n", 1, 6, "got \"*nothing\""),
]

@Test(arguments: malformedCases)
func malformedDocumentReportsItsFirstError(_ testCase: MalformedCase) throws {
    let errors = loadErrors(testCase.yaml)

    let first = try #require(errors.first)
    #expect(first.path == "demo.yaml")
    #expect(first.location == SourceLocation(line: testCase.line, column: testCase.column),
        "\(first)")
    #expect(first.message.contains(testCase.fragment), "\(first)")
    #expect(first.description.hasPrefix("demo.yaml:\(testCase.line):\(testCase.column): error: "))
}

@Test func everyErrorOfAFileIsReported() {
    let yaml = """
        key: Bad Key
        name: D
        unit: u
        status: live
        arms:
          - { key: a, control: true, weight: 0.5 }
          - { key: b, colour: red }

        """

    let errors = loadErrors(yaml)

    #expect(errors.map(\.location?.line) == [1, 4, 6, 7])
    #expect(errors[3].message.contains("\"colour\""))
}
