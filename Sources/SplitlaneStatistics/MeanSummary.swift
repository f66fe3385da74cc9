/// Sufficient statistics of a mean metric for one arm: n, Σy and Σy², and for CUPED the
/// pre-exposure covariate sums Σx, Σx² and Σxy; summaries merge with `+`.
public struct MeanSummary: Sendable, Hashable, Codable {
    /// Units in the arm.
    public var units: Int

    /// Σy, the sum of the per-unit metric values.
    public var sum: Double

    /// Σy², the sum of the squared per-unit metric values.
    public var sumOfSquares: Double

    /// The covariate sums for CUPED, nil when the metric has no covariate.
    public var covariate: CovariateSums?

    /// Creates a summary from sums, as `count(*)`, `sum(y)` and `sum(y * y)` in SQL.
    public init(
        units: Int, sum: Double, sumOfSquares: Double, covariate: CovariateSums? = nil
    ) {
        self.units = units
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.covariate = covariate
    }

    /// Creates a summary from per-unit values.
    public init(values: some Sequence<Double>) {
        var summary = MeanSummary.empty
        for value in values {
            summary.units += 1
            summary.sum += value
            summary.sumOfSquares += value * value
        }
        self = summary
    }

    /// Creates a summary with CUPED covariate sums from (metric, covariate) pairs.
    public init(pairs: some Sequence<(value: Double, covariate: Double)>) {
        var summary = MeanSummary.empty
        var covariate = CovariateSums.empty
        for pair in pairs {
            summary.units += 1
            summary.sum += pair.value
            summary.sumOfSquares += pair.value * pair.value
            covariate.sum += pair.covariate
            covariate.sumOfSquares += pair.covariate * pair.covariate
            covariate.sumOfProducts += pair.value * pair.covariate
        }
        summary.covariate = covariate
        self = summary
    }

    /// The empty summary, identity of `+`.
    public static let empty = MeanSummary(units: 0, sum: 0, sumOfSquares: 0)

    /// The sample mean ȳ = Σy / n, nil when n = 0.
    public var mean: Double? {
        guard units > 0, sum.isFinite else { return nil }
        return sum / Double(units)
    }

    /// The sample variance s² = (Σy² − (Σy)²/n) / (n − 1), nil when n < 2.
    ///
    /// Values below the rounding noise of the formula, 1e-12 · Σy²/n, are returned as
    /// exactly 0 so that constant data reads as zero variance.
    public var variance: Double? {
        Moments.sampleVariance(n: units, sum: sum, sumOfSquares: sumOfSquares)
    }

    /// Merges the summaries of two disjoint sets of units; the result keeps covariate
    /// sums only when both sides have them.
    public static func + (lhs: Self, rhs: Self) -> Self {
        var covariate: CovariateSums?
        if let left = lhs.covariate, let right = rhs.covariate {
            covariate = left + right
        }
        return MeanSummary(
            units: lhs.units + rhs.units, sum: lhs.sum + rhs.sum,
            sumOfSquares: lhs.sumOfSquares + rhs.sumOfSquares, covariate: covariate)
    }
}

/// Sums of a CUPED covariate x over an arm's units: Σx, Σx² and Σxy with the metric y.
public struct CovariateSums: Sendable, Hashable, Codable {
    /// Σx, the sum of the per-unit covariate values.
    public var sum: Double

    /// Σx², the sum of the squared covariate values.
    public var sumOfSquares: Double

    /// Σxy, the sum of the products of covariate and metric values.
    public var sumOfProducts: Double

    /// Creates covariate sums, as `sum(x)`, `sum(x * x)` and `sum(x * y)` in SQL.
    public init(sum: Double, sumOfSquares: Double, sumOfProducts: Double) {
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.sumOfProducts = sumOfProducts
    }

    /// All sums zero, the identity of `+`.
    public static let empty = CovariateSums(sum: 0, sumOfSquares: 0, sumOfProducts: 0)

    /// Adds the sums of two disjoint sets of units.
    public static func + (lhs: Self, rhs: Self) -> Self {
        CovariateSums(
            sum: lhs.sum + rhs.sum, sumOfSquares: lhs.sumOfSquares + rhs.sumOfSquares,
            sumOfProducts: lhs.sumOfProducts + rhs.sumOfProducts)
    }
}

/// Sample moments from sums, shared by the mean and CUPED formulas.
enum Moments {
    /// Relative size under which a variance from sums is rounding noise.
    static let noiseFloor = 1e-12

    /// s² = (Σy² − (Σy)²/n) / (n − 1) for n ≥ 2, clamped to 0 below the noise floor.
    static func sampleVariance(n: Int, sum: Double, sumOfSquares: Double) -> Double? {
        guard n >= 2, sum.isFinite, sumOfSquares.isFinite else { return nil }
        let count = Double(n)
        let centered = sumOfSquares - sum * sum / count
        guard centered > noiseFloor * sumOfSquares else { return 0 }
        return centered / (count - 1)
    }

    /// Sample covariance (Σxy − Σx·Σy/n) / (n − 1) for n ≥ 2.
    static func sampleCovariance(
        n: Int, sumX: Double, sumY: Double, sumOfProducts: Double
    ) -> Double? {
        guard n >= 2, sumX.isFinite, sumY.isFinite, sumOfProducts.isFinite else {
            return nil
        }
        let count = Double(n)
        return (sumOfProducts - sumX * sumY / count) / (count - 1)
    }
}
