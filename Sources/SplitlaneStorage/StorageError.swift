public import Postgres

/// The one error type of `SplitlaneStorage`: a code, a message a user can act on, and
/// the underlying database error when there is one.
public struct StorageError: Error, Sendable {
    /// What kind of failure this is.
    public var code: Code
    /// What went wrong and, where possible, what to do about it.
    public var message: String
    /// The database error underneath, with its SQLSTATE and statement.
    public var underlying: PostgresError?

    /// Makes an error from its parts.
    public init(code: Code, message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Broad kinds of failure.
    public enum Code: String, Sendable {
        /// The database failed or refused a statement.
        case database
        /// A migration file is missing or malformed, or the schema is ahead of the code.
        case migration
        /// A sync would re-randomize a running experiment.
        case syncRefused
        /// An input row to ingest is invalid; the message names its line.
        case invalidInput
        /// Reading the input failed.
        case io
        /// The embedded cluster could not be created, started or stopped.
        case cluster
    }

    static func database(_ error: PostgresError, _ context: String) -> StorageError {
        StorageError(code: .database, message: "\(context): \(error.message)", underlying: error)
    }
}

extension StorageError: CustomStringConvertible {
    /// The message, then the database's detail, hint and SQLSTATE when present.
    public var description: String {
        var text = message
        if let underlying {
            if let sqlState = underlying.sqlState { text += " (SQLSTATE \(sqlState))" }
            if let detail = underlying.detail { text += "\nDETAIL: \(detail)" }
            if let hint = underlying.hint { text += "\nHINT: \(hint)" }
        }
        return text
    }
}

/// Runs a database step, turning a ``PostgresError`` into a ``StorageError``.
func databaseStep<T>(_ context: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PostgresError {
        throw StorageError.database(error, context)
    }
}
