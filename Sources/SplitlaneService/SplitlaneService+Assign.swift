import Foundation
import HTTPServer
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneJSON
import SplitlaneStorage

/// One unit to assign, read from a request body.
struct UnitRequest: Sendable {
    var unit: String
    var attributes: [String: AttributeValue]
    /// The time of the exposure, for backfills; the request's time when `nil`.
    var at: Date?
}

extension SplitlaneService {
    /// `POST /v1/assign`: one unit; records the exposure unless `record` is false.
    func assign(_ request: HTTPRequest, reply: Reply) {
        var reply = reply
        do throws(ServiceError) {
            try requireJSON(request)
            let body = try JSONBody.object(request.body)
            try JSONBody.checkFields(
                body, allowed: ["experiment", "unit", "attributes", "record", "at"], in: "the request")
            let key = try JSONBody.requiredString(body, "experiment")
            reply.experiment = key
            let unit = UnitRequest(
                unit: try JSONBody.requiredString(body, "unit", maximumBytes: maximumIdentifierBytes),
                attributes: try JSONBody.attributes(body),
                at: try JSONBody.timestamp(body, "at"))
            let record = try JSONBody.bool(body, "record", default: true)

            try answer(
                experiment: key, units: [unit], record: record, isBatch: false, reply: reply
            ) { results in
                results[0]
            }
        } catch {
            reply.fail(error)
        }
    }

    /// `POST /v1/assign/batch`: up to `maximumBatchUnits` units of one experiment,
    /// recorded together in one commit.
    func assignBatch(_ request: HTTPRequest, reply: Reply) {
        var reply = reply
        do throws(ServiceError) {
            try requireJSON(request)
            let body = try JSONBody.object(request.body)
            try JSONBody.checkFields(
                body, allowed: ["experiment", "units", "record", "at"], in: "the request")
            let key = try JSONBody.requiredString(body, "experiment")
            reply.experiment = key
            let record = try JSONBody.bool(body, "record", default: true)
            let batchTime = try JSONBody.timestamp(body, "at")
            let units = try Self.readUnits(body).map { unit in
                var unit = unit
                unit.at = unit.at ?? batchTime
                return unit
            }

            try answer(
                experiment: key, units: units, record: record, isBatch: true, reply: reply
            ) { results in
                .object([("experiment", .string(key)), ("results", .array(results))])
            }
        } catch {
            reply.fail(error)
        }
    }

    private static func readUnits(_ body: JSONBody.Object) throws(ServiceError) -> [UnitRequest] {
        guard let value = JSONBody.member(body, "units") else {
            throw .invalidRequest("missing field \"units\"")
        }
        guard case .array(let items) = value else {
            throw .invalidRequest("field \"units\" must be an array, got \(JSONBody.kind(of: value))")
        }
        guard items.count <= maximumBatchUnits else {
            throw ServiceError(
                status: 413, code: "too_many_units",
                message: "a batch holds at most \(maximumBatchUnits) units, got \(items.count); "
                    + "split it into several requests")
        }
        var units: [UnitRequest] = []
        units.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw .invalidRequest(
                    "units[\(index)] must be an object, got \(JSONBody.kind(of: item))")
            }
            do throws(ServiceError) {
                try JSONBody.checkFields(
                    object, allowed: ["unit", "attributes", "at"], in: "units[\(index)]")
                units.append(
                    UnitRequest(
                        unit: try JSONBody.requiredString(object, "unit", maximumBytes: maximumIdentifierBytes),
                        attributes: try JSONBody.attributes(object),
                        at: try JSONBody.timestamp(object, "at")))
            } catch {
                throw .invalidRequest("units[\(index)]: \(error.message)")
            }
        }
        return units
    }

    /// Assigns the units; with `record`, queues the exposures of units that got an arm
    /// and answers once they are committed.
    ///
    /// - Parameter wrap: Builds the response document from the per-unit results.
    private func answer(
        experiment key: String,
        units: [UnitRequest],
        record: Bool,
        isBatch: Bool,
        reply: Reply,
        wrap: @escaping @Sendable ([JSONValue]) -> JSONValue
    ) throws(ServiceError) {
        guard let assigner = definitions.definitions.assigners[key] else {
            throw ServiceError(
                status: 404, code: "unknown_experiment",
                message: "no experiment \"\(ServiceError.excerpt(key))\"; GET /v1/experiments lists them")
        }
        let now = Date()
        let assignments = units.map {
            assigner.assign(unit: $0.unit, attributes: $0.attributes, at: $0.at ?? now)
        }

        var records: [ExposureRecord] = []
        var recordIndex: [Int?] = []
        for (unit, assignment) in zip(units, assignments) {
            guard record, let arm = assignment.arm else {
                recordIndex.append(nil)
                continue
            }
            recordIndex.append(records.count)
            records.append(
                ExposureRecord(
                    experiment: key, unit: unit.unit, arm: arm, exposedAt: unit.at ?? now,
                    attributes: unit.attributes, source: unit.at == nil ? "http" : "http-backfill"))
        }

        let positions = recordIndex
        let results = { @Sendable (outcomes: [ExposureOutcome]) -> JSONValue in
            var documents: [JSONValue] = []
            documents.reserveCapacity(units.count)
            for (index, unit) in units.enumerated() {
                let outcome = positions[index].map { outcomes[$0] }
                documents.append(
                    Self.result(key, unit.unit, assignments[index], outcome, batch: isBatch))
            }
            return wrap(documents)
        }

        guard !records.isEmpty else {
            reply.send(json: results([]))
            return
        }
        let queued = committer.submit(records) { outcome in
            switch outcome {
            case .success(let outcomes): reply.send(json: results(outcomes))
            case .failure(let error): reply.fail(error)
            }
        }
        guard queued else {
            throw .databaseUnavailable(
                "the database is unreachable; nothing was recorded (record:false still answers)")
        }
    }

    /// One unit's answer. A conflict answers with the arm already recorded, which the
    /// unit keeps, and `"conflict": true`.
    private static func result(
        _ key: String, _ unit: String, _ assignment: Assignment, _ outcome: ExposureOutcome?,
        batch: Bool
    ) -> JSONValue {
        var arm = assignment.arm
        var conflict = false
        if case .conflict(let recordedArm) = outcome {
            arm = recordedArm
            conflict = true
        }
        var members: [(String, JSONValue)] = batch ? [] : [("experiment", .string(key))]
        members += [
            ("unit", .string(unit)),
            ("arm", .string(arm)),
            ("reason", .string(assignment.reason.rawValue)),
            ("recorded", .bool(outcome != nil)),
            ("conflict", .bool(conflict)),
        ]
        return .object(members)
    }
}
