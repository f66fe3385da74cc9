/// Fisher's exact test for a 2×2 table of two arms by success and failure.
public enum FisherExact {
    /// Relative tolerance under which two tables count as equally probable.
    ///
    /// Floating-point evaluation can make mathematically equal probabilities differ in
    /// their last bits; without a tolerance a tied table could be left out of the tail.
    public static let relativeTolerance = 1e-7

    /// The two-sided p-value: the sum of the probabilities of every table with the same
    /// margins whose hypergeometric probability is at most the observed table's,
    /// within `relativeTolerance`. This is the definition SciPy's `fisher_exact` and R's
    /// `fisher.test` use. Holds exactly for any sample size (conditional on margins).
    ///
    /// The table is `[[a, b], [c, d]]`: row one is the control (a successes, b failures),
    /// row two the treatment. Returns nil for negative counts; 1 when a row or column
    /// is empty, as SciPy does.
    public static func twoSidedPValue(a: Int, b: Int, c: Int, d: Int) -> Double? {
        guard a >= 0, b >= 0, c >= 0, d >= 0 else { return nil }
        let row1 = a + b
        let row2 = c + d
        let column1 = a + c
        guard row1 > 0, row2 > 0, column1 > 0, b + d > 0 else { return 1 }

        let population = row1 + row2
        let pmf = { (x: Int) in
            Distributions.hypergeometricPMF(
                x, successes: row1, draws: column1, population: population)
        }
        let low = max(0, column1 - row2)
        let high = min(row1, column1)
        let observed = pmf(a)
        guard observed.isFinite else { return nil }
        let threshold = observed * (1 + relativeTolerance)

        // The distribution is unimodal: the tables at most as probable as the observed
        // one form the observed tail plus a tail on the far side of the mode.
        let mode = (column1 + 1) * (row1 + 1) / (population + 2)
        if abs(observed - pmf(mode)) <= relativeTolerance * max(observed, pmf(mode)) {
            return 1
        }

        var p: Double
        if a < mode {
            p = Distributions.hypergeometricCDF(
                a, successes: row1, draws: column1, population: population)
            let start = firstAtMost(
                threshold, from: mode, to: high, decreasing: true, pmf)
            if let start {
                p += Distributions.hypergeometricSF(
                    start - 1, successes: row1, draws: column1, population: population)
            }
        } else {
            p = Distributions.hypergeometricSF(
                a - 1, successes: row1, draws: column1, population: population)
            let end = firstAtMost(threshold, from: low, to: mode, decreasing: false, pmf)
            if let end {
                p += Distributions.hypergeometricCDF(
                    end, successes: row1, draws: column1, population: population)
            }
        }
        guard p.isFinite else { return nil }
        return min(1, p)
    }

    /// Binary search on a monotone stretch of the pmf.
    ///
    /// With `decreasing`, the pmf falls over [from, to] and the result is the smallest x
    /// with pmf(x) ≤ threshold; otherwise the pmf rises and the result is the largest x
    /// with pmf(x) ≤ threshold. Nil when no x in the range qualifies.
    private static func firstAtMost(
        _ threshold: Double, from: Int, to: Int, decreasing: Bool,
        _ pmf: (Int) -> Double
    ) -> Int? {
        var low = from
        var high = to
        if decreasing {
            guard pmf(to) <= threshold else { return nil }
            while low < high {
                let middle = low + (high - low) / 2
                if pmf(middle) <= threshold { high = middle } else { low = middle + 1 }
            }
            return low
        }
        guard pmf(from) <= threshold else { return nil }
        while low < high {
            let middle = low + (high - low + 1) / 2
            if pmf(middle) <= threshold { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
