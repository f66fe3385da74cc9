import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import Testing

@Suite("Bucketing and assignment against the Python reference")
struct ConformanceTests {
    @Test func bucketsMatchHashlib() throws {
        let vectors = try ConformanceVectors.load()

        let mismatches = vectors.buckets.filter { Bucket.of($0.text) != $0.bucket }

        #expect(vectors.buckets.count > 200)
        #expect(mismatches.map(\.text) == [])
    }

    @Test func everyCaseMatches() throws {
        let vectors = try ConformanceVectors.load()
        var assigners: [String: Assigner] = [:]
        for experiment in vectors.experiments {
            assigners[experiment.key] = Assigner(try experiment.definition)
        }

        var checked = 0
        for vector in vectors.cases {
            let assigner = try #require(assigners[vector.experiment])
            let attributes = vector.attributes.mapValues(\.attribute)
            let result = assigner.assign(
                unit: vector.unit, attributes: attributes, at: try parseTimestamp(vector.at))
            #expect(
                result.arm == vector.arm && result.reason.rawValue == vector.reason,
                "\(vector.experiment) unit \(vector.unit.debugDescription) \(vector.attributes)")
            checked += 1
        }

        #expect(checked > 2_000)
        let reasons = Set(vectors.cases.map(\.reason))
        #expect(reasons == Set(AssignmentReason.allCases.map(\.rawValue)))
    }

    @Test func byteAndStringPathsAgree() throws {
        let vectors = try ConformanceVectors.load()
        let assigner = Assigner(try #require(vectors.experiments.first).definition)

        for vector in vectors.cases.prefix(300) {
            var unit = vector.unit
            let viaBytes = unit.withUTF8 { assigner.assign(unitUTF8: $0) }
            #expect(viaBytes == assigner.assign(unit: vector.unit))
        }
    }
}

@Suite("Assignment rules")
struct AssignerRuleTests {
    static func experiment(
        weights: [Int], coverage: Double = 1, layer: Layer? = nil
    ) -> ExperimentDefinition {
        ExperimentDefinition(
            key: "rules", name: "Rules", unit: "recipient", status: .running,
            coverage: coverage, layer: layer,
            arms: weights.enumerated().map { Arm(key: "arm\($0)", weight: $1, isControl: $0 == 0) })
    }

    @Test(arguments: [
        ([1, 1], [5_000, 10_000]),
        ([1, 1, 1], [3_333, 6_666, 10_000]),
        ([2, 1, 7], [2_000, 3_000, 10_000]),
        ([1, 2, 3, 4], [1_000, 3_000, 6_000, 10_000]),
        ([3, 3, 3], [3_333, 6_666, 10_000]),
    ])
    func bucketBoundsUseIntegerDivision(weights: [Int], expected: [Int]) {
        #expect(Assigner.bucketBounds(weights: weights) == expected)
    }

    @Test func raisingCoverageOnlyAddsUnits() {
        let narrow = Assigner(Self.experiment(weights: [1, 1, 1], coverage: 0.2))
        let wide = Assigner(Self.experiment(weights: [1, 1, 1], coverage: 0.6))
        let units = (0..<5_000).map { "recipient-\($0)" }

        let narrowArms = units.map { narrow.assign(unit: $0) }
        let wideArms = units.map { wide.assign(unit: $0) }

        for (before, after) in zip(narrowArms, wideArms) where before.reason == .assigned {
            #expect(after == before)
        }
        let narrowIn = narrowArms.filter { $0.reason == .assigned }.count
        let wideIn = wideArms.filter { $0.reason == .assigned }.count
        // Binomial(5000, p): 0.2 and 0.6 give 1000 ± 28 and 3000 ± 35 (1 sd).
        #expect((850...1_150).contains(narrowIn))
        #expect((2_850...3_150).contains(wideIn))
    }

    @Test func zeroCoverageAdmitsNobody() {
        let assigner = Assigner(Self.experiment(weights: [1, 1], coverage: 0))

        let reasons = Set((0..<1_000).map { assigner.assign(unit: "u\($0)").reason })

        #expect(reasons == [.notInCoverage])
    }

    @Test func experimentsInOneLayerNeverShareAUnit() {
        let left = Assigner(Self.experiment(weights: [1, 1], layer: Layer(name: "l", buckets: 0..<4_000)))
        let right = Assigner(Self.experiment(weights: [1, 1], layer: Layer(name: "l", buckets: 4_000..<10_000)))

        for index in 0..<5_000 {
            let unit = "account-\(index)"
            let inLeft = left.assign(unit: unit).reason == .assigned
            let inRight = right.assign(unit: unit).reason == .assigned
            #expect(inLeft != inRight)
        }
    }

    @Test func timeWindowIsHalfOpen() throws {
        var definition = Self.experiment(weights: [1])
        let start = try parseTimestamp("2026-10-01T00:00:00Z")
        let end = try parseTimestamp("2027-01-01T00:00:00Z")
        definition.start = start
        definition.end = end
        let assigner = Assigner(definition)

        #expect(assigner.assign(unit: "u", at: start.addingTimeInterval(-1)).reason == .inactive)
        #expect(assigner.assign(unit: "u", at: start).reason == .assigned)
        #expect(assigner.assign(unit: "u", at: end.addingTimeInterval(-0.001)).reason == .assigned)
        #expect(assigner.assign(unit: "u", at: end).reason == .inactive)
    }

    @Test func overridesWinOverEverything() {
        var definition = Self.experiment(weights: [1, 1], coverage: 0)
        definition.status = .stopped
        definition.overrides = [.init(unit: "qa-1", arm: "arm1")]
        let assigner = Assigner(definition)

        #expect(assigner.assign(unit: "qa-1") == Assignment(arm: "arm1", reason: .override))
        #expect(assigner.assign(unit: "qa-2") == Assignment(arm: nil, reason: .inactive))
    }

    @Test func armSharesFollowWeights() {
        let assigner = Assigner(Self.experiment(weights: [1, 3]))
        let count = 20_000

        let first = (0..<count).filter { assigner.assign(unit: "d-\($0)").arm == "arm0" }.count

        // Binomial(20000, 0.25): sd 61; a band of ± 5 sd fails by chance ~1 in 10^6.
        #expect(abs(first - count / 4) < 306)
    }
}
