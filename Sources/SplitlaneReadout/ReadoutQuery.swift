public import Foundation
public import Postgres
public import SplitlaneDefinitions
public import SplitlaneStatistics

/// Sufficient statistics of one arm, overall or within one segment value, as the
/// aggregation query returns them.
public struct ArmAggregate: Sendable, Hashable {
    public var arm: String
    /// The segment value; `nil` for the arm's overall row and for units that lack
    /// the segment attribute (see ``isTotal``).
    public var segment: String?
    /// Whether the row covers the whole arm rather than one segment value.
    public var isTotal: Bool
    /// Exposed units (overrides excluded).
    public var units: Int
    /// One entry per metric of the definition, in its order.
    public var metrics: [MetricAggregate]
}

/// The per-arm sums of one metric's per-unit outcomes.
public struct MetricAggregate: Sendable, Hashable {
    /// Units with an outcome: every exposed unit for `proportion` and `mean`, the
    /// responders for `nps`.
    public var units: Int
    public var sum: Double
    public var sumOfSquares: Double
    /// Sums over the pre-exposure covariate, for CUPED metrics.
    public var covariate: CovariateSums?
    /// For `nps`: responders scoring 9–10 and 0–6.
    public var promoters: Int
    public var detractors: Int

    /// The summary the proportion test reads.
    public var proportion: ProportionSummary {
        ProportionSummary(units: units, successes: Int(sum.rounded()))
    }

    /// The summary Welch's test and CUPED read.
    public var mean: MeanSummary {
        MeanSummary(units: units, sum: sum, sumOfSquares: sumOfSquares, covariate: covariate)
    }

    /// The summary the NPS test reads.
    public var nps: NPSSummary {
        NPSSummary(responders: units, promoters: promoters, detractors: detractors)
    }
}

/// Builds and runs the one query that aggregates a readout in PostgreSQL.
///
/// The query computes each exposed unit's outcome for every metric over its window
/// after the unit's first exposure (and the equal window before it for CUPED), then
/// sums those per arm, and per arm and segment value when a segment is asked for.
/// Only one row per arm and segment value reaches Swift. Every value from a
/// definition or the command line travels as a parameter; the statement text holds
/// only column aliases derived from metric positions.
public struct ReadoutQuery: Sendable {
    public var experiment: ExperimentDefinition
    public var asOf: Date
    /// The attribute to break results down by, when any.
    public var segmentAttribute: String?

    public init(experiment: ExperimentDefinition, asOf: Date, segmentAttribute: String? = nil) {
        self.experiment = experiment
        self.asOf = asOf
        self.segmentAttribute = segmentAttribute
    }

    /// The statement and its parameters.
    public func makeStatement() -> (sql: String, parameters: [any PostgresBindable]) {
        var parameters: [any PostgresBindable] = [
            experiment.key,
            asOf,
            experiment.overrides.map(\.unit),
            Array(Set(experiment.metrics.map(\.event))).sorted(),
        ]
        func parameter(_ value: any PostgresBindable) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }

        let segment = segmentAttribute.map { "x.attributes ->> \(parameter($0))" } ?? "NULL::text"
        let longest = experiment.metrics.map(\.window.seconds).max() ?? 0
        let preWindow = experiment.metrics.filter(\.cuped).map(\.window.seconds).max() ?? 0

        var outcomeColumns: [String] = []
        var unitColumns: [String] = []
        var aggregateColumns: [String] = []
        for (index, metric) in experiment.metrics.enumerated() {
            let event = parameter(metric.event)
            let window = "(\(parameter(metric.window.seconds))::bigint * interval '1 second')"
            let after = "e.event = \(event) AND e.occurred_at >= x.exposed_at "
                + "AND e.occurred_at < x.exposed_at + \(window)"
            let before = "e.event = \(event) AND e.occurred_at >= x.exposed_at - \(window) "
                + "AND e.occurred_at < x.exposed_at"

            switch (metric.type, metric.aggregate) {
            case (.nps, _):
                // The unit's last score in the window: the greatest [time, score] pair.
                outcomeColumns.append(
                    "max(ARRAY[extract(epoch FROM e.occurred_at)::float8, e.value]) "
                        + "FILTER (WHERE \(after) AND e.value IS NOT NULL) AS y\(index)")
                unitColumns.append("o.y\(index)[2] AS y\(index)")
            case (.proportion, _):
                outcomeColumns.append("count(*) FILTER (WHERE \(after)) AS y\(index)")
                unitColumns.append("(coalesce(o.y\(index), 0) > 0)::int::float8 AS y\(index)")
                if metric.cuped {
                    outcomeColumns.append("count(*) FILTER (WHERE \(before)) AS x\(index)")
                    unitColumns.append("(coalesce(o.x\(index), 0) > 0)::int::float8 AS x\(index)")
                }
            case (.mean, .count):
                outcomeColumns.append("count(*) FILTER (WHERE \(after)) AS y\(index)")
                unitColumns.append("coalesce(o.y\(index), 0)::float8 AS y\(index)")
                if metric.cuped {
                    outcomeColumns.append("count(*) FILTER (WHERE \(before)) AS x\(index)")
                    unitColumns.append("coalesce(o.x\(index), 0)::float8 AS x\(index)")
                }
            case (.mean, .sum):
                outcomeColumns.append("sum(e.value) FILTER (WHERE \(after)) AS y\(index)")
                unitColumns.append("coalesce(o.y\(index), 0)::float8 AS y\(index)")
                if metric.cuped {
                    outcomeColumns.append("sum(e.value) FILTER (WHERE \(before)) AS x\(index)")
                    unitColumns.append("coalesce(o.x\(index), 0)::float8 AS x\(index)")
                }
            }

            aggregateColumns.append(
                "count(y\(index)) AS n\(index), coalesce(sum(y\(index)), 0) AS s\(index), "
                    + "coalesce(sum(y\(index) * y\(index)), 0) AS q\(index)")
            if metric.type == .nps {
                aggregateColumns.append(
                    "count(*) FILTER (WHERE y\(index) >= 9) AS p\(index), "
                        + "count(*) FILTER (WHERE y\(index) <= 6) AS d\(index)")
            } else if metric.cuped {
                aggregateColumns.append(
                    "sum(x\(index)) AS cx\(index), sum(x\(index) * x\(index)) AS cq\(index), "
                        + "sum(x\(index) * y\(index)) AS cp\(index)")
            }
        }

        let lookBack = parameter(preWindow)
        let lookAhead = parameter(longest)
        let grouping = segmentAttribute == nil
            ? "GROUP BY arm"
            : "GROUP BY GROUPING SETS ((arm), (arm, segment))"
        let total = segmentAttribute == nil ? "1" : "GROUPING(segment)"
        let segmentColumn = segmentAttribute == nil ? "NULL::text" : "segment"
        let outcomes = outcomeColumns.isEmpty ? "" : ",\n        " + outcomeColumns.joined(separator: ",\n        ")
        let perUnit = unitColumns.isEmpty ? "" : ",\n        " + unitColumns.joined(separator: ",\n        ")
        let aggregates = aggregateColumns.isEmpty ? "" : ",\n    " + aggregateColumns.joined(separator: ",\n    ")

        let sql = """
            WITH exposed AS (
                SELECT x.unit_id, x.arm, x.exposed_at, \(segment) AS segment
                FROM splitlane.exposures x
                WHERE x.experiment = $1 AND x.exposed_at < $2
                  AND x.unit_id <> ALL ($3::text[])
            ),
            outcomes AS (
                SELECT x.unit_id\(outcomes)
                FROM exposed x
                JOIN splitlane.events e ON e.unit_id = x.unit_id
                WHERE e.event = ANY ($4::text[]) AND e.occurred_at < $2
                  AND e.occurred_at >= x.exposed_at - (\(lookBack)::bigint * interval '1 second')
                  AND e.occurred_at < x.exposed_at + (\(lookAhead)::bigint * interval '1 second')
                GROUP BY x.unit_id
            ),
            units AS (
                SELECT x.arm, x.segment\(perUnit)
                FROM exposed x
                LEFT JOIN outcomes o ON o.unit_id = x.unit_id
            )
            SELECT arm, \(segmentColumn) AS segment, \(total) AS total, count(*) AS units\(aggregates)
            FROM units
            \(grouping)
            ORDER BY arm, total DESC, segment
            """
        return (sql, parameters)
    }

    /// Runs the query and returns one aggregate per arm (and per arm and segment).
    ///
    /// Calls ``Connection/query(_:_:)`` once.
    public func run(on connection: Connection) throws -> [ArmAggregate] {
        let (sql, parameters) = makeStatement()
        let result = try connection.query(sql, parameters)
        return try result.rows.map { row in
            var metrics: [MetricAggregate] = []
            for (index, metric) in experiment.metrics.enumerated() {
                var aggregate = MetricAggregate(
                    units: Int(try row.int64("n\(index)")),
                    sum: try row.double("s\(index)"),
                    sumOfSquares: try row.double("q\(index)"),
                    covariate: nil, promoters: 0, detractors: 0)
                if metric.type == .nps {
                    aggregate.promoters = Int(try row.int64("p\(index)"))
                    aggregate.detractors = Int(try row.int64("d\(index)"))
                } else if metric.cuped {
                    aggregate.covariate = CovariateSums(
                        sum: try row.optionalDouble("cx\(index)") ?? 0,
                        sumOfSquares: try row.optionalDouble("cq\(index)") ?? 0,
                        sumOfProducts: try row.optionalDouble("cp\(index)") ?? 0)
                }
                metrics.append(aggregate)
            }
            return ArmAggregate(
                arm: try row.requiredString("arm"),
                segment: try row.string("segment"),
                isTotal: try row.int64("total") == 1,
                units: Int(try row.int64("units")),
                metrics: metrics)
        }
    }
}
