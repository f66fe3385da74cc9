/// The chi-square goodness-of-fit test of observed units per arm against the arm
/// weights, which detects a broken randomization (a sample ratio mismatch).
public struct SampleRatioMismatch: Sendable, Hashable, Codable {
    /// The p-value below which a mismatch is declared.
    public static let threshold = 0.001

    /// Pearson's statistic Σ (Oᵢ − Eᵢ)²/Eᵢ, nil when the test is undefined.
    public var chiSquared: Double?

    /// Degrees of freedom, arms − 1.
    public var degreesOfFreedom: Int

    /// P(χ²ₖ₋₁ > statistic), nil when the test is undefined.
    public var pValue: Double?

    /// True when `pValue` < `threshold` (0.001).
    public var isMismatch: Bool

    /// Creates a result; `test(observed:weights:)` is the usual way to get one.
    public init(
        chiSquared: Double?, degreesOfFreedom: Int, pValue: Double?, isMismatch: Bool
    ) {
        self.chiSquared = chiSquared
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
        self.isMismatch = isMismatch
    }

    /// Tests observed units per arm against expected shares proportional to `weights`.
    ///
    /// Eᵢ = N·wᵢ/Σw with N = ΣOᵢ; the statistic is Σ (Oᵢ − Eᵢ)²/Eᵢ on k − 1 degrees of
    /// freedom. A large-sample approximation that holds when every Eᵢ is at least
    /// about 5; with N = 0 or fewer than two arms the result has nil statistic and
    /// p-value and no mismatch.
    ///
    /// - Throws: `StatisticsError` when the lists differ in length, a weight is not
    ///   positive, or a count is negative.
    public static func test(observed: [Int], weights: [Double]) throws(StatisticsError)
        -> SampleRatioMismatch
    {
        guard observed.count == weights.count else {
            throw StatisticsError(
                .inconsistentInputs,
                "\(observed.count) observed counts but \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StatisticsError(
                .nonPositiveValue, "arm weights must be positive: \(weights)")
        }
        guard observed.allSatisfy({ $0 >= 0 }) else {
            throw StatisticsError(
                .nonPositiveValue, "unit counts must be >= 0: \(observed)")
        }

        let degreesOfFreedom = observed.count - 1
        let total = Double(observed.reduce(0, +))
        guard degreesOfFreedom >= 1, total > 0 else {
            return SampleRatioMismatch(
                chiSquared: nil, degreesOfFreedom: max(0, degreesOfFreedom), pValue: nil,
                isMismatch: false)
        }

        let weightTotal = weights.reduce(0, +)
        var statistic = 0.0
        for (count, weight) in zip(observed, weights) {
            let expected = total * weight / weightTotal
            let deviation = Double(count) - expected
            statistic += deviation * deviation / expected
        }
        let pValue = Distributions.chiSquaredSF(
            statistic, degreesOfFreedom: Double(degreesOfFreedom))
        guard pValue.isFinite else {
            return SampleRatioMismatch(
                chiSquared: statistic, degreesOfFreedom: degreesOfFreedom, pValue: nil,
                isMismatch: false)
        }
        return SampleRatioMismatch(
            chiSquared: statistic, degreesOfFreedom: degreesOfFreedom, pValue: pValue,
            isMismatch: pValue < threshold)
    }
}
