import Foundation
import HTTPServer
import SplitlaneJSON

/// The simulator's side of the HTTP API: what a CRM job does.
struct ServiceClient {
    let client: HTTPClient
    let token: String

    /// One unit's answer from `POST /v1/assign/batch`.
    struct Answer {
        var unit: String
        var arm: String?
        var reason: String
        var recorded: Bool
    }

    /// A unit to assign, with the attributes and the time of the request.
    struct UnitRequest {
        var unit: String
        var attributes: [(String, JSONValue)]
        var at: Date
    }

    /// Assigns and records a batch of units through `POST /v1/assign/batch`.
    func assign(experiment: String, units: [UnitRequest]) throws -> [Answer] {
        let body = JSONValue.object([
            ("experiment", .string(experiment)),
            ("record", .bool(true)),
            ("units", .array(units.map { unit in
                .object([
                    ("unit", .string(unit.unit)),
                    ("attributes", .object(unit.attributes)),
                    ("at", .string(Timestamp.format(unit.at))),
                ])
            })),
        ])
        let response = try send("POST", "/v1/assign/batch", body: Array(body.serialized().utf8))
        guard let document = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let results = document["results"] as? [[String: Any]]
        else {
            throw CLIError("the service answered the batch without results")
        }
        return results.map {
            Answer(
                unit: $0["unit"] as? String ?? "", arm: $0["arm"] as? String,
                reason: $0["reason"] as? String ?? "", recorded: $0["recorded"] as? Bool ?? false)
        }
    }

    /// Posts outcome events as NDJSON through `POST /v1/events`; returns inserted and
    /// duplicate counts.
    func postEvents(_ lines: [UInt8]) throws -> (inserted: Int, duplicates: Int) {
        let response = try send(
            "POST", "/v1/events", body: lines, contentType: "application/x-ndjson")
        let document = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (document?["inserted"] as? Int ?? 0, document?["duplicates"] as? Int ?? 0)
    }

    private func send(
        _ method: String, _ path: String, body: [UInt8], contentType: String = "application/json"
    ) throws -> HTTPResponse {
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", contentType)]
        let response: HTTPResponse
        do {
            response = try client.send(method, path, headers: headers, body: body)
        } catch {
            throw CLIError("cannot reach the service at \(client.host):\(client.port): \(error)")
        }
        guard response.status == 200 else {
            let text = String(decoding: response.body.prefix(500), as: UTF8.self)
            throw CLIError("\(method) \(path) answered \(response.status): \(text)")
        }
        return response
    }
}
