public import HTTPServer
import Dispatch
import Foundation
import SplitlaneJSON
import Postgres
import Synchronization

/// The HTTP API for CRM jobs: assignment with durable exposure recording, outcome
/// event ingestion, definitions and readouts, health and metrics (SPEC §6).
public final class SplitlaneService: Sendable {
    /// Where the service listens, what it serves and whom it lets in.
    public struct Configuration: Sendable {
        /// The address to bind, such as `127.0.0.1` or `::`.
        public var host: String

        /// The TCP port; 0 asks the system for a free one (see `SplitlaneService.port`).
        public var port: UInt16

        /// libmicrohttpd worker threads.
        public var threads: Int

        /// The directory of experiment definitions, loaded at start and on `reload`.
        public var experimentsPath: String

        /// The libpq connection string (URL or `key=value` form; empty reads `PG*`).
        public var databaseURL: String

        /// The accepted bearer tokens; at least one is required.
        public var tokens: [String]

        /// How long `stop` waits for in-flight requests before answering them 503.
        public var drainTimeout: Duration

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1",
            port: UInt16 = 8080,
            threads: Int = 2,
            experimentsPath: String = "experiments",
            databaseURL: String = "",
            tokens: [String],
            drainTimeout: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.experimentsPath = experimentsPath
            self.databaseURL = databaseURL
            self.tokens = tokens
            self.drainTimeout = drainTimeout
        }
    }

    /// The most units one `POST /v1/assign/batch` may carry; more are answered 413.
    public static let maximumBatchUnits = 10_000

    /// The largest request body accepted; longer ones are answered 413.
    public static let maximumBodyBytes = 1 << 20

    /// The configuration the service was created with.
    public let configuration: Configuration

    let logger: LogfmtLogger
    let metrics: ServiceMetrics
    let definitions: DefinitionHolder
    let authenticator: TokenAuthenticator
    let committer: ExposureCommitter
    let pool: ConnectionPool
    let databaseQueue = DispatchQueue(label: "splitlane.service.database", attributes: .concurrent)
    private let server = Mutex<HTTPServer?>(nil)

    /// Loads and validates the definitions and checks the configuration; nothing listens
    /// until `start`.
    ///
    /// - Throws: `ServiceError` when no token is configured or any definition is invalid
    ///   (`details` then lists every error with its file, line and column).
    public init(configuration: Configuration, logger: LogfmtLogger) throws(ServiceError) {
        let authenticator = TokenAuthenticator(tokens: configuration.tokens)
        guard authenticator.hasTokens else {
            throw ServiceError(
                status: 500, code: "no_tokens",
                message: "no API token configured: set SPLITLANE_API_TOKENS or pass --token-file")
        }
        let loaded = try DefinitionSet.load(path: configuration.experimentsPath)

        let metrics = ServiceMetrics()
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.authenticator = authenticator
        self.definitions = DefinitionHolder(loaded)
        self.committer = ExposureCommitter(
            url: configuration.databaseURL, logger: logger, metrics: metrics)
        self.pool = ConnectionPool(url: configuration.databaseURL)
    }

    /// The bound TCP port once started, nil before `start` and after `stop`.
    public var port: UInt16? {
        server.withLock { $0?.port }
    }

    /// The number of experiments serving now.
    public var experimentCount: Int {
        definitions.definitions.catalog.experiments.count
    }

    /// Connects the exposure committer (the service starts even when the database is
    /// down) and starts listening.
    ///
    /// - Throws: `ServiceError` when the address cannot be bound.
    public func start() throws(ServiceError) {
        committer.start()
        let settings = HTTPServer.Configuration(
            host: configuration.host,
            port: configuration.port,
            threadPoolSize: configuration.threads,
            maxRequestBodyBytes: Self.maximumBodyBytes)
        do {
            let started = try HTTPServer(configuration: settings) { [self] request, responder in
                handle(request, responder)
            }
            server.withLock { $0 = started }
        } catch {
            committer.stop()
            throw ServiceError(
                status: 500, code: "listen_failed",
                message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        logger.log(
            .info, "definitions loaded",
            ["experiments": experimentCount, "path": configuration.experimentsPath])
    }

    /// Reloads the definitions directory; an invalid set is refused with a log line and
    /// the old one keeps serving.
    ///
    /// - Returns: Whether the new set was applied.
    @discardableResult
    public func reloadDefinitions() -> Bool {
        do {
            let loaded = try DefinitionSet.load(path: configuration.experimentsPath)
            definitions.replace(with: loaded)
            metrics.reloads.increment(labels: ["applied"])
            logger.log(
                .info, "definitions reloaded",
                ["experiments": loaded.catalog.experiments.count])
            return true
        } catch {
            metrics.reloads.increment(labels: ["refused"])
            logger.log(
                .error, "definitions reload refused; the previous set keeps serving",
                ["errors": error.details.count, "first": error.details.first ?? error.message])
            return false
        }
    }

    /// Stops accepting connections, drains in-flight requests (recording ones wait for
    /// their commit), then stops the committer; safe to call twice.
    public func stop() {
        let running = server.withLock { $0.take() }
        guard let running else {
            return
        }
        running.stop(drainTimeout: configuration.drainTimeout)
        committer.stop()
        pool.drain()
        logger.log(.info, "stopped")
        logger.flush()
    }

    /// The Prometheus exposition of the service's metrics.
    public func renderMetrics() -> String {
        metrics.registry.render()
    }
}

// MARK: Dispatch

extension SplitlaneService {
    /// Answers one request: routing, authentication, then the route's handler; logs one
    /// line and updates the metrics when the answer is sent.
    public func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let match = ServiceRoute.match(method: request.method, path: request.path)
        var reply = Reply(
            responder: responder, logger: logger, metrics: metrics,
            method: request.method, route: "unmatched")

        switch match {
        case .notFound:
            reply.fail(
                ServiceError(
                    status: 404, code: "not_found",
                    message: "no route \(ServiceError.excerpt(request.path)); see docs/openapi.yaml"))
        case .wrongMethod(let allowed):
            var response = HTTPResponse.jsonError(
                status: 405, code: "method_not_allowed",
                message: "\(ServiceError.excerpt(request.path)) accepts \(allowed.joined(separator: ", "))")
            response.headers.replaceOrAdd(name: "Allow", value: allowed.joined(separator: ", "))
            reply.send(response)
        case .found(let route, let key):
            reply.route = route.template
            reply.experiment = key
            guard !route.requiresToken || authenticator.isAuthorized(request.headers["Authorization"])
            else {
                var response = HTTPResponse.jsonError(
                    status: 401, code: "unauthorized",
                    message: "send a valid token as Authorization: Bearer TOKEN")
                response.headers.replaceOrAdd(name: "WWW-Authenticate", value: "Bearer")
                reply.send(response)
                return
            }
            dispatch(route, key: key, request: request, reply: reply)
        }
    }

    private func dispatch(_ route: ServiceRoute, key: String?, request: HTTPRequest, reply: Reply) {
        switch route {
        case .assign: assign(request, reply: reply)
        case .assignBatch: assignBatch(request, reply: reply)
        case .ingestEvents: ingestEvents(request, reply: reply)
        case .listExperiments: listExperiments(reply: reply)
        case .showExperiment: showExperiment(key ?? "", reply: reply)
        case .readout: readout(key ?? "", request: request, reply: reply)
        case .health: reply.send(json: .object([("status", .string("ok"))]))
        case .readiness: readiness(reply: reply)
        case .metrics:
            reply.send(
                HTTPResponse(
                    status: 200,
                    headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                    body: Array(renderMetrics().utf8)))
        }
    }

    /// Refuses a body whose `Content-Type` is present and not JSON.
    func requireJSON(_ request: HTTPRequest) throws(ServiceError) {
        guard let type = request.headers["Content-Type"] else {
            return
        }
        guard Self.mediaType(type) == "application/json" else {
            throw ServiceError(
                status: 415, code: "unsupported_media_type",
                message: "send Content-Type: application/json, not \(ServiceError.excerpt(type))")
        }
    }

    /// The media type of a `Content-Type` value, lowercased, without parameters.
    static func mediaType(_ value: String) -> String {
        if value == "application/json" {
            return value
        }
        let bare = value.prefix { $0 != ";" }
        return bare.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// The way a handler answers: sends the response once, then logs the request line and
/// counts it in the metrics.
struct Reply: Sendable {
    let responder: HTTPResponder
    let logger: LogfmtLogger
    let metrics: ServiceMetrics
    let method: String
    var route: String
    var experiment: String?
    let started = ContinuousClock.now

    init(
        responder: HTTPResponder, logger: LogfmtLogger, metrics: ServiceMetrics,
        method: String, route: String
    ) {
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
        self.method = method
        self.route = route
    }

    /// Sends a response, then writes the log line and updates the metrics.
    func send(_ response: HTTPResponse) {
        responder.respond(response)

        let elapsed = ContinuousClock.now - started
        let seconds =
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.requests.increment(labels: [route, String(response.status)])
        metrics.latency.observe(seconds, labels: [route])

        var line = LogfmtLine()
        line.append("ts", Self.timestamp())
        line.append("level", response.status >= 500 ? "error" : "info")
        line.append("msg", "request")
        line.append("method", method)
        line.append("route", route)
        line.append("status", response.status)
        line.append("duration_ms", Self.milliseconds(elapsed))
        if let experiment {
            line.append("experiment", experiment)
        }
        logger.write(line)
    }

    /// Sends a JSON document with the given status.
    func send(status: Int = 200, json: JSONValue) {
        var body: [UInt8] = []
        body.reserveCapacity(256)
        json.write(to: &body)
        send(HTTPResponse.json(status: status, body: body))
    }

    /// A duration in milliseconds with three decimals, such as `1.250`, formatted by hand
    /// (no `String(format:)` on the request path).
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(micros % 1000)
        return String(micros / 1000) + "." + String(repeating: "0", count: 3 - fraction.count)
            + fraction
    }

    /// Sends an error as `{"error":{"code","message"}}`.
    func fail(_ error: ServiceError) {
        send(HTTPResponse.jsonError(status: error.status, code: error.code, message: error.message))
    }

    private static func timestamp() -> String {
        PostgresTimestamp.format(Date())
    }
}
