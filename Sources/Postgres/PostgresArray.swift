public import Foundation

/// A one-dimensional array parameter sent in PostgreSQL's binary array format.
///
/// Nothing is quoted, escaped or parsed on either side: each element travels as its
/// length and its bytes. For the parameters of a hot statement, such as the exposure
/// writer's `unnest($1::text[], …)`, where building and reading array literals cost
/// more than the insert. Elements are never `NULL`.
public struct PostgresArray: PostgresBindable, Sendable {
    private enum Elements: Sendable {
        case text([String])
        case timestamptz([Date])
        case jsonb([String])
    }

    private let elements: Elements

    private init(_ elements: Elements) {
        self.elements = elements
    }

    /// A `text[]`.
    public static func text(_ values: [String]) -> PostgresArray {
        PostgresArray(.text(values))
    }

    /// A `timestamptz[]`, to the microsecond as ``PostgresTimestamp/format(_:)`` writes it.
    public static func timestamptz(_ values: [Date]) -> PostgresArray {
        PostgresArray(.timestamptz(values))
    }

    /// A `jsonb[]` of JSON documents given as text, which the server checks and stores.
    public static func jsonb(_ documents: [String]) -> PostgresArray {
        PostgresArray(.jsonb(documents))
    }

    /// The same array as a text literal, as `Array.postgresText` writes it.
    public var postgresText: String? {
        switch elements {
        case .text(let values), .jsonb(let values): values.postgresText
        case .timestamptz(let values): values.postgresText
        }
    }

    /// Whether a text element holds a NUL, which no PostgreSQL text can.
    var containsNUL: Bool {
        switch elements {
        case .text(let values), .jsonb(let values): values.contains { $0.utf8.contains(0) }
        case .timestamptz: false
        }
    }

    /// `array_recv`'s input: dimensions, flags, the element type's OID, the length and
    /// lower bound of the one dimension, then each element as a length and its bytes,
    /// every integer big-endian.
    public var postgresBinary: [UInt8]? {
        var bytes: [UInt8] = []
        switch elements {
        case .text(let values):
            bytes.reserveCapacity(20 + values.reduce(0) { $0 + 4 + $1.utf8.count })
            appendHeader(count: values.count, elementType: Self.textOID, to: &bytes)
            for value in values {
                Self.append(Int32(value.utf8.count), to: &bytes)
                bytes.append(contentsOf: value.utf8)
            }
        case .timestamptz(let values):
            bytes.reserveCapacity(20 + values.count * 12)
            appendHeader(count: values.count, elementType: Self.timestamptzOID, to: &bytes)
            for value in values {
                Self.append(Int32(8), to: &bytes)
                Self.append(Self.microsecondsSince2000(value), to: &bytes)
            }
        case .jsonb(let documents):
            bytes.reserveCapacity(20 + documents.reduce(0) { $0 + 5 + $1.utf8.count })
            appendHeader(count: documents.count, elementType: Self.jsonbOID, to: &bytes)
            for document in documents {
                // jsonb's binary form: a version byte, 1, then the document's text.
                Self.append(Int32(1 + document.utf8.count), to: &bytes)
                bytes.append(1)
                bytes.append(contentsOf: document.utf8)
            }
        }
        return bytes
    }

    // MARK: Encoding

    static let textOID: UInt32 = 25
    static let timestamptzOID: UInt32 = 1184
    static let jsonbOID: UInt32 = 3802

    /// Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for timestamps.
    private static let postgresEpoch: Int64 = 946_684_800

    /// A date as `timestamptz` stores it: microseconds since 2000-01-01 UTC, rounded as
    /// the text format rounds.
    static func microsecondsSince2000(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) - postgresEpoch * 1_000_000
    }

    private func appendHeader(count: Int, elementType: UInt32, to bytes: inout [UInt8]) {
        // An empty array has no dimensions.
        Self.append(Int32(count == 0 ? 0 : 1), to: &bytes)
        Self.append(Int32(0), to: &bytes)
        Self.append(elementType, to: &bytes)
        if count > 0 {
            Self.append(Int32(count), to: &bytes)
            Self.append(Int32(1), to: &bytes)
        }
    }

    private static func append(_ value: some FixedWidthInteger, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
