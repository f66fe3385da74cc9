extension Readout {
    /// The readout as GitHub-flavoured Markdown (`--format markdown`), for pull
    /// requests, issues and wikis: a sample ratio mismatch warning first, then the
    /// same tables as ``renderTable(color:width:)``.
    public func renderMarkdown() -> String {
        var lines: [String] = []
        if srm.isMismatch {
            lines.append("> [!CAUTION]")
            lines.append("> **Sample ratio mismatch** (\(Self.markdown(srmStatistics))).")
            lines.append("> \(Self.srmAdvice)")
            lines.append("")
        }

        lines.append("## \(Self.markdown(name)) (`\(Self.markdownCode(experiment))`)")
        lines.append("")
        lines.append(
            "As of \(Self.format(asOf)) · alpha \(MetricFormat.compact(alpha)) · correction "
                + "\(correction.rawValue) · minimum units \(minimumUnits)")
        if let metric = primaryMetric, !metric.results.isEmpty {
            let format = MetricFormat(metric: metric)
            lines.append("")
            lines.append("**Primary metric `\(Self.markdownCode(metric.key))`:**")
            for result in metric.results {
                let lift = format.lift(result.comparison.absoluteLift)
                lines.append(
                    "- \(Self.markdown(result.arm)): **\(result.verdict.label)** \(lift) "
                        + "(p \(MetricFormat.pValue(result.adjustedPValue)) adjusted)")
            }
        }

        lines.append("")
        lines.append("### Arms")
        lines.append("")
        lines.append(
            "Sample ratio: \(Self.markdown(srmStatistics)), \(srm.isMismatch ? "**mismatch**" : "ok")."
        )
        lines.append("")
        lines += Self.markdownTable(
            ["arm", "units", "expected", "observed", "cost"], right: [1, 2, 3, 4],
            rows: arms.map { arm in
                [
                    Self.markdown(arm.key) + (arm.isControl ? " (control)" : ""), String(arm.units),
                    MetricFormat.share(arm.expectedShare), MetricFormat.share(arm.observedShare),
                    arm.cost.map { MetricFormat.money($0) } ?? "",
                ]
            })

        for metric in metrics {
            lines.append("")
            lines += markdownMetric(metric, level: "###")
        }

        for segment in segments {
            lines.append("")
            lines.append("### Segment \(Self.markdown(Self.segmentTitle(segment)))")
            let small = smallArms(segment)
            if !small.isEmpty {
                let names = small.map { "\(Self.markdown($0.key)) (\($0.units))" }.joined(
                    separator: ", ")
                lines.append("")
                lines.append(
                    "> [!WARNING]\n> Small sample: \(names) below \(minimumUnits) units; treat as exploratory."
                )
            }
            for metric in segment.metrics {
                lines.append("")
                lines += markdownMetric(metric, level: "####")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func markdownMetric(_ metric: MetricReadout, level: String) -> [String] {
        let format = MetricFormat(metric: metric)
        let interval = MetricFormat.intervalLabel(alpha: alpha)
        var rows: [[String]] = [
            [
                Self.markdown(controlArm ?? "control"), String(metric.controlUnits),
                format.value(metric.controlValue), "", "", "", "", "", "control", "",
            ]
        ]
        for result in metric.results {
            let comparison = result.comparison
            var verdict = result.verdict.label
            if result.verdict != .inconclusive { verdict = "**\(verdict)**" }
            rows.append([
                Self.markdown(result.arm), String(result.units),
                format.value(comparison.treatmentValue),
                format.liftWithInterval(comparison.absoluteLift, comparison.absoluteCI),
                MetricFormat.relativeWithInterval(comparison.relativeLift, comparison.relativeCI),
                MetricFormat.pValue(comparison.pValue), MetricFormat.pValue(result.adjustedPValue),
                comparison.test.rawValue, verdict,
                result.notes.map(Self.markdown).joined(separator: ", "),
            ])
        }

        var lines = ["\(level) `\(Self.markdownCode(metric.key))` · \(metric.details)", ""]
        lines += Self.markdownTable(
            [
                "arm", "units", "value", "lift (\(interval))", "relative (\(interval))", "p",
                "adj. p", "test", "verdict", "flags",
            ], right: [1, 2, 5, 6], rows: rows)

        if metric.hasNetValue {
            lines.append("")
            lines.append(
                "Net value per unit after offer cost, vs \(Self.markdown(controlArm ?? "control")):"
            )
            lines.append("")
            lines += Self.markdownTable(
                ["arm", "offer cost", "net value / unit", interval], right: [1, 2],
                rows: metric.results.filter { $0.netValue != nil }.map { result in
                    [
                        Self.markdown(result.arm),
                        MetricFormat.money(arms.first { $0.key == result.arm }?.cost),
                        MetricFormat.signedMoney(result.netValue),
                        MetricFormat.moneyInterval(result.netValueCI),
                    ]
                })
        }
        return lines
    }

    /// A GFM table with the given right-aligned columns.
    static func markdownTable(_ titles: [String], right: Set<Int>, rows: [[String]]) -> [String] {
        let rule = titles.indices.map { right.contains($0) ? "---:" : "---" }
        return [
            "| " + titles.joined(separator: " | ") + " |",
            "| " + rule.joined(separator: " | ") + " |",
        ]
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }
    }

    /// User text made inert in Markdown: Markdown punctuation, table pipes and HTML
    /// are escaped so that an arm key or segment value cannot inject markup.
    static func markdown(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~", "!":
                escaped += "\\" + String(character)
            case "\n", "\r": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Text for inside a code span: backticks and pipes cannot close the span or the cell.
    static func markdownCode(_ text: String) -> String {
        text.replacing("`", with: "'").replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
