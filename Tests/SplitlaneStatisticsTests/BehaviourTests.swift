import Foundation
import SplitlaneStatistics
import Testing

@Suite("Sufficient statistics")
struct SummaryTests {
    @Test func mergingProportionsAddsCounts() {
        let merged =
            ProportionSummary(units: 10, successes: 3)
            + ProportionSummary(outcomes: [true, false, true])

        #expect(merged == ProportionSummary(units: 13, successes: 5))
        #expect(merged.rate == 5.0 / 13.0)
    }

    @Test func meanSummaryFromValuesEqualsMergedHalves() throws {
        let values: [Double] = [1, 4, 2.5, 8, 0, 3]

        let whole = MeanSummary(values: values)
        let halves = MeanSummary(values: values[..<3]) + MeanSummary(values: values[3...])

        #expect(whole == halves)
        #expect(whole.mean == 18.5 / 6)
        let variance = try #require(whole.variance)
        #expect(abs(variance - (96.25 - 18.5 * 18.5 / 6) / 5) < 1e-12)
    }

    @Test func mergingDropsCovariateUnlessBothSidesHaveIt() {
        let withCovariate = MeanSummary(pairs: [
            (value: 1, covariate: 2), (value: 3, covariate: 1),
        ])
        let without = MeanSummary(values: [5, 6])

        #expect((withCovariate + withCovariate).covariate?.sumOfProducts == 10)
        #expect((withCovariate + without).covariate == nil)
    }

    @Test func constantValuesHaveExactlyZeroVariance() {
        let summary = MeanSummary(values: Array(repeating: 0.1, count: 1_000))

        #expect(summary.variance == 0)
    }

    @Test func npsSummaryClassifiesScores() {
        let summary = NPSSummary(scores: [10, 9, 8, 7, 6, 0, 11, -1])

        #expect(summary == NPSSummary(responders: 6, promoters: 2, detractors: 2))
        #expect(summary.score == 0)
    }

    @Test func invalidCountsHaveNoRate() {
        #expect(ProportionSummary(units: 3, successes: 4).rate == nil)
        #expect(NPSSummary(responders: 3, promoters: 2, detractors: 2).score == nil)
    }
}

@Suite("Degenerate inputs are flagged, never NaN")
struct DegenerateTests {
    @Test func invalidProportionIsDegenerate() {
        let result = Comparison.proportions(
            control: ProportionSummary(units: 5, successes: 9),
            treatment: ProportionSummary(units: 10, successes: 2))

        #expect(result.flags.contains(.degenerate))
        #expect(result.pValue == nil)
        #expect(result.absoluteCI == nil)
    }

    @Test func cupedWithoutCovariateFallsBackToWelch() {
        let control = MeanSummary(values: [1, 2, 3, 4, 5])
        let treatment = MeanSummary(values: [2, 3, 4, 5, 7])

        let cuped = Comparison.cuped(control: control, treatment: treatment)
        let welch = Comparison.means(control: control, treatment: treatment)

        #expect(cuped.test == .welch)
        #expect(cuped.flags == [.cupedUnavailable])
        #expect(cuped.pValue == welch.pValue)
    }

    @Test func cupedWithSingleUnitArmIsDegenerate() {
        let control = MeanSummary(pairs: [(value: 1, covariate: 1)])
        let treatment = MeanSummary(pairs: [
            (value: 2, covariate: 1), (value: 4, covariate: 3),
        ])

        let result = Comparison.cuped(control: control, treatment: treatment)

        #expect(result.flags.contains(.degenerate))
        #expect(result.pValue == nil)
    }

    @Test func invalidAlphaGivesNoIntervalRatherThanNaN() {
        let result = Comparison.means(
            control: MeanSummary(values: [1, 2, 3]),
            treatment: MeanSummary(values: [2, 3, 5]),
            alpha: 1.5)

        #expect(result.absoluteCI == nil)
        #expect(result.flags.contains(.degenerate))
    }

    @Test func distributionsReturnNaNOutsideTheirDomain() {
        #expect(Distributions.studentTCDF(1, degreesOfFreedom: -2).isNaN)
        #expect(Distributions.normalQuantile(1.5).isNaN)
        #expect(Distributions.chiSquaredSF(-1, degreesOfFreedom: 0).isNaN)
        #expect(
            Distributions.hypergeometricPMF(1, successes: 5, draws: 3, population: 2)
                .isNaN)
        #expect(
            Distributions.hypergeometricPMF(-1, successes: 1, draws: 1, population: 2)
                .isNaN)
        #expect(Distributions.normalQuantile(0) == -.infinity)
    }

    @Test func fisherHandlesLargeUnbalancedTables() throws {
        let p = try #require(
            FisherExact.twoSidedPValue(a: 4, b: 999_996, c: 500_000, d: 500_000))

        #expect(p >= 0 && p < 1e-100)
    }

    @Test func flagsEncodeInSortedOrder() throws {
        let result = Comparison(
            test: .fisher, flags: [.smallSample, .relativeLiftUndefined, .degenerate])

        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)

        #expect(json.contains(#""flags":["degenerate","relative_lift_undefined","small_sample"]"#))
    }

    @Test func fisherRejectsNegativeCounts() {
        #expect(FisherExact.twoSidedPValue(a: -1, b: 2, c: 3, d: 4) == nil)
    }

    @Test func comparisonEncodesWithoutNaN() throws {
        let result = Comparison.proportions(
            control: ProportionSummary(units: 0, successes: 0),
            treatment: ProportionSummary(units: 10, successes: 0))

        let data = try JSONEncoder().encode(result)
        let decoded = try JSONDecoder().decode(Comparison.self, from: data)

        #expect(decoded == result)
        #expect(result.sortedFlags == [.degenerate, .relativeLiftUndefined])
    }
}

@Suite("Corrections, sample ratio mismatch, power: edge cases")
struct PlanningAndFamilyTests {
    @Test func nilPValuesAreLeftOutOfTheFamily() {
        let adjusted = Correction.holm.adjust([0.01, nil, 0.04])

        #expect(adjusted == [0.02, nil, 0.04])
    }

    @Test(arguments: Correction.allCases)
    func adjustedValuesAreCappedAndNoSmaller(_ correction: Correction) {
        let pValues = [0.9, 0.001, 0.5, 0.04, 0.04]

        let adjusted = correction.adjust(pValues)

        for (raw, value) in zip(pValues, adjusted) {
            #expect(value >= raw && value <= 1)
        }
    }

    @Test func sampleRatioMismatchRejectsBadInput() {
        #expect(throws: StatisticsError.self) {
            try SampleRatioMismatch.test(observed: [1, 2], weights: [1])
        }
        #expect(throws: StatisticsError.self) {
            try SampleRatioMismatch.test(observed: [1, 2], weights: [1, 0])
        }
    }

    @Test func sampleRatioMismatchWithoutUnitsIsUndecided() throws {
        let result = try SampleRatioMismatch.test(observed: [0, 0], weights: [1, 1])

        #expect(result.pValue == nil)
        #expect(!result.isMismatch)
    }

    @Test func powerRejectsImpossibleEffects() {
        #expect(throws: StatisticsError.self) {
            try PowerAnalysis.proportions(baseline: 0.95, effect: .absolute(0.1))
        }
        #expect(throws: StatisticsError.self) {
            try PowerAnalysis.means(standardDeviation: 1, delta: 0)
        }
        #expect(throws: StatisticsError.self) {
            try PowerAnalysis.means(standardDeviation: 1, delta: 0.1, arms: 1)
        }
    }

    @Test func moreArmsNeedMoreUnitsPerArm() throws {
        let two = try PowerAnalysis.proportions(
            baseline: 0.1, effect: .relative(0.2), arms: 2)
        let four = try PowerAnalysis.proportions(
            baseline: 0.1, effect: .relative(0.2), arms: 4)

        #expect(four.unitsPerArm > two.unitsPerArm)
        #expect(four.comparisonAlpha == 0.05 / 3)
    }
}
