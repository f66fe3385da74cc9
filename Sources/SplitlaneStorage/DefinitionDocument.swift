import Foundation
import Postgres
import SplitlaneAssignment
public import SplitlaneDefinitions

/// The stored forms of an experiment definition: the JSON document kept in
/// `splitlane.experiments.definition` and the digest of what decides assignment.
public enum DefinitionDocument {
    /// The definition as a JSON object with sorted keys, mirroring the YAML fields.
    public static func json(_ definition: ExperimentDefinition) -> String {
        JSONText.encode(object(definition))
    }

    /// The SHA-256 (hex) of ``assignmentCanonicalString(_:)``.
    public static func assignmentDigest(_ definition: ExperimentDefinition) -> String {
        SHA256.hexDigest(assignmentCanonicalString(definition))
    }

    /// One text that changes exactly when assignment can change: the salt, the arms
    /// and weights in order, the coverage threshold, the layer and the eligibility
    /// conditions. Names, metrics, descriptions, status and dates are left out.
    ///
    /// Every string is written as `<UTF-8 byte count>:<text>`, so no choice of
    /// characters can make two different definitions read the same.
    public static func assignmentCanonicalString(_ definition: ExperimentDefinition) -> String {
        func field(_ text: String) -> String { "\(text.utf8.count):\(text)" }

        var lines = ["splitlane-assignment-v1"]
        lines.append("salt " + field(definition.salt))
        lines.append("coverage \(Int((definition.coverage * 10_000).rounded()))")
        if let layer = definition.layer {
            lines.append(
                "layer " + field(layer.name)
                    + " \(layer.buckets.lowerBound) \(layer.buckets.upperBound)")
        } else {
            lines.append("layer none")
        }
        for arm in definition.arms {
            lines.append("arm " + field(arm.key) + " \(arm.weight)")
        }
        for condition in definition.eligibility {
            lines.append(
                "condition " + field(condition.attribute) + " "
                    + field(condition.test.operatorName) + " " + operand(condition.test))
        }
        return lines.joined(separator: "\n")
    }

    private static func operand(_ test: Condition.Test) -> String {
        func field(_ text: String) -> String { "\(text.utf8.count):\(text)" }
        switch test {
        case .equal(let value), .notEqual(let value):
            return field(value.text)
        case .oneOf(let values), .noneOf(let values):
            return "\(values.count) " + values.map { field($0.text) }.joined(separator: " ")
        case .less(let bound), .lessOrEqual(let bound), .greater(let bound),
            .greaterOrEqual(let bound):
            return field(String(bound))
        case .exists(let expected):
            return expected ? "true" : "false"
        }
    }

    private static func object(_ definition: ExperimentDefinition) -> [String: Any] {
        var object: [String: Any] = [
            "key": definition.key,
            "name": definition.name,
            "unit": definition.unit,
            "status": definition.status.rawValue,
            "salt": definition.salt,
            "coverage": definition.coverage,
            "eligibility": definition.eligibility.map(conditionObject),
            "arms": definition.arms.map(armObject),
            "overrides": Dictionary(
                definition.overrides.map { ($0.unit, $0.arm) },
                uniquingKeysWith: { first, _ in first }),
            "metrics": definition.metrics.map(metricObject),
            "segments": definition.segments,
            "analysis": [
                "alpha": definition.analysis.alpha,
                "correction": definition.analysis.correction.rawValue,
                "minimum_units": definition.analysis.minimumUnits,
            ] as [String: Any],
        ]
        object["owner"] = definition.owner
        object["description"] = definition.description
        object["start"] = definition.start.map(PostgresTimestamp.format)
        object["end"] = definition.end.map(PostgresTimestamp.format)
        if let layer = definition.layer {
            object["layer"] =
                [
                    "name": layer.name,
                    "buckets": [layer.buckets.lowerBound, layer.buckets.upperBound],
                ] as [String: Any]
        }
        object["source"] = definition.origin?.path
        return object
    }

    private static func armObject(_ arm: Arm) -> [String: Any] {
        var object: [String: Any] = [
            "key": arm.key, "weight": arm.weight, "control": arm.isControl,
        ]
        object["cost"] = arm.cost
        object["description"] = arm.description
        return object
    }

    private static func conditionObject(_ condition: Condition) -> [String: Any] {
        let value: Any
        switch condition.test {
        case .equal(let operand), .notEqual(let operand): value = operand.text
        case .oneOf(let operands), .noneOf(let operands): value = operands.map(\.text)
        case .less(let bound), .lessOrEqual(let bound), .greater(let bound),
            .greaterOrEqual(let bound):
            value = bound
        case .exists(let expected): value = expected
        }
        return [
            "attribute": condition.attribute, "operator": condition.test.operatorName,
            "value": value,
        ]
    }

    private static func metricObject(_ metric: Metric) -> [String: Any] {
        var object: [String: Any] = [
            "key": metric.key, "type": metric.type.rawValue, "event": metric.event,
            "aggregate": metric.aggregate.rawValue, "window": metric.window.description,
            "window_seconds": metric.window.seconds, "primary": metric.isPrimary,
            "direction": metric.direction.rawValue, "cuped": metric.cuped,
        ]
        object["description"] = metric.description
        return object
    }
}
