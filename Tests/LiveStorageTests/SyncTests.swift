import Foundation
import LiveTestSupport
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneStorage
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "set SPLITLANE_TEST_DATABASE_URL"))
struct SyncTests {
    static func definition(
        status: ExperimentDefinition.Status = .running, salt: String? = nil,
        weights: [Int] = [1, 1]
    ) -> ExperimentDefinition {
        ExperimentDefinition(
            key: "channel-test", name: "Survey channel", unit: "recipient", status: status,
            salt: salt,
            eligibility: [
                Condition(attribute: "vertical", test: .equal(ConditionValue(text: "pharmacy")))
            ],
            arms: [
                Arm(key: "sms", weight: weights[0], isControl: true),
                Arm(key: "email", weight: weights[1]),
            ],
            metrics: [
                Metric(
                    key: "opened", type: .proportion, event: "survey_open",
                    window: TimeWindow(seconds: 86_400, description: "1d"))
            ])
    }

    /// Exposes `count` units with the arms the definition gives them.
    static func expose(
        _ count: Int, with definition: ExperimentDefinition, in database: TestDatabase
    ) throws {
        let assigner = Assigner(definition)
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let attributes: [String: AttributeValue] = ["vertical": .string("pharmacy")]
        let records = (0..<count).compactMap { index -> ExposureRecord? in
            let unit = "recipient-\(index)"
            guard let arm = assigner.assign(unit: unit, attributes: attributes, at: at).arm
            else { return nil }
            return ExposureRecord(
                experiment: definition.key, unit: unit, arm: arm, exposedAt: at,
                attributes: attributes, source: "test")
        }
        _ = try database.store.recordExposures(records)
    }

    @Test func syncStoresTheDefinitionAndIsIdempotent() throws {
        let database = try TestDatabase()
        let definition = Self.definition()

        let first = try database.store.sync([definition])
        let second = try database.store.sync([definition])
        var renamed = definition
        renamed.name = "Survey channel, renamed"
        renamed.metrics = []
        let third = try database.store.sync([renamed])

        #expect(first.map(\.change) == [.created])
        #expect(second.map(\.change) == [.unchanged])
        #expect(third.map(\.change) == [.updated])
        #expect(first[0].digest == DefinitionDocument.assignmentDigest(definition))
        #expect(third[0].digest == first[0].digest)
        let stored = try database.column(
            """
            SELECT definition ->> 'name' || '|' || (definition -> 'arms' -> 1 ->> 'key')
                   || '|' || digest
            FROM splitlane.experiments
            """)
        #expect(stored == ["Survey channel, renamed|email|\(first[0].digest)"])
    }

    @Test func changingTheAssignmentOfARunningExperimentIsRefusedWithCounts() throws {
        let database = try TestDatabase()
        let original = Self.definition()
        try database.store.sync([original])
        try Self.expose(400, with: original, in: database)
        let exposed = try database.count("SELECT count(*) FROM splitlane.exposures")

        let reweighted = Self.definition(weights: [1, 3])
        let newAssigner = Assigner(reweighted)
        let rows = try database.store.connection.query(
            "SELECT unit_id, arm FROM splitlane.exposures")
        let expectedSwitches = try rows.rows.filter { row in
            let unit = try row.requiredString("unit_id")
            let arm = newAssigner.assign(
                unit: unit, attributes: ["vertical": .string("pharmacy")],
                at: Date(timeIntervalSince1970: 1_790_000_000)
            ).arm
            return arm != (try row.requiredString("arm"))
        }.count

        let error = try #require(throws: StorageError.self) {
            try database.store.sync([reweighted])
        }

        #expect(error.code == .syncRefused)
        #expect(expectedSwitches > 0)
        #expect(
            error.message.contains(
                "of \(exposed) exposed units, \(expectedSwitches) would switch arms"))
        #expect(error.message.contains("new key"))
        let digest = try database.column("SELECT digest FROM splitlane.experiments")
        #expect(digest == [DefinitionDocument.assignmentDigest(original)])
    }

    @Test func aPreviewReportsWhatTheSyncWouldDoAndStoresNothing() throws {
        let database = try TestDatabase()
        let original = Self.definition()
        try database.store.sync([original])
        try Self.expose(300, with: original, in: database)
        var other = Self.definition(status: .draft)
        other.key = "another-test"

        let preview = try database.store.syncPreview([Self.definition(weights: [1, 3]), other])
        let unchanged = try database.store.syncPreview([original])

        #expect(preview.synced.map(\.key) == ["another-test"])
        #expect(preview.synced.map(\.change) == [.created])
        #expect(preview.refusals.map(\.key) == ["channel-test"])
        #expect(preview.refusals.first?.exposedUnits == 300)
        #expect((preview.refusals.first?.switchingUnits ?? 0) > 0)
        #expect(unchanged.synced.map(\.change) == [.unchanged])
        #expect(unchanged.refusals.isEmpty)
        #expect(try database.column("SELECT key || '|' || digest FROM splitlane.experiments")
            == ["channel-test|\(DefinitionDocument.assignmentDigest(original))"])
    }

    @Test func aNewSaltMovesUnitsAndIsRefusedToo() throws {
        let database = try TestDatabase()
        try database.store.sync([Self.definition()])
        try Self.expose(200, with: Self.definition(), in: database)

        let error = try #require(throws: StorageError.self) {
            try database.store.sync([Self.definition(salt: "another-salt")])
        }

        #expect(error.message.contains("channel-test"))
        #expect(!error.message.contains(" 0 would switch arms"))
    }

    @Test func aDraftMayChangeItsAssignmentFreely() throws {
        let database = try TestDatabase()
        try database.store.sync([Self.definition(status: .draft)])

        let result = try database.store.sync([Self.definition(status: .draft, weights: [2, 1])])

        #expect(result.map(\.change) == [.updated])
    }

    @Test func theDigestCoversExactlyTheAssignmentParts() {
        let base = Self.definition()
        var cosmetic = base
        cosmetic.name = "other"
        cosmetic.description = "other"
        cosmetic.metrics = []
        cosmetic.status = .stopped
        var coverage = base
        coverage.coverage = 0.5
        var layered = base
        layered.layer = Layer(name: "channel", buckets: 0..<5_000)
        var reordered = base
        reordered.arms.reverse()

        let digest = DefinitionDocument.assignmentDigest
        #expect(digest(cosmetic) == digest(base))
        #expect(digest(coverage) != digest(base))
        #expect(digest(layered) != digest(base))
        #expect(digest(reordered) != digest(base))
        #expect(digest(Self.definition(salt: "x")) != digest(base))
        #expect(digest(base).count == 64)
    }
}
