import Foundation

/// nnU-Net v2 raw datasets: `dataset.json`, `imagesTr/<case>_<channel>.nii.gz`, `labelsTr/<case>.nii.gz`
/// and optionally `imagesTs/`. `channel_names` says which channel is T1c and which T2, and `labels`
/// gives the declared label values.
public enum NNUNetDataset {
    /// The cases of `imagesTr` (with labels) and, when `includeTest`, `imagesTs` (without).
    ///
    /// - Parameter foregroundValues: the label values that are the target; by default the labels whose
    ///   name says enhancing tumor ("enhancing…", "ET").
    public static func discover(
        root: URL, includeTest: Bool = true, foregroundValues: Set<UInt8>? = nil
    ) throws(VolumeError) -> [CaseDiscovery] {
        let dataset = try DatasetRoot(root)
        let description = try readDescription(dataset)
        let convention = try labelConvention(description, foregroundValues: foregroundValues, file: description.file)
        var discoveries: [CaseDiscovery] = []
        for (folder, labelled) in [("imagesTr", true), ("imagesTs", false)] where labelled || includeTest {
            let images = dataset.url.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: images.path) else {
                if labelled { throw VolumeError(.invalidDataset, file: images.path, detail: "no imagesTr folder") }
                continue
            }
            var cases: [String: [String: URL]] = [:]
            for file in try dataset.entries(of: images) where file.lastPathComponent.hasSuffix(description.fileEnding) {
                let stem = String(file.lastPathComponent.dropLast(description.fileEnding.count))
                guard let separator = stem.lastIndex(of: "_") else { continue }
                cases[String(stem[..<separator]), default: [:]][String(stem[stem.index(after: separator)...])] = file
            }
            for (id, channels) in cases.sorted(by: { $0.key < $1.key }) {
                do throws(VolumeError) {
                    guard let t1c = channels[description.t1cChannel], let t2 = channels[description.t2Channel] else {
                        throw VolumeError(
                            .missingFile, caseID: id, file: images.path,
                            detail:
                                "channels \(description.t1cChannel) (T1c) and \(description.t2Channel) (T2) are not both present"
                        )
                    }
                    var label: URL?
                    if labelled {
                        label = try dataset.checked(
                            dataset.url.appendingPathComponent("labelsTr/\(id)\(description.fileEnding)"), caseID: id)
                    }
                    discoveries.append(
                        .success(
                            CaseSource(
                                id: id, t1c: try dataset.checked(t1c, caseID: id),
                                t2: try dataset.checked(t2, caseID: id),
                                label: label, labelConvention: convention)))
                } catch {
                    discoveries.append(.failure(error))
                }
            }
        }
        return discoveries
    }

    struct Description {
        var file: String
        var t1cChannel: String
        var t2Channel: String
        var fileEnding: String
        var labels: [String: Int]
    }

    private struct DatasetJSON: Decodable {
        var channel_names: [String: String]
        var labels: [String: Int]
        var file_ending: String?
    }

    static func readDescription(_ dataset: DatasetRoot) throws(VolumeError) -> Description {
        let url = dataset.url.appendingPathComponent("dataset.json")
        let json: DatasetJSON
        do {
            json = try JSONDecoder().decode(DatasetJSON.self, from: Data(contentsOf: url))
        } catch {
            throw VolumeError(.invalidDataset, file: url.path, detail: "cannot read channel_names and labels: \(error)")
        }
        func channel(_ role: String, _ matches: (String) -> Bool) throws(VolumeError) -> String {
            let found = json.channel_names.filter { matches(normalised($0.value)) }.map(\.key)
            guard found.count == 1, let index = Int(found[0]) else {
                throw VolumeError(
                    .invalidDataset, file: url.path,
                    detail: "channel_names \(json.channel_names) name \(found.count) \(role) channels, expected one")
            }
            return String(format: "%04d", index)
        }
        let t1c = try channel("T1c") { name in
            name.hasPrefix("t1")
                && ["c", "ce", "gd", "post", "contrast", "wce"].contains(where: {
                    name == "t1" + $0 || name == "t1w" + $0
                })
        }
        let t2 = try channel("T2") { ["t2", "t2w"].contains($0) }
        return Description(
            file: url.path, t1cChannel: t1c, t2Channel: t2, fileEnding: json.file_ending ?? ".nii.gz",
            labels: json.labels)
    }

    private static func labelConvention(
        _ description: Description, foregroundValues: Set<UInt8>?, file: String
    ) throws(VolumeError) -> LabelConvention {
        guard description.labels.values.allSatisfy({ (0...255).contains($0) }) else {
            throw VolumeError(.invalidDataset, file: file, detail: "label values must be 0...255")
        }
        let declared = Set(description.labels.values.map { UInt8($0) })
        let named = Set(
            description.labels.filter { name, _ in
                let key = normalised(name)
                return key.hasPrefix("enhanc") || key == "et"
            }.values.map { UInt8($0) })
        let foreground = foregroundValues ?? named
        guard !foreground.isEmpty else {
            throw VolumeError(
                .invalidDataset, file: file,
                detail: "no label is named enhancing tumor in \(description.labels); give the foreground values")
        }
        return LabelConvention(declaredValues: declared, foregroundValues: foreground)
    }

    private static func normalised(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }
}
