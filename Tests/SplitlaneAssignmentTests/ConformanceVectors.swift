import Foundation
import SplitlaneDefinitions
import Testing

/// The assignment vectors written by `scripts/reference/generate_assignment_vectors.py`,
/// an independent Python implementation of the algorithm.
struct ConformanceVectors: Decodable {
    struct BucketCase: Decodable {
        var text: String
        var bucket: Int
    }

    struct Experiment: Decodable {
        struct ArmSpec: Decodable {
            var key: String
            var weight: Int
            var control: Bool?
        }

        struct LayerSpec: Decodable {
            var name: String
            var buckets: [Int]
        }

        struct ConditionSpec: Decodable {
            var attribute: String
            var op: String
            var value: FixtureValue
        }

        var key: String
        var salt: String
        var status: String
        var start: String?
        var end: String?
        var coverage: Double
        var layer: LayerSpec?
        var arms: [ArmSpec]
        var eligibility: [ConditionSpec]
        var overrides: [String: String]
    }

    struct Case: Decodable {
        var experiment: String
        var unit: String
        var attributes: [String: FixtureValue]
        var at: String
        var arm: String?
        var reason: String
    }

    var buckets: [BucketCase]
    var experiments: [Experiment]
    var cases: [Case]

    static func load() throws -> ConformanceVectors {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/assignment-vectors", withExtension: "json"))
        return try JSONDecoder().decode(ConformanceVectors.self, from: Data(contentsOf: url))
    }
}

/// A JSON scalar or list as the fixture writes it.
enum FixtureValue: Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([FixtureValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .list(try container.decode([FixtureValue].self))
        }
    }

    var attribute: AttributeValue {
        switch self {
        case .string(let value): return .string(value)
        case .number(let value): return .number(value)
        case .bool(let value): return .bool(value)
        case .list: preconditionFailure("lists are not attribute values")
        }
    }

    /// The operand as YAML would hand it over: the text as written.
    var conditionValue: ConditionValue {
        switch self {
        case .string(let value): return ConditionValue(text: value)
        case .number(let value): return ConditionValue(text: AttributeValue.number(value).text)
        case .bool(let value): return ConditionValue(text: value ? "true" : "false")
        case .list: preconditionFailure("a list is not a scalar operand")
        }
    }
}

extension ConformanceVectors.Experiment {
    var definition: ExperimentDefinition {
        get throws {
            ExperimentDefinition(
                key: key,
                name: key,
                unit: "unit",
                status: try #require(ExperimentDefinition.Status(rawValue: status)),
                start: try start.map(parseTimestamp),
                end: try end.map(parseTimestamp),
                salt: salt,
                coverage: coverage,
                layer: layer.map { Layer(name: $0.name, buckets: $0.buckets[0]..<$0.buckets[1]) },
                eligibility: try eligibility.map { try $0.condition },
                arms: arms.map { Arm(key: $0.key, weight: $0.weight, isControl: $0.control ?? false) },
                overrides: overrides.sorted { $0.key < $1.key }.map {
                    ExperimentDefinition.Override(unit: $0.key, arm: $0.value)
                }
            )
        }
    }
}

extension ConformanceVectors.Experiment.ConditionSpec {
    var condition: Condition {
        get throws {
            let test: Condition.Test
            switch (op, value) {
            case ("eq", _): test = .equal(value.conditionValue)
            case ("ne", _): test = .notEqual(value.conditionValue)
            case ("in", .list(let values)): test = .oneOf(values.map(\.conditionValue))
            case ("not_in", .list(let values)): test = .noneOf(values.map(\.conditionValue))
            case ("lt", .number(let bound)): test = .less(bound)
            case ("lte", .number(let bound)): test = .lessOrEqual(bound)
            case ("gt", .number(let bound)): test = .greater(bound)
            case ("gte", .number(let bound)): test = .greaterOrEqual(bound)
            case ("exists", .bool(let expected)): test = .exists(expected)
            default: throw FixtureError(message: "unsupported condition \(op)")
            }
            return Condition(attribute: attribute, test: test)
        }
    }
}

struct FixtureError: Error {
    var message: String
}

func parseTimestamp(_ text: String) throws -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else {
        throw FixtureError(message: "bad timestamp \(text)")
    }
    return date
}
