import Foundation
import SplitlaneStatistics
import Testing

/// A/A simulations: both arms come from the same distribution, so a valid test at
/// alpha 0.05 rejects in 5% of experiments. With 4,000 experiments the standard error
/// of the observed rate is √(0.05·0.95/4000) ≈ 0.34 percentage points, so the ±1 point
/// tolerance is about 2.9 standard errors. The generator is SplitMix64 with a fixed
/// seed per test, so every run sees the same experiments.
@Suite("A/A false-positive rates")
struct AAValidityTests {
    static let experiments = 4_000
    static let alpha = 0.05
    static let tolerance = 0.01

    @Test("z-test on proportions, p = 0.3, 300 units per arm, seed 1")
    func proportionsHoldAlpha() {
        var generator = SplitMix64(seed: 1)
        let draw = { (generator: inout SplitMix64) in
            ProportionSummary(outcomes: (0..<300).map { _ in generator.nextUnit() < 0.3 })
        }

        let rate = Self.rejectionRate {
            let control = draw(&generator)
            let treatment = draw(&generator)
            return Comparison.proportions(control: control, treatment: treatment)
        }

        #expect(abs(rate - Self.alpha) <= Self.tolerance, "false-positive rate \(rate)")
    }

    @Test("Welch on skewed (exponential) means, 200 units per arm, seed 2")
    func welchHoldsAlpha() {
        var generator = SplitMix64(seed: 2)
        let draw = { (generator: inout SplitMix64) in
            MeanSummary(values: (0..<200).map { _ in -20 * log1p(-generator.nextUnit()) })
        }

        let rate = Self.rejectionRate {
            let control = draw(&generator)
            let treatment = draw(&generator)
            return Comparison.means(control: control, treatment: treatment)
        }

        #expect(abs(rate - Self.alpha) <= Self.tolerance, "false-positive rate \(rate)")
    }

    @Test("CUPED with a correlated covariate, 200 units per arm, seed 3")
    func cupedHoldsAlpha() {
        var generator = SplitMix64(seed: 3)
        let draw = { (generator: inout SplitMix64) in
            MeanSummary(
                pairs: (0..<200).map { _ in
                    let x = 10 * generator.nextUnit()
                    return (value: x + 4 * generator.nextUnit(), covariate: x)
                })
        }

        let rate = Self.rejectionRate {
            let control = draw(&generator)
            let treatment = draw(&generator)
            return Comparison.cuped(control: control, treatment: treatment)
        }

        #expect(abs(rate - Self.alpha) <= Self.tolerance, "false-positive rate \(rate)")
    }

    @Test("NPS z-test, P = 0.4, D = 0.3, 300 responders per arm, seed 4")
    func npsHoldsAlpha() {
        var generator = SplitMix64(seed: 4)
        let draw = { (generator: inout SplitMix64) in
            NPSSummary(
                scores: (0..<300).map { _ in
                    let u = generator.nextUnit()
                    return u < 0.4 ? 10 : (u < 0.7 ? 3 : 8)
                })
        }

        let rate = Self.rejectionRate {
            let control = draw(&generator)
            let treatment = draw(&generator)
            return Comparison.nps(control: control, treatment: treatment)
        }

        #expect(abs(rate - Self.alpha) <= Self.tolerance, "false-positive rate \(rate)")
    }

    /// Runs `experiments` A/A comparisons and returns the share with p < alpha; a
    /// comparison without a p-value counts as no rejection.
    private static func rejectionRate(_ experiment: () -> Comparison) -> Double {
        var rejections = 0
        for _ in 0..<experiments where experiment().isSignificant(alpha: alpha) {
            rejections += 1
        }
        return Double(rejections) / Double(experiments)
    }
}
