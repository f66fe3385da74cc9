import Foundation
import HTTPServer
import SplitlaneService

/// `splitlane serve`: the HTTP API for CRM jobs, until SIGTERM or SIGINT.
enum ServeCommand: Command {
    static let spec = CommandSpec(
        path: ["serve"],
        abstract: "Serve the HTTP API for CRM jobs (assign, record, ingest, readouts).",
        options: [
            OptionSpec(
                "listen", value: "HOST:PORT",
                help: "Address to listen on (default 127.0.0.1:8080; port 0 picks a free one)."),
            OptionSpec(
                "token-file", value: "FILE",
                help: "API tokens, one a line (# starts a comment); adds to $SPLITLANE_API_TOKENS."),
            OptionSpec("threads", value: "N", help: "HTTP worker threads (default 2)."),
            .experiments,
            .databaseURL,
        ],
        examples: [
            "SPLITLANE_API_TOKENS=s3cret splitlane serve --listen 0.0.0.0:8080",
            "splitlane serve --token-file /etc/splitlane/tokens --database-url postgresql://db/splitlane",
            "curl -H 'Authorization: Bearer s3cret' -d '{\"experiment\":\"survey-channel\",\"unit\":\"d-1\"}' \\\n"
                + "      http://127.0.0.1:8080/v1/assign",
        ],
        discussion: """
            Tokens come from SPLITLANE_API_TOKENS (comma-separated) and --token-file, never \
            from the command line; the service refuses to start without one. When ready it \
            prints "listening on http://HOST:PORT" on stderr. SIGHUP reloads the definitions \
            (an invalid set is refused and the old one keeps serving); SIGTERM drains \
            in-flight requests and exits 0. Each request is logged as one logfmt line on \
            stderr. The API is described in docs/openapi.yaml and docs/http-api.md.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let (host, port) = try parseListen(arguments.value("listen") ?? "127.0.0.1:8080")
        let threads = try parseThreads(arguments.value("threads"))
        let tokens = try readTokens(arguments, environment: context.environment)
        guard !tokens.isEmpty else {
            throw CLIError("no API token configured: set SPLITLANE_API_TOKENS or pass --token-file")
        }
        // Validate before resolving the database, which may start the embedded cluster.
        _ = try context.loadCatalog(arguments)
        let configuration = SplitlaneService.Configuration(
            host: host, port: port, threads: threads,
            experimentsPath: context.experimentsPath(arguments),
            databaseURL: try context.databaseURL(arguments),
            tokens: tokens)

        // Request lines are written in batches every 50 ms: one write call per batch
        // instead of one per request. A crash can lose the last 50 ms of log lines,
        // never an acknowledged exposure.
        let logger = LogfmtLogger(flushInterval: .milliseconds(50))
        defer { logger.flush() }
        let service: SplitlaneService
        do {
            service = try SplitlaneService(configuration: configuration, logger: logger)
        } catch {
            throw CLIError(error.message, details: error.details)
        }

        unblockSignals([SIGTERM, SIGINT, SIGHUP])
        let termination = TerminationSignal()
        let hangUp = SignalObserver(signal: SIGHUP) { service.reloadDefinitions() }
        defer { hangUp.cancel() }
        do {
            try service.start()
        } catch {
            throw CLIError(error.message)
        }
        let bound = service.port ?? port
        let shown = host.contains(":") ? "[\(host)]" : host
        context.console.message("listening on http://\(shown):\(bound)")

        let number = termination.wait()
        logger.log(.info, "stopping: draining in-flight requests", ["signal": number])
        service.stop()
        return 0
    }

    /// Unblocks signals the parent may have left blocked in the mask a child inherits
    /// (a process spawned from a Dispatch thread starts with them blocked); threads
    /// started afterwards inherit the unblocked mask. Calls `pthread_sigmask`.
    private static func unblockSignals(_ numbers: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers {
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Splits `HOST:PORT` or `[IPv6]:PORT`.
    static func parseListen(_ text: String) throws -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"),
            let port = UInt16(text[text.index(after: colon)...])
        else {
            throw UsageError("--listen takes HOST:PORT, got \"\(text)\"", command: spec.path)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty else {
            throw UsageError("--listen needs a host, such as 127.0.0.1:\(port)", command: spec.path)
        }
        return (host, port)
    }

    private static func parseThreads(_ text: String?) throws -> Int {
        guard let text else {
            return 2
        }
        guard let threads = Int(text), (1...256).contains(threads) else {
            throw UsageError("--threads takes a number from 1 to 256, got \"\(text)\"", command: spec.path)
        }
        return threads
    }

    /// Tokens from `SPLITLANE_API_TOKENS` and the token file, blanks and comments dropped.
    static func readTokens(_ arguments: ParsedArguments, environment: [String: String]) throws -> [String] {
        var tokens = (environment["SPLITLANE_API_TOKENS"] ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if let path = arguments.value("token-file") {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CLIError("cannot read the token file \(path)")
            }
            tokens += text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.hasPrefix("#") }
        }
        return tokens.filter { !$0.isEmpty }
    }
}
