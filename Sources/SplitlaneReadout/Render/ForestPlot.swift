import Foundation
import SplitlaneDefinitions
import SplitlaneStatistics

/// An SVG forest plot of one metric: each treatment arm's lift as a point with its
/// confidence interval as a horizontal line, against a dashed zero line.
///
/// The plot uses relative lifts, unless the control value is not positive or one of
/// the arms has an absolute lift but no relative one, in which case every arm uses
/// absolute lifts so that the points share one meaningful axis.
struct ForestPlot {
    /// One arm's line in the plot.
    struct Row {
        var label: String
        var estimate: Double?
        var interval: ConfidenceInterval?
        var verdict: Verdict
    }

    var rows: [Row]
    var isRelative: Bool
    var format: MetricFormat
    var intervalLabel: String

    /// The colour of each verdict, shared with the page's stylesheet.
    static func color(_ verdict: Verdict) -> String {
        switch verdict {
        case .winner: "#1a7f37"
        case .loser: "#cf222e"
        case .inconclusive: "#57606a"
        }
    }

    init(metric: MetricReadout, alpha: Double) {
        format = MetricFormat(metric: metric)
        intervalLabel = MetricFormat.intervalLabel(alpha: alpha)
        // A ratio to a control at or below zero (an NPS of −20, say) flips the sign of
        // the lift, so such metrics plot on the absolute scale.
        let controlIsPositive = metric.controlValue.map { $0 > 0 } ?? false
        isRelative =
            controlIsPositive
            && !metric.results.contains {
                $0.comparison.absoluteLift != nil && $0.comparison.relativeLift == nil
            }
        let relative = isRelative
        rows = metric.results.map { result in
            let comparison = result.comparison
            return Row(
                label: result.arm,
                estimate: relative ? comparison.relativeLift : comparison.absoluteLift,
                interval: relative ? comparison.relativeCI : comparison.absoluteCI,
                verdict: result.verdict)
        }
    }

    // Geometry, in SVG user units.
    private static let width = 760.0
    private static let plotLeft = 170.0
    private static let plotRight = 540.0
    private static let rowHeight = 30.0
    private static let top = 12.0
    private static let axisHeight = 48.0

    /// The plot as an inline `<svg>` element; every label is HTML-escaped.
    func svg(title: String) -> String {
        let height = Self.top + Double(rows.count) * Self.rowHeight + Self.axisHeight
        let scale = axis(
            values: rows.flatMap { [$0.estimate, $0.interval?.lower, $0.interval?.upper] })
        let x = { (value: Double) -> Double in
            Self.plotLeft + (value - scale.lower) / (scale.upper - scale.lower)
                * (Self.plotRight - Self.plotLeft)
        }
        let axisY = Self.top + Double(rows.count) * Self.rowHeight + 4

        var parts: [String] = []
        parts.append(
            "<svg class=\"forest\" viewBox=\"0 0 \(Self.n(Self.width)) "
                + "\(Self.n(height))\" width=\"\(Self.n(Self.width))\" height=\"\(Self.n(height))\" "
                + "role=\"img\" aria-label=\"\(HTML.escape(title))\">")
        parts.append("<title>\(HTML.escape(title))</title>")

        for (index, tick) in scale.ticks.enumerated() {
            let tickX = Self.n(x(tick))
            parts.append(
                "<line x1=\"\(tickX)\" y1=\"\(Self.n(Self.top - 4))\" x2=\"\(tickX)\" y2=\"\(Self.n(axisY))\" "
                    + "stroke=\"#eaeef2\" stroke-width=\"1\"/>")
            parts.append(
                "<text x=\"\(tickX)\" y=\"\(Self.n(axisY + 16))\" text-anchor=\"middle\" font-size=\"11\" "
                    + "fill=\"#59636e\">\(HTML.escape(scale.labels[index]))</text>")
        }
        parts.append(
            "<line x1=\"\(Self.n(Self.plotLeft))\" y1=\"\(Self.n(axisY))\" x2=\"\(Self.n(Self.plotRight))\" "
                + "y2=\"\(Self.n(axisY))\" stroke=\"#8c959f\" stroke-width=\"1\"/>")
        let zeroX = Self.n(x(0))
        parts.append(
            "<line x1=\"\(zeroX)\" y1=\"\(Self.n(Self.top - 6))\" x2=\"\(zeroX)\" y2=\"\(Self.n(axisY))\" "
                + "stroke=\"#1f2328\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>")
        let axisTitle =
            (isRelative ? "relative lift" : "absolute lift") + " vs control, \(intervalLabel)"
        parts.append(
            "<text x=\"\(Self.n((Self.plotLeft + Self.plotRight) / 2))\" y=\"\(Self.n(axisY + 36))\" "
                + "text-anchor=\"middle\" font-size=\"12\" fill=\"#59636e\">\(HTML.escape(axisTitle))</text>"
        )

        for (index, row) in rows.enumerated() {
            parts += rowElements(row, y: Self.top + (Double(index) + 0.5) * Self.rowHeight, x: x)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    private func rowElements(_ row: Row, y: Double, x: (Double) -> Double) -> [String] {
        let color = Self.color(row.verdict)
        let cy = Self.n(y)
        var parts = [
            "<text x=\"\(Self.n(Self.plotLeft - 12))\" y=\"\(cy)\" dy=\"0.35em\" text-anchor=\"end\" "
                + "font-size=\"13\" fill=\"#1f2328\">\(HTML.escape(Self.truncate(row.label)))</text>"
        ]
        guard let estimate = row.estimate, estimate.isFinite else {
            parts.append(
                "<text x=\"\(Self.n(Self.plotLeft))\" y=\"\(cy)\" dy=\"0.35em\" font-size=\"12\" "
                    + "fill=\"#59636e\">not computable</text>")
            return parts
        }

        if let interval = row.interval, interval.lower.isFinite, interval.upper.isFinite {
            let left = Self.n(x(interval.lower))
            let right = Self.n(x(interval.upper))
            parts.append(
                "<line x1=\"\(left)\" y1=\"\(cy)\" x2=\"\(right)\" y2=\"\(cy)\" stroke=\"\(color)\" "
                    + "stroke-width=\"2.5\" stroke-linecap=\"round\"/>")
            for end in [left, right] {
                parts.append(
                    "<line x1=\"\(end)\" y1=\"\(Self.n(y - 6))\" x2=\"\(end)\" y2=\"\(Self.n(y + 6))\" "
                        + "stroke=\"\(color)\" stroke-width=\"2\"/>")
            }
        }
        parts.append(
            "<circle cx=\"\(Self.n(x(estimate)))\" cy=\"\(cy)\" r=\"5.5\" fill=\"\(color)\" "
                + "stroke=\"#ffffff\" stroke-width=\"1.5\"/>")

        let text =
            isRelative
            ? MetricFormat.relativeWithInterval(row.estimate, row.interval)
            : format.liftWithInterval(row.estimate, row.interval)
        parts.append(
            "<text x=\"\(Self.n(Self.plotRight + 14))\" y=\"\(cy)\" dy=\"0.35em\" font-size=\"12\" "
                + "fill=\"\(color)\">\(HTML.escape(text))</text>")
        return parts
    }

    /// The axis range and its ticks: "nice" steps of 1, 2, 2.5 or 5 × 10ᵏ, about five
    /// of them, over a range that always holds 0 and every value.
    private func axisData(_ values: [Double?]) -> (lower: Double, upper: Double, ticks: [Double]) {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        var lower = min(0, finite.min() ?? 0)
        var upper = max(0, finite.max() ?? 0)
        if upper - lower < 1e-12 {
            let pad = isRelative ? 0.05 : max(abs(upper), 1) * 0.05
            lower -= pad
            upper += pad
        }

        let raw = (upper - lower) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step =
            [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        lower = (lower / step).rounded(.down) * step
        upper = (upper / step).rounded(.up) * step

        var ticks: [Double] = []
        var tick = lower
        while tick <= upper + step / 2 {
            ticks.append(abs(tick) < step / 1e6 ? 0 : tick)
            tick += step
        }
        return (lower, upper, ticks)
    }

    /// The axis range, its ticks and their labels in the plot's units.
    private func axis(values: [Double?]) -> (
        lower: Double, upper: Double, ticks: [Double], labels: [String]
    ) {
        let (lower, upper, ticks) = axisData(values)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let scaled = isRelative || format.kind == .proportion ? step * 100 : step
        let decimals =
            (0...6).first { digits in
                let shifted = scaled * pow(10, Double(digits))
                return abs(shifted - shifted.rounded()) < 1e-6
            } ?? 6
        let labels = ticks.map { tick -> String in
            if isRelative { return MetricFormat.signed(tick * 100, decimals) + "%" }
            let number = MetricFormat.signed(
                format.kind == .proportion ? tick * 100 : tick, decimals)
            return format.liftUnit.isEmpty ? number : number + " " + format.liftUnit
        }
        return (lower, upper, ticks, labels)
    }

    /// A number for an SVG attribute, with two decimals at most.
    static func n(_ value: Double) -> String {
        String(format: "%.2f", value).replacing(/\.?0+$/, with: "")
    }

    /// Cuts a long arm label so that it fits left of the plot.
    private static func truncate(_ label: String) -> String {
        label.count > 22 ? String(label.prefix(21)) + "…" : label
    }
}
