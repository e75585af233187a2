/// Where a queued job stands (`jobs.state`).
public enum JobState: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed
}
