extension Comparison {
    /// Compares two Net Promoter Scores with a normal interval and z-test.
    ///
    /// Each responder scores +1 (promoter), −1 (detractor) or 0, so NPS = P − D is a
    /// mean with estimated variance (P + D − (P − D)²)/n, where P and D are the promoter
    /// and detractor shares and n the responders. The difference d = NPSt − NPSc has
    /// SE = √(var_c + var_t); the interval is d ± z₁₋α/₂·SE and the p-value
    /// 2·P(Z > |d/SE|). Large-sample (central limit theorem) approximation. Values,
    /// lift, interval and SE are reported × 100; the z statistic is scale-free.
    ///
    /// - Returns: `degenerate` with nil p-value and interval for an arm without
    ///   responders or when both variances are 0.
    public static func nps(
        control: NPSSummary, treatment: NPSSummary, alpha: Double = 0.05
    ) -> Comparison {
        var result = Comparison(
            test: .nps, controlValue: control.score.map { $0 * 100 },
            treatmentValue: treatment.score.map { $0 * 100 })
        guard let controlScore = control.score, let treatmentScore = treatment.score
        else {
            result.flags = [.degenerate, .relativeLiftUndefined]
            return result
        }

        let difference = treatmentScore - controlScore
        let controlVariance = npsVariance(control, score: controlScore)
        let treatmentVariance = npsVariance(treatment, score: treatmentScore)
        let standardError = (controlVariance + treatmentVariance).squareRoot()
        result.absoluteLift = difference * 100

        if standardError > 0, let z = Approximation.zCritical(alpha: alpha) {
            let statistic = difference / standardError
            result.statistic = statistic
            result.standardError = standardError * 100
            result.pValue = Approximation.normalPValue(statistic)
            result.absoluteCI = .symmetric(
                estimate: difference * 100, standardError: standardError * 100,
                criticalValue: z, level: 1 - alpha)
        } else {
            result.flags.insert(.degenerate)
        }

        result.setRelativeLift(
            control: controlScore, treatment: treatmentScore, controlVariance: controlVariance,
            treatmentVariance: treatmentVariance, alpha: alpha)
        return result
    }

    /// The variance of one arm's NPS share, (P + D − (P − D)²)/n, clamped at 0.
    private static func npsVariance(_ summary: NPSSummary, score: Double) -> Double {
        let count = Double(summary.responders)
        let shares = Double(summary.promoters + summary.detractors) / count
        return max(0, (shares - score * score) / count)
    }
}
