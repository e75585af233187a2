import Foundation

/// BraTS challenge folders: one folder per case holding its modalities.
///
/// 2020/2021 name them `<case>_t1ce`, `<case>_t2`, `<case>_seg`; 2023 onwards `<case>-t1c`,
/// `<case>-t2w`, `<case>-seg`. The names also tell the label coding (enhancing tumor 4 or 3).
public enum BraTSDataset {
    struct Naming {
        var t1c: String
        var t2: String
        var label: String
        var convention: LabelConvention
    }

    static let namings = [
        Naming(t1c: "_t1ce", t2: "_t2", label: "_seg", convention: .brats2021),
        Naming(t1c: "-t1c", t2: "-t2w", label: "-seg", convention: .brats2023),
    ]

    /// Every case folder under `root`, in name order; a folder that lacks a modality or leaves the
    /// root is reported as a failed discovery and the others go on.
    public static func discover(root: URL) throws(VolumeError) -> [CaseDiscovery] {
        let dataset = try DatasetRoot(root)
        var discoveries: [CaseDiscovery] = []
        for folder in try dataset.entries(of: dataset.url) {
            let id = folder.lastPathComponent
            do {
                let checked = try dataset.checked(folder, caseID: id)
                guard (try? checked.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true else { continue }
                discoveries.append(.success(try source(id: id, folder: checked, dataset: dataset)))
            } catch {
                discoveries.append(.failure(error))
            }
        }
        return discoveries
    }

    private static func source(id: String, folder: URL, dataset: DatasetRoot) throws(VolumeError) -> CaseSource {
        let files = try dataset.entries(of: folder).compactMap { url in niftiStem(url).map { (stem: $0, url: url) } }
        for naming in namings {
            let t1c = files.filter { $0.stem.hasSuffix(naming.t1c) }
            guard !t1c.isEmpty else { continue }
            let t2 = files.filter { $0.stem.hasSuffix(naming.t2) }
            let label = files.filter { $0.stem.hasSuffix(naming.label) }
            for (role, matches) in [("T1c", t1c), ("T2", t2), ("label", label)] where matches.count > 1 {
                throw VolumeError(
                    .invalidDataset, caseID: id, file: folder.path,
                    detail: "\(matches.count) \(role) files: \(matches.map(\.url.lastPathComponent))")
            }
            guard let t2File = t2.first else {
                throw VolumeError(.missingFile, caseID: id, file: folder.path, detail: "no *\(naming.t2).nii(.gz) file")
            }
            return CaseSource(
                id: id, t1c: try dataset.checked(t1c[0].url, caseID: id),
                t2: try dataset.checked(t2File.url, caseID: id),
                label: try label.first.map { file throws(VolumeError) in try dataset.checked(file.url, caseID: id) },
                labelConvention: naming.convention)
        }
        throw VolumeError(.missingFile, caseID: id, file: folder.path, detail: "no *_t1ce or *-t1c NIfTI file")
    }
}
