/// A failure a command reports to the user: exit status 1 and a message on stderr.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Further lines printed after the message, such as one line per invalid file.
    public var details: [String]

    public init(_ message: String, details: [String] = []) {
        self.message = message
        self.details = details
    }

    public var description: String {
        ([message] + details).joined(separator: "\n")
    }
}
