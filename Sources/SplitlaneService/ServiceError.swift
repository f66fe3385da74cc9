/// The one error type of `SplitlaneService`: an HTTP status, a stable machine-readable
/// code, a message a client can act on, and detail lines (such as definition errors).
public struct ServiceError: Error, Sendable, Equatable {
    /// The HTTP status the error is answered with, such as 400 or 503.
    public var status: Int

    /// A stable snake_case code, sent as `error.code`.
    public var code: String

    /// What went wrong and, where possible, what to do; sent as `error.message`.
    public var message: String

    /// Further lines, such as every invalid definition when the service refuses to start.
    public var details: [String]

    /// Creates an error from its parts.
    public init(status: Int, code: String, message: String, details: [String] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// A 400 answer for a request body or parameter that does not fit.
    static func invalidRequest(_ message: String) -> ServiceError {
        ServiceError(status: 400, code: "invalid_request", message: message)
    }

    /// Client input to quote in a message, cut to its first 64 characters: a request
    /// may carry kilobytes where a key was expected, and the message is logged too.
    static func excerpt(_ text: some StringProtocol) -> String {
        text.count <= 64 ? String(text) : String(text.prefix(64)) + "…"
    }

    /// A 503 answer while PostgreSQL cannot be reached.
    static func databaseUnavailable(_ message: String) -> ServiceError {
        ServiceError(status: 503, code: "database_unavailable", message: message)
    }
}

extension ServiceError: CustomStringConvertible {
    /// The message, then each detail line.
    public var description: String {
        ([message] + details).joined(separator: "\n")
    }
}
