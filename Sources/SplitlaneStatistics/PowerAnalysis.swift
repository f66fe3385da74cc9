/// Sample size per arm for a planned experiment, from the usual normal-approximation
/// power formulas.
public struct SampleSize: Sendable, Hashable, Codable {
    /// Units needed in each arm, rounded up.
    public var unitsPerArm: Int

    /// The unrounded solution of the formula.
    public var exactUnitsPerArm: Double

    /// The per-comparison significance level used: alpha / (arms − 1).
    public var comparisonAlpha: Double

    /// Units needed over all arms, `unitsPerArm` × arms.
    public var totalUnits: Int

    /// Creates a result; the `proportions` and `means` planners are the usual way.
    public init(
        unitsPerArm: Int, exactUnitsPerArm: Double, comparisonAlpha: Double,
        totalUnits: Int
    ) {
        self.unitsPerArm = unitsPerArm
        self.exactUnitsPerArm = exactUnitsPerArm
        self.comparisonAlpha = comparisonAlpha
        self.totalUnits = totalUnits
    }
}

/// How a minimum detectable effect is stated.
public enum MinimumDetectableEffect: Sendable, Hashable, Codable {
    /// An absolute change: p₂ = p₁ + δ, or μ₂ = μ₁ + δ.
    case absolute(Double)
    /// A relative change: p₂ = p₁·(1 + r).
    case relative(Double)
}

/// Planning formulas for equal-sized arms compared each against one control.
///
/// With arms k ≥ 2 (control included) there are k − 1 comparisons, and alpha is split
/// Bonferroni-style to α' = α/(k − 1), so that the plan stays honest when the readout
/// corrects with Holm or Bonferroni. The formulas ignore the far rejection tail of the
/// two-sided test (its probability is below α'/2) and so match statsmodels'
/// `NormalIndPower` to within a fraction of a unit.
public enum PowerAnalysis {
    /// Units per arm to detect a change in a proportion from `baseline`.
    ///
    /// n = (z₁₋α'/₂ + z_power)² · (p₁(1 − p₁) + p₂(1 − p₂)) / (p₂ − p₁)², the two-sided
    /// z-test with the unpooled variance, as the readout's test uses.
    ///
    /// - Throws: `StatisticsError` when baseline, alpha or power is outside (0, 1), the
    ///   effect is 0, p₂ falls outside (0, 1), or arms < 2.
    public static func proportions(
        baseline: Double, effect: MinimumDetectableEffect, alpha: Double = 0.05,
        power: Double = 0.8, arms: Int = 2
    ) throws(StatisticsError) -> SampleSize {
        try checkProbability(baseline, "baseline rate")
        let treated: Double
        switch effect {
        case .absolute(let delta): treated = baseline + delta
        case .relative(let ratio): treated = baseline * (1 + ratio)
        }
        guard treated > 0, treated < 1 else {
            throw StatisticsError(
                .probabilityOutOfRange,
                "baseline \(baseline) with effect \(effect) gives a rate of \(treated), "
                    + "outside (0, 1)")
        }
        let delta = treated - baseline
        let variance = baseline * (1 - baseline) + treated * (1 - treated)
        return try solve(
            variance: variance, delta: delta, alpha: alpha, power: power, arms: arms)
    }

    /// Units per arm to detect an absolute change `delta` in a mean with per-unit
    /// standard deviation `standardDeviation` (the same in every arm).
    ///
    /// n = (z₁₋α'/₂ + z_power)² · 2σ² / δ², the two-sided z-test (Welch for large n).
    ///
    /// - Throws: `StatisticsError` when σ ≤ 0, δ = 0, alpha or power is outside (0, 1),
    ///   or arms < 2.
    public static func means(
        standardDeviation: Double, delta: Double, alpha: Double = 0.05,
        power: Double = 0.8,
        arms: Int = 2
    ) throws(StatisticsError) -> SampleSize {
        guard standardDeviation > 0, standardDeviation.isFinite else {
            throw StatisticsError(
                .nonPositiveValue,
                "standard deviation must be positive, got \(standardDeviation)")
        }
        return try solve(
            variance: 2 * standardDeviation * standardDeviation, delta: delta,
            alpha: alpha,
            power: power, arms: arms)
    }

    /// n = (z₁₋α'/₂ + z_power)² · variance / δ² with α' = α/(arms − 1).
    private static func solve(
        variance: Double, delta: Double, alpha: Double, power: Double, arms: Int
    ) throws(StatisticsError) -> SampleSize {
        try checkProbability(alpha, "alpha")
        try checkProbability(power, "power")
        guard arms >= 2 else {
            throw StatisticsError(
                .nonPositiveValue, "a plan needs at least 2 arms, got \(arms)")
        }
        guard delta != 0, delta.isFinite else {
            throw StatisticsError(
                .nonPositiveValue, "the detectable effect must not be 0")
        }

        let comparisonAlpha = alpha / Double(arms - 1)
        let zAlpha = Distributions.normalQuantile(1 - comparisonAlpha / 2)
        let zPower = Distributions.normalQuantile(power)
        let exact = (zAlpha + zPower) * (zAlpha + zPower) * variance / (delta * delta)
        guard exact.isFinite, exact < Double(Int.max / (arms + 1)) else {
            throw StatisticsError(
                .nonPositiveValue, "the effect is too small to plan for")
        }
        let perArm = Int(exact.rounded(.up))
        return SampleSize(
            unitsPerArm: perArm, exactUnitsPerArm: exact,
            comparisonAlpha: comparisonAlpha,
            totalUnits: perArm * arms)
    }

    /// Throws unless 0 < value < 1.
    private static func checkProbability(_ value: Double, _ name: String)
        throws(StatisticsError)
    {
        guard value > 0, value < 1 else {
            throw StatisticsError(
                .probabilityOutOfRange, "\(name) must be in (0, 1), got \(value)")
        }
    }
}
