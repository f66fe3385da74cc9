import Foundation
import Postgres
import SplitlaneDefinitions
import SplitlaneJSON

/// Reads request bodies with the strict `JSONValue` parser and checks every field's
/// type, so that a 400 answer names the field and says what was expected.
enum JSONBody {
    /// The members of a JSON object, in the order they were written.
    typealias Object = [(String, JSONValue)]

    /// Parses a whole body as one JSON object.
    static func object(_ body: [UInt8]) throws(ServiceError) -> Object {
        let value = try parse(body, what: "the request body")
        guard case .object(let members) = value else {
            throw .invalidRequest("the request body must be a JSON object, got \(kind(of: value))")
        }
        return members
    }

    /// Parses UTF-8 JSON text; `what` names it in errors, which say where reading stopped.
    static func parse(_ bytes: some Collection<UInt8>, what: String) throws(ServiceError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            switch error.kind {
            case .invalidUTF8:
                throw ServiceError(
                    status: 400, code: "invalid_utf8",
                    message: "\(what) is not valid UTF-8 (byte \(error.offset))")
            case .syntax:
                throw ServiceError(
                    status: 400, code: "malformed_json",
                    message: "\(what) is not valid JSON: \(error)")
            }
        }
    }

    /// The value of the member `name`, nil when absent or null.
    static func member(_ object: Object, _ name: String) -> JSONValue? {
        for (key, value) in object where key == name {
            if case .null = value { return nil }
            return value
        }
        return nil
    }

    /// Refuses members other than `allowed`, naming the first unknown one.
    static func checkFields(
        _ object: Object, allowed: Set<String>, in context: String
    ) throws(ServiceError) {
        guard object.contains(where: { !allowed.contains($0.0) }) else {
            return
        }
        if let unknown = object.map(\.0).sorted().first(where: { !allowed.contains($0) }) {
            let list = allowed.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            throw .invalidRequest("unknown field \"\(ServiceError.excerpt(unknown))\" in \(context); expected \(list)")
        }
    }

    /// A required non-empty string without NUL characters, of at most `maximumBytes`
    /// bytes of UTF-8.
    static func requiredString(
        _ object: Object, _ name: String, maximumBytes: Int = .max
    ) throws(ServiceError) -> String {
        guard let value = member(object, name) else {
            throw .invalidRequest("missing field \"\(name)\"")
        }
        guard case .string(let text) = value else {
            throw .invalidRequest("field \"\(name)\" must be a string, got \(kind(of: value))")
        }
        guard !text.isEmpty else {
            throw .invalidRequest("field \"\(name)\" must not be empty")
        }
        guard !text.utf8.contains(0) else {
            throw .invalidRequest("field \"\(name)\" must not contain a NUL character")
        }
        guard text.utf8.count <= maximumBytes else {
            throw .invalidRequest("field \"\(name)\" must be at most \(maximumBytes) bytes long")
        }
        return text
    }

    /// An optional boolean; `fallback` when absent or null.
    static func bool(
        _ object: Object, _ name: String, default fallback: Bool
    ) throws(ServiceError) -> Bool {
        guard let value = member(object, name) else {
            return fallback
        }
        guard case .bool(let flag) = value else {
            throw .invalidRequest("field \"\(name)\" must be a boolean, got \(kind(of: value))")
        }
        return flag
    }

    /// An optional RFC 3339 time, such as a backfill's `at`; `nil` when absent or null.
    static func timestamp(_ object: Object, _ name: String) throws(ServiceError) -> Date? {
        guard let value = member(object, name) else { return nil }
        guard case .string(let text) = value, let date = PostgresTimestamp.parse(text) else {
            throw .invalidRequest(
                "field \"\(name)\" must be an RFC 3339 time like 2026-12-03T00:00:00Z, got \(kind(of: value))")
        }
        return date
    }

    /// An optional attributes object of scalars: strings, numbers, booleans; null is
    /// treated as absent; nested objects and arrays are refused.
    static func attributes(
        _ object: Object, field: String = "attributes"
    ) throws(ServiceError) -> [String: AttributeValue] {
        guard let value = member(object, field) else {
            return [:]
        }
        guard case .object(let members) = value else {
            throw .invalidRequest("field \"\(field)\" must be an object, got \(kind(of: value))")
        }
        var attributes: [String: AttributeValue] = [:]
        attributes.reserveCapacity(members.count)
        for (name, member) in members {
            // PostgreSQL's jsonb holds no NUL: such an attribute could never be recorded.
            guard !name.utf8.contains(0) else {
                throw .invalidRequest("an attribute name must not contain a NUL character")
            }
            switch member {
            case .null:
                continue
            case .string(let text):
                guard !text.utf8.contains(0) else {
                    throw .invalidRequest(
                        "attribute \"\(ServiceError.excerpt(name))\" must not contain a NUL character")
                }
                attributes[name] = .string(text)
            case .bool(let flag):
                attributes[name] = .bool(flag)
            case .number(let number):
                attributes[name] = .number(number)
            case .array, .object:
                throw .invalidRequest(
                    "attribute \"\(ServiceError.excerpt(name))\" must be a string, number, boolean or null, "
                        + "got \(kind(of: member))")
            }
        }
        return attributes
    }

    /// The JSON kind of a parsed value with its article: "a string", "an array", …
    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
