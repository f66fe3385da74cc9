/// An error from the statistics module: an argument outside the range a formula needs.
public struct StatisticsError: Error, Sendable, Hashable {
    /// What kind of argument was wrong.
    public enum Code: String, Sendable, Hashable, Codable {
        /// A probability (alpha, power, a rate) outside the open interval (0, 1).
        case probabilityOutOfRange = "probability_out_of_range"
        /// A count, weight, standard deviation or effect that must be positive was not.
        case nonPositiveValue = "non_positive_value"
        /// Two inputs that must agree in length or in meaning do not.
        case inconsistentInputs = "inconsistent_inputs"
    }

    /// The kind of error.
    public let code: Code

    /// A message naming the argument and the value that was rejected.
    public let message: String

    /// Creates an error with its code and a message a user can act on.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension StatisticsError: CustomStringConvertible {
    /// The message prefixed by the code, for logs and command-line output.
    public var description: String {
        "statistics error (\(code.rawValue)): \(message)"
    }
}
