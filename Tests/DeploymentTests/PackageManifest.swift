import Foundation

/// What the deployment must cover, read from the package manifest itself, so that adding a
/// service executable without deploying it fails the deployment tests.
enum PackageManifest {
    /// The names of the manifest's `.executable(name:…)` products.
    static func executableProducts(in checkout: URL) throws -> Set<String> {
        let manifest = try String(contentsOf: checkout.appendingPathComponent("Package.swift"), encoding: .utf8)
        let product = /\.executable\(\s*name:\s*"([^"]+)"/
        return Set(manifest.matches(of: product).map { String($0.output.1) })
    }
}
