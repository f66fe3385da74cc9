import CDistributions

/// Probability distributions from Boost.Math, through the `CDistributions` C boundary.
///
/// Every function returns NaN for arguments outside the distribution's domain; the
/// statistical tests in this module check their inputs first and never pass NaN on.
public enum Distributions {
    /// Standard normal CDF, P(Z ≤ x). Calls `sl_normal_cdf`.
    public static func normalCDF(_ x: Double) -> Double {
        sl_normal_cdf(x)
    }

    /// Standard normal survival function, P(Z > x). Calls `sl_normal_sf`.
    public static func normalSF(_ x: Double) -> Double {
        sl_normal_sf(x)
    }

    /// Standard normal quantile, the x with P(Z ≤ x) = p. Calls `sl_normal_quantile`.
    public static func normalQuantile(_ p: Double) -> Double {
        sl_normal_quantile(p)
    }

    /// Student's t CDF with real degrees of freedom. Calls `sl_students_t_cdf`.
    public static func studentTCDF(_ t: Double, degreesOfFreedom df: Double) -> Double {
        sl_students_t_cdf(t, df)
    }

    /// Student's t survival function, P(T > t). Calls `sl_students_t_sf`.
    public static func studentTSF(_ t: Double, degreesOfFreedom df: Double) -> Double {
        sl_students_t_sf(t, df)
    }

    /// Student's t quantile, the t with P(T ≤ t) = p. Calls `sl_students_t_quantile`.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom df: Double)
        -> Double
    {
        sl_students_t_quantile(p, df)
    }

    /// Chi-square survival function, P(X > x). Calls `sl_chi_squared_sf`.
    public static func chiSquaredSF(_ x: Double, degreesOfFreedom df: Double) -> Double {
        sl_chi_squared_sf(x, df)
    }

    /// Chi-square quantile, the x with P(X ≤ x) = p. Calls `sl_chi_squared_quantile`.
    public static func chiSquaredQuantile(_ p: Double, degreesOfFreedom df: Double)
        -> Double
    {
        sl_chi_squared_quantile(p, df)
    }

    /// Beta(a, b) quantile, the x with P(X ≤ x) = p. Calls `sl_beta_quantile`.
    public static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        sl_beta_quantile(p, a, b)
    }

    /// Natural logarithm of |Γ(x)|. Calls `sl_log_gamma`.
    public static func logGamma(_ x: Double) -> Double {
        sl_log_gamma(x)
    }

    /// Hypergeometric P(X = k) for `draws` items taken from `population` holding
    /// `successes`; NaN for negative or inconsistent counts or a population above
    /// 2³² − 1. Calls `sl_hypergeometric_pmf`.
    public static func hypergeometricPMF(
        _ k: Int, successes: Int, draws: Int, population: Int
    ) -> Double {
        guard let args = HypergeometricArguments(k, successes, draws, population) else {
            return .nan
        }
        return sl_hypergeometric_pmf(args.k, args.successes, args.draws, args.population)
    }

    /// Hypergeometric P(X ≤ k). Calls `sl_hypergeometric_cdf`.
    public static func hypergeometricCDF(
        _ k: Int, successes: Int, draws: Int, population: Int
    ) -> Double {
        guard let args = HypergeometricArguments(k, successes, draws, population) else {
            return .nan
        }
        return sl_hypergeometric_cdf(args.k, args.successes, args.draws, args.population)
    }

    /// Hypergeometric P(X > k). Calls `sl_hypergeometric_sf`.
    public static func hypergeometricSF(
        _ k: Int, successes: Int, draws: Int, population: Int
    ) -> Double {
        guard let args = HypergeometricArguments(k, successes, draws, population) else {
            return .nan
        }
        return sl_hypergeometric_sf(args.k, args.successes, args.draws, args.population)
    }
}

/// Non-negative hypergeometric arguments converted to the C boundary's unsigned type.
private struct HypergeometricArguments {
    let k: UInt64
    let successes: UInt64
    let draws: UInt64
    let population: UInt64

    init?(_ k: Int, _ successes: Int, _ draws: Int, _ population: Int) {
        guard k >= 0, successes >= 0, draws >= 0, population >= 0 else { return nil }
        self.k = UInt64(k)
        self.successes = UInt64(successes)
        self.draws = UInt64(draws)
        self.population = UInt64(population)
    }
}
