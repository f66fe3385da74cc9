import Foundation
import SplitlaneDefinitions
import Testing

/// A valid definition with the given key and, optionally, a layer range.
private func definition(_ key: String, layer: String? = nil) -> String {
    var text = """
        key: \(key)
        name: Test \(key)
        unit: account
        arms:
          - { key: a, control: true }
          - { key: b }

        """
    if let layer {
        text += "layer: \(layer)\n"
    }
    return text
}

/// Loads a catalog and returns its errors, or an empty list if it loaded.
private func catalogErrors(_ paths: [String]) -> [DefinitionError] {
    do {
        _ = try DefinitionLoader().loadCatalog(paths: paths)
        return []
    } catch {
        return error.errors
    }
}

@Test func examplesLoadAsACatalog() throws {
    let catalog = try DefinitionLoader().loadCatalog(paths: [examplesDirectory])

    #expect(catalog.experiments.map(\.key) == ["detractor-recovery-2026q4", "survey-channel-2026"])
    let recovery = try #require(catalog["detractor-recovery-2026q4"])
    #expect(recovery.arms.map(\.key) == ["apology_call", "credit", "redelivery", "am_checkin"])
    #expect(recovery.arms.map(\.cost) == [4.5, 15, 9, 22])
    #expect(recovery.control.key == "apology_call")
    #expect(recovery.eligibility.first == Condition(attribute: "nps_score", test: .lessOrEqual(6)))
    #expect(recovery.metrics.map(\.key) == [
        "winback_90d", "orders_90d", "revenue_90d", "churn_q", "nps_next",
    ])
    #expect(recovery.metrics.filter(\.cuped).map(\.key) == ["orders_90d"])
    #expect(recovery.overrides == [.init(unit: "acct-qa-1", arm: "credit")])
    #expect(recovery.segments == ["vertical", "lane", "region"])
    #expect(recovery.status == .running)

    let survey = try #require(catalog["survey-channel-2026"])
    #expect(survey.unit == "delivery")
    #expect(survey.arms.map(\.key) == ["email", "sms", "shipper_portal"])
    #expect(survey.control.key == "email")
    #expect(survey.metrics.map(\.event) == ["survey_opened", "survey_response", "survey_response"])
    #expect(survey.metrics.map(\.type) == [.proportion, .proportion, .nps])
    #expect(survey.primaryMetric?.key == "responded")
    #expect(survey.status == .running)
}

@Test func duplicateKeysAcrossFilesNameBothFiles() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let first = try directory.write("a.yaml", definition("same"))
    let second = try directory.write("b.yml", definition("same"))

    let errors = catalogErrors([directory.path])

    #expect(errors.count == 1)
    #expect(errors.first?.path == second)
    #expect(errors.first?.location == SourceLocation(line: 1, column: 6))
    #expect(errors.first?.message.contains("(first in \(first):1:6)") == true, "\(errors)")
}

@Test func overlappingLayerRangesAreRejected() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let first = try directory.write(
        "a.yaml", definition("one", layer: "{ name: recovery, buckets: [0, 5000] }"))
    let second = try directory.write(
        "b.yaml", definition("two", layer: "{ name: recovery, buckets: [4999, 8000] }"))

    let errors = catalogErrors([directory.path])

    #expect(errors.count == 1)
    #expect(errors.first?.path == second)
    #expect(errors.first?.location == SourceLocation(line: 7, column: 8))
    let message = errors.first?.message ?? ""
    #expect(message.contains("got [4999, 8000) overlapping [0, 5000) of \"one\""), "\(message)")
    #expect(message.contains("\(first):7:8"), "\(message)")
}

@Test func adjacentRangesAndOtherLayersAreFine() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try directory.write(
        "a.yaml", definition("one", layer: "{ name: recovery, buckets: [0, 5000] }"))
    try directory.write(
        "b.yaml", definition("two", layer: "{ name: recovery, buckets: [5000, 10000] }"))
    try directory.write(
        "c.yaml", definition("three", layer: "{ name: channel, buckets: [0, 10000] }"))
    try directory.write("notes.txt", "not an experiment")

    let catalog = try DefinitionLoader().loadCatalog(paths: [directory.path])

    #expect(catalog.experiments.map(\.key) == ["one", "three", "two"])
}

@Test func oneInvalidFileRejectsTheWholeSetAndEveryErrorIsReported() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try directory.write("a.yaml", definition("good"))
    let broken = try directory.write("b.yaml", definition("bad") + "coverage: 2\n")
    let empty = try directory.write("c.yaml", "")
    let list = try directory.write("d.yaml", "- key: x\n")
    let missing = directory.path + "/missing.yaml"

    let errors = catalogErrors([directory.path, missing])

    #expect(errors.map(\.path) == [broken, empty, list, missing])
    #expect(errors[0].location == SourceLocation(line: 7, column: 11))
    #expect(errors[2].message.contains("must be a mapping, got a list"))
    #expect(errors[3].message.contains("got none"))
}

@Test func aFileNamedTwiceLoadsOnce() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let file = try directory.write("a.yaml", definition("once"))

    let catalog = try DefinitionLoader().loadCatalog(paths: [file, directory.path])

    #expect(catalog.experiments.count == 1)
}

@Test func loadFileReportsAMissingFile() {
    #expect(throws: DefinitionErrors.self) {
        try DefinitionLoader().load(file: "/nonexistent/splitlane/x.yaml")
    }
}
