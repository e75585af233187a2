extension ActiveSegSchema {
    /// Keeps which worker took a job's latest attempt, so an operator who scales a worker service
    /// can see how its instances shared the queue, and which one held a job that stalled.
    static let jobWorker = Migration(
        version: 5, name: "job worker",
        sql: """
            -- The ACTIVESEG_INSTANCE of the worker that took the latest attempt; NULL until one
            -- did, and for jobs attempted before it was kept.
            ALTER TABLE jobs ADD COLUMN worker text;
            """)
}
