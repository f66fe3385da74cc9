import Foundation
import LiveTestSupport
import SplitlaneDefinitions
import SplitlaneJSON
import SplitlaneReadout
import SplitlaneStorage
import Testing

/// The readout of a dataset with planted effects, computed in PostgreSQL and Swift,
/// against SciPy and statsmodels on the same rows
/// (`scripts/reference/generate_readout_fixture.py`).
@Suite("Readout against SciPy and statsmodels", .enabled(if: TestDatabase.isAvailable))
struct ReadoutReferenceTests {
    static func fixture(_ name: String) throws -> URL {
        let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)
        return try #require(url, "missing fixture \(name)")
    }

    /// Loads the fixture rows into a fresh database and reads the experiment out.
    static func readout() throws -> (JSONValue, [String: Any]) {
        let database = try TestDatabase()
        let experiment = try DefinitionLoader().load(file: try fixture("experiment.yaml").path)

        let lines = try String(contentsOf: try fixture("exposures.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst()
        var records: [ExposureRecord] = []
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let exposedAt = try #require(ISO8601DateFormatter().date(from: fields[2]))
            records.append(
                ExposureRecord(
                    experiment: experiment.key, unit: fields[0], arm: fields[1], exposedAt: exposedAt,
                    attributes: ["vertical": .string(fields[3])], source: "fixture"))
        }
        for start in stride(from: 0, to: records.count, by: 500) {
            _ = try database.store.recordExposures(Array(records[start..<min(start + 500, records.count)]))
        }
        let events = try FileHandle(forReadingFrom: try fixture("events.csv"))
        let ingested = try database.store.ingest(from: events, format: .csv)

        let expectedData = try Data(contentsOf: try fixture("expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
        let asOfText = try #require(expected["as_of"] as? String)
        let asOf = try #require(ISO8601DateFormatter().date(from: asOfText))
        let aggregates = try ReadoutQuery(experiment: experiment, asOf: asOf, segmentAttribute: "vertical")
            .run(on: database.store.connection)
        let readout = ReadoutBuilder(experiment: experiment, asOf: asOf)
            .build(from: aggregates, segmentAttribute: "vertical")

        #expect(ingested.inserted == 5_084)
        return (readout.json, expected)
    }

    @Test func everyNumberMatchesTheReference() throws {
        let (json, expected) = try Self.readout()

        let overall = try #require(expected["overall"] as? [String: Any])
        try Self.check(arms: json["arms"], metrics: json["metrics"], against: overall, context: "overall")
        let srm = try #require(overall["srm"] as? [String: Double])
        Self.expectClose(json["srm"]?["chi2"], srm["chi2"], "srm chi2")
        Self.expectClose(json["srm"]?["p_value"], srm["p_value"], "srm p")

        let segments = try #require(expected["segments"] as? [String: [String: Any]])
        guard case .array(let actualSegments)? = json["segments"] else {
            Issue.record("the readout has no segments")
            return
        }
        #expect(actualSegments.count == segments.count)
        for segment in actualSegments {
            guard case .string(let value)? = segment["value"], let reference = segments[value] else {
                Issue.record("unexpected segment \(segment["value"] ?? .null)")
                continue
            }
            try Self.check(arms: segment["arms"], metrics: segment["metrics"], against: reference, context: value)
        }
    }

    @Test func plantedWinnersAreNamed() throws {
        let (json, _) = try Self.readout()

        let verdicts = Self.results(json["metrics"]).mapValues { $0["verdict"] }

        #expect(verdicts["winback/credit"] == .string("winner"))
        #expect(verdicts["revenue/credit"] == .string("winner"))
        #expect(verdicts["churn/credit"] == .string("winner"))
        #expect(verdicts["winback/redelivery"] == .string("inconclusive"))
        #expect(verdicts["escalated/credit"] == .string("inconclusive"))
    }

    /// Results by `metric/arm`.
    static func results(_ metrics: JSONValue?) -> [String: JSONValue] {
        guard case .array(let metrics)? = metrics else { return [:] }
        var results: [String: JSONValue] = [:]
        for metric in metrics {
            guard case .string(let key)? = metric["key"], case .array(let rows)? = metric["results"] else {
                continue
            }
            for row in rows {
                if case .string(let arm)? = row["arm"] { results["\(key)/\(arm)"] = row }
            }
        }
        return results
    }

    static func check(
        arms: JSONValue?, metrics: JSONValue?, against reference: [String: Any], context: String
    ) throws {
        let units = try #require(reference["units"] as? [String: Int])
        if case .array(let arms)? = arms {
            for arm in arms {
                guard case .string(let key)? = arm["key"] else { continue }
                expectClose(arm["units"], units[key].map(Double.init), "\(context) units \(key)")
            }
        }

        let actual = results(metrics)
        let expectedResults = try #require(reference["results"] as? [[String: Any]])
        #expect(actual.count == expectedResults.count, "\(context): result count")
        for expected in expectedResults {
            let name = "\(expected["metric"] ?? "")/\(expected["arm"] ?? "")"
            let row = try #require(actual[name], "\(context): no result \(name)")
            let label = "\(context) \(name)"
            let flags = row["flags"].map { "\($0)" } ?? ""
            let degenerate = flags.contains("degenerate")
            let relativeUndefined = flags.contains("relative_lift_undefined")

            expectClose(row["units"], (expected["units"] as? Int).map(Double.init), "\(label) units")
            #expect(row["test"] == .string(expected["test"] as? String ?? ""), "\(label) test")
            for field in ["value", "control_value", "absolute_lift", "relative_lift", "p_value", "adjusted_p_value"] {
                let reference = expected[field] as? Double
                if field == "relative_lift", relativeUndefined {
                    // The engine reports no ratio of NPS values over a control NPS <= 0.
                    #expect(row[field] == .null, "\(label) \(field)")
                    continue
                }
                if reference == nil || (degenerate && row[field] == .null) {
                    // The reference has no value (0/0), or the engine flagged the cell
                    // degenerate and left the value out rather than guess.
                    #expect(row[field] == .null || reference != nil, "\(label) \(field)")
                    continue
                }
                expectClose(row[field], reference, "\(label) \(field)")
            }
            for field in ["absolute_ci", "relative_ci"] {
                if field == "relative_ci", relativeUndefined { continue }
                guard let bounds = expected[field] as? [Double], bounds.allSatisfy(\.isFinite) else { continue }
                guard case .array(let actualBounds)? = row[field] else {
                    // A zero-width reference interval (a variance of 0) is no interval:
                    // the engine leaves it null, as it does for degenerate cells.
                    let zeroWidth = bounds[0] == bounds[1]
                    #expect(degenerate || zeroWidth, "\(label) \(field) is null; flags \(row["flags"] ?? .null)")
                    continue
                }
                expectClose(actualBounds.first, bounds[0], "\(label) \(field) lower")
                expectClose(actualBounds.last, bounds[1], "\(label) \(field) upper")
            }
        }
    }

    /// Relative agreement to 1e-9, with an absolute floor of 1e-12 for values near 0.
    static func expectClose(
        _ actual: JSONValue?, _ expected: Double?, _ label: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        guard let expected else {
            Issue.record("\(label): no reference value", sourceLocation: sourceLocation)
            return
        }
        guard case .number(let value)? = actual else {
            Issue.record("\(label): expected \(expected), got \(actual ?? .null)", sourceLocation: sourceLocation)
            return
        }
        let tolerance = max(1e-9 * abs(expected), 1e-12)
        #expect(abs(value - expected) <= tolerance, "\(label): \(value) vs \(expected)", sourceLocation: sourceLocation)
    }
}
