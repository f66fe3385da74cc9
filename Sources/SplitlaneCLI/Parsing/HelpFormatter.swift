/// Renders `--help` text from a ``CommandSpec``.
enum HelpFormatter {
    static func help(for spec: CommandSpec) -> String {
        var lines: [String] = []
        let command = (["splitlane"] + spec.path).joined(separator: " ")
        lines.append("OVERVIEW: \(spec.abstract)")
        lines.append("")
        lines.append("USAGE: \(command)\(usageTail(spec))")

        if !spec.arguments.isEmpty {
            lines.append("")
            lines.append("ARGUMENTS:")
            for argument in spec.arguments {
                lines.append(row(argument.name, argument.help))
            }
        }

        lines.append("")
        lines.append("OPTIONS:")
        for option in spec.options {
            var name = "--\(option.name)"
            if let short = option.shortName { name = "-\(short), " + name }
            if let value = option.valueName { name += " \(value)" }
            var help = option.help
            if !option.choices.isEmpty { help += " (\(option.choices.joined(separator: "|")))" }
            lines.append(row(name, help))
        }
        lines.append(row("-h, --help", "Show this help."))

        if let discussion = spec.discussion {
            lines.append("")
            lines += discussion.split(separator: "\n", omittingEmptySubsequences: false)
                .flatMap { wrap(String($0), width: 88) }
        }
        if !spec.examples.isEmpty {
            lines.append("")
            lines.append("EXAMPLES:")
            lines.append(contentsOf: spec.examples.map { "  " + $0 })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Breaks a paragraph into lines of at most `width` characters at spaces; indented
    /// lines (tables, lists) are kept as they are.
    static func wrap(_ paragraph: String, width: Int) -> [String] {
        guard paragraph.count > width, paragraph.first != " " else { return [paragraph] }
        var lines: [String] = []
        var line = ""
        for word in paragraph.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    private static func usageTail(_ spec: CommandSpec) -> String {
        var parts: [String] = []
        for argument in spec.arguments {
            var text = argument.name + (argument.isRepeating ? "…" : "")
            if argument.isOptional || argument.isRepeating { text = "[\(text)]" }
            parts.append(text)
        }
        if !spec.options.isEmpty { parts.append("[OPTIONS]") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " ")
    }

    private static func row(_ name: String, _ help: String) -> String {
        // Help wraps under its column; a name too long for its column puts the help on
        // the next line.
        let indent = String(repeating: " ", count: 28)
        let helpLines = wrap(help, width: 60).joined(separator: "\n" + indent)
        guard name.count < 26 else {
            return "  " + name + "\n" + indent + helpLines
        }
        return "  " + name + String(repeating: " ", count: 26 - name.count) + helpLines
    }
}
