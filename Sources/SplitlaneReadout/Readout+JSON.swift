import Foundation
public import SplitlaneJSON
import SplitlaneStatistics

extension Readout {
    /// The readout as the JSON document `splitlane readout --format json` prints and
    /// `GET /v1/experiments/{key}/readout` returns. Undefined numbers are `null`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("experiment", .string(experiment)),
            ("name", .string(name)),
            ("as_of", .string(Self.format(asOf))),
            ("alpha", .number(alpha)),
            ("correction", .string(correction.rawValue)),
            ("minimum_units", .number(Double(minimumUnits))),
            ("arms", .array(arms.map(\.json))),
            ("srm", srm.json),
            ("metrics", .array(metrics.map(\.json))),
        ]
        if let segmentAttribute {
            members.append(("segment_attribute", .string(segmentAttribute)))
        }
        members.append(("segments", .array(segments.map(\.json))))
        return .object(members)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

extension ArmSummary {
    var json: JSONValue {
        .object([
            ("key", .string(key)),
            ("control", .bool(isControl)),
            ("units", .number(Double(units))),
            ("expected_share", .number(expectedShare)),
            ("observed_share", .number(observedShare)),
            ("cost", .number(cost)),
        ])
    }
}

extension SampleRatioMismatch {
    var json: JSONValue {
        .object([
            ("chi2", .number(chiSquared)),
            ("df", .number(Double(degreesOfFreedom))),
            ("p_value", .number(pValue)),
            ("mismatch", .bool(isMismatch)),
        ])
    }
}

extension MetricReadout {
    var json: JSONValue {
        .object([
            ("key", .string(key)),
            ("type", .string(type.rawValue)),
            ("direction", .string(direction.rawValue)),
            ("primary", .bool(isPrimary)),
            ("cuped", .bool(cuped)),
            ("control_units", .number(Double(controlUnits))),
            ("results", .array(results.map(\.json))),
        ])
    }
}

extension ArmResult {
    var json: JSONValue {
        let comparison = self.comparison
        return .object([
            ("arm", .string(arm)),
            ("units", .number(Double(units))),
            ("value", .number(comparison.treatmentValue)),
            ("control_value", .number(comparison.controlValue)),
            ("absolute_lift", .number(comparison.absoluteLift)),
            ("absolute_ci", Self.interval(comparison.absoluteCI)),
            ("relative_lift", .number(comparison.relativeLift)),
            ("relative_ci", Self.interval(comparison.relativeCI)),
            ("p_value", .number(comparison.pValue)),
            ("adjusted_p_value", .number(adjustedPValue)),
            ("significant", .bool(isSignificant)),
            ("verdict", .string(verdict.rawValue)),
            ("test", .string(comparison.test.rawValue)),
            ("statistic", .number(comparison.statistic)),
            ("df", .number(comparison.degreesOfFreedom)),
            ("standard_error", .number(comparison.standardError)),
            ("variance_reduction", .number(comparison.varianceReduction)),
            ("mde", .number(minimumDetectableEffect)),
            ("net_value", .number(netValue)),
            ("net_value_ci", Self.interval(netValueCI)),
            ("flags", .array(flags.map(JSONValue.string))),
        ])
    }

    static func interval(_ interval: ConfidenceInterval?) -> JSONValue {
        guard let interval, interval.lower.isFinite, interval.upper.isFinite else { return .null }
        return .array([.number(interval.lower), .number(interval.upper)])
    }
}

extension SegmentReadout {
    var json: JSONValue {
        .object([
            ("attribute", .string(attribute)),
            ("value", .string(value)),
            ("arms", .array(arms.map(\.json))),
            ("metrics", .array(metrics.map(\.json))),
        ])
    }
}
