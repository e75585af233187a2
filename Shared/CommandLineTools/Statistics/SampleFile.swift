import Foundation

/// A sample read from a text file with one number per line (blank lines skipped), as spreadsheet
/// columns and `cut -d, -f3` produce them.
enum SampleFile {
    static func read(_ url: URL, option: String) throws -> [Double] {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CommandLineError(
                .dataError, subject: option, detail: "file not found: \(url.path)",
                hint: "check the path; relative paths start from the current folder")
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw CommandLineError(.dataError, subject: option, detail: "cannot read \(url.path) as UTF-8 text")
        }
        var values: [Double] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let field = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if field.isEmpty { continue }
            guard let value = Double(field), value.isFinite else {
                throw CommandLineError(
                    .dataError, subject: option,
                    detail: "\(url.path), line \(index + 1): '\(field)' is not a finite number",
                    hint: "the file holds one number per line")
            }
            values.append(value)
        }
        return values
    }
}
