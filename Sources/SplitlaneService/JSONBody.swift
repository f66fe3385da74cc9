import Foundation
import Postgres
import SplitlaneDefinitions

/// Reads request bodies with `JSONSerialization` and checks every field's type, so
/// that a 400 answer names the field and says what was expected.
enum JSONBody {
    /// Parses a whole body as one JSON object.
    static func object(_ body: [UInt8]) throws(ServiceError) -> [String: Any] {
        let value = try parse(body, what: "the request body")
        guard let object = value as? [String: Any] else {
            throw .invalidRequest("the request body must be a JSON object, got \(kind(of: value))")
        }
        return object
    }

    /// Parses UTF-8 JSON text, refusing invalid UTF-8 first; `what` names it in errors.
    static func parse(_ bytes: some Collection<UInt8>, what: String) throws(ServiceError) -> Any {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ServiceError(
                status: 400, code: "invalid_utf8", message: "\(what) is not valid UTF-8")
        }
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ServiceError(
                status: 400, code: "malformed_json", message: "\(what) is not valid JSON")
        }
    }

    /// Refuses members other than `allowed`, naming the first unknown one.
    static func checkFields(
        _ object: [String: Any], allowed: Set<String>, in context: String
    ) throws(ServiceError) {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let list = allowed.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw .invalidRequest("unknown field \"\(unknown)\" in \(context); expected \(list)")
        }
    }

    /// A required non-empty string without NUL characters.
    static func requiredString(_ object: [String: Any], _ name: String) throws(ServiceError) -> String {
        guard let value = object[name], !(value is NSNull) else {
            throw .invalidRequest("missing field \"\(name)\"")
        }
        guard let text = value as? String else {
            throw .invalidRequest("field \"\(name)\" must be a string, got \(kind(of: value))")
        }
        guard !text.isEmpty else {
            throw .invalidRequest("field \"\(name)\" must not be empty")
        }
        guard !text.utf8.contains(0) else {
            throw .invalidRequest("field \"\(name)\" must not contain a NUL character")
        }
        return text
    }

    /// An optional boolean; `fallback` when absent or null.
    static func bool(
        _ object: [String: Any], _ name: String, default fallback: Bool
    ) throws(ServiceError) -> Bool {
        guard let value = object[name], !(value is NSNull) else {
            return fallback
        }
        guard let number = value as? NSNumber, isBoolean(number) else {
            throw .invalidRequest("field \"\(name)\" must be a boolean, got \(kind(of: value))")
        }
        return number.boolValue
    }

    /// An optional RFC 3339 time, such as a backfill's `at`; `nil` when absent or null.
    static func timestamp(_ object: [String: Any], _ name: String) throws(ServiceError) -> Date? {
        guard let value = object[name], !(value is NSNull) else { return nil }
        guard let text = value as? String, let date = PostgresTimestamp.parse(text) else {
            throw .invalidRequest(
                "field \"\(name)\" must be an RFC 3339 time like 2026-12-03T00:00:00Z, got \(kind(of: value))")
        }
        return date
    }

    /// An optional attributes object of scalars: strings, numbers, booleans; null is
    /// treated as absent; nested objects and arrays are refused.
    static func attributes(
        _ object: [String: Any], field: String = "attributes"
    ) throws(ServiceError) -> [String: AttributeValue] {
        guard let value = object[field], !(value is NSNull) else {
            return [:]
        }
        guard let members = value as? [String: Any] else {
            throw .invalidRequest("field \"\(field)\" must be an object, got \(kind(of: value))")
        }
        var attributes: [String: AttributeValue] = [:]
        for (name, member) in members {
            switch member {
            case is NSNull:
                continue
            case let text as String:
                attributes[name] = .string(text)
            case let number as NSNumber where isBoolean(number):
                attributes[name] = .bool(number.boolValue)
            case let number as NSNumber:
                attributes[name] = .number(number.doubleValue)
            default:
                throw .invalidRequest(
                    "attribute \"\(name)\" must be a string, number, boolean or null, "
                        + "got \(kind(of: member))")
            }
        }
        return attributes
    }

    /// Whether an `NSNumber` from `JSONSerialization` holds a JSON boolean, which
    /// Foundation stores with the `char` type code.
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// The JSON kind of a parsed value with its article: "a string", "an array", …
    static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case let number as NSNumber: return isBoolean(number) ? "a boolean" : "a number"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        default: return "an unknown value"
        }
    }
}
