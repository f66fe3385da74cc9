public import Foundation
public import SplitlaneDefinitions
import SplitlaneStatistics

/// Turns per-arm aggregates into a ``Readout``: runs each metric's test, applies the
/// multiple-comparison correction, and flags what a reader must know.
///
/// Pure: no database, no I/O, so the whole analysis is testable from sums.
public struct ReadoutBuilder: Sendable {
    public var experiment: ExperimentDefinition
    public var asOf: Date

    public init(experiment: ExperimentDefinition, asOf: Date) {
        self.experiment = experiment
        self.asOf = asOf
    }

    /// A relative lift the experiment should be able to detect; a non-significant
    /// result whose minimum detectable effect exceeds this share of the control value
    /// is flagged `underpowered`.
    public static let underpoweredRelativeEffect = 0.10

    /// Builds the readout from the aggregation query's rows.
    public func build(from aggregates: [ArmAggregate], segmentAttribute: String? = nil) -> Readout {
        let totals = aggregates.filter(\.isTotal)
        let arms = armSummaries(totals)
        let srm = sampleRatioMismatch(arms)

        let metrics = analyse(totals, srmMismatch: srm.isMismatch)

        var segments: [SegmentReadout] = []
        if let segmentAttribute {
            let rows = aggregates.filter { !$0.isTotal }
            var values: [String?] = []
            for row in rows where !values.contains(row.segment) { values.append(row.segment) }
            values.sort { ($0 ?? "\u{10FFFF}") < ($1 ?? "\u{10FFFF}") }
            for value in values {
                let slice = rows.filter { $0.segment == value }
                segments.append(
                    SegmentReadout(
                        attribute: segmentAttribute, value: value, arms: armSummaries(slice),
                        metrics: analyse(slice, srmMismatch: srm.isMismatch)))
            }
        }

        return Readout(
            experiment: experiment.key, name: experiment.name, asOf: asOf,
            alpha: experiment.analysis.alpha, correction: experiment.analysis.correction,
            minimumUnits: experiment.analysis.minimumUnits, arms: arms, srm: srm,
            metrics: metrics, segmentAttribute: segmentAttribute, segments: segments)
    }

    private func armSummaries(_ rows: [ArmAggregate]) -> [ArmSummary] {
        let totalWeight = Double(experiment.arms.map(\.weight).reduce(0, +))
        let totalUnits = rows.filter { experiment.arm($0.arm) != nil }.map(\.units).reduce(0, +)
        return experiment.arms.map { arm in
            let units = rows.first { $0.arm == arm.key }?.units ?? 0
            return ArmSummary(
                key: arm.key, isControl: arm.isControl, units: units,
                expectedShare: Double(arm.weight) / totalWeight,
                observedShare: totalUnits > 0 ? Double(units) / Double(totalUnits) : nil,
                cost: arm.cost)
        }
    }

    /// The chi-square goodness-of-fit of exposed units per arm against the weights.
    private func sampleRatioMismatch(_ arms: [ArmSummary]) -> SampleRatioMismatch {
        let observed = arms.map(\.units)
        let weights = experiment.arms.map { Double($0.weight) }
        let untestable = SampleRatioMismatch(
            chiSquared: nil, degreesOfFreedom: max(arms.count - 1, 0), pValue: nil, isMismatch: false)
        guard observed.reduce(0, +) > 0 else { return untestable }
        return (try? SampleRatioMismatch.test(observed: observed, weights: weights)) ?? untestable
    }

    /// Runs every metric's tests for one slice (overall or one segment value) and
    /// corrects the slice's p-values together.
    private func analyse(_ rows: [ArmAggregate], srmMismatch: Bool) -> [MetricReadout] {
        let alpha = experiment.analysis.alpha
        let control = experiment.control
        let controlRow = rows.first { $0.arm == control.key }
        let treatments = experiment.arms.filter { !$0.isControl }

        var metrics: [MetricReadout] = []
        for (index, metric) in experiment.metrics.enumerated() {
            let controlAggregate = controlRow?.metrics[index] ?? MetricAggregate.empty
            var results: [ArmResult] = []
            for arm in treatments {
                let row = rows.first { $0.arm == arm.key }
                let aggregate = row?.metrics[index] ?? MetricAggregate.empty
                let comparison = compare(metric, control: controlAggregate, treatment: aggregate, alpha: alpha)
                results.append(
                    ArmResult(
                        arm: arm.key, units: aggregate.units, comparison: comparison,
                        adjustedPValue: nil, isSignificant: false, verdict: .inconclusive,
                        flags: [], minimumDetectableEffect: minimumDetectableEffect(comparison),
                        netValue: nil, netValueCI: nil))
            }
            metrics.append(
                MetricReadout(
                    key: metric.key, type: metric.type, direction: metric.direction,
                    isPrimary: metric.isPrimary, cuped: metric.cuped,
                    controlUnits: controlAggregate.units, results: results))
        }

        applyCorrection(to: &metrics)
        for metricIndex in metrics.indices {
            let definition = experiment.metrics[metricIndex]
            for resultIndex in metrics[metricIndex].results.indices {
                finish(
                    &metrics[metricIndex].results[resultIndex], metric: definition,
                    controlUnits: controlRow?.units ?? 0,
                    treatmentUnits: rows.first { $0.arm == metrics[metricIndex].results[resultIndex].arm }?.units ?? 0,
                    srmMismatch: srmMismatch)
            }
        }
        return metrics
    }

    private func compare(
        _ metric: Metric, control: MetricAggregate, treatment: MetricAggregate, alpha: Double
    ) -> Comparison {
        switch metric.type {
        case .proportion where metric.cuped:
            // CUPED on 0/1 outcomes: the same adjustment, with the pre-window 0/1 as covariate.
            return Comparison.cuped(control: control.mean, treatment: treatment.mean, alpha: alpha)
        case .proportion:
            return Comparison.proportions(control: control.proportion, treatment: treatment.proportion, alpha: alpha)
        case .mean where metric.cuped:
            return Comparison.cuped(control: control.mean, treatment: treatment.mean, alpha: alpha)
        case .mean:
            return Comparison.means(control: control.mean, treatment: treatment.mean, alpha: alpha)
        case .nps:
            var comparison = Comparison.nps(control: control.nps, treatment: treatment.nps, alpha: alpha)
            // A ratio of NPS values reads backwards when the control's NPS is 0 or below
            // (+15 points over −23 would show as −65%): only the difference is reported.
            if let controlValue = comparison.controlValue, controlValue <= 0 {
                comparison.relativeLift = nil
                comparison.relativeCI = nil
                comparison.flags.insert(.relativeLiftUndefined)
            }
            return comparison
        }
    }

    /// `(z(1 − α/2) + z(0.8)) × SE`: the absolute effect this comparison had an 80%
    /// chance to detect.
    private func minimumDetectableEffect(_ comparison: Comparison) -> Double? {
        guard let standardError = comparison.standardError, standardError.isFinite else { return nil }
        let alpha = experiment.analysis.alpha
        let multiplier = Distributions.normalQuantile(1 - alpha / 2) + Distributions.normalQuantile(0.8)
        return multiplier * standardError
    }

    /// Adjusts every p-value of the slice with the experiment's correction.
    private func applyCorrection(to metrics: inout [MetricReadout]) {
        let correction = Correction(rawValue: experiment.analysis.correction.rawValue) ?? .holm
        let pValues = metrics.flatMap { $0.results.map(\.comparison.pValue) }
        var adjusted = correction.adjust(pValues)[...]
        for metricIndex in metrics.indices {
            for resultIndex in metrics[metricIndex].results.indices {
                metrics[metricIndex].results[resultIndex].adjustedPValue = adjusted.popFirst() ?? nil
            }
        }
    }

    /// Sets significance, verdict, flags and net value of one result.
    private func finish(
        _ result: inout ArmResult, metric: Metric, controlUnits: Int, treatmentUnits: Int,
        srmMismatch: Bool
    ) {
        let alpha = experiment.analysis.alpha
        let comparison = result.comparison
        result.isSignificant = result.adjustedPValue.map { $0 < alpha } ?? false
        if result.isSignificant, let lift = comparison.absoluteLift, lift != 0 {
            let good = (lift > 0) == (metric.direction == .increase)
            result.verdict = good ? .winner : .loser
        }

        var flags = Set(comparison.flags.map(\.rawValue))
        if min(controlUnits, treatmentUnits) < experiment.analysis.minimumUnits {
            flags.insert(Flag.smallSample.rawValue)
        }
        if srmMismatch { flags.insert("srm") }
        if !result.isSignificant, let mde = result.minimumDetectableEffect,
            let control = comparison.controlValue, control != 0,
            mde / abs(control) > Self.underpoweredRelativeEffect
        {
            flags.insert("underpowered")
        }
        result.flags = flags.sorted()

        if metric.type == .mean, metric.aggregate == .sum,
            let armCost = experiment.arm(result.arm)?.cost ?? nil,
            let lift = comparison.absoluteLift
        {
            let extraCost = armCost - (experiment.control.cost ?? 0)
            result.netValue = lift - extraCost
            result.netValueCI = comparison.absoluteCI.map {
                ConfidenceInterval(lower: $0.lower - extraCost, upper: $0.upper - extraCost, level: $0.level)
            }
        }
    }
}

extension MetricAggregate {
    /// No units at all, for an arm that nobody was exposed to.
    static let empty = MetricAggregate(
        units: 0, sum: 0, sumOfSquares: 0, covariate: nil, promoters: 0, detractors: 0)
}
