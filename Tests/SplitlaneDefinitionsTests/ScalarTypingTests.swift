import Foundation
import SplitlaneDefinitions
import Testing

@Test func yaml11BooleansAndOctalsStayStringsWhereStringsAreExpected() throws {
    let yaml = """
        key: "0800"
        name: on
        owner: no
        unit: "0800"
        salt: 1e3
        arms:
          - { key: a, control: true }
          - { key: b }
        eligibility:
          has_pod: no
          postcode: 0800
          tier: { in: [yes, off, 010] }

        """

    let definition = try loadValid(yaml)

    #expect(definition.key == "0800")
    #expect(definition.name == "on")
    #expect(definition.owner == "no")
    #expect(definition.unit == "0800")
    #expect(definition.salt == "1e3")
    #expect(definition.eligibility[0].test == .equal(ConditionValue(text: "no")))
    #expect(definition.eligibility[1].test == .equal(ConditionValue(text: "0800")))
    #expect(ConditionValue(text: "0800").number == nil)
    let expected = ["yes", "off", "010"].map { ConditionValue(text: $0) }
    #expect(definition.eligibility[2].test == .oneOf(expected))
}

struct RejectedScalar: Sendable, CustomTestStringConvertible {
    var field: String
    var fragment: String
    var testDescription: String { field }
}

@Test(arguments: [
    RejectedScalar(field: "coverage: .5", fragment: "got \".5\""),
    RejectedScalar(field: "coverage: 0x1", fragment: "got \"0x1\""),
    RejectedScalar(field: "coverage: !!float 1", fragment: "(tagged tag:yaml.org,2002:float)"),
    RejectedScalar(field: "status: on", fragment: "got \"on\""),
    RejectedScalar(field: "analysis: { minimum_units: 010 }", fragment: "got \"010\""),
    RejectedScalar(field: "analysis: { minimum_units: 1_000 }", fragment: "got \"1_000\""),
    RejectedScalar(field: "analysis: { minimum_units: +5 }", fragment: "got \"+5\""),
    RejectedScalar(field: "start: 2026-10-01 00:00", fragment: "RFC 3339"),
    RejectedScalar(field: "start: 2026-02-30T00:00:00Z", fragment: "RFC 3339"),
    RejectedScalar(field: "start: 2026-10-01T24:00:00Z", fragment: "RFC 3339"),
    RejectedScalar(field: "start: 2026-10-01T00:00:00", fragment: "RFC 3339"),
    RejectedScalar(field: "eligibility: { a: { exists: True } }", fragment: "got \"True\""),
    RejectedScalar(field: "eligibility: { a: { gt: \"5\" } }", fragment: "(a quoted string)"),
    RejectedScalar(field: "eligibility: { a: { gt: 5, eq: [1] } }", fragment: "got a list"),
    RejectedScalar(field: "eligibility: { a: {} }", fragment: "at least one operator"),
    RejectedScalar(field: "owner: ''", fragment: "experiment owner must be a non-empty string"),
])
func scalarsOfTheWrongTypeAreRejected(_ scalar: RejectedScalar) {
    let errors = loadErrors(minimalDocument + scalar.field + "\n")

    #expect(errors.count == 1)
    #expect(errors.first?.location?.line == 7)
    #expect(errors.first?.message.contains(scalar.fragment) == true, "\(errors)")
}

@Test func typedFieldsReadTheirValues() throws {
    let yaml = minimalDocument + """
        status: "running"
        start: 2026-10-01T02:00:00+02:00
        end: 2027-01-01t00:00:00.5z
        coverage: 0.25
        layer: { name: recovery, buckets: [100, 5000] }
        eligibility:
          nps_score: { gte: 0, lte: 6 }
          email: { exists: false }
          region: { not_in: [north] }
        metrics:
          - { key: m, type: mean, event: order, window: 36h, cuped: true, direction: decrease }
        analysis: { alpha: 0.1, correction: bh, minimum_units: 0 }
        owner: null

        """

    let definition = try loadValid(yaml)

    #expect(definition.status == .running)
    #expect(definition.start == Date(timeIntervalSince1970: 1_790_812_800))
    #expect(definition.end == Date(timeIntervalSince1970: 1_798_761_600.5))
    #expect(definition.coverage == 0.25)
    #expect(definition.layer == Layer(name: "recovery", buckets: 100..<5000))
    #expect(definition.eligibility.map(\.test) == [
        .greaterOrEqual(0), .lessOrEqual(6), .exists(false),
        .noneOf([ConditionValue(text: "north")]),
    ])
    let metric = try #require(definition.metrics.first)
    #expect(metric.aggregate == .count)
    #expect(metric.window.seconds == 36 * 3_600)
    #expect(metric.direction == .decrease)
    #expect(metric.cuped)
    #expect(definition.analysis == AnalysisSettings(alpha: 0.1, correction: .bh, minimumUnits: 0))
    #expect(definition.owner == nil)
    #expect(definition.salt == "demo")
    #expect(definition.arms.map(\.weight) == [1, 1])
    #expect(definition.control.key == "a")
}

@Test func defaultsApplyWhenFieldsAreAbsent() throws {
    let definition = try loadValid(minimalDocument)

    #expect(definition.status == .draft)
    #expect(definition.coverage == 1)
    #expect(definition.layer == nil)
    #expect(definition.analysis == AnalysisSettings())
    #expect(definition.origin?.key == SourceLocation(line: 1, column: 6))
}

@Test func aliasesWithinTheLimitExpand() throws {
    let yaml = minimalDocument + """
        metrics:
          - { key: m, type: proportion, event: order, window: &window 90d }
          - { key: n, type: mean, event: order, window: *window }
        segments: &segments [vertical, lane]

        """

    let definition = try loadValid(yaml)

    #expect(definition.metrics.map(\.window.seconds) == [90 * 86_400, 90 * 86_400])
    #expect(definition.segments == ["vertical", "lane"])
}
