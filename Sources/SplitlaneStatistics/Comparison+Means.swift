extension Comparison {
    /// Compares two means with Welch's unequal-variance t-test and its interval.
    ///
    /// With sample means ȳ and variances s² per arm, d = ȳt − ȳc has
    /// SE = √(s²c/nc + s²t/nt) and the Welch–Satterthwaite degrees of freedom
    /// ν = SE⁴ / ((s²c/nc)²/(nc − 1) + (s²t/nt)²/(nt − 1)). The p-value is
    /// 2·P(T_ν > |d/SE|) and the interval d ± t₁₋α/₂,ν·SE. Exact for normal data; for
    /// other data it leans on the central limit theorem (large n, no extreme skew).
    ///
    /// - Returns: `degenerate` with nil p-value and interval when an arm has n < 2 or
    ///   both arms have zero variance.
    public static func means(
        control: MeanSummary, treatment: MeanSummary, alpha: Double = 0.05
    ) -> Comparison {
        guard let controlVariance = control.variance,
            let treatmentVariance = treatment.variance,
            let controlMean = control.mean, let treatmentMean = treatment.mean
        else {
            return degenerateMeans(control: control, treatment: treatment, test: .welch)
        }
        return welch(
            control: ArmMoments(
                mean: controlMean, variance: controlVariance, units: control.units),
            treatment: ArmMoments(
                mean: treatmentMean, variance: treatmentVariance, units: treatment.units),
            alpha: alpha, test: .welch)
    }

    /// Compares two means after CUPED adjustment by a pre-exposure covariate, with
    /// Welch's t-test on the adjusted means.
    ///
    /// θ = cov(X, Y)/var(X) is estimated once from the sums pooled over both arms. Each
    /// arm's adjusted mean is ȳ − θ(x̄ − x̄_pooled), with per-unit variance
    /// s²y + θ²s²x − 2θ·s_xy from that arm's own sums; the difference of adjusted means
    /// then goes through Welch's test as in `means`. `varianceReduction` is
    /// 1 − var(adjusted difference)/var(unadjusted difference). Holds under the
    /// assumptions of Welch's test, with θ treated as known (its estimation error is
    /// O(1/n)) and a covariate unaffected by treatment (Deng, Xu, Kohavi & Walker, 2013).
    ///
    /// - Returns: plain Welch flagged `cuped_unavailable` when either arm lacks covariate
    ///   sums or the pooled covariate is constant; otherwise as `means`.
    public static func cuped(
        control: MeanSummary, treatment: MeanSummary, alpha: Double = 0.05
    ) -> Comparison {
        guard let controlCovariate = control.covariate,
            let treatmentCovariate = treatment.covariate
        else {
            var result = means(control: control, treatment: treatment, alpha: alpha)
            result.flags.insert(.cupedUnavailable)
            return result
        }
        guard let controlArm = CupedArm(control), let treatmentArm = CupedArm(treatment)
        else {
            return degenerateMeans(control: control, treatment: treatment, test: .cuped)
        }

        let pooled = control + treatment
        let pooledCovariate = controlCovariate + treatmentCovariate
        guard
            let covariateVariance = Moments.sampleVariance(
                n: pooled.units, sum: pooledCovariate.sum,
                sumOfSquares: pooledCovariate.sumOfSquares),
            covariateVariance > 0,
            let covariance = Moments.sampleCovariance(
                n: pooled.units, sumX: pooledCovariate.sum, sumY: pooled.sum,
                sumOfProducts: pooledCovariate.sumOfProducts)
        else {
            var result = means(control: control, treatment: treatment, alpha: alpha)
            result.flags.insert(.cupedUnavailable)
            return result
        }

        let theta = covariance / covariateVariance
        let pooledCovariateMean = pooledCovariate.sum / Double(pooled.units)
        let adjustedControl = controlArm.adjusted(
            theta: theta, center: pooledCovariateMean)
        let adjustedTreatment = treatmentArm.adjusted(
            theta: theta, center: pooledCovariateMean)
        var result = welch(
            control: adjustedControl, treatment: adjustedTreatment, alpha: alpha,
            test: .cuped)

        let unadjusted =
            controlArm.moments.varianceOfMean + treatmentArm.moments.varianceOfMean
        let adjusted = adjustedControl.varianceOfMean + adjustedTreatment.varianceOfMean
        if unadjusted > 0 {
            result.varianceReduction = 1 - adjusted / unadjusted
        }
        return result
    }

    /// The Welch computation shared by `means` and `cuped`.
    private static func welch(
        control: ArmMoments, treatment: ArmMoments, alpha: Double, test: TestKind
    ) -> Comparison {
        let difference = treatment.mean - control.mean
        var result = Comparison(
            test: test, controlValue: control.mean, treatmentValue: treatment.mean,
            absoluteLift: difference)

        let controlPart = control.varianceOfMean
        let treatmentPart = treatment.varianceOfMean
        let squaredError = controlPart + treatmentPart
        let denominator =
            controlPart * controlPart / Double(control.units - 1)
            + treatmentPart * treatmentPart / Double(treatment.units - 1)
        let degreesOfFreedom = squaredError * squaredError / denominator
        if squaredError > 0, denominator > 0, degreesOfFreedom.isFinite, alpha > 0,
            alpha < 1
        {
            let standardError = squaredError.squareRoot()
            let statistic = difference / standardError
            let critical = Distributions.studentTQuantile(
                1 - alpha / 2, degreesOfFreedom: degreesOfFreedom)
            let tail = Distributions.studentTSF(
                abs(statistic), degreesOfFreedom: degreesOfFreedom)
            result.standardError = standardError
            result.statistic = statistic
            result.degreesOfFreedom = degreesOfFreedom
            result.pValue = tail.isFinite ? min(1, 2 * tail) : nil
            result.absoluteCI = .symmetric(
                estimate: difference, standardError: standardError,
                criticalValue: critical,
                level: 1 - alpha)
        }
        if result.pValue == nil || result.absoluteCI == nil {
            result.flags.insert(.degenerate)
        }

        result.setRelativeLift(
            control: control.mean, treatment: treatment.mean, controlVariance: controlPart,
            treatmentVariance: treatmentPart, alpha: alpha)
        return result
    }

    /// The result for arms too small for a variance: whatever means exist, flagged.
    private static func degenerateMeans(
        control: MeanSummary, treatment: MeanSummary, test: TestKind
    ) -> Comparison {
        var result = Comparison(
            test: test, controlValue: control.mean, treatmentValue: treatment.mean,
            flags: [.degenerate])
        if let controlMean = control.mean, let treatmentMean = treatment.mean {
            result.absoluteLift = treatmentMean - controlMean
            if controlMean != 0 {
                result.relativeLift = treatmentMean / controlMean - 1
            }
        }
        if result.relativeLift == nil { result.flags.insert(.relativeLiftUndefined) }
        return result
    }
}

/// Mean, per-unit variance and size of one arm.
struct ArmMoments {
    let mean: Double
    let variance: Double
    let units: Int

    /// The variance of the arm's mean, s²/n.
    var varianceOfMean: Double {
        variance / Double(units)
    }
}

/// One arm's moments of the metric y and the covariate x, for CUPED.
private struct CupedArm {
    let moments: ArmMoments
    let covariateMean: Double
    let covariateVariance: Double
    let covariance: Double

    /// Reads the moments from a summary with covariate sums and n ≥ 2.
    init?(_ summary: MeanSummary) {
        guard let covariate = summary.covariate, let mean = summary.mean,
            let variance = summary.variance,
            let covariateVariance = Moments.sampleVariance(
                n: summary.units, sum: covariate.sum, sumOfSquares: covariate.sumOfSquares
            ),
            let covariance = Moments.sampleCovariance(
                n: summary.units, sumX: covariate.sum, sumY: summary.sum,
                sumOfProducts: covariate.sumOfProducts)
        else { return nil }
        moments = ArmMoments(mean: mean, variance: variance, units: summary.units)
        covariateMean = covariate.sum / Double(summary.units)
        self.covariateVariance = covariateVariance
        self.covariance = covariance
    }

    /// The adjusted mean ȳ − θ(x̄ − center) and the per-unit variance of y − θx,
    /// s²y + θ²s²x − 2θ·s_xy (clamped at 0 against rounding).
    func adjusted(theta: Double, center: Double) -> ArmMoments {
        let mean = moments.mean - theta * (covariateMean - center)
        let variance =
            moments.variance + theta * theta * covariateVariance
            - 2 * theta * covariance
        let floor =
            Moments.noiseFloor * (moments.variance + theta * theta * covariateVariance)
        return ArmMoments(
            mean: mean, variance: variance > floor ? variance : 0, units: moments.units)
    }
}
