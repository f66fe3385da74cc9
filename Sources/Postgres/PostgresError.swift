/// The one error type of the `Postgres` module: what failed, the server's own words,
/// and the statement that failed.
///
/// It never holds the connection string or a password: connection failures carry
/// libpq's message, which names the host and the reason but not the credentials.
public struct PostgresError: Error, Sendable, Equatable {
    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE the server sent (`23505`, `42P01`, …), when it sent one.
    public var sqlState: String?
    /// The primary message: the server's, or libpq's, or this module's.
    public var message: String
    /// The server's optional detail line.
    public var detail: String?
    /// The server's optional hint line.
    public var hint: String?
    /// The statement that failed, when the failure belongs to one.
    public var statement: String?

    /// Makes an error from its parts.
    public init(
        code: Code,
        message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        statement: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    /// Broad kinds of failure, for callers that react differently to each.
    public enum Code: String, Sendable, Equatable {
        /// The connection could not be made or was lost.
        case connection
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// A `COPY` stream failed on the client side.
        case copy
        /// A value could not be read as the type asked for, or a column is missing.
        case decoding
        /// The module was used wrongly (a parameter that cannot be sent, …).
        case usage
    }

    /// Whether the server reported a unique-key violation (SQLSTATE `23505`).
    public var isUniqueViolation: Bool { sqlState == "23505" }
}

extension PostgresError: CustomStringConvertible {
    /// One or more lines: the message with its SQLSTATE, then detail, hint and statement.
    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        if let statement {
            let shown = statement.count > 500 ? String(statement.prefix(500)) + "…" : statement
            text += "\nSTATEMENT: \(shown)"
        }
        return text
    }
}
