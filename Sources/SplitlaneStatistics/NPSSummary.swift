/// Sufficient statistics of an NPS metric for one arm: responders, promoters (9–10) and
/// detractors (0–6); summaries merge with `+`.
public struct NPSSummary: Sendable, Hashable, Codable {
    /// Units that answered the survey in the window (the NPS denominator).
    public var responders: Int

    /// Responders who scored 9 or 10.
    public var promoters: Int

    /// Responders who scored 0 to 6.
    public var detractors: Int

    /// Creates a summary from counts, as `count(*) filter (where score >= 9)` and so on.
    public init(responders: Int, promoters: Int, detractors: Int) {
        self.responders = responders
        self.promoters = promoters
        self.detractors = detractors
    }

    /// Creates a summary from survey scores 0–10; other scores are ignored.
    public init(scores: some Sequence<Int>) {
        var summary = NPSSummary.empty
        for score in scores where (0...10).contains(score) {
            summary.responders += 1
            if score >= 9 { summary.promoters += 1 }
            if score <= 6 { summary.detractors += 1 }
        }
        self = summary
    }

    /// The empty summary, identity of `+`.
    public static let empty = NPSSummary(responders: 0, promoters: 0, detractors: 0)

    /// True when counts are non-negative and promoters + detractors ≤ responders.
    public var isValid: Bool {
        responders >= 0 && promoters >= 0 && detractors >= 0
            && promoters + detractors <= responders
    }

    /// NPS as a share, P − D with P and D the promoter and detractor shares, in [−1, 1];
    /// nil for an empty or invalid summary.
    public var score: Double? {
        guard isValid, responders > 0 else { return nil }
        return Double(promoters - detractors) / Double(responders)
    }

    /// Merges the summaries of two disjoint sets of responders.
    public static func + (lhs: Self, rhs: Self) -> Self {
        NPSSummary(
            responders: lhs.responders + rhs.responders,
            promoters: lhs.promoters + rhs.promoters,
            detractors: lhs.detractors + rhs.detractors)
    }
}
