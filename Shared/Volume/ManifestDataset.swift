import Foundation

/// A CSV manifest with the header `case_id,t1c,t2,label`: paths relative to the dataset root (or
/// absolute inside it); an empty label marks an unlabelled case. Fields may be double-quoted.
public enum ManifestDataset {
    public static func discover(manifest: URL, root: URL) throws(VolumeError) -> [CaseDiscovery] {
        let dataset = try DatasetRoot(root)
        let text: String
        do {
            text = try String(contentsOf: manifest, encoding: .utf8)
        } catch {
            throw VolumeError(
                .missingFile, file: manifest.path, detail: "cannot read the manifest: \(error.localizedDescription)")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        guard !lines.isEmpty, fields(lines.removeFirst()).map({ $0.lowercased() }) == ["case_id", "t1c", "t2", "label"]
        else {
            throw VolumeError(.invalidDataset, file: manifest.path, detail: "the header must be case_id,t1c,t2,label")
        }
        return lines.enumerated().map { number, line in
            let row = fields(line)
            let id = row.first ?? ""
            guard row.count == 4, !id.isEmpty, !row[1].isEmpty, !row[2].isEmpty else {
                return .failure(
                    VolumeError(
                        .invalidDataset, caseID: id.isEmpty ? nil : id, file: manifest.path,
                        detail: "line \(number + 2) needs case_id, t1c, t2 and an optional label"))
            }
            do throws(VolumeError) {
                return .success(
                    CaseSource(
                        id: id, t1c: try dataset.resolve(row[1], caseID: id),
                        t2: try dataset.resolve(row[2], caseID: id),
                        label: row[3].isEmpty ? nil : try dataset.resolve(row[3], caseID: id)))
            } catch {
                return .failure(error)
            }
        }
    }

    /// One CSV line split into trimmed fields, honouring double quotes ("" inside quotes is a quote).
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch (character, quoted) {
            case ("\"", true):
                var lookahead = characters
                if lookahead.next() == "\"" {
                    current.append("\"")
                    characters = lookahead
                } else {
                    quoted = false
                }
            case ("\"", false): quoted = true
            case (",", false):
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }
}
