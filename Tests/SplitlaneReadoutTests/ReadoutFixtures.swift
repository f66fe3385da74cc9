import Foundation
import SplitlaneDefinitions
import SplitlaneStatistics

@testable import SplitlaneReadout

/// Readouts built with the real ``ReadoutBuilder`` from hand-made per-arm sums.
enum ReadoutFixtures {
    static let asOf = Date(timeIntervalSince1970: 1_796_256_000)  // 2026-12-03T00:00:00Z

    /// An arm key with a decomposed accent: 13 characters, 14 scalars, 15 bytes.
    static let accentedArm = "redelivery_e\u{301}"

    /// An arm key a hostile or careless author could write.
    static let scriptArm = "<script>alert(1)</script>"

    /// The recovery experiment: five metrics, four arms with costs.
    static func recoveryDefinition(arms: [Arm]? = nil) -> ExperimentDefinition {
        let days = { (count: Int) in TimeWindow(seconds: count * 86_400, description: "\(count)d") }
        return ExperimentDefinition(
            key: "detractor-recovery-2026q4", name: "Detractor recovery offers", unit: "account",
            status: .running,
            arms: arms ?? [
                Arm(key: "apology_call", isControl: true, cost: 4.5),
                Arm(key: "credit", cost: 15),
                Arm(key: accentedArm, cost: 9),
                Arm(key: "am_checkin", cost: 22),
            ],
            metrics: [
                Metric(
                    key: "winback_90d", type: .proportion, event: "order", window: days(90),
                    isPrimary: true),
                Metric(
                    key: "orders_90d", type: .mean, event: "order", window: days(90), cuped: true),
                Metric(
                    key: "revenue_90d", type: .mean, event: "order", aggregate: .sum,
                    window: days(90)),
                Metric(
                    key: "churn_q", type: .proportion, event: "churn", window: days(91),
                    direction: .decrease),
                Metric(key: "nps_next", type: .nps, event: "survey_response", window: days(60)),
                Metric(key: "complaint_7d", type: .proportion, event: "complaint", window: days(7)),
            ],
            segments: ["vertical"],
            analysis: AnalysisSettings(alpha: 0.05, correction: .holm, minimumUnits: 100))
    }

    /// One arm's sums; `scale` shrinks every count for small segments.
    static func arm(
        _ key: String, units: Int, winback: Double, orders: Double, revenue: Double,
        churn: Double, promoters: Double, detractors: Double, complaints: Int,
        segment: String? = nil, isTotal: Bool = true
    ) -> ArmAggregate {
        let responders = units / 3
        return ArmAggregate(
            arm: key, segment: segment, isTotal: isTotal, units: units,
            metrics: [
                proportion(units: units, rate: winback),
                mean(
                    units: units, mean: orders, sd: 1.4, covariateMean: orders * 0.9,
                    correlation: 0.6),
                mean(units: units, mean: revenue, sd: 160, covariateMean: nil, correlation: 0),
                proportion(units: units, rate: churn),
                MetricAggregate(
                    units: responders, sum: 0, sumOfSquares: 0, covariate: nil,
                    promoters: Int(Double(responders) * promoters),
                    detractors: Int(Double(responders) * detractors)),
                MetricAggregate(
                    units: units, sum: Double(complaints), sumOfSquares: Double(complaints),
                    covariate: nil, promoters: 0, detractors: 0),
            ])
    }

    static func proportion(units: Int, rate: Double) -> MetricAggregate {
        let successes = (Double(units) * rate).rounded()
        return MetricAggregate(
            units: units, sum: successes, sumOfSquares: successes, covariate: nil, promoters: 0,
            detractors: 0)
    }

    /// Sums that reproduce a mean and standard deviation, with a covariate of the same
    /// spread and the given correlation when `covariateMean` is set.
    static func mean(
        units: Int, mean: Double, sd: Double, covariateMean: Double?, correlation: Double
    ) -> MetricAggregate {
        let n = Double(units)
        let covariate = covariateMean.map { covariateMean in
            CovariateSums(
                sum: n * covariateMean,
                sumOfSquares: (n - 1) * sd * sd + n * covariateMean * covariateMean,
                sumOfProducts: (n - 1) * correlation * sd * sd + n * covariateMean * mean)
        }
        return MetricAggregate(
            units: units, sum: n * mean, sumOfSquares: (n - 1) * sd * sd + n * mean * mean,
            covariate: covariate, promoters: 0, detractors: 0)
    }

    /// Overall rows of a recovery test where `credit` wins back more accounts.
    static func recoveryTotals(creditUnits: Int = 1190) -> [ArmAggregate] {
        [
            arm(
                "apology_call", units: 1204, winback: 0.120, orders: 1.10, revenue: 84,
                churn: 0.21, promoters: 0.22, detractors: 0.45, complaints: 0),
            arm(
                "credit", units: creditUnits, winback: 0.168, orders: 1.32, revenue: 101,
                churn: 0.17, promoters: 0.30, detractors: 0.38, complaints: 3),
            arm(
                accentedArm, units: 1210, winback: 0.128, orders: 1.12, revenue: 86,
                churn: 0.26, promoters: 0.24, detractors: 0.44, complaints: 1),
            arm(
                "am_checkin", units: 1195, winback: 0.135, orders: 1.15, revenue: 88,
                churn: 0.20, promoters: 0.27, detractors: 0.40, complaints: 2),
        ]
    }

    /// Segment rows: a large `ecommerce` slice, a tiny `pharmacy` slice, a value with
    /// markup and punctuation, and units without the attribute.
    static func recoverySegments() -> [ArmAggregate] {
        let values: [(String?, Double)] = [
            ("ecommerce", 0.6), ("pharmacy", 0.04), ("<b>\"grocery\", fresh</b>", 0.2), (nil, 0.16),
        ]
        return values.flatMap { value, share in
            recoveryTotals().map { total in
                var row = total
                row.segment = value
                row.isTotal = false
                row.units = Int(Double(total.units) * share)
                row.metrics = total.metrics.map { metric in
                    var scaled = metric
                    scaled.units = Int(Double(metric.units) * share)
                    scaled.sum *= share
                    scaled.sumOfSquares *= share
                    scaled.promoters = Int(Double(metric.promoters) * share)
                    scaled.detractors = Int(Double(metric.detractors) * share)
                    scaled.covariate = metric.covariate.map {
                        CovariateSums(
                            sum: $0.sum * share, sumOfSquares: $0.sumOfSquares * share,
                            sumOfProducts: $0.sumOfProducts * share)
                    }
                    return scaled
                }
                return row
            }
        }
    }

    /// The recovery readout, balanced or with a sample ratio mismatch, with or without
    /// the `vertical` breakdown.
    static func recovery(mismatch: Bool = false, segmented: Bool = false) -> Readout {
        let builder = ReadoutBuilder(experiment: recoveryDefinition(), asOf: asOf)
        let totals = recoveryTotals(creditUnits: mismatch ? 980 : 1190)
        if segmented {
            return builder.build(from: totals + recoverySegments(), segmentAttribute: "vertical")
        }
        return builder.build(from: totals)
    }

    /// A readout whose treatment arm key is a script tag.
    static func hostile() -> Readout {
        let definition = recoveryDefinition(arms: [
            Arm(key: "apology_call", isControl: true), Arm(key: scriptArm),
        ])
        var totals = recoveryTotals()
        totals[1].arm = scriptArm
        return ReadoutBuilder(experiment: definition, asOf: asOf).build(
            from: Array(totals.prefix(2)))
    }

    /// The channel test: three channels, two proportions and NPS.
    static func channel() -> Readout {
        let days = TimeWindow(seconds: 7 * 86_400, description: "7d")
        let definition = ExperimentDefinition(
            key: "survey-channel-2026", name: "Post-delivery survey channel", unit: "delivery",
            status: .running,
            arms: [
                Arm(key: "email", isControl: true), Arm(key: "sms"), Arm(key: "shipper_portal"),
            ],
            metrics: [
                Metric(key: "opened", type: .proportion, event: "survey_opened", window: days),
                Metric(
                    key: "responded", type: .proportion, event: "survey_response", window: days,
                    isPrimary: true),
                Metric(key: "nps", type: .nps, event: "survey_response", window: days),
            ],
            analysis: AnalysisSettings(minimumUnits: 200))
        let row = {
            (key: String, units: Int, opened: Double, responded: Double, promoters: Double) in
            let responders = Int(Double(units) * responded)
            return ArmAggregate(
                arm: key, segment: nil, isTotal: true, units: units,
                metrics: [
                    proportion(units: units, rate: opened),
                    proportion(units: units, rate: responded),
                    MetricAggregate(
                        units: responders, sum: 0, sumOfSquares: 0, covariate: nil,
                        promoters: Int(Double(responders) * promoters),
                        detractors: Int(Double(responders) * 0.2)),
                ])
        }
        return ReadoutBuilder(experiment: definition, asOf: asOf).build(from: [
            row("email", 20_112, 0.41, 0.092, 0.48), row("sms", 20_034, 0.58, 0.131, 0.47),
            row("shipper_portal", 19_980, 0.33, 0.071, 0.52),
        ])
    }
}
