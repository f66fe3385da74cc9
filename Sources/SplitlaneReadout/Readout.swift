public import Foundation
public import SplitlaneDefinitions
public import SplitlaneStatistics

/// The analysis of one experiment: arm health, then every metric's comparison of each
/// treatment arm with the control, optionally broken down by a segment attribute.
public struct Readout: Sendable {
    public var experiment: String
    public var name: String
    public var asOf: Date
    public var alpha: Double
    public var correction: AnalysisSettings.Correction
    public var minimumUnits: Int
    public var arms: [ArmSummary]
    public var srm: SampleRatioMismatch
    public var metrics: [MetricReadout]
    /// The attribute of ``segments``, when a breakdown was asked for.
    public var segmentAttribute: String?
    public var segments: [SegmentReadout]
}

/// One arm's exposure counts and its offer cost.
public struct ArmSummary: Sendable, Hashable {
    public var key: String
    public var isControl: Bool
    /// Exposed units, overrides excluded.
    public var units: Int
    /// The share of units the weights promise.
    public var expectedShare: Double
    /// The share of units the arm actually holds; `nil` when nobody is exposed.
    public var observedShare: Double?
    /// The cost of the arm's offer per unit, when the definition sets one.
    public var cost: Double?
}

/// One metric's results: the control's value and each treatment arm's comparison.
public struct MetricReadout: Sendable, Hashable {
    public var key: String
    public var type: Metric.Kind
    public var direction: Metric.Direction
    public var isPrimary: Bool
    public var cuped: Bool
    /// The control arm's units with an outcome (responders for NPS).
    public var controlUnits: Int
    public var results: [ArmResult]
}

/// What a comparison says for the business.
public enum Verdict: String, Sendable, Hashable {
    /// Significant after correction, in the metric's good direction.
    case winner
    /// Significant after correction, in the bad direction.
    case loser
    /// Not significant, or not computable.
    case inconclusive
}

/// The comparison of one treatment arm with the control on one metric.
public struct ArmResult: Sendable, Hashable {
    public var arm: String
    /// Treatment units with an outcome (responders for NPS).
    public var units: Int
    public var comparison: Comparison
    /// The p-value after the report's multiple-comparison correction.
    public var adjustedPValue: Double?
    public var isSignificant: Bool
    public var verdict: Verdict
    /// Readout-level flags (`small_sample`, `srm`, `degenerate`, `underpowered`, …),
    /// sorted, including the comparison's own.
    public var flags: [String]
    /// The absolute lift detectable with 80% power at this sample size and variance:
    /// `(z(1 − α/2) + z(0.8)) × standard error`.
    public var minimumDetectableEffect: Double?
    /// For value metrics (`mean` of `sum`) in experiments with arm costs: the lift per
    /// unit net of the cost difference between this arm's offer and the control's.
    public var netValue: Double?
    public var netValueCI: ConfidenceInterval?
}

/// The analysis repeated within one value of the segment attribute.
public struct SegmentReadout: Sendable, Hashable {
    public var attribute: String
    /// The attribute's value; `nil` for units that were exposed without it.
    public var value: String?
    public var arms: [ArmSummary]
    public var metrics: [MetricReadout]
}
