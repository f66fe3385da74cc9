/// The declared shape of one command: what it accepts and how it explains itself.
///
/// Commands declare their options as data; ``ArgumentParser`` reads the command
/// line against the declaration, and the help text is rendered from the same data,
/// so the two never disagree.
public struct CommandSpec: Sendable {
    /// The words that select the command, such as `["db", "migrate"]`.
    public var path: [String]
    /// One line that says what the command does.
    public var abstract: String
    /// Positional arguments, in order.
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    /// Example invocations shown in `--help`.
    public var examples: [String]
    /// Extra paragraphs shown in `--help` after the options.
    public var discussion: String?

    public init(
        path: [String],
        abstract: String,
        arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [],
        examples: [String] = [],
        discussion: String? = nil
    ) {
        self.path = path
        self.abstract = abstract
        self.arguments = arguments
        self.options = options
        self.examples = examples
        self.discussion = discussion
    }
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
    public var name: String
    public var help: String
    public var isOptional: Bool
    /// Whether the argument takes every remaining positional word.
    public var isRepeating: Bool

    public init(_ name: String, help: String, isOptional: Bool = false, isRepeating: Bool = false) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isRepeating = isRepeating
    }
}

/// A `--name` option: a flag, or an option that takes a value.
public struct OptionSpec: Sendable {
    /// The long name without dashes, such as `format`.
    public var name: String
    /// A one-letter alias, such as `o`, when there is one.
    public var shortName: Character?
    /// The placeholder shown in help (`FORMAT`); `nil` makes the option a flag.
    public var valueName: String?
    public var help: String
    /// Allowed values, checked by the parser and listed in help.
    public var choices: [String]
    /// Whether the option may be given more than once.
    public var isRepeating: Bool

    public init(
        _ name: String,
        short: Character? = nil,
        value valueName: String? = nil,
        help: String,
        choices: [String] = [],
        isRepeating: Bool = false
    ) {
        self.name = name
        self.shortName = short
        self.valueName = valueName
        self.help = help
        self.choices = choices
        self.isRepeating = isRepeating
    }

    public var isFlag: Bool { valueName == nil }

    /// `--experiments DIR`, shared by every command that reads definitions.
    public static let experiments = OptionSpec(
        "experiments", value: "DIR",
        help: "Experiment definitions (default: $SPLITLANE_EXPERIMENTS, else experiments/).")

    /// `--database-url URL`, shared by every command that needs the database.
    public static let databaseURL = OptionSpec(
        "database-url", value: "URL",
        help: "PostgreSQL URL (default: $DATABASE_URL, else libpq's PG* variables, "
            + "else the embedded cluster under .splitlane/).")
}
