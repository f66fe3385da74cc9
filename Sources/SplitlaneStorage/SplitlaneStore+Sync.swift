import Foundation
import Postgres
import SplitlaneAssignment
public import SplitlaneDefinitions

/// What a sync did to one experiment.
public struct SyncedExperiment: Sendable, Hashable {
    /// What changed in the stored row.
    public enum Change: String, Sendable, Hashable {
        /// The experiment was not stored before.
        case created
        /// The stored definition changed in parts that do not decide assignment.
        case updated
        /// The stored definition was already identical.
        case unchanged
    }

    public var key: String
    public var change: Change
    /// The assignment digest now stored.
    public var digest: String
}

/// Why a sync refused an experiment, with the counts behind the refusal.
public struct SyncRefusal: Sendable, Hashable {
    public var key: String
    /// Units recorded in `splitlane.exposures` for the experiment.
    public var exposedUnits: Int
    /// Exposed units the new definition would put in a different arm.
    public var switchingUnits: Int
    /// Exposed units the new definition would give no arm.
    public var leavingUnits: Int

    /// A sentence a user can act on.
    public var message: String {
        "experiment \"\(key)\" is running and its assignment changed (salt, arms, weights, "
            + "coverage, layer or eligibility): of \(exposedUnits) exposed units, "
            + "\(switchingUnits) would switch arms and \(leavingUnits) would leave the "
            + "experiment; revert the change, or start a new experiment with a new key "
            + "(or a new salt and a new key) so exposed units keep their arms"
    }
}

/// What a sync would do, from ``SplitlaneStore/syncPreview(_:)-(ExperimentCatalog)``.
public struct SyncPreview: Sendable, Hashable {
    /// The experiments that would be stored, with what would change.
    public var synced: [SyncedExperiment]
    /// The experiments that would be refused; when any is, the real sync stores nothing.
    public var refusals: [SyncRefusal]
}

extension SplitlaneStore {
    /// Exposures read per round trip when re-assigning exposed units.
    static let reassignmentBatchSize = 5_000

    /// Stores every definition of a catalog with its assignment digest, in one
    /// transaction: all are stored, or none.
    ///
    /// A definition whose assignment digest differs from the stored one is refused
    /// when the stored experiment is running, or when the new one is running and
    /// units were already exposed: either way exposed units could change arms. The
    /// refusal counts them by re-assigning every exposed unit (read in batches) with
    /// the new definition, ignoring status and dates. Names, owners, metrics,
    /// segments, analysis settings, status and dates may change freely.
    /// - Throws: ``StorageError`` `.syncRefused` listing every refused experiment,
    ///   or `.database`.
    @discardableResult
    public func sync(_ catalog: ExperimentCatalog) throws -> [SyncedExperiment] {
        try sync(catalog.experiments)
    }

    /// Stores definitions as ``sync(_:)-(ExperimentCatalog)`` does, from an array.
    @discardableResult
    public func sync(_ definitions: [ExperimentDefinition]) throws -> [SyncedExperiment] {
        try databaseStep("cannot sync experiments") {
            try connection.withTransaction {
                let preview = try syncEach(definitions)
                if !preview.refusals.isEmpty {
                    throw StorageError(
                        code: .syncRefused,
                        message: preview.refusals.map(\.message).joined(separator: "\n"))
                }
                return preview.synced
            }
        }
    }

    /// What ``sync(_:)-(ExperimentCatalog)`` would do, without storing anything: the
    /// same checks (refusals re-assign every exposed unit) in a transaction that is
    /// rolled back. For CI, to learn before a merge whether a sync will pass.
    public func syncPreview(_ catalog: ExperimentCatalog) throws -> SyncPreview {
        try syncPreview(catalog.experiments)
    }

    /// Previews definitions as ``syncPreview(_:)-(ExperimentCatalog)`` does, from an array.
    public func syncPreview(_ definitions: [ExperimentDefinition]) throws -> SyncPreview {
        try databaseStep("cannot preview the sync") {
            try connection.withRolledBackTransaction {
                try syncEach(definitions)
            }
        }
    }

    /// Upserts every definition that is not refused, inside the caller's transaction.
    private func syncEach(_ definitions: [ExperimentDefinition]) throws -> SyncPreview {
        var preview = SyncPreview(synced: [], refusals: [])
        for definition in definitions {
            if let result = try syncOne(definition, refusals: &preview.refusals) {
                preview.synced.append(result)
            }
        }
        return preview
    }

    /// Upserts one definition, or appends a refusal and returns `nil`.
    private func syncOne(
        _ definition: ExperimentDefinition, refusals: inout [SyncRefusal]
    ) throws -> SyncedExperiment? {
        let digest = DefinitionDocument.assignmentDigest(definition)
        let document = DefinitionDocument.json(definition)

        let stored = try connection.query(
            """
            SELECT status, digest, definition = $2::jsonb AS same_document
            FROM splitlane.experiments WHERE key = $1 FOR UPDATE
            """,
            [definition.key, document]
        ).first

        let change: SyncedExperiment.Change
        if let stored {
            let storedDigest = try stored.requiredString("digest")
            let storedStatus = try stored.requiredString("status")
            if storedDigest != digest, !storedDigest.isEmpty {
                let exposed = try exposedUnitCount(definition.key)
                let isRunning =
                    storedStatus == "running"
                    || (definition.status == .running && exposed > 0)
                if isRunning {
                    refusals.append(try reassignmentRefusal(definition, exposed: exposed))
                    return nil
                }
            }
            change =
                try stored.bool("same_document") && storedDigest == digest
                ? .unchanged : .updated
        } else {
            change = .created
        }

        try connection.execute(
            """
            INSERT INTO splitlane.experiments (key, name, status, definition, digest, synced_at)
            VALUES ($1, $2, $3, $4::jsonb, $5, now())
            ON CONFLICT (key) DO UPDATE SET
                name = excluded.name, status = excluded.status,
                definition = excluded.definition, digest = excluded.digest,
                synced_at = excluded.synced_at
            """,
            [definition.key, definition.name, definition.status.rawValue, document, digest])
        return SyncedExperiment(key: definition.key, change: change, digest: digest)
    }

    private func exposedUnitCount(_ key: String) throws -> Int {
        let row = try connection.query(
            "SELECT count(*) AS units FROM splitlane.exposures WHERE experiment = $1", [key]
        ).first
        return Int(try row?.int64("units") ?? 0)
    }

    /// Re-assigns every exposed unit with the new definition and counts the movers.
    private func reassignmentRefusal(
        _ definition: ExperimentDefinition, exposed: Int
    ) throws -> SyncRefusal {
        var timeless = definition
        timeless.status = .running
        timeless.start = nil
        timeless.end = nil
        let assigner = Assigner(timeless)

        var switching = 0
        var leaving = 0
        var lastUnit = ""
        while true {
            let batch = try connection.query(
                """
                SELECT unit_id, arm, attributes::text AS attributes, exposed_at
                FROM splitlane.exposures
                WHERE experiment = $1 AND unit_id > $2
                ORDER BY unit_id LIMIT $3
                """,
                [definition.key, lastUnit, Self.reassignmentBatchSize])
            for row in batch.rows {
                let unit = try row.requiredString("unit_id")
                let attributes = AttributeJSON.decode(try row.requiredString("attributes"))
                let assignment = assigner.assign(
                    unit: unit, attributes: attributes, at: try row.date("exposed_at"))
                if let arm = assignment.arm {
                    if arm != (try row.requiredString("arm")) { switching += 1 }
                } else {
                    leaving += 1
                }
                lastUnit = unit
            }
            if batch.rows.count < Self.reassignmentBatchSize { break }
        }
        return SyncRefusal(
            key: definition.key, exposedUnits: exposed, switchingUnits: switching,
            leavingUnits: leaving)
    }
}
