public import Foundation
public import SplitlaneDefinitions
import Postgres

/// One exposure to record: a unit saw an arm of an experiment.
public struct ExposureRecord: Sendable, Hashable {
    public var experiment: String
    public var unit: String
    public var arm: String
    /// When the unit was first exposed (now, or a backfill's `--at` time).
    public var exposedAt: Date
    /// The attributes sent with the request, kept for segment breakdowns.
    public var attributes: [String: AttributeValue]
    /// Where the exposure came from: `http`, `cli`, `backfill`, …
    public var source: String

    /// Makes a record from its parts.
    public init(
        experiment: String,
        unit: String,
        arm: String,
        exposedAt: Date,
        attributes: [String: AttributeValue] = [:],
        source: String
    ) {
        self.experiment = experiment
        self.unit = unit
        self.arm = arm
        self.exposedAt = exposedAt
        self.attributes = attributes
        self.source = source
    }
}

/// What happened to one record passed to ``SplitlaneStore/recordExposures(_:)``.
public enum ExposureOutcome: Sendable, Hashable {
    /// This record is now the unit's first exposure.
    case inserted
    /// The unit was already recorded with the same arm; nothing changed.
    case repeated
    /// The unit was already recorded with another arm, which stays.
    case conflict(recordedArm: String)
}

/// A unit whose recorded arm differs from the arm a later request asked to record.
public struct ExposureConflict: Sendable, Hashable {
    public var experiment: String
    public var unit: String
    /// The arm the rejected record carried.
    public var requestedArm: String
    /// The arm already stored, which wins.
    public var recordedArm: String

    /// Makes a conflict from its parts.
    public init(experiment: String, unit: String, requestedArm: String, recordedArm: String) {
        self.experiment = experiment
        self.unit = unit
        self.requestedArm = requestedArm
        self.recordedArm = recordedArm
    }
}

/// Counts and conflicts from one call to ``SplitlaneStore/recordExposures(_:)``.
public struct ExposureRecordingSummary: Sendable, Hashable {
    /// Rows newly stored.
    public var inserted: Int
    /// Records that matched an existing row with the same arm.
    public var repeats: Int
    /// Records that met an existing row with a different arm.
    public var conflicts: [ExposureConflict]
    /// One outcome per input record, in input order.
    public var outcomes: [ExposureOutcome]
}

extension SplitlaneStore {
    /// Records exposures idempotently: the first exposure of a unit wins and is never
    /// overwritten; later records are reported as repeats or conflicts. When one call
    /// holds the same unit twice, its first record is the one stored.
    ///
    /// The common case is one statement, so one round trip and one implicit
    /// transaction: the records, first occurrence of each unit only, go in as binary
    /// array parameters of `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING
    /// RETURNING`, never as SQL text. Only when some unit was stored before does a second
    /// statement read the arms that won; being a new statement, it also sees rows
    /// that another session committed while the insert waited on them.
    public func recordExposures(_ records: [ExposureRecord]) throws -> ExposureRecordingSummary {
        guard !records.isEmpty else {
            return ExposureRecordingSummary(inserted: 0, repeats: 0, conflicts: [], outcomes: [])
        }

        let keys = records.map { ExposureKey($0.experiment, $0.unit) }
        var firstIndex: [ExposureKey: Int] = [:]
        firstIndex.reserveCapacity(records.count)
        var distinct: [Int] = []
        distinct.reserveCapacity(records.count)
        for (index, key) in keys.enumerated() where firstIndex[key] == nil {
            firstIndex[key] = index
            distinct.append(index)
        }

        let inserted = try insertNew(distinct.map { records[$0] })
        let earlier = try storedArms(
            of: distinct.filter { !inserted.contains(keys[$0]) }.map { records[$0] })

        var outcomes: [ExposureOutcome] = []
        var conflicts: [ExposureConflict] = []
        outcomes.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let key = keys[index]
            let first = firstIndex[key] ?? index
            let isNew = inserted.contains(key)
            if isNew, first == index {
                outcomes.append(.inserted)
                continue
            }
            // A unit deleted between the two statements counts as a repeat.
            let recordedArm = (isNew ? records[first].arm : earlier[key]) ?? record.arm
            if recordedArm == record.arm {
                outcomes.append(.repeated)
            } else {
                outcomes.append(.conflict(recordedArm: recordedArm))
                conflicts.append(
                    ExposureConflict(
                        experiment: record.experiment, unit: record.unit,
                        requestedArm: record.arm, recordedArm: recordedArm))
            }
        }

        return ExposureRecordingSummary(
            inserted: inserted.count,
            repeats: outcomes.filter { $0 == .repeated }.count,
            conflicts: conflicts,
            outcomes: outcomes)
    }

    /// Inserts records whose units are distinct and returns the keys that were new.
    private func insertNew(_ records: [ExposureRecord]) throws -> Set<ExposureKey> {
        try databaseStep("cannot record exposures") {
            // Prepared: planning this statement cost as much as running it for a
            // batch of a few dozen rows, and the service runs it hundreds of times a
            // second on one connection.
            let result = try connection.queryPrepared(
                """
                INSERT INTO splitlane.exposures
                    (experiment, unit_id, arm, exposed_at, attributes, source)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[],
                                     $4::timestamptz[], $5::jsonb[], $6::text[])
                ON CONFLICT (experiment, unit_id) DO NOTHING
                RETURNING experiment, unit_id
                """,
                [
                    PostgresArray.text(records.map(\.experiment)), PostgresArray.text(records.map(\.unit)),
                    PostgresArray.text(records.map(\.arm)), PostgresArray.timestamptz(records.map(\.exposedAt)),
                    PostgresArray.jsonb(records.map { Self.attributesJSON($0.attributes) }),
                    PostgresArray.text(records.map(\.source)),
                ])
            var keys = Set<ExposureKey>(minimumCapacity: result.rows.count)
            for row in result.rows {
                keys.insert(
                    ExposureKey(try row.requiredString("experiment"), try row.requiredString("unit_id")))
            }
            return keys
        }
    }

    /// The stored arm of each record's unit, missing for a unit not stored; costs a
    /// round trip only when there are records. The lookup is a scalar subquery, so an
    /// index probe per record whatever plan the prepared statement settles on.
    private func storedArms(of records: [ExposureRecord]) throws -> [ExposureKey: String] {
        guard !records.isEmpty else {
            return [:]
        }
        return try databaseStep("cannot record exposures") {
            let stored = try connection.queryPrepared(
                """
                SELECT k.experiment, k.unit_id, (
                           SELECT e.arm FROM splitlane.exposures AS e
                           WHERE e.experiment = k.experiment AND e.unit_id = k.unit_id) AS arm
                FROM unnest($1::text[], $2::text[]) AS k(experiment, unit_id)
                """,
                [PostgresArray.text(records.map(\.experiment)), PostgresArray.text(records.map(\.unit))])
            var arms: [ExposureKey: String] = [:]
            for row in stored.rows {
                guard let arm = try row.string("arm") else { continue }
                let key = ExposureKey(
                    try row.requiredString("experiment"), try row.requiredString("unit_id"))
                arms[key] = arm
            }
            return arms
        }
    }
}

extension SplitlaneStore {
    /// The attributes as a compact JSON object with sorted keys, the same document
    /// `AttributeJSON.encode` makes, written by hand: the group-commit writer encodes
    /// one per exposure and `JSONSerialization` was a large part of its time. Like
    /// `AttributeJSON.encode`, answers `{}` when a number is not finite.
    static func attributesJSON(_ attributes: [String: AttributeValue]) -> String {
        guard !attributes.isEmpty else {
            return "{}"
        }
        var output: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in attributes.keys.sorted().enumerated() {
            if index > 0 {
                output.append(UInt8(ascii: ","))
            }
            appendJSONString(key, to: &output)
            output.append(UInt8(ascii: ":"))
            switch attributes[key] {
            case .string(let text)?:
                appendJSONString(text, to: &output)
            case .bool(let flag)?:
                output.append(contentsOf: (flag ? "true" : "false").utf8)
            case .number(let number)?:
                guard number.isFinite else { return "{}" }
                if number == number.rounded(), abs(number) < 1e15 {
                    output.append(contentsOf: String(Int64(number)).utf8)
                } else {
                    output.append(contentsOf: "\(number)".utf8)
                }
            case nil:
                output.append(contentsOf: "null".utf8)
            }
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends a JSON string literal, escaping quotes, backslashes and control characters.
    private static func appendJSONString(_ text: String, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// An (experiment, unit) pair, the key of `splitlane.exposures`.
struct ExposureKey: Hashable {
    var experiment: String
    var unit: String

    init(_ experiment: String, _ unit: String) {
        self.experiment = experiment
        self.unit = unit
    }
}
