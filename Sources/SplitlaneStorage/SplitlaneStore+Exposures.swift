public import Foundation
public import SplitlaneDefinitions

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
    /// overwritten; later records are reported as repeats or conflicts.
    ///
    /// One statement, so one round trip and one implicit transaction: a CTE runs the
    /// multi-row `INSERT … SELECT FROM unnest($1::text[], …) ON CONFLICT DO NOTHING
    /// RETURNING`, and the outer query joins every input row to the rows it inserted,
    /// else looks up the row stored before by primary key (the outer query's snapshot
    /// does not see the CTE's inserts). The lookup is a scalar subquery so that it is
    /// an index probe per row, never a hash of the whole table. Every value travels as
    /// an array parameter, never as SQL text.
    /// When one call holds the same unit twice, the first record is the one stored.
    public func recordExposures(_ records: [ExposureRecord]) throws -> ExposureRecordingSummary {
        guard !records.isEmpty else {
            return ExposureRecordingSummary(inserted: 0, repeats: 0, conflicts: [], outcomes: [])
        }

        var insertedNow = [Bool](repeating: false, count: records.count)
        var storedArms = [String?](repeating: nil, count: records.count)
        try databaseStep("cannot record exposures") {
            // Prepared: planning this statement costs as much as running it for a
            // batch of a few dozen rows, and the service runs it hundreds of times a
            // second on one connection.
            let result = try connection.queryPrepared(
                """
                WITH input AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[],
                                         $4::timestamptz[], $5::jsonb[], $6::text[])
                        WITH ORDINALITY
                        AS i(experiment, unit_id, arm, exposed_at, attributes, source, n)
                ), inserted AS (
                    INSERT INTO splitlane.exposures
                        (experiment, unit_id, arm, exposed_at, attributes, source)
                    SELECT DISTINCT ON (experiment, unit_id)
                        experiment, unit_id, arm, exposed_at, attributes, source
                    FROM input
                    ORDER BY experiment, unit_id, n
                    ON CONFLICT (experiment, unit_id) DO NOTHING
                    RETURNING experiment, unit_id, arm
                )
                SELECT input.n, inserted.arm IS NOT NULL AS inserted,
                       COALESCE(inserted.arm, (
                           SELECT stored.arm FROM splitlane.exposures AS stored
                           WHERE stored.experiment = input.experiment
                               AND stored.unit_id = input.unit_id)) AS arm
                FROM input
                LEFT JOIN inserted
                    ON inserted.experiment = input.experiment
                    AND inserted.unit_id = input.unit_id
                """,
                [
                    records.map(\.experiment), records.map(\.unit), records.map(\.arm),
                    records.map(\.exposedAt), records.map { Self.attributesJSON($0.attributes) },
                    records.map(\.source),
                ])
            for row in result.rows {
                let index = Int(try row.int64("n")) - 1
                guard records.indices.contains(index) else { continue }
                insertedNow[index] = try row.bool("inserted")
                storedArms[index] = try row.string("arm")
            }
        }
        try readArmsCommittedMeanwhile(records, into: &storedArms)

        var claimed = Set<ExposureKey>()
        var outcomes: [ExposureOutcome] = []
        var conflicts: [ExposureConflict] = []
        outcomes.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let key = ExposureKey(record.experiment, record.unit)
            if insertedNow[index], claimed.insert(key).inserted {
                outcomes.append(.inserted)
                continue
            }
            let recordedArm = storedArms[index] ?? record.arm
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
            inserted: claimed.count,
            repeats: outcomes.filter { $0 == .repeated }.count,
            conflicts: conflicts,
            outcomes: outcomes)
    }

    /// Fills in the arms of rows that another session committed after the statement's
    /// snapshot was taken: `ON CONFLICT` skipped them, yet the join could not see them.
    /// Costs a second round trip only in that race.
    private func readArmsCommittedMeanwhile(
        _ records: [ExposureRecord], into storedArms: inout [String?]
    ) throws {
        let missing = storedArms.indices.filter { storedArms[$0] == nil }
        guard !missing.isEmpty else {
            return
        }
        let arms = try databaseStep("cannot record exposures") {
            let stored = try connection.query(
                """
                SELECT e.experiment, e.unit_id, e.arm
                FROM splitlane.exposures AS e
                JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]))
                    AS k(experiment, unit_id) USING (experiment, unit_id)
                """,
                [missing.map { records[$0].experiment }, missing.map { records[$0].unit }])
            var arms: [ExposureKey: String] = [:]
            for row in stored.rows {
                let key = ExposureKey(
                    try row.requiredString("experiment"), try row.requiredString("unit_id"))
                arms[key] = try row.requiredString("arm")
            }
            return arms
        }
        for index in missing {
            storedArms[index] = arms[ExposureKey(records[index].experiment, records[index].unit)]
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
