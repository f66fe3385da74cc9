extension Readout {
    /// The readout as aligned text tables for a terminal (`--format table`).
    ///
    /// A sample ratio mismatch comes first, as a boxed warning; then the header, the
    /// primary metric's verdicts, the arms, one table per metric, and the segments.
    ///
    /// - Parameters:
    ///   - color: Whether to colour winners, losers and warnings with ANSI escapes;
    ///     pass false when stdout is not a terminal or `NO_COLOR` is set.
    ///   - width: The terminal width; wider metric tables move their flags below.
    /// - Returns: The text, ending with a newline.
    public func renderTable(color: Bool, width: Int = 100) -> String {
        var lines: [String] = []
        if srm.isMismatch {
            lines += srmBanner(color: color, width: width)
            lines.append("")
        }

        let title = "\(name) (\(experiment))"
        lines.append(color ? TextTable.bold + title + TextTable.reset : title)
        lines.append(
            "as of \(Self.format(asOf)) · alpha \(MetricFormat.compact(alpha)) · correction "
                + "\(correction.rawValue) · minimum units \(minimumUnits)")
        lines += summaryLines(color: color)
        lines.append("")

        lines += armsLines(color: color)
        for metric in metrics {
            lines.append("")
            lines += metricLines(metric, color: color, width: width, indent: "")
        }

        if !segments.isEmpty {
            lines.append("")
            let heading = "Segments by \(segmentAttribute ?? segments[0].attribute)"
            lines.append(color ? TextTable.bold + heading + TextTable.reset : heading)
            lines.append(String(repeating: "═", count: TextTable.displayWidth(heading)))
            for segment in segments {
                lines.append("")
                lines += segmentLines(segment, color: color, width: width)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The boxed sample-ratio-mismatch warning.
    private func srmBanner(color: Bool, width: Int) -> [String] {
        let inner = max(40, width - 4)
        let body =
            ["⚠ SAMPLE RATIO MISMATCH: \(srmStatistics)"]
            + Self.wrap(Self.srmAdvice, width: inner)
        var lines = ["┏" + String(repeating: "━", count: inner + 2) + "┓"]
        for text in body {
            let padding = String(
                repeating: " ", count: max(0, inner - TextTable.displayWidth(text)))
            lines.append("┃ " + text + padding + " ┃")
        }
        lines.append("┗" + String(repeating: "━", count: inner + 2) + "┛")
        guard color else { return lines }
        let start = TextTable.bold + TextTable.Tone.bad.ansi
        return lines.map { start + $0 + TextTable.reset }
    }

    /// One line naming each treatment arm's verdict on the primary metric.
    private func summaryLines(color: Bool) -> [String] {
        guard let metric = primaryMetric, !metric.results.isEmpty else { return [] }
        let format = MetricFormat(metric: metric)
        let parts = metric.results.map { result in
            let text =
                "\(result.arm) \(result.verdict.label) \(format.lift(result.comparison.absoluteLift))"
            guard color, Self.tone(of: result) != .plain else { return text }
            return Self.tone(of: result).ansi + text + TextTable.reset
        }
        return ["primary metric \(metric.key): " + parts.joined(separator: "; ")]
    }

    private func armsLines(color: Bool) -> [String] {
        var table = TextTable([
            ("arm", .left), ("units", .right), ("expected", .right), ("observed", .right),
            ("cost", .right),
        ])
        for arm in arms {
            table.append([
                arm.key + (arm.isControl ? " (control)" : ""), String(arm.units),
                MetricFormat.share(arm.expectedShare), MetricFormat.share(arm.observedShare),
                arm.cost.map { MetricFormat.money($0) } ?? "",
            ])
        }

        let verdict = srm.isMismatch ? "MISMATCH" : "ok"
        var heading = "Arms · sample ratio \(srmStatistics) · \(verdict)"
        if color {
            let tone = srm.isMismatch ? TextTable.Tone.bad.ansi : ""
            heading = TextTable.bold + tone + heading + TextTable.reset
        }
        return [heading] + table.render(color: color)
    }

    /// A metric's heading, its table, its flags when they did not fit, and net value.
    private func metricLines(
        _ metric: MetricReadout, color: Bool, width: Int, indent: String
    ) -> [String] {
        let heading = "\(metric.key)  \(metric.details)"
        var lines = [indent + (color ? TextTable.bold + heading + TextTable.reset : heading)]

        var table = metricTable(metric, withNotes: true)
        var notesBelow = false
        if TextTable.displayWidth(indent) + table.width > width {
            table = metricTable(metric, withNotes: false)
            notesBelow = true
        }
        lines += table.render(color: color, indent: indent)

        // Whatever follows the table starts after a blank line, so that a table block
        // always runs from its header to the next blank line.
        let notes = notesBelow ? metric.results.filter { !$0.notes.isEmpty } : []
        if !notes.isEmpty {
            lines.append("")
            for result in notes {
                lines.append(indent + "  \(result.arm): " + result.notes.joined(separator: ", "))
            }
        }
        if metric.hasNetValue {
            lines.append("")
            lines += netValueLines(metric, color: color, indent: indent)
        }
        return lines
    }

    private func metricTable(_ metric: MetricReadout, withNotes: Bool) -> TextTable {
        let format = MetricFormat(metric: metric)
        let interval = MetricFormat.intervalLabel(alpha: alpha)
        var columns: [(String, TextTable.Alignment)] = [
            ("arm", .left), ("units", .right), ("value", .right),
            ("lift (\(interval))", .left), ("relative (\(interval))", .left),
            ("p", .right), ("adj. p", .right), ("test", .left), ("verdict", .left),
        ]
        if withNotes { columns.append(("flags", .left)) }

        var table = TextTable(columns)
        table.append([
            controlArm ?? "control", String(metric.controlUnits),
            format.value(metric.controlValue), "", "", "", "", "", "control",
        ])
        for result in metric.results {
            let comparison = result.comparison
            table.append(
                [
                    result.arm, String(result.units), format.value(comparison.treatmentValue),
                    format.liftWithInterval(comparison.absoluteLift, comparison.absoluteCI),
                    MetricFormat.relativeWithInterval(
                        comparison.relativeLift, comparison.relativeCI),
                    MetricFormat.pValue(comparison.pValue),
                    MetricFormat.pValue(result.adjustedPValue),
                    comparison.test.rawValue, result.verdict.label,
                    result.notes.joined(separator: ", "),
                ], tone: Self.tone(of: result))
        }
        return table
    }

    private func netValueLines(_ metric: MetricReadout, color: Bool, indent: String) -> [String] {
        let interval = MetricFormat.intervalLabel(alpha: alpha)
        var table = TextTable([
            ("arm", .left), ("offer cost", .right), ("net value / unit", .right),
            (interval, .left),
        ])
        for result in metric.results where result.netValue != nil {
            let cost = arms.first { $0.key == result.arm }?.cost
            var tone = TextTable.Tone.plain
            if let ci = result.netValueCI, ci.lower > 0 { tone = .good }
            if let ci = result.netValueCI, ci.upper < 0 { tone = .bad }
            table.append(
                [
                    result.arm, MetricFormat.money(cost), MetricFormat.signedMoney(result.netValue),
                    MetricFormat.moneyInterval(result.netValueCI),
                ], tone: tone)
        }
        let heading = "net value per unit after offer cost, vs \(controlArm ?? "control"):"
        return [indent + "  " + heading] + table.render(color: color, indent: indent + "  ")
    }

    private func segmentLines(_ segment: SegmentReadout, color: Bool, width: Int) -> [String] {
        let title = Self.segmentTitle(segment)
        var lines = [color ? TextTable.bold + title + TextTable.reset : title]

        let small = smallArms(segment)
        if !small.isEmpty {
            let names = small.map { "\($0.key) \($0.units)" }.joined(separator: ", ")
            let warning =
                "⚠ small sample: \(names) units (minimum \(minimumUnits)); treat as exploratory"
            lines.append(color ? TextTable.Tone.warning.ansi + warning + TextTable.reset : warning)
        }

        var table = TextTable([("arm", .left), ("units", .right), ("share", .right)])
        for arm in segment.arms {
            let tone: TextTable.Tone = arm.units < minimumUnits ? .warning : .plain
            table.append(
                [arm.key, String(arm.units), MetricFormat.share(arm.observedShare)], tone: tone)
        }
        lines += table.render(color: color, indent: "  ")

        for metric in segment.metrics {
            lines.append("")
            lines += metricLines(metric, color: color, width: width, indent: "  ")
        }
        return lines
    }

    /// The colour of a result's row: green for a winner, red for a loser.
    static func tone(of result: ArmResult) -> TextTable.Tone {
        switch result.verdict {
        case .winner: .good
        case .loser: .bad
        case .inconclusive: .plain
        }
    }

    /// Breaks `text` into lines of at most `width` display columns at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if TextTable.displayWidth(candidate) > width, !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
