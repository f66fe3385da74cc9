/// Sufficient statistics of a proportion metric for one arm: units and units with a
/// success; summaries of disjoint sets of units merge with `+`.
public struct ProportionSummary: Sendable, Hashable, Codable {
    /// Units in the arm (the denominator).
    public var units: Int

    /// Units with at least one qualifying event (the numerator).
    public var successes: Int

    /// Creates a summary from counts, as a `count(*)` and a `count(*) filter (...)`.
    public init(units: Int, successes: Int) {
        self.units = units
        self.successes = successes
    }

    /// Creates a summary from per-unit outcomes.
    public init(outcomes: some Sequence<Bool>) {
        var units = 0
        var successes = 0
        for outcome in outcomes {
            units += 1
            if outcome { successes += 1 }
        }
        self.init(units: units, successes: successes)
    }

    /// The empty summary, identity of `+`.
    public static let empty = ProportionSummary(units: 0, successes: 0)

    /// True when the counts are usable: non-negative and successes ≤ units.
    public var isValid: Bool {
        units >= 0 && successes >= 0 && successes <= units
    }

    /// The success rate p̂ = successes / units, nil for an empty or invalid summary.
    public var rate: Double? {
        guard isValid, units > 0 else { return nil }
        return Double(successes) / Double(units)
    }

    /// Merges the summaries of two disjoint sets of units.
    public static func + (lhs: Self, rhs: Self) -> Self {
        ProportionSummary(
            units: lhs.units + rhs.units, successes: lhs.successes + rhs.successes)
    }
}
