import Foundation
import Testing

extension ServiceProcesses {
    /// `activeseg synth` of 16 phantom cases, ingested for the `tiny` profile with six of them in
    /// the test split, as in the orchestrator's end-to-end suite: the full-data model finds some of
    /// the tumors, so its Dice has the spread the equivalence bounds need. Returns the ingest answer
    /// (`--json`).
    func ingestSyntheticCohort() async throws -> [String: Any] {
        let synth = await activeseg(
            [
                "synth", "--cases", "16", "--seed", "3", "--out", "cohort", "--anatomy", "phantom",
                "--spacing-scale", "4",
            ], in: folder.url, environment: environment)
        try #require(synth.status == .success, "\(synth.errors)")
        let ingest = await activeseg(
            ["ingest", "--brats", "cohort", "--profile", "tiny", "--test-share", "0.375", "--json"],
            in: folder.url, environment: environment)
        try #require(ingest.status == .success, "\(ingest.errors)")
        return try #require(try JSONSerialization.jsonObject(with: Data(ingest.output.utf8)) as? [String: Any])
    }
}
