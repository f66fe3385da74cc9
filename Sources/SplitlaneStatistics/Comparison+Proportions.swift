extension Comparison {
    /// Compares two success rates with a two-sample z-test and its Wald interval, or
    /// Fisher's exact test when the 2×2 table has a cell below 5.
    ///
    /// With p̂ = successes/n per arm, the difference d = p̂t − p̂c has the unpooled
    /// standard error SE = √(p̂c(1 − p̂c)/nc + p̂t(1 − p̂t)/nt); the interval is
    /// d ± z₁₋α/₂·SE and the p-value 2·P(Z > |d/SE|). The same SE serves the interval
    /// and the test, so the interval excludes 0 exactly when p < alpha. This normal
    /// approximation holds when every cell of the table is at least about 5; below that
    /// the p-value is Fisher's exact one, the test is `.fisher` and the result carries
    /// `small_sample` (the Wald interval is still given when SE > 0).
    ///
    /// - Returns: `degenerate` with nil p-value and interval for an empty or invalid arm;
    ///   `degenerate` with a nil interval when SE = 0 (both arms all 0 or all 1).
    public static func proportions(
        control: ProportionSummary, treatment: ProportionSummary, alpha: Double = 0.05
    ) -> Comparison {
        var result = Comparison(
            test: .z, controlValue: control.rate, treatmentValue: treatment.rate)
        guard let controlRate = control.rate, let treatmentRate = treatment.rate else {
            result.flags = [.degenerate, .relativeLiftUndefined]
            return result
        }

        let difference = treatmentRate - controlRate
        let controlVariance = controlRate * (1 - controlRate) / Double(control.units)
        let treatmentVariance =
            treatmentRate * (1 - treatmentRate) / Double(treatment.units)
        let standardError = (controlVariance + treatmentVariance).squareRoot()
        result.absoluteLift = difference

        if standardError > 0, let z = Approximation.zCritical(alpha: alpha) {
            let statistic = difference / standardError
            result.statistic = statistic
            result.standardError = standardError
            result.pValue = Approximation.normalPValue(statistic)
            result.absoluteCI = .symmetric(
                estimate: difference, standardError: standardError, criticalValue: z,
                level: 1 - alpha)
        } else {
            result.flags.insert(.degenerate)
        }

        let cells = [
            control.successes, control.units - control.successes,
            treatment.successes, treatment.units - treatment.successes,
        ]
        if cells.contains(where: { $0 < 5 }) {
            result.test = .fisher
            result.flags.insert(.smallSample)
            result.pValue = FisherExact.twoSidedPValue(
                a: cells[0], b: cells[1], c: cells[2], d: cells[3])
        }

        result.setRelativeLift(
            control: controlRate, treatment: treatmentRate, controlVariance: controlVariance,
            treatmentVariance: treatmentVariance, alpha: alpha)
        return result
    }
}
