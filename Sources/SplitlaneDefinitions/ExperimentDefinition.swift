public import Foundation

/// One experiment as a growth team declares it in `experiments/*.yaml`.
///
/// The type holds the definition after loading and validation: defaults are
/// resolved (`salt` falls back to `key`, `coverage` to 1), and every rule of the
/// schema holds. Build one with ``DefinitionLoader`` rather than by hand, unless a
/// test needs a definition without a file.
public struct ExperimentDefinition: Sendable, Hashable {
    /// Unique key, `[a-z0-9][a-z0-9_-]{0,63}`; names the experiment everywhere.
    public var key: String
    /// Human-readable title.
    public var name: String
    /// Team or person who answers for the experiment.
    public var owner: String?
    /// Free text: the hypothesis, links, anything an analyst should read first.
    public var description: String?
    /// What a unit id names: `account`, `recipient`, `delivery`, …
    public var unit: String
    public var status: Status
    /// No new assignment before this instant, when set.
    public var start: Date?
    /// No new assignment from this instant on, when set.
    public var end: Date?
    /// Hash salt; the key unless the file sets one. Changing it re-randomizes.
    public var salt: String
    /// Share of eligible units that enter the experiment, in `0...1`.
    public var coverage: Double
    /// Mutual-exclusion layer, when the experiment shares traffic with others.
    public var layer: Layer?
    /// Conditions that must all hold for a unit to enter.
    public var eligibility: [Condition]
    /// Arms in file order; the order decides bucket ranges.
    public var arms: [Arm]
    /// Units forced into an arm for QA, in file order. Never analysed.
    public var overrides: [Override]
    public var metrics: [Metric]
    /// Attribute names readouts may break results down by.
    public var segments: [String]
    public var analysis: AnalysisSettings
    /// Where the definition came from, for error messages; `nil` when built in code.
    public var origin: Origin?

    /// Creates a definition in code; `salt` defaults to `key`. Performs no validation.
    public init(
        key: String,
        name: String,
        owner: String? = nil,
        description: String? = nil,
        unit: String,
        status: Status,
        start: Date? = nil,
        end: Date? = nil,
        salt: String? = nil,
        coverage: Double = 1,
        layer: Layer? = nil,
        eligibility: [Condition] = [],
        arms: [Arm],
        overrides: [Override] = [],
        metrics: [Metric] = [],
        segments: [String] = [],
        analysis: AnalysisSettings = AnalysisSettings(),
        origin: Origin? = nil
    ) {
        self.key = key
        self.name = name
        self.owner = owner
        self.description = description
        self.unit = unit
        self.status = status
        self.start = start
        self.end = end
        self.salt = salt ?? key
        self.coverage = coverage
        self.layer = layer
        self.eligibility = eligibility
        self.arms = arms
        self.overrides = overrides
        self.metrics = metrics
        self.segments = segments
        self.analysis = analysis
        self.origin = origin
    }

    /// The arm marked `control: true`. Validation guarantees there is exactly one.
    public var control: Arm {
        arms.first(where: \.isControl) ?? arms[0]
    }

    /// The arm with the given key, if the experiment has one.
    public func arm(_ key: String) -> Arm? {
        arms.first { $0.key == key }
    }

    /// The primary metric: the one marked `primary: true`, else the first.
    public var primaryMetric: Metric? {
        metrics.first(where: \.isPrimary) ?? metrics.first
    }
}

extension ExperimentDefinition {
    /// Lifecycle of an experiment; only `running` experiments assign new units.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case draft
        case running
        case stopped
    }

    /// A unit id forced into an arm, for QA.
    public struct Override: Sendable, Hashable {
        public var unit: String
        public var arm: String

        /// Forces `unit` into the arm keyed `arm`.
        public init(unit: String, arm: String) {
            self.unit = unit
            self.arm = arm
        }
    }

    /// Where a definition and its notable parts were written.
    public struct Origin: Sendable, Hashable {
        /// The file, as the user named it (relative paths stay relative).
        public var path: String
        /// Where the `key` value is.
        public var key: SourceLocation
        /// Where the `layer` value is, when there is one.
        public var layer: SourceLocation?

        /// Records the file and the locations of the key and layer values.
        public init(path: String, key: SourceLocation, layer: SourceLocation? = nil) {
            self.path = path
            self.key = key
            self.layer = layer
        }
    }
}

/// A line and column in a definition file, both counted from 1.
public struct SourceLocation: Sendable, Hashable, Comparable {
    public var line: Int
    public var column: Int

    /// Creates a location from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Orders locations by line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
