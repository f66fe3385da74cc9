/// A two-sided confidence interval [lower, upper] at a stated confidence level.
public struct ConfidenceInterval: Sendable, Hashable, Codable {
    /// The lower bound.
    public var lower: Double

    /// The upper bound.
    public var upper: Double

    /// The confidence level, 1 − alpha (0.95 for alpha 0.05).
    public var level: Double

    /// Creates an interval; `lower` ≤ `upper` is the caller's promise.
    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// The interval estimate ± z·SE (or ± t·SE), nil unless every part is finite.
    static func symmetric(
        estimate: Double, standardError: Double, criticalValue: Double, level: Double
    ) -> ConfidenceInterval? {
        let half = criticalValue * standardError
        guard estimate.isFinite, half.isFinite, standardError > 0 else { return nil }
        return ConfidenceInterval(
            lower: estimate - half, upper: estimate + half, level: level)
    }

    /// True when `value` lies inside the closed interval.
    public func contains(_ value: Double) -> Bool {
        lower <= value && value <= upper
    }
}

/// The test that produced a comparison's p-value.
public enum TestKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Two-sample z-test for proportions with the unpooled (Wald) standard error.
    case z
    /// Fisher's exact two-sided test on the 2×2 table.
    case fisher
    /// Welch's unequal-variance t-test.
    case welch
    /// Welch's t-test on CUPED-adjusted means.
    case cuped
    /// z-test on the difference of two NPS values.
    case nps
}

/// A condition a reader of a comparison must know about.
public enum Flag: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// A 2×2 cell below 5 (Fisher's exact p-value was used), or arms below the
    /// readout's `minimum_units`.
    case smallSample = "small_sample"
    /// The test could not be computed (an empty arm, n < 2, zero variance): the
    /// p-value and the absolute interval are nil.
    case degenerate
    /// The control value is 0 (or not available): relative lift and its interval are nil.
    case relativeLiftUndefined = "relative_lift_undefined"
    /// CUPED was asked for but not applied (no covariate sums, or a constant covariate);
    /// the result is plain Welch.
    case cupedUnavailable = "cuped_unavailable"

    /// Orders flags by raw value, so that encoded flag lists are stable.
    public static func < (lhs: Flag, rhs: Flag) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// The comparison of one treatment arm with the control on one metric.
///
/// Values are on the metric's reporting scale: rates for proportions, means for means,
/// NPS × 100 for NPS. An optional is nil where the quantity is undefined, never NaN.
public struct Comparison: Sendable, Hashable, Codable {
    /// The test behind `pValue`.
    public var test: TestKind

    /// The control arm's value (rate, mean, CUPED-adjusted mean, or NPS × 100).
    public var controlValue: Double?

    /// The treatment arm's value on the same scale.
    public var treatmentValue: Double?

    /// treatment − control.
    public var absoluteLift: Double?

    /// The interval on `absoluteLift`.
    public var absoluteCI: ConfidenceInterval?

    /// treatment / control − 1.
    public var relativeLift: Double?

    /// The delta-method interval on `relativeLift`.
    public var relativeCI: ConfidenceInterval?

    /// The two-sided p-value of `test`.
    public var pValue: Double?

    /// The z or t statistic of the normal-approximation test (nil for none).
    public var statistic: Double?

    /// Degrees of freedom of a t statistic (Welch–Satterthwaite), nil for z tests.
    public var degreesOfFreedom: Double?

    /// Standard error of `absoluteLift`.
    public var standardError: Double?

    /// CUPED only: 1 − var(adjusted difference) / var(unadjusted difference).
    public var varianceReduction: Double?

    /// Conditions the reader must know about.
    public var flags: Set<Flag>

    /// Creates a comparison; the test functions are the usual way to get one.
    public init(
        test: TestKind, controlValue: Double? = nil, treatmentValue: Double? = nil,
        absoluteLift: Double? = nil, absoluteCI: ConfidenceInterval? = nil,
        relativeLift: Double? = nil, relativeCI: ConfidenceInterval? = nil,
        pValue: Double? = nil, statistic: Double? = nil, degreesOfFreedom: Double? = nil,
        standardError: Double? = nil, varianceReduction: Double? = nil,
        flags: Set<Flag> = []
    ) {
        self.test = test
        self.controlValue = controlValue
        self.treatmentValue = treatmentValue
        self.absoluteLift = absoluteLift
        self.absoluteCI = absoluteCI
        self.relativeLift = relativeLift
        self.relativeCI = relativeCI
        self.pValue = pValue
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.standardError = standardError
        self.varianceReduction = varianceReduction
        self.flags = flags
    }

    /// True when a p-value exists and is below `alpha`.
    public func isSignificant(alpha: Double) -> Bool {
        guard let pValue else { return false }
        return pValue < alpha
    }

    /// The flags in a stable order, for encoders and printers.
    public var sortedFlags: [Flag] {
        flags.sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case test, controlValue, treatmentValue, absoluteLift, absoluteCI, relativeLift
        case relativeCI, pValue, statistic, degreesOfFreedom, standardError
        case varianceReduction, flags
    }

    /// Encodes every field, nil ones left out, with the flags sorted so that the same
    /// comparison always encodes to the same bytes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(test, forKey: .test)
        try container.encodeIfPresent(controlValue, forKey: .controlValue)
        try container.encodeIfPresent(treatmentValue, forKey: .treatmentValue)
        try container.encodeIfPresent(absoluteLift, forKey: .absoluteLift)
        try container.encodeIfPresent(absoluteCI, forKey: .absoluteCI)
        try container.encodeIfPresent(relativeLift, forKey: .relativeLift)
        try container.encodeIfPresent(relativeCI, forKey: .relativeCI)
        try container.encodeIfPresent(pValue, forKey: .pValue)
        try container.encodeIfPresent(statistic, forKey: .statistic)
        try container.encodeIfPresent(degreesOfFreedom, forKey: .degreesOfFreedom)
        try container.encodeIfPresent(standardError, forKey: .standardError)
        try container.encodeIfPresent(varianceReduction, forKey: .varianceReduction)
        try container.encode(sortedFlags, forKey: .flags)
    }
}

/// Shared pieces of the normal-approximation tests.
enum Approximation {
    /// The two-sided critical value z₁₋α/₂, nil unless 0 < alpha < 1.
    static func zCritical(alpha: Double) -> Double? {
        guard alpha > 0, alpha < 1 else { return nil }
        let z = Distributions.normalQuantile(1 - alpha / 2)
        return z.isFinite ? z : nil
    }

    /// Two-sided normal p-value 2·P(Z > |z|), nil for a non-finite statistic.
    static func normalPValue(_ z: Double) -> Double? {
        guard z.isFinite else { return nil }
        return min(1, 2 * Distributions.normalSF(abs(z)))
    }

    /// The relative lift r = μt/μc − 1 with the delta-method interval for a ratio of
    /// independent means: var(r) ≈ var_t/μc² + μt²·var_c/μc⁴, where var_t and var_c are
    /// the variances of the two estimated means. Holds for large samples with μc well
    /// away from 0; nil lift when μc = 0, nil interval when the variance is 0.
    static func relativeLift(
        control: Double, treatment: Double, controlVariance: Double,
        treatmentVariance: Double, alpha: Double
    ) -> (lift: Double?, interval: ConfidenceInterval?) {
        guard control != 0, control.isFinite, treatment.isFinite else {
            return (nil, nil)
        }
        let lift = treatment / control - 1
        let ratio = treatment / control
        let variance =
            (treatmentVariance + ratio * ratio * controlVariance)
            / (control * control)
        guard let z = zCritical(alpha: alpha), variance.isFinite, variance > 0 else {
            return (lift, nil)
        }
        let interval = ConfidenceInterval.symmetric(
            estimate: lift, standardError: variance.squareRoot(), criticalValue: z,
            level: 1 - alpha)
        return (lift, interval)
    }
}

extension Comparison {
    /// Sets the relative lift and its delta-method interval (see
    /// `Approximation.relativeLift`), flagging `relative_lift_undefined` when the
    /// control value is 0.
    mutating func setRelativeLift(
        control: Double, treatment: Double, controlVariance: Double,
        treatmentVariance: Double, alpha: Double
    ) {
        let relative = Approximation.relativeLift(
            control: control, treatment: treatment, controlVariance: controlVariance,
            treatmentVariance: treatmentVariance, alpha: alpha)
        relativeLift = relative.lift
        relativeCI = relative.interval
        if relative.lift == nil { flags.insert(.relativeLiftUndefined) }
    }
}
