import Foundation
import SplitlaneDefinitions

/// Encodes attribute maps as JSON objects and reads them back with their types:
/// strings stay strings, numbers numbers, booleans booleans.
enum AttributeJSON {
    /// A JSON object with sorted keys, such as `{"nps_score":4,"vertical":"pharmacy"}`.
    static func encode(_ attributes: [String: AttributeValue]) -> String {
        var object: [String: Any] = [:]
        for (key, value) in attributes {
            switch value {
            case .string(let text): object[key] = text
            case .number(let number): object[key] = number
            case .bool(let flag): object[key] = flag
            }
        }
        return JSONText.encode(object)
    }

    /// Reads a JSON object of scalars; nested values and nulls are skipped.
    static func decode(_ text: String) -> [String: AttributeValue] {
        guard let data = text.data(using: .utf8),
            let scalars = try? JSONDecoder().decode([String: Scalar].self, from: data)
        else { return [:] }
        return scalars.compactMapValues(\.value)
    }

    /// One JSON value, read as an attribute when it is a scalar.
    private struct Scalar: Decodable {
        var value: AttributeValue?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                value = .bool(flag)
            } else if let number = try? container.decode(Double.self) {
                value = .number(number)
            } else if let text = try? container.decode(String.self) {
                value = .string(text)
            } else {
                value = nil
            }
        }
    }
}

/// Serializes `JSONSerialization` trees deterministically.
enum JSONText {
    /// Compact JSON with sorted keys; `{}` if the tree cannot be serialized.
    static func encode(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
            let text = String(data: data, encoding: .utf8)
        else { return "{}" }
        return text
    }
}
