import Orchestration
import Store

extension JobTally {
    /// Tallies job records (those of one phase).
    init(_ jobs: some Sequence<JobRecord>) {
        self.init()
        for job in jobs {
            total += 1
            switch job.state {
            case .succeeded: succeeded += 1
            case .failed:
                failed += 1
                if firstFailure == nil { firstFailure = job.lastError ?? "job \(job.key) failed" }
            case .queued, .running: break
            }
        }
    }
}
