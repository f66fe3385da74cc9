import Foundation
import HTTPServer
import Postgres
import SplitlaneDefinitions
import SplitlaneJSON
import SplitlaneReadout

extension SplitlaneService {
    /// `GET /v1/experiments`: every loaded definition, summarized, in key order.
    func listExperiments(reply: Reply) {
        let experiments = definitions.definitions.catalog.experiments.sorted { $0.key < $1.key }
        reply.send(json: .object([("experiments", .array(experiments.map(Self.document)))]))
    }

    /// `GET /v1/experiments/{key}`: one definition.
    func showExperiment(_ key: String, reply: Reply) {
        guard let experiment = definitions.definitions.catalog[key] else {
            reply.fail(Self.unknownExperiment(key))
            return
        }
        reply.send(json: Self.document(experiment))
    }

    /// `GET /v1/experiments/{key}/readout?as_of=TIME&by=ATTR`: the JSON readout of §5,
    /// aggregated in PostgreSQL.
    func readout(_ key: String, request: HTTPRequest, reply: Reply) {
        guard let experiment = definitions.definitions.catalog[key] else {
            reply.fail(Self.unknownExperiment(key))
            return
        }
        var asOf = Date()
        if let text = request.queryValue("as_of") {
            guard let parsed = PostgresTimestamp.parse(text) else {
                reply.fail(
                    .invalidRequest(
                        "query parameter as_of \"\(ServiceError.excerpt(text))\" is not an RFC 3339 time like "
                            + "2026-12-03T00:00:00Z"))
                return
            }
            asOf = parsed
        }
        let segment = request.queryValue("by")
        if let segment, !experiment.segments.contains(segment) {
            let known = experiment.segments.isEmpty ? "none" : experiment.segments.joined(separator: ", ")
            reply.fail(
                .invalidRequest(
                    "query parameter by \"\(ServiceError.excerpt(segment))\" is not a segment of \(key) "
                        + "(segments: \(known))"))
            return
        }

        databaseQueue.async { [self, asOf] in
            do {
                let aggregates = try pool.withConnection { connection in
                    try ReadoutQuery(experiment: experiment, asOf: asOf, segmentAttribute: segment)
                        .run(on: connection)
                }
                let readout = ReadoutBuilder(experiment: experiment, asOf: asOf)
                    .build(from: aggregates, segmentAttribute: segment)
                reply.send(json: readout.json)
            } catch {
                reply.fail(databaseFailure(error, operation: "readout"))
            }
        }
    }

    /// `GET /readyz`: 200 when `SELECT 1` succeeds and the committer is connected.
    func readiness(reply: Reply) {
        databaseQueue.async { [self] in
            do {
                try pool.withConnection { connection in
                    _ = try connection.query("SELECT 1")
                }
                guard committer.isAvailable else {
                    throw ServiceError.databaseUnavailable(
                        "the exposure committer is reconnecting to the database")
                }
                reply.send(json: .object([("status", .string("ready"))]))
            } catch {
                reply.fail(databaseFailure(error, operation: "readiness"))
            }
        }
    }

    private static func unknownExperiment(_ key: String) -> ServiceError {
        ServiceError(
            status: 404, code: "unknown_experiment",
            message: "no experiment \"\(ServiceError.excerpt(key))\"; GET /v1/experiments lists them")
    }

    /// A definition as JSON: the fields a CRM job or a dashboard needs to show it.
    static func document(_ experiment: ExperimentDefinition) -> JSONValue {
        let time = { (date: Date?) -> JSONValue in .string(date.map(PostgresTimestamp.format)) }
        var members: [(String, JSONValue)] = [
            ("key", .string(experiment.key)),
            ("name", .string(experiment.name)),
            ("owner", .string(experiment.owner)),
            ("description", .string(experiment.description)),
            ("unit", .string(experiment.unit)),
            ("status", .string(experiment.status.rawValue)),
            ("start", time(experiment.start)),
            ("end", time(experiment.end)),
            ("coverage", .number(experiment.coverage)),
        ]
        if let layer = experiment.layer {
            members.append(
                (
                    "layer",
                    .object([
                        ("name", .string(layer.name)),
                        (
                            "buckets",
                            .array([
                                .number(Double(layer.buckets.lowerBound)),
                                .number(Double(layer.buckets.upperBound)),
                            ])
                        ),
                    ])
                ))
        } else {
            members.append(("layer", .null))
        }
        members.append(("arms", .array(experiment.arms.map(armDocument))))
        members.append(("metrics", .array(experiment.metrics.map(metricDocument))))
        members.append(("segments", .array(experiment.segments.map(JSONValue.string))))
        return .object(members)
    }

    private static func armDocument(_ arm: Arm) -> JSONValue {
        .object([
            ("key", .string(arm.key)),
            ("weight", .number(Double(arm.weight))),
            ("control", .bool(arm.isControl)),
            ("cost", .number(arm.cost)),
        ])
    }

    private static func metricDocument(_ metric: Metric) -> JSONValue {
        .object([
            ("key", .string(metric.key)),
            ("type", .string(metric.type.rawValue)),
            ("event", .string(metric.event)),
            ("aggregate", .string(metric.aggregate.rawValue)),
            ("window", .string(metric.window.description)),
            ("primary", .bool(metric.isPrimary)),
            ("direction", .string(metric.direction.rawValue)),
            ("cuped", .bool(metric.cuped)),
        ])
    }
}
