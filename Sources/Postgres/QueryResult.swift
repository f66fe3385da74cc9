import CLibPQ
public import Foundation

/// The rows and column names a statement returned, copied out of libpq's result.
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// The rows, each value as PostgreSQL's text or `nil` for `NULL`.
    public let rows: [Row]
    /// Rows inserted, updated, deleted or copied, from libpq's `PQcmdTuples`; 0 otherwise.
    public let affectedRows: Int

    /// Copies everything out of a `PGresult` (which the caller still owns and frees).
    init(copying result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "")
        }
        let index = ColumnIndex(columns)

        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else if let raw = PQgetvalue(result, Int32(row), Int32(column)) {
                    values.append(String(cString: raw))
                } else {
                    values.append(nil)
                }
            }
            rows.append(Row(values: values, columns: index))
        }

        self.columns = columns
        self.rows = rows
        let tuples = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        self.affectedRows = Int(tuples) ?? 0
    }

    /// The first row, if any.
    public var first: Row? { rows.first }
}

/// Column names to positions, shared by every row of one result.
final class ColumnIndex: Sendable {
    let names: [String]
    let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (position, name) in names.enumerated() where positions[name] == nil {
            positions[name] = position
        }
        self.positions = positions
    }
}

/// One row of a ``QueryResult`` with typed accessors by column position or name.
///
/// Accessors throw ``PostgresError`` with code `.decoding` when the column is
/// missing, the value is `NULL` where a value is required, or the text does not read
/// as the type asked for.
public struct Row: Sendable {
    /// The values as PostgreSQL's text, `nil` for `NULL`.
    public let values: [String?]
    let columns: ColumnIndex

    init(values: [String?], columns: ColumnIndex) {
        self.values = values
        self.columns = columns
    }

    /// The text of a column by position, or `nil` for `NULL`.
    public func string(_ column: Int) throws(PostgresError) -> String? {
        guard values.indices.contains(column) else {
            throw PostgresError(
                code: .decoding, message: "no column at position \(column)")
        }
        return values[column]
    }

    /// The text of a column by name, or `nil` for `NULL`.
    public func string(_ name: String) throws(PostgresError) -> String? {
        try string(position(of: name))
    }

    /// A non-null text column by name.
    public func requiredString(_ name: String) throws(PostgresError) -> String {
        try required(name, as: "text") { $0 }
    }

    /// A non-null `bigint` (or any integer) column by name.
    public func int64(_ name: String) throws(PostgresError) -> Int64 {
        try required(name, as: "an integer") { Int64($0) }
    }

    /// A nullable integer column by name.
    public func optionalInt64(_ name: String) throws(PostgresError) -> Int64? {
        try optional(name, as: "an integer") { Int64($0) }
    }

    /// A non-null `double precision` (or numeric) column by name.
    public func double(_ name: String) throws(PostgresError) -> Double {
        try required(name, as: "a number") { Connection.parseDouble($0) }
    }

    /// A nullable number column by name.
    public func optionalDouble(_ name: String) throws(PostgresError) -> Double? {
        try optional(name, as: "a number") { Connection.parseDouble($0) }
    }

    /// A non-null `boolean` column by name.
    public func bool(_ name: String) throws(PostgresError) -> Bool {
        try required(name, as: "a boolean") { text in
            switch text {
            case "t", "true": return true
            case "f", "false": return false
            default: return nil
            }
        }
    }

    /// A non-null `timestamptz` column by name.
    public func date(_ name: String) throws(PostgresError) -> Date {
        try required(name, as: "a timestamp") { PostgresTimestamp.parse($0) }
    }

    /// A nullable `timestamptz` column by name.
    public func optionalDate(_ name: String) throws(PostgresError) -> Date? {
        try optional(name, as: "a timestamp") { PostgresTimestamp.parse($0) }
    }

    private func position(of name: String) throws(PostgresError) -> Int {
        guard let position = columns.positions[name] else {
            throw PostgresError(code: .decoding, message: "no column named \"\(name)\"")
        }
        return position
    }

    private func optional<T>(
        _ name: String, as typeName: String, _ parse: (String) -> T?
    ) throws(PostgresError) -> T? {
        guard let text = try string(name) else { return nil }
        guard let value = parse(text) else {
            throw PostgresError(
                code: .decoding,
                message: "column \"\(name)\" holds \"\(text)\", which is not \(typeName)")
        }
        return value
    }

    private func required<T>(
        _ name: String, as typeName: String, _ parse: (String) -> T?
    ) throws(PostgresError) -> T {
        guard let value = try optional(name, as: typeName, parse) else {
            throw PostgresError(
                code: .decoding, message: "column \"\(name)\" is NULL, expected \(typeName)")
        }
        return value
    }
}

extension Connection {
    /// Reads PostgreSQL's text for a floating-point or numeric value.
    static func parseDouble(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}
