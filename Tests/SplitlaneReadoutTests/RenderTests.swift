import Foundation
import Testing

@testable import SplitlaneReadout

/// The position of `needle` in `text`, as a character offset; nil when absent.
private func offset(of needle: String, in text: String) -> Int? {
    guard let range = text.range(of: needle) else { return nil }
    return text.distance(from: text.startIndex, to: range.lowerBound)
}

/// Writes a sample to `$SPLITLANE_RENDER_SAMPLES/name` when that variable is set, so
/// that a person can look at the renderers' output.
private func keepSample(_ text: String, name: String) throws {
    guard let directory = ProcessInfo.processInfo.environment["SPLITLANE_RENDER_SAMPLES"] else {
        return
    }
    try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
}

struct TableRenderingTests {
    @Test func sampleRatioMismatchComesBeforeEverything() {
        let readout = ReadoutFixtures.recovery(mismatch: true)

        let text = readout.renderTable(color: false)

        #expect(readout.srm.isMismatch)
        let warning = offset(of: "SAMPLE RATIO MISMATCH", in: text)
        let firstMetric = offset(of: "winback_90d  proportion", in: text)
        #expect(warning != nil && firstMetric != nil)
        #expect((warning ?? .max) < (firstMetric ?? .min))
        #expect((warning ?? .max) < (offset(of: readout.name, in: text) ?? .min))
        #expect(text.contains("Do not act on these results"))
    }

    @Test func noWarningWithoutMismatch() {
        let text = ReadoutFixtures.recovery().renderTable(color: false)

        #expect(!text.contains("SAMPLE RATIO MISMATCH"))
        #expect(text.contains("· ok"))
    }

    @Test func noEscapesWithoutColor() {
        let readout = ReadoutFixtures.recovery(mismatch: true, segmented: true)

        let plain = readout.renderTable(color: false)
        let colored = readout.renderTable(color: true)

        #expect(!plain.contains("\u{1B}"))
        #expect(colored.contains("\u{1B}[1m\u{1B}[31m┏"))
        #expect(colored.contains("\u{1B}[32mcredit"))
    }

    @Test(arguments: [80, 100, 200])
    func everyLineOfATableBlockHasTheSameWidth(width: Int) {
        let text = ReadoutFixtures.recovery(mismatch: true, segmented: true)
            .renderTable(color: false, width: width)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        var blocks = 0
        for (index, line) in lines.enumerated() where index > 0 {
            let trimmed = line.drop { $0 == " " }
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0 == "─" || $0 == " " }) else { continue }
            let end = lines[index...].firstIndex { $0.isEmpty } ?? lines.endIndex
            let block = lines[(index - 1)..<end]
            // Characters, not bytes or scalars: the accented arm key differs in all three.
            let widths = Set(block.map(\.count))
            #expect(widths.count == 1, "block at line \(index): \(block.joined(separator: "\n"))")
            blocks += 1
        }
        #expect(blocks >= 1 + 6 + 4 * (1 + 6))
        #expect(text.contains(ReadoutFixtures.accentedArm))
    }

    @Test func flagsMoveBelowANarrowTable() {
        let readout = ReadoutFixtures.recovery()

        let wide = readout.renderTable(color: false, width: 250)
        let narrow = readout.renderTable(color: false, width: 100)

        #expect(wide.contains("flags"))
        #expect(
            !narrow.split(separator: "\n").contains { $0.hasPrefix("arm ") && $0.contains("flags") }
        )
        #expect(narrow.contains("  credit: "))
    }

    @Test func numbersReadAsTheirKind() {
        let text = ReadoutFixtures.recovery().renderTable(color: false)

        #expect(text.contains("12.0%"))  // the control's win-back rate
        #expect(text.contains("+4.8 pp"))  // credit's lift in percentage points
        #expect(text.contains("<0.001"))
        #expect(text.contains("pts"))  // NPS lifts in points
        #expect(text.contains("✔ winner"))
        #expect(text.contains("net value per unit after offer cost, vs apology_call"))
        #expect(text.contains("relative_lift_undefined"))
    }

    @Test func segmentsShowTheirSmallSamples() throws {
        let readout = ReadoutFixtures.recovery(segmented: true)

        let text = readout.renderTable(color: false)
        try keepSample(text, name: "recovery-table.txt")
        try keepSample(readout.renderTable(color: true), name: "recovery-table-color.txt")

        #expect(text.contains("Segments by vertical"))
        #expect(text.contains("vertical = pharmacy"))
        #expect(text.contains("vertical = (not set)"))
        #expect(text.contains("⚠ small sample: apology_call 48"))
        #expect(text.contains("small_sample"))
    }
}

struct MarkdownRenderingTests {
    @Test func sampleRatioMismatchComesFirst() {
        let text = ReadoutFixtures.recovery(mismatch: true).renderMarkdown()

        #expect(text.hasPrefix("> [!CAUTION]\n> **Sample ratio mismatch**"))
        #expect(
            (offset(of: "Sample ratio mismatch", in: text) ?? .max)
                < (offset(of: "### `winback_90d`", in: text) ?? .min))
    }

    @Test func tablesHaveOneCellPerColumn() throws {
        let readout = ReadoutFixtures.recovery(segmented: true)

        let text = readout.renderMarkdown()
        try keepSample(text, name: "recovery.md")

        var tables = 0
        var columns: Int?
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("| ") else {
                columns = nil
                continue
            }
            // Escaped pipes inside cells do not separate them.
            let cells = line.replacing("\\|", with: "").split(
                separator: "|", omittingEmptySubsequences: false
            ).count
            if columns == nil { tables += 1 }
            #expect(cells == (columns ?? cells), "\(line)")
            columns = cells
        }
        #expect(tables >= 1 + 6 + 4 * 6)
        #expect(!text.contains("<b>"))
        #expect(text.contains("&lt;b&gt;"))
    }
}

struct CSVRenderingTests {
    /// Splits RFC 4180 text into rows of fields.
    private func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        return rows
    }

    @Test func everyRowHasEveryColumn() throws {
        let readout = ReadoutFixtures.recovery(segmented: true)

        let text = readout.renderCSV()
        try keepSample(text, name: "recovery.csv")
        let rows = parse(text)

        #expect(rows.first == Readout.csvColumns)
        #expect(rows.allSatisfy { $0.count == Readout.csvColumns.count })
        #expect(rows.count == 1 + 6 * 3 * (1 + 4))
    }

    @Test func overallRowsLeaveTheSegmentEmptyAndNullsAreEmpty() throws {
        let rows = parse(ReadoutFixtures.recovery(segmented: true).renderCSV())
        let header = rows[0]
        let column = { (name: String) in try #require(header.firstIndex(of: name)) }

        let attribute = try column("segment_attribute")
        let value = try column("segment_value")
        let metric = try column("metric")
        let relative = try column("relative_lift")
        let lift = try column("absolute_lift")

        let overall = rows.dropFirst().filter { $0[attribute].isEmpty }
        #expect(overall.count == 6 * 3)
        #expect(overall.allSatisfy { $0[value].isEmpty })
        // complaint_7d has no complaints in the control: relative lift is null.
        let complaints = overall.filter { $0[metric] == "complaint_7d" }
        #expect(complaints.count == 3)
        #expect(complaints.allSatisfy { $0[relative].isEmpty && !$0[lift].isEmpty })
        #expect(!rows.joined().joined().contains("null"))
        #expect(!rows.joined().joined().contains("nan"))
    }

    @Test func quotedFieldsRoundTrip() throws {
        let rows = parse(ReadoutFixtures.recovery(segmented: true).renderCSV())
        let value = try #require(rows[0].firstIndex(of: "segment_value"))

        #expect(rows.contains { $0[value] == "<b>\"grocery\", fresh</b>" })
    }

    @Test func numbersKeepFullPrecision() throws {
        let readout = ReadoutFixtures.recovery()
        let rows = parse(readout.renderCSV())
        let index = try #require(rows[0].firstIndex(of: "p_value"))

        let expected = try #require(readout.metrics[0].results[0].comparison.pValue)
        #expect(Double(rows[1][index]) == expected)
    }
}

struct HTMLRenderingTests {
    @Test func escapesUserStrings() {
        let html = ReadoutFixtures.hostile().renderHTML()
        let segmented = ReadoutFixtures.recovery(segmented: true).renderHTML()

        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!segmented.contains("<b>"))
        #expect(segmented.contains("&lt;b&gt;&quot;grocery&quot;, fresh&lt;/b&gt;"))
    }

    @Test func oneForestPlotPerMetric() {
        let readout = ReadoutFixtures.recovery()

        let html = readout.renderHTML()

        #expect(html.components(separatedBy: "<svg").count - 1 == readout.metrics.count)
        #expect(html.components(separatedBy: "<circle").count - 1 == 6 * 3)
    }

    @Test func selfContained() throws {
        let page = Readout.renderHTML([
            ReadoutFixtures.channel(), ReadoutFixtures.recovery(mismatch: true),
        ])
        try keepSample(page, name: "report.html")
        try keepSample(
            ReadoutFixtures.recovery(segmented: true).renderHTML(), name: "recovery.html")

        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(!page.contains("http://"))
        #expect(!page.contains("https://"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("<link"))
        #expect(!page.contains("src="))
        #expect(!page.contains("url("))
        #expect(page.contains("href=\"#readout-2\""))
    }

    @Test func sampleRatioMismatchBannerPrecedesTheMetrics() {
        let html = ReadoutFixtures.recovery(mismatch: true).renderHTML()
        let balanced = ReadoutFixtures.recovery().renderHTML()

        let banner = offset(of: "class=\"srm\"", in: html)
        #expect(banner != nil)
        #expect((banner ?? .max) < (offset(of: "class=\"metric\"", in: html) ?? .min))
        #expect(!balanced.contains("class=\"srm\""))
    }

    @Test func plotsFallBackToAbsoluteLiftWithoutRelative() {
        let metric = ReadoutFixtures.recovery().metrics[5]
        let plot = ForestPlot(metric: metric, alpha: 0.05)

        #expect(metric.key == "complaint_7d")
        #expect(!plot.isRelative)
        #expect(plot.svg(title: "t").contains("absolute lift vs control, 95% CI"))
        #expect(ForestPlot(metric: ReadoutFixtures.recovery().metrics[0], alpha: 0.05).isRelative)
        // The control's NPS is negative: a ratio to it would point the wrong way.
        let nps = ReadoutFixtures.recovery().metrics[4]
        #expect((nps.controlValue ?? 0) < 0)
        #expect(!ForestPlot(metric: nps, alpha: 0.05).isRelative)
    }
}
