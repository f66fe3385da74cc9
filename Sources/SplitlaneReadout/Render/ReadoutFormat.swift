import Foundation
import SplitlaneDefinitions
import SplitlaneStatistics

/// How one metric's numbers read for people: rates as percentages with lifts in
/// percentage points, NPS as points, means at a precision fitted to their size.
///
/// The human renderers (table, Markdown, HTML) share it so that they print the same
/// digits; the CSV keeps full precision and does not use it.
struct MetricFormat {
    /// The metric's kind, which decides the units.
    var kind: Metric.Kind

    /// Digits after the decimal point for values and absolute lifts.
    var decimals: Int

    /// The text for an undefined number.
    static let missing = "—"

    /// Fits the precision to the metric's largest value.
    ///
    /// Proportions get one decimal of a percent, two when every rate is below 10%;
    /// means get about four significant digits of the largest value (0…4 decimals);
    /// NPS gets one decimal of a point.
    init(metric: MetricReadout) {
        kind = metric.type
        let values = metric.results.flatMap {
            [$0.comparison.controlValue, $0.comparison.treatmentValue]
        }
        let largest = values.compactMap { $0 }.filter(\.isFinite).map(abs).max() ?? 0
        switch metric.type {
        case .proportion:
            decimals = largest < 0.1 ? 2 : 1
        case .nps:
            decimals = 1
        case .mean:
            guard largest > 0 else {
                decimals = 2
                break
            }
            let magnitude = Int(log10(largest).rounded(.down))
            decimals = min(4, max(0, 3 - magnitude))
        }
    }

    /// The unit printed after an absolute lift: `pp`, `pts` or nothing.
    var liftUnit: String {
        switch kind {
        case .proportion: "pp"
        case .nps: "pts"
        case .mean: ""
        }
    }

    /// A value on the metric's scale: `12.0%`, `1.234`, `32.4`.
    func value(_ value: Double?) -> String {
        guard let value, value.isFinite else { return Self.missing }
        switch kind {
        case .proportion: return Self.fixed(value * 100, decimals) + "%"
        case .nps, .mean: return Self.fixed(value, decimals)
        }
    }

    /// A signed absolute lift without its unit: `+3.3` (pp), `−0.120`.
    func liftNumber(_ lift: Double?) -> String {
        guard let lift, lift.isFinite else { return Self.missing }
        return Self.signed(kind == .proportion ? lift * 100 : lift, decimals)
    }

    /// A signed absolute lift with its unit: `+3.3 pp`, `+4.1 pts`, `−0.120`.
    func lift(_ lift: Double?) -> String {
        let number = liftNumber(lift)
        guard number != Self.missing, !liftUnit.isEmpty else { return number }
        return number + " " + liftUnit
    }

    /// An absolute interval in brackets: `[+0.6, +6.0]`; empty when undefined.
    func liftInterval(_ interval: ConfidenceInterval?) -> String {
        guard let interval, interval.lower.isFinite, interval.upper.isFinite else { return "" }
        return "[\(liftNumber(interval.lower)), \(liftNumber(interval.upper))]"
    }

    /// The lift and its interval in one cell: `+3.3 pp [+0.6, +6.0]`.
    func liftWithInterval(_ lift: Double?, _ interval: ConfidenceInterval?) -> String {
        Self.join(self.lift(lift), liftInterval(interval))
    }

    /// A signed relative lift in percent: `+27.5%`.
    static func relative(_ lift: Double?) -> String {
        guard let lift, lift.isFinite else { return missing }
        return signed(lift * 100, 1) + "%"
    }

    /// A relative interval in percent: `[+3.0%, +52.0%]`; empty when undefined.
    static func relativeInterval(_ interval: ConfidenceInterval?) -> String {
        guard let interval, interval.lower.isFinite, interval.upper.isFinite else { return "" }
        return "[\(relative(interval.lower)), \(relative(interval.upper))]"
    }

    /// The relative lift and its interval in one cell: `+27.5% [+3.0%, +52.0%]`.
    static func relativeWithInterval(_ lift: Double?, _ interval: ConfidenceInterval?) -> String {
        join(relative(lift), relativeInterval(interval))
    }

    /// A p-value as a reader wants it: `0.017`, `<0.001`, `—`.
    static func pValue(_ p: Double?) -> String {
        guard let p, p.isFinite else { return missing }
        if p < 0.001 { return "<0.001" }
        return fixed(min(p, 1), 3)
    }

    /// A share in percent with one decimal: `25.0%`.
    static func share(_ share: Double?) -> String {
        guard let share, share.isFinite else { return missing }
        return fixed(share * 100, 1) + "%"
    }

    /// A money amount with two decimals: `15.00`.
    static func money(_ amount: Double?) -> String {
        guard let amount, amount.isFinite else { return missing }
        return fixed(amount, 2)
    }

    /// A signed money amount with two decimals: `+2.10`, `−4.35`.
    static func signedMoney(_ amount: Double?) -> String {
        guard let amount, amount.isFinite else { return missing }
        return signed(amount, 2)
    }

    /// A money interval in brackets: `[−1.20, +5.40]`; empty when undefined.
    static func moneyInterval(_ interval: ConfidenceInterval?) -> String {
        guard let interval, interval.lower.isFinite, interval.upper.isFinite else { return "" }
        return "[\(signedMoney(interval.lower)), \(signedMoney(interval.upper))]"
    }

    /// The confidence level of a readout as a label: `95% CI`.
    static func intervalLabel(alpha: Double) -> String {
        let level = (1 - alpha) * 100
        let text = level == level.rounded() ? String(Int(level)) : fixed(level, 1)
        return "\(text)% CI"
    }

    /// A setting such as alpha without trailing zeros: `0.05`, `0.1`.
    static func compact(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `value` with `decimals` digits, a true minus sign, and no sign on a rounded zero.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", abs(value))
        if value < 0, Double(text) != 0 { return "−" + text }
        return text
    }

    /// `value` with `decimals` digits and an explicit sign: `+0.6`, `−1.2`, `0.0`.
    static func signed(_ value: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", abs(value))
        if Double(text) == 0 { return text }
        return (value < 0 ? "−" : "+") + text
    }

    private static func join(_ estimate: String, _ interval: String) -> String {
        interval.isEmpty ? estimate : estimate + " " + interval
    }
}

extension Verdict {
    /// The verdict with its marker: `✔ winner`, `✘ loser`, `inconclusive`.
    var label: String {
        switch self {
        case .winner: "✔ winner"
        case .loser: "✘ loser"
        case .inconclusive: "· inconclusive"
        }
    }
}

extension Readout {
    /// The metric a summary leads with: the primary one, else the first.
    var primaryMetric: MetricReadout? {
        metrics.first(where: \.isPrimary) ?? metrics.first
    }

    /// The control arm's key, for "vs control" labels.
    var controlArm: String? {
        arms.first(where: \.isControl)?.key
    }

    /// One sentence that says what a sample ratio mismatch means and what to do.
    static let srmAdvice =
        "Arms hold different shares of units than their weights promise, so the "
        + "randomization or the exposure logging is broken and every result below may "
        + "be biased. Do not act on these results: check assignment and exposure logging first."

    /// The chi-square test's numbers as text: `chi² = 41.20, df 3, p <0.001`.
    var srmStatistics: String {
        let chi = srm.chiSquared.map { MetricFormat.fixed($0, 2) } ?? MetricFormat.missing
        return "chi² = \(chi), df \(srm.degreesOfFreedom), p \(MetricFormat.pValue(srm.pValue))"
    }

    /// The attribute and value of a segment as a heading: `vertical = pharmacy`.
    static func segmentTitle(_ segment: SegmentReadout) -> String {
        "\(segment.attribute) = \(segment.value ?? "(not set)")"
    }

    /// The arms of a segment holding fewer units than `minimum_units`.
    func smallArms(_ segment: SegmentReadout) -> [ArmSummary] {
        segment.arms.filter { $0.units < minimumUnits }
    }
}

extension MetricReadout {
    /// The metric's title details: `proportion · increase is good · primary · CUPED`.
    var details: String {
        var parts = [type.rawValue, "\(direction.rawValue) is good"]
        if isPrimary { parts.append("primary") }
        if cuped { parts.append("CUPED") }
        return parts.joined(separator: " · ")
    }

    /// Whether any result carries a net value after offer cost.
    var hasNetValue: Bool {
        results.contains { $0.netValue != nil }
    }

    /// The control's value, taken from the first result that knows it.
    var controlValue: Double? {
        results.lazy.compactMap(\.comparison.controlValue).first
    }
}

extension ArmResult {
    /// Flags plus the CUPED variance reduction, as short notes for a table cell.
    var notes: [String] {
        var notes = flags
        if let reduction = comparison.varianceReduction, reduction.isFinite {
            notes.append("variance " + MetricFormat.signed(-reduction * 100, 0) + "%")
        }
        return notes
    }
}
