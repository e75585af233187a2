/// The release of the ActiveSeg services, reported by every `Ping` so that workers left on an old
/// build stand out in a mixed deployment.
public enum ProductVersion {
    public static let current = "0.1.0"
}
