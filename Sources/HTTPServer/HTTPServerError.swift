import Glibc

/// The one error type of the HTTPServer module: what failed, why, and the errno if any.
public struct HTTPServerError: Error, Sendable, Equatable {
    /// The kind of failure, stable enough to switch on.
    public enum Code: String, Sendable, Equatable {
        /// A configuration value is out of range (a port, a pool size, a limit).
        case invalidConfiguration
        /// The host could not be resolved or the socket could not be bound or listened on.
        case bindFailed
        /// libmicrohttpd refused to start the daemon.
        case startFailed
    }

    /// The kind of failure.
    public var code: Code

    /// A message a user can act on.
    public var message: String

    /// The `errno` value behind the failure, when a system call failed.
    public var systemError: Int32?

    /// Creates an error from its code, message and optional `errno`.
    public init(code: Code, message: String, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.systemError = systemError
    }
}

extension HTTPServerError: CustomStringConvertible {
    /// The code, the message and the system error text when there is one.
    public var description: String {
        guard let systemError else {
            return "\(code.rawValue): \(message)"
        }
        let reason = String(cString: strerror(systemError))
        return "\(code.rawValue): \(message) (errno \(systemError): \(reason))"
    }
}
