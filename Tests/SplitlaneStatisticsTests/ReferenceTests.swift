import SplitlaneStatistics
import Testing

/// Every test here checks values produced by SciPy and statsmodels (see
/// scripts/reference/generate_statistics_fixture.py) to 1e-9 relative.
@Suite("Reference values from SciPy and statsmodels")
struct ReferenceTests {
    @Test(arguments: ReferenceFixture.shared.distributions)
    func distributionMatchesSciPy(_ reference: DistributionCase) {
        let a = reference.args
        let value: Double
        switch reference.function {
        case "normal_cdf": value = Distributions.normalCDF(a[0])
        case "normal_sf": value = Distributions.normalSF(a[0])
        case "normal_quantile": value = Distributions.normalQuantile(a[0])
        case "t_cdf": value = Distributions.studentTCDF(a[0], degreesOfFreedom: a[1])
        case "t_sf": value = Distributions.studentTSF(a[0], degreesOfFreedom: a[1])
        case "t_quantile":
            value = Distributions.studentTQuantile(a[0], degreesOfFreedom: a[1])
        case "chi2_sf": value = Distributions.chiSquaredSF(a[0], degreesOfFreedom: a[1])
        case "chi2_quantile":
            value = Distributions.chiSquaredQuantile(a[0], degreesOfFreedom: a[1])
        case "beta_quantile": value = Distributions.betaQuantile(a[0], a: a[1], b: a[2])
        case "log_gamma": value = Distributions.logGamma(a[0])
        case "hypergeometric_pmf", "hypergeometric_cdf", "hypergeometric_sf":
            value = hypergeometric(reference.function, a.map { Int($0) })
        default:
            Issue.record("unknown function \(reference.function)")
            return
        }

        expectClose(value, reference.expected, reference.testDescription)
    }

    private func hypergeometric(_ function: String, _ a: [Int]) -> Double {
        switch function {
        case "hypergeometric_pmf":
            Distributions.hypergeometricPMF(
                a[0], successes: a[1], draws: a[2], population: a[3])
        case "hypergeometric_cdf":
            Distributions.hypergeometricCDF(
                a[0], successes: a[1], draws: a[2], population: a[3])
        default:
            Distributions.hypergeometricSF(
                a[0], successes: a[1], draws: a[2], population: a[3])
        }
    }

    @Test(arguments: ReferenceFixture.shared.proportions)
    func proportionsMatchStatsmodelsAndSciPy(_ reference: CountCase) {
        let control = ProportionSummary(
            units: reference.control[0], successes: reference.control[1])
        let treatment = ProportionSummary(
            units: reference.treatment[0], successes: reference.treatment[1])

        let result = Comparison.proportions(
            control: control, treatment: treatment, alpha: reference.alpha)

        expectMatches(result, reference.expected)
    }

    @Test(arguments: ReferenceFixture.shared.fisher)
    func fisherMatchesSciPy(_ reference: FisherCase) {
        let t = reference.table

        let p = FisherExact.twoSidedPValue(a: t[0], b: t[1], c: t[2], d: t[3])

        expectClose(p, reference.pValue, "Fisher \(t)")
    }

    @Test(arguments: ReferenceFixture.shared.means)
    func welchMatchesSciPy(_ reference: MeanCase) {
        let result = Comparison.means(
            control: reference.control, treatment: reference.treatment,
            alpha: reference.alpha)

        expectMatches(result, reference.expected)
    }

    @Test(arguments: ReferenceFixture.shared.cuped)
    func cupedMatchesWelchOnAdjustedValues(_ reference: MeanCase) {
        let result = Comparison.cuped(
            control: reference.control, treatment: reference.treatment,
            alpha: reference.alpha)

        expectMatches(result, reference.expected)
    }

    @Test(arguments: ReferenceFixture.shared.nps)
    func npsMatchesWeightedScoreVariance(_ reference: CountCase) {
        let c = reference.control
        let t = reference.treatment
        let control = NPSSummary(responders: c[0], promoters: c[1], detractors: c[2])
        let treatment = NPSSummary(responders: t[0], promoters: t[1], detractors: t[2])

        let result = Comparison.nps(
            control: control, treatment: treatment, alpha: reference.alpha)

        expectMatches(result, reference.expected)
    }

    @Test(arguments: ReferenceFixture.shared.corrections)
    func correctionMatchesMultipletests(_ reference: CorrectionCase) throws {
        let correction = try #require(Correction(rawValue: reference.method))

        let adjusted = correction.adjust(reference.pValues)

        #expect(adjusted.count == reference.adjusted.count)
        for (value, expected) in zip(adjusted, reference.adjusted) {
            expectClose(value, expected, reference.testDescription)
        }
    }

    @Test(arguments: ReferenceFixture.shared.srm)
    func sampleRatioMismatchMatchesChisquare(_ reference: SRMCase) throws {
        let result = try SampleRatioMismatch.test(
            observed: reference.observed, weights: reference.weights)

        expectClose(result.chiSquared, reference.chiSquared, "chi-square")
        expectClose(result.pValue, reference.pValue, "p-value")
        #expect(result.isMismatch == reference.mismatch)
        #expect(result.degreesOfFreedom == reference.observed.count - 1)
    }

    @Test(arguments: ReferenceFixture.shared.power)
    func sampleSizeMatchesClosedForm(_ reference: PowerCase) throws {
        let plan: SampleSize
        if reference.kind == "proportion" {
            let effect: MinimumDetectableEffect =
                if let absolute = reference.absolute { .absolute(absolute) } else {
                    .relative(try #require(reference.relative))
                }
            plan = try PowerAnalysis.proportions(
                baseline: try #require(reference.baseline), effect: effect,
                alpha: reference.alpha, power: reference.power, arms: reference.arms)
        } else {
            plan = try PowerAnalysis.means(
                standardDeviation: try #require(reference.standardDeviation),
                delta: try #require(reference.delta), alpha: reference.alpha,
                power: reference.power, arms: reference.arms)
        }

        expectClose(plan.exactUnitsPerArm, reference.exactUnitsPerArm, "exact n")
        #expect(plan.unitsPerArm == reference.unitsPerArm)
        #expect(plan.totalUnits == reference.unitsPerArm * reference.arms)
        expectClose(
            plan.comparisonAlpha, reference.alpha / Double(reference.arms - 1), "alpha'")
    }
}
