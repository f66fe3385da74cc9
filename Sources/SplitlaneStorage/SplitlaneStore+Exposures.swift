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
    /// One multi-row `INSERT … SELECT FROM unnest($1::text[], …) ON CONFLICT DO
    /// NOTHING RETURNING`, then one read of the rows that already existed, both in one
    /// transaction. Every value travels as an array parameter, never as SQL text.
    /// When one call holds the same unit twice, the first record is the one stored.
    public func recordExposures(_ records: [ExposureRecord]) throws -> ExposureRecordingSummary {
        guard !records.isEmpty else {
            return ExposureRecordingSummary(inserted: 0, repeats: 0, conflicts: [], outcomes: [])
        }
        let experiments = records.map(\.experiment)
        let units = records.map(\.unit)

        let (insertedKeys, storedArms) = try databaseStep("cannot record exposures") {
            try connection.withTransaction {
                let inserted = try connection.query(
                    """
                    INSERT INTO splitlane.exposures
                        (experiment, unit_id, arm, exposed_at, attributes, source)
                    SELECT DISTINCT ON (experiment, unit_id)
                        experiment, unit_id, arm, exposed_at, attributes, source
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[],
                                $5::jsonb[], $6::text[])
                        WITH ORDINALITY
                        AS input(experiment, unit_id, arm, exposed_at, attributes, source, n)
                    ORDER BY experiment, unit_id, n
                    ON CONFLICT (experiment, unit_id) DO NOTHING
                    RETURNING experiment, unit_id
                    """,
                    [
                        experiments, units, records.map(\.arm), records.map(\.exposedAt),
                        records.map { AttributeJSON.encode($0.attributes) },
                        records.map(\.source),
                    ])
                let keys = Set(
                    try inserted.rows.map {
                        ExposureKey(
                            try $0.requiredString("experiment"), try $0.requiredString("unit_id"))
                    })

                let stored = try connection.query(
                    """
                    SELECT e.experiment, e.unit_id, e.arm
                    FROM splitlane.exposures AS e
                    JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]))
                        AS k(experiment, unit_id) USING (experiment, unit_id)
                    """,
                    [experiments, units])
                var arms: [ExposureKey: String] = [:]
                for row in stored.rows {
                    let key = ExposureKey(
                        try row.requiredString("experiment"), try row.requiredString("unit_id"))
                    arms[key] = try row.requiredString("arm")
                }
                return (keys, arms)
            }
        }

        var claimed = Set<ExposureKey>()
        var outcomes: [ExposureOutcome] = []
        var conflicts: [ExposureConflict] = []
        outcomes.reserveCapacity(records.count)
        for record in records {
            let key = ExposureKey(record.experiment, record.unit)
            if insertedKeys.contains(key), claimed.insert(key).inserted {
                outcomes.append(.inserted)
                continue
            }
            let recordedArm = storedArms[key] ?? record.arm
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
