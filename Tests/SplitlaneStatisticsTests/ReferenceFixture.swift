import Foundation
import SplitlaneStatistics
import Testing

/// The reference values written by scripts/reference/generate_statistics_fixture.py.
struct ReferenceFixture: Decodable, Sendable {
    let seed: Int
    let distributions: [DistributionCase]
    let proportions: [CountCase]
    let fisher: [FisherCase]
    let means: [MeanCase]
    let cuped: [MeanCase]
    let nps: [CountCase]
    let corrections: [CorrectionCase]
    let srm: [SRMCase]
    let power: [PowerCase]

    /// The fixture, decoded once from the test bundle.
    static let shared: ReferenceFixture = {
        let url = Bundle.module.url(
            forResource: "statistics_reference", withExtension: "json",
            subdirectory: "Fixtures")!
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode(ReferenceFixture.self, from: Data(contentsOf: url))
    }()
}

struct DistributionCase: Decodable, Sendable, CustomTestStringConvertible {
    let function: String
    let args: [Double]
    let expected: Double

    var testDescription: String { "\(function)\(args)" }
}

/// A comparison case whose arms are count lists: [n, successes] or [n, P, D].
struct CountCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let control: [Int]
    let treatment: [Int]
    let alpha: Double
    let expected: ExpectedComparison

    var testDescription: String { name }
}

struct MeanCase: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let control: MeanSummary
    let treatment: MeanSummary
    let alpha: Double
    let expected: ExpectedComparison

    var testDescription: String { name }
}

struct ExpectedComparison: Decodable, Sendable {
    let test: String
    let controlValue: Double?
    let treatmentValue: Double?
    let absoluteLift: Double?
    let ciLower: Double?
    let ciUpper: Double?
    let relativeLift: Double?
    let relativeCiLower: Double?
    let relativeCiUpper: Double?
    let pValue: Double?
    let statistic: Double?
    let degreesOfFreedom: Double?
    let flags: [String]
    let varianceReduction: Double?
}

struct FisherCase: Decodable, Sendable, CustomTestStringConvertible {
    let table: [Int]
    let pValue: Double

    var testDescription: String { "\(table)" }
}

struct CorrectionCase: Decodable, Sendable, CustomTestStringConvertible {
    let method: String
    let pValues: [Double]
    let adjusted: [Double]

    var testDescription: String { "\(method) \(pValues)" }
}

struct SRMCase: Decodable, Sendable, CustomTestStringConvertible {
    let observed: [Int]
    let weights: [Double]
    let chiSquared: Double
    let pValue: Double
    let mismatch: Bool

    var testDescription: String { "\(observed)" }
}

struct PowerCase: Decodable, Sendable, CustomTestStringConvertible {
    let kind: String
    let alpha: Double
    let power: Double
    let arms: Int
    let exactUnitsPerArm: Double
    let unitsPerArm: Int
    let baseline: Double?
    let absolute: Double?
    let relative: Double?
    let standardDeviation: Double?
    let delta: Double?

    var testDescription: String { "\(kind) alpha=\(alpha) power=\(power) arms=\(arms)" }
}

/// Relative tolerance for every reference value.
let referenceTolerance = 1e-9

/// Checks |actual − expected| ≤ tolerance·|expected|, and that both are nil together.
func expectClose(
    _ actual: Double?, _ expected: Double?, _ label: String,
    tolerance: Double = referenceTolerance,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    switch (actual, expected) {
    case (nil, nil):
        return
    case (let actual?, let expected?):
        let close = abs(actual - expected) <= tolerance * abs(expected)
        #expect(
            close, "\(label): got \(actual), expected \(expected)",
            sourceLocation: sourceLocation)
    default:
        let message =
            "\(label): got \(String(describing: actual)), expected "
            + String(describing: expected)
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Checks every field of a comparison against its reference.
func expectMatches(
    _ result: Comparison, _ expected: ExpectedComparison,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.test.rawValue == expected.test, sourceLocation: sourceLocation)
    #expect(
        Set(result.flags.map(\.rawValue)) == Set(expected.flags),
        sourceLocation: sourceLocation)
    expectClose(result.controlValue, expected.controlValue, "control value")
    expectClose(result.treatmentValue, expected.treatmentValue, "treatment value")
    expectClose(result.absoluteLift, expected.absoluteLift, "absolute lift")
    expectClose(result.absoluteCI?.lower, expected.ciLower, "CI lower")
    expectClose(result.absoluteCI?.upper, expected.ciUpper, "CI upper")
    expectClose(result.relativeLift, expected.relativeLift, "relative lift")
    expectClose(result.relativeCI?.lower, expected.relativeCiLower, "relative CI lower")
    expectClose(result.relativeCI?.upper, expected.relativeCiUpper, "relative CI upper")
    expectClose(result.pValue, expected.pValue, "p-value")
    expectClose(result.statistic, expected.statistic, "statistic")
    expectClose(result.degreesOfFreedom, expected.degreesOfFreedom, "degrees of freedom")
    if let reduction = expected.varianceReduction {
        expectClose(result.varianceReduction, reduction, "variance reduction")
    }
}
