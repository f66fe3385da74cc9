import Foundation
import SplitlaneStatistics

extension Readout {
    /// The columns of ``renderCSV()``, in order; names follow the JSON document.
    public static let csvColumns = [
        "experiment", "segment_attribute", "segment_value", "metric", "type", "direction",
        "primary", "arm", "units", "control_units", "value", "control_value", "absolute_lift",
        "absolute_ci_lower", "absolute_ci_upper", "relative_lift", "relative_ci_lower",
        "relative_ci_upper", "p_value", "adjusted_p_value", "significant", "verdict", "test",
        "statistic", "df", "standard_error", "variance_reduction", "mde", "net_value",
        "net_value_ci_lower", "net_value_ci_upper", "flags",
    ]

    /// The readout as CSV for spreadsheets and scripts (`--format csv`).
    ///
    /// One row per comparison of a treatment arm with the control, per metric, overall
    /// first and then per segment value. Overall rows leave both segment columns empty;
    /// a segment row for units without the attribute has the attribute and an empty
    /// value. Numbers keep full precision (shortest round-trip form), undefined numbers
    /// are empty cells, flags are joined with `;`. Fields are quoted as RFC 4180 asks
    /// (when they hold a comma, a quote or a line break); lines end with `\n`.
    public func renderCSV() -> String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for metric in metrics {
            for result in metric.results {
                lines.append(csvRow(segment: nil, metric: metric, result: result))
            }
        }
        for segment in segments {
            for metric in segment.metrics {
                for result in metric.results {
                    lines.append(csvRow(segment: segment, metric: metric, result: result))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func csvRow(segment: SegmentReadout?, metric: MetricReadout, result: ArmResult)
        -> String
    {
        let comparison = result.comparison
        let fields: [String] = [
            experiment, segment?.attribute ?? "", segment?.value ?? "", metric.key,
            metric.type.rawValue, metric.direction.rawValue, String(metric.isPrimary),
            result.arm, String(result.units), String(metric.controlUnits),
            Self.csvNumber(comparison.treatmentValue), Self.csvNumber(comparison.controlValue),
            Self.csvNumber(comparison.absoluteLift),
            Self.csvNumber(comparison.absoluteCI?.lower),
            Self.csvNumber(comparison.absoluteCI?.upper),
            Self.csvNumber(comparison.relativeLift),
            Self.csvNumber(comparison.relativeCI?.lower),
            Self.csvNumber(comparison.relativeCI?.upper),
            Self.csvNumber(comparison.pValue), Self.csvNumber(result.adjustedPValue),
            String(result.isSignificant), result.verdict.rawValue, comparison.test.rawValue,
            Self.csvNumber(comparison.statistic), Self.csvNumber(comparison.degreesOfFreedom),
            Self.csvNumber(comparison.standardError), Self.csvNumber(comparison.varianceReduction),
            Self.csvNumber(result.minimumDetectableEffect), Self.csvNumber(result.netValue),
            Self.csvNumber(result.netValueCI?.lower), Self.csvNumber(result.netValueCI?.upper),
            result.flags.joined(separator: ";"),
        ]
        return fields.map(Self.csvField).joined(separator: ",")
    }

    /// A number in Swift's shortest round-trip form; empty when nil or not finite.
    static func csvNumber(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }

    /// Quotes a field when it holds a comma, a quote, or a line break, doubling quotes.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
