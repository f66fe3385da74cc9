import Foundation
import HTTPServer
import Postgres
import SplitlaneDefinitions
import SplitlaneJSON
import SplitlaneStorage

extension SplitlaneService {
    /// `POST /v1/events`: a JSON array of event objects, or NDJSON, stored all or
    /// nothing; answers `{"inserted":N,"duplicates":M}`.
    func ingestEvents(_ request: HTTPRequest, reply: Reply) {
        let events: [OutcomeEvent]
        do throws(ServiceError) {
            events = try Self.readEvents(request)
        } catch {
            reply.fail(error)
            return
        }

        databaseQueue.async { [self] in
            do {
                let summary = try pool.withConnection { connection in
                    try SplitlaneStore(connection: connection).ingest(events: events)
                }
                reply.send(
                    json: .object([
                        ("inserted", .number(Double(summary.inserted))),
                        ("duplicates", .number(Double(summary.duplicates))),
                    ]))
            } catch {
                reply.fail(databaseFailure(error, operation: "ingest"))
            }
        }
    }

    /// Parses the body by its `Content-Type`: `application/json` (an array of objects,
    /// the default when none is sent) or `application/x-ndjson` (one object a line).
    static func readEvents(_ request: HTTPRequest) throws(ServiceError) -> [OutcomeEvent] {
        let type = request.headers["Content-Type"].map(mediaType) ?? "application/json"
        switch type {
        case "application/json":
            let value = try JSONBody.parse(request.body, what: "the request body")
            guard case .array(let items) = value else {
                throw .invalidRequest(
                    "the body must be a JSON array of events, got \(JSONBody.kind(of: value))")
            }
            var events: [OutcomeEvent] = []
            events.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                events.append(try event(item, at: "event \(index)"))
            }
            return events
        case "application/x-ndjson", "application/ndjson":
            var events: [OutcomeEvent] = []
            let lines = request.body.split(separator: 0x0A, omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() {
                let blank: Set<UInt8> = [0x20, 0x09, 0x0D]
                if line.allSatisfy(blank.contains) {
                    continue
                }
                let place = "line \(index + 1)"
                let value = try JSONBody.parse(line, what: place)
                events.append(try event(value, at: place))
            }
            return events
        default:
            throw ServiceError(
                status: 415, code: "unsupported_media_type",
                message: "send events as application/json (an array) or application/x-ndjson, "
                    + "not \(type)")
        }
    }

    /// One event object; fields other than the five are ignored (webhooks send more).
    private static func event(
        _ value: JSONValue, at place: String
    ) throws(ServiceError) -> OutcomeEvent {
        guard case .object(let object) = value else {
            throw .invalidRequest("\(place) must be a JSON object, got \(JSONBody.kind(of: value))")
        }
        func text(_ name: String) throws(ServiceError) -> String {
            guard let field = JSONBody.member(object, name) else {
                throw .invalidRequest("\(place): missing field \"\(name)\"")
            }
            guard case .string(let string) = field else {
                throw .invalidRequest(
                    "\(place): field \"\(name)\" must be a string, got \(JSONBody.kind(of: field))")
            }
            guard !string.isEmpty, !string.utf8.contains(0) else {
                throw .invalidRequest(
                    "\(place): field \"\(name)\" must be non-empty and free of NUL characters")
            }
            return string
        }

        var number: Double?
        switch JSONBody.member(object, "value") {
        case nil:
            number = nil
        case .number(let given):
            number = given
        case let given?:
            throw .invalidRequest(
                "\(place): field \"value\" must be a number or null, got \(JSONBody.kind(of: given))")
        }
        if let number, !number.isFinite {
            throw .invalidRequest("\(place): field \"value\" must be a finite number")
        }

        let time = try text("occurred_at")
        guard time.count >= 20, let occurredAt = PostgresTimestamp.parse(time) else {
            throw .invalidRequest(
                "\(place): occurred_at \"\(time)\" is not an RFC 3339 time like "
                    + "2026-10-01T12:00:00Z")
        }
        return OutcomeEvent(
            eventID: try text("event_id"), unitID: try text("unit_id"), event: try text("event"),
            value: number, occurredAt: occurredAt)
    }

    /// Maps a database failure to 503 (unreachable) or 500 and counts it.
    func databaseFailure(_ error: any Error, operation: String) -> ServiceError {
        metrics.databaseErrors.increment(labels: [operation])
        if let service = error as? ServiceError {
            return service
        }
        let postgres = (error as? StorageError)?.underlying ?? (error as? PostgresError)
        if let postgres, postgres.code == .connection {
            return .databaseUnavailable("the database connection failed: \(postgres.message)")
        }
        logger.log(
            .error, "database operation failed",
            ["operation": operation, "error": ExposureCommitter.describe(error)])
        return ServiceError(
            status: 500, code: "database_error",
            message: "the database refused the \(operation); nothing was stored")
    }
}
