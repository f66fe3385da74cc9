/// An outcome an experiment is judged on, computed per unit from outcome events in
/// a window after the unit's first exposure.
public struct Metric: Sendable, Hashable {
    public var key: String
    public var type: Kind
    /// The outcome event name it reads (`order`, `churn`, `survey_response`, …).
    public var event: String
    /// For `mean` metrics: count the events or sum their values.
    public var aggregate: Aggregate
    /// How long after exposure an event still counts.
    public var window: TimeWindow
    public var isPrimary: Bool
    public var direction: Direction
    /// Whether to reduce variance with the same aggregate over the equal window
    /// before exposure (CUPED).
    public var cuped: Bool
    /// Optional human-readable description.
    public var description: String?

    /// Creates a metric; defaults match those of a file that omits the fields.
    public init(
        key: String,
        type: Kind,
        event: String,
        aggregate: Aggregate = .count,
        window: TimeWindow,
        isPrimary: Bool = false,
        direction: Direction = .increase,
        cuped: Bool = false,
        description: String? = nil
    ) {
        self.key = key
        self.type = type
        self.event = event
        self.aggregate = aggregate
        self.window = window
        self.isPrimary = isPrimary
        self.direction = direction
        self.cuped = cuped
        self.description = description
    }

    /// What a metric measures per unit.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Whether the unit had at least one event in the window (0 or 1).
        case proportion
        /// The unit's count of events, or sum of event values, in the window.
        case mean
        /// The unit's last survey score (0–10) in the window; only responders count.
        case nps
    }

    /// How a `mean` metric combines a unit's events.
    public enum Aggregate: String, Sendable, Hashable, CaseIterable {
        case count
        case sum
    }

    /// Which way is good for the business.
    public enum Direction: String, Sendable, Hashable, CaseIterable {
        case increase
        case decrease
    }
}

/// A metric window such as `30m`, `36h` or `90d`, held in whole seconds.
public struct TimeWindow: Sendable, Hashable, CustomStringConvertible {
    public var seconds: Int
    /// The text it was written as, for messages and reports.
    public var description: String

    /// Creates a window of `seconds`, shown as `description` or `<seconds>s`.
    public init(seconds: Int, description: String? = nil) {
        self.seconds = seconds
        self.description = description ?? "\(seconds)s"
    }

    /// Parses `<positive integer><unit>` with unit `s`, `m`, `h`, `d` or `w`.
    /// Returns `nil` for anything else.
    public init?(parsing text: String) {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let amount = Int(digits), amount > 0
        else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        case "w": scale = 604_800
        default: return nil
        }
        let (seconds, overflow) = amount.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.init(seconds: seconds, description: text)
    }
}
