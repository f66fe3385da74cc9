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
            lines.append(discussion)
        }
        if !spec.examples.isEmpty {
            lines.append("")
            lines.append("EXAMPLES:")
            lines.append(contentsOf: spec.examples.map { "  " + $0 })
        }
        return lines.joined(separator: "\n") + "\n"
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
        // Names too long for the column get the help on the next line.
        guard name.count < 26 else {
            return "  " + name + "\n" + String(repeating: " ", count: 28) + help
        }
        return "  " + name + String(repeating: " ", count: 26 - name.count) + help
    }
}
