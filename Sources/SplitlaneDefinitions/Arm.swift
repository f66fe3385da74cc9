/// One arm of an experiment: a survey channel, a recovery offer, the control.
public struct Arm: Sendable, Hashable {
    /// Unique within the experiment; what assignment returns and readouts show.
    public var key: String
    /// Relative share of traffic; a positive integer.
    public var weight: Int
    /// Whether this arm is the baseline that every other arm is compared with.
    public var isControl: Bool
    /// Cost of giving a unit this arm (a recovery offer's price), in the currency
    /// of the value metrics.
    public var cost: Double?
    /// Optional human-readable description.
    public var description: String?

    /// Creates an arm; the weight defaults to 1 and the arm is not the control.
    public init(
        key: String,
        weight: Int = 1,
        isControl: Bool = false,
        cost: Double? = nil,
        description: String? = nil
    ) {
        self.key = key
        self.weight = weight
        self.isControl = isControl
        self.cost = cost
        self.description = description
    }
}

/// A mutual-exclusion layer: experiments in one layer own disjoint bucket ranges,
/// so a unit enters at most one of them.
public struct Layer: Sendable, Hashable {
    public var name: String
    /// The half-open range of layer buckets, within `0..<10_000`, this experiment owns.
    public var buckets: Range<Int>

    /// Creates a layer membership owning `buckets` of the named layer.
    public init(name: String, buckets: Range<Int>) {
        self.name = name
        self.buckets = buckets
    }
}

/// How a readout analyses the experiment.
public struct AnalysisSettings: Sendable, Hashable {
    /// Significance level of every test and `1 - alpha` confidence intervals.
    public var alpha: Double
    /// Multiple-comparison correction across the report's arm × metric tests.
    public var correction: Correction
    /// Arms with fewer units than this get a `small_sample` flag.
    public var minimumUnits: Int

    /// Creates analysis settings; the defaults are those a file gets when it omits them.
    public init(alpha: Double = 0.05, correction: Correction = .holm, minimumUnits: Int = 100) {
        self.alpha = alpha
        self.correction = correction
        self.minimumUnits = minimumUnits
    }

    /// Multiple-comparison corrections a readout can apply.
    public enum Correction: String, Sendable, Hashable, CaseIterable {
        case none
        case holm
        case bonferroni
        /// Benjamini–Hochberg false-discovery-rate adjustment.
        case bh
    }
}
