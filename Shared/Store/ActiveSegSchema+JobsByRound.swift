extension ActiveSegSchema {
    /// Indexes the jobs by the round they belong to: every step of an experiment counts its round's
    /// jobs, and without the index each count read the whole table, which holds every round of
    /// every experiment (thousands of jobs a round for a pool of thousands).
    static let jobsByRound = Migration(
        version: 7, name: "jobs by round",
        sql: """
            -- Also serves the foreign key to rounds, whose cascading delete otherwise scans jobs.
            CREATE INDEX jobs_by_round ON jobs (experiment_id, round_index);
            """)
}
