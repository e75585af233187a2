extension ActiveSegSchema {
    /// Datasets and cases, experiments and their rounds, jobs, models, scores, features and per-case
    /// Dice (ARCHITECTURE §5), with constraints that make illegal states unrepresentable.
    static let initialSchema = Migration(
        version: 1, name: "initial schema",
        sql: """
            -- Conventions. Ids are UUIDs chosen by the services, so a repeated message carries the
            -- same id and meets a key instead of inserting a duplicate. Enumerations are text with
            -- CHECK constraints (easier to extend than enum types). Large binaries live in the
            -- content-addressed artifact store and are referenced here by their sha256.

            CREATE DOMAIN artifact_sha256 AS text CHECK (VALUE ~ '^[0-9a-f]{64}$');

            -- A cohort imported from one source. Re-ingesting the same source finds this row.
            CREATE TABLE datasets (
                id              uuid PRIMARY KEY,
                name            text NOT NULL UNIQUE,
                source_kind     text NOT NULL CHECK (source_kind IN ('brats', 'nnunet', 'manifest', 'synthetic')),
                source_uri      text NOT NULL,
                -- share of patients held out as the fixed test split, and the seed that drew it
                test_fraction   double precision NOT NULL CHECK (test_fraction > 0 AND test_fraction < 1),
                split_seed      bigint NOT NULL,
                created_at      timestamptz NOT NULL DEFAULT now(),
                UNIQUE (source_kind, source_uri)
            );

            -- One imaging case: a patient's co-registered T1c and T2 and, when known, the tumor label.
            -- 'ingested' cases have their preprocessed image stored and a split; 'failed' cases keep
            -- only why. The split is drawn per patient, so all of a patient's cases share a side.
            CREATE TABLE cases (
                id              uuid PRIMARY KEY,
                dataset_id      uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
                source_name     text NOT NULL,      -- the case's name in its source
                patient_id      text NOT NULL,
                state           text NOT NULL CHECK (state IN ('ingested', 'failed')),
                failure_reason  text CHECK (failure_reason <> ''),
                split           text CHECK (split IN ('train', 'test')),
                image_sha256    artifact_sha256,    -- preprocessed 2-channel image (NIfTI)
                label_sha256    artifact_sha256,    -- tumor label (NIfTI); NULL until delivered (human mode)
                ingested_at     timestamptz NOT NULL DEFAULT now(),
                UNIQUE (dataset_id, source_name),
                -- target of the foreign keys below that pin a case's dataset and split
                UNIQUE (id, dataset_id, split),
                CONSTRAINT cases_failed_has_reason CHECK ((state = 'failed') = (failure_reason IS NOT NULL)),
                CONSTRAINT cases_ingested_complete
                    CHECK (state <> 'ingested' OR (split IS NOT NULL AND image_sha256 IS NOT NULL)),
                CONSTRAINT cases_failed_has_no_data
                    CHECK (state <> 'failed' OR (split IS NULL AND image_sha256 IS NULL AND label_sha256 IS NULL)),
                -- every model is evaluated on the test split, so its labels must exist
                CONSTRAINT cases_test_labelled CHECK (split <> 'test' OR label_sha256 IS NOT NULL)
            );
            CREATE INDEX cases_by_dataset_split ON cases (dataset_id, split) WHERE state = 'ingested';

            -- One active-learning run: a strategy and restriction on a dataset, sized by n (initial
            -- annotated cases), K (uncertain candidates) and k (cases annotated per round).
            CREATE TABLE experiments (
                id                      uuid PRIMARY KEY,
                name                    text NOT NULL,
                dataset_id              uuid NOT NULL REFERENCES datasets (id),
                strategy                text NOT NULL CHECK (strategy IN
                                            ('random', 'dropout-train-test', 'dropout-test', 'bootstrap', 'margins')),
                restriction             text NOT NULL CHECK (restriction IN ('none', 'representative', 'non-similar')),
                initial_count           integer NOT NULL CHECK (initial_count > 0),     -- n (paper: 40)
                candidate_count         integer NOT NULL CHECK (candidate_count > 0),   -- K (paper: 100)
                query_count             integer NOT NULL CHECK (query_count > 0),       -- k (paper: 50)
                max_rounds              integer NOT NULL CHECK (max_rounds > 0),
                stop_at_equivalence     boolean NOT NULL DEFAULT false,
                dropout_passes          integer CHECK (dropout_passes > 1),     -- T, dropout strategies only
                bootstrap_members       integer CHECK (bootstrap_members > 1),  -- bootstrap only (paper code: 4)
                seed                    bigint NOT NULL,
                repetition              integer NOT NULL DEFAULT 0 CHECK (repetition >= 0),
                profile                 text NOT NULL CHECK (profile IN ('paper', 'cpu', 'tiny')),
                annotation_mode         text NOT NULL CHECK (annotation_mode IN ('oracle', 'human')),
                status                  text NOT NULL DEFAULT 'created'
                                            CHECK (status IN ('created', 'running', 'finished', 'failed', 'cancelled')),
                failure_reason          text CHECK (failure_reason <> ''),
                first_equivalent_round  integer CHECK (first_equivalent_round >= 0),
                created_at              timestamptz NOT NULL DEFAULT now(),
                finished_at             timestamptz,
                UNIQUE (id, dataset_id),
                CONSTRAINT experiments_picks_within_candidates CHECK (query_count <= candidate_count),
                -- random query ranks nothing, so there is no top-K to restrict
                CONSTRAINT experiments_restriction_needs_ranking CHECK (strategy <> 'random' OR restriction = 'none'),
                CONSTRAINT experiments_dropout_passes
                    CHECK ((strategy IN ('dropout-train-test', 'dropout-test')) = (dropout_passes IS NOT NULL)),
                CONSTRAINT experiments_bootstrap_members CHECK ((strategy = 'bootstrap') = (bootstrap_members IS NOT NULL)),
                CONSTRAINT experiments_failed_has_reason CHECK ((status = 'failed') = (failure_reason IS NOT NULL)),
                CONSTRAINT experiments_ended_at
                    CHECK ((status IN ('finished', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
                CONSTRAINT experiments_equivalence_within_rounds CHECK (first_equivalent_round <= max_rounds)
            );

            -- Round r of an experiment. Round 0 picks the random initial set; a later round first
            -- scores the pool with the previous round's models. The phase advances
            -- scoring -> selecting -> annotating -> training -> evaluating -> finished, one
            -- transaction per change, so a restarted orchestrator resumes from the stored phase.
            CREATE TABLE rounds (
                experiment_id       uuid NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
                round_index         integer NOT NULL CHECK (round_index >= 0),
                -- round r > 0 exists only after round r - 1 (NULL for round 0, which FKs ignore)
                previous_index      integer GENERATED ALWAYS AS (nullif(round_index, 0) - 1) STORED,
                phase               text NOT NULL CHECK (phase IN
                                        ('scoring', 'selecting', 'annotating', 'training', 'evaluating', 'finished')),
                started_at          timestamptz NOT NULL DEFAULT now(),
                phase_changed_at    timestamptz NOT NULL DEFAULT now(),
                finished_at         timestamptz,
                -- results, known once the round is finished
                annotated_count     integer CHECK (annotated_count > 0),
                mean_dice           double precision CHECK (mean_dice >= 0 AND mean_dice <= 1),
                tost_p              double precision CHECK (tost_p >= 0 AND tost_p <= 1),
                equivalent          boolean,
                PRIMARY KEY (experiment_id, round_index),
                FOREIGN KEY (experiment_id, previous_index) REFERENCES rounds (experiment_id, round_index),
                CONSTRAINT rounds_first_is_not_scored CHECK (round_index > 0 OR phase <> 'scoring'),
                CONSTRAINT rounds_finished_at CHECK ((phase = 'finished') = (finished_at IS NOT NULL)),
                CONSTRAINT rounds_time_order
                    CHECK (phase_changed_at >= started_at AND (finished_at IS NULL OR finished_at >= started_at)),
                CONSTRAINT rounds_results_when_finished
                    CHECK (phase = 'finished' OR (annotated_count IS NULL AND mean_dice IS NULL
                                                  AND tost_p IS NULL AND equivalent IS NULL))
            );

            -- A training case's place in one experiment: selected in a round, and annotated from a
            -- round on (the same round with oracle annotation; the round that received the label in
            -- human mode). A case without a row is still in that experiment's unannotated pool. It is
            -- kept apart from cases because one dataset serves many experiments; test cases cannot
            -- appear here (the split column is fixed to 'train' and pinned by the foreign key).
            CREATE TABLE experiment_cases (
                experiment_id       uuid NOT NULL,
                case_id             uuid NOT NULL,
                dataset_id          uuid NOT NULL,
                split               text NOT NULL GENERATED ALWAYS AS ('train') STORED,
                selected_round      integer NOT NULL,
                selection_rank      integer NOT NULL CHECK (selection_rank >= 0),   -- order picked in the round
                annotated_round     integer,
                PRIMARY KEY (experiment_id, case_id),
                UNIQUE (experiment_id, selected_round, selection_rank),
                FOREIGN KEY (experiment_id, dataset_id) REFERENCES experiments (id, dataset_id) ON DELETE CASCADE,
                FOREIGN KEY (case_id, dataset_id, split) REFERENCES cases (id, dataset_id, split),
                FOREIGN KEY (experiment_id, selected_round)
                    REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                FOREIGN KEY (experiment_id, annotated_round)
                    REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                CONSTRAINT experiment_cases_annotated_after_selection CHECK (annotated_round >= selected_round)
            );

            -- Work sent to the trainer and scorer work queues. `key` makes a request idempotent (it is
            -- also the message's Nats-Msg-Id); `payload` is the serialized protobuf job, kept so a
            -- restarted orchestrator can publish it again.
            CREATE TABLE jobs (
                id              uuid PRIMARY KEY,
                key             text NOT NULL UNIQUE,
                kind            text NOT NULL CHECK (kind IN ('train', 'score')),
                experiment_id   uuid,
                round_index     integer,
                payload         bytea NOT NULL,
                state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
                attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                last_error      text,
                created_at      timestamptz NOT NULL DEFAULT now(),
                updated_at      timestamptz NOT NULL DEFAULT now(),
                finished_at     timestamptz,
                FOREIGN KEY (experiment_id, round_index) REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                CONSTRAINT jobs_round_complete CHECK ((experiment_id IS NULL) = (round_index IS NULL)),
                -- only the full-data reference model is trained outside an experiment
                CONSTRAINT jobs_score_in_experiment CHECK (kind = 'train' OR experiment_id IS NOT NULL),
                CONSTRAINT jobs_started_were_attempted CHECK (state = 'queued' OR attempts > 0),
                CONSTRAINT jobs_failed_has_error CHECK (state <> 'failed' OR last_error IS NOT NULL),
                CONSTRAINT jobs_ended_at CHECK ((state IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
            );
            CREATE INDEX jobs_open ON jobs (kind, state) WHERE state IN ('queued', 'running');

            -- A trained network: a round's model (bootstrap_member NULL) or one of its bootstrap
            -- members, or the full-data reference model of a dataset and profile (no experiment),
            -- against which every round is tested for equivalence.
            CREATE TABLE models (
                id                      uuid PRIMARY KEY,
                dataset_id              uuid NOT NULL REFERENCES datasets (id),
                experiment_id           uuid,
                round_index             integer,
                bootstrap_member        integer CHECK (bootstrap_member >= 0),
                is_full_data_reference  boolean NOT NULL DEFAULT false,
                profile                 text NOT NULL CHECK (profile IN ('paper', 'cpu', 'tiny')),
                checkpoint_sha256       artifact_sha256 NOT NULL,   -- safetensors with the network config
                training_case_count     integer NOT NULL CHECK (training_case_count > 0),
                epochs                  integer NOT NULL CHECK (epochs > 0),
                best_validation_dice    double precision CHECK (best_validation_dice >= 0 AND best_validation_dice <= 1),
                job_id                  uuid REFERENCES jobs (id) ON DELETE SET NULL,
                created_at              timestamptz NOT NULL DEFAULT now(),
                UNIQUE (id, dataset_id),
                FOREIGN KEY (experiment_id, dataset_id) REFERENCES experiments (id, dataset_id) ON DELETE CASCADE,
                FOREIGN KEY (experiment_id, round_index) REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                CONSTRAINT models_reference_has_no_experiment CHECK (is_full_data_reference = (experiment_id IS NULL)),
                CONSTRAINT models_round_complete CHECK ((experiment_id IS NULL) = (round_index IS NULL)),
                CONSTRAINT models_reference_is_single CHECK (NOT is_full_data_reference OR bootstrap_member IS NULL)
            );
            CREATE UNIQUE INDEX models_one_per_round_member
                ON models (experiment_id, round_index, coalesce(bootstrap_member, -1)) WHERE NOT is_full_data_reference;
            CREATE UNIQUE INDEX models_one_reference ON models (dataset_id, profile) WHERE is_full_data_reference;

            -- The uncertainty score of a pool case in a round (rounds > 0, from the previous round's models).
            CREATE TABLE scores (
                experiment_id   uuid NOT NULL,
                round_index     integer NOT NULL CHECK (round_index > 0),
                case_id         uuid NOT NULL,
                dataset_id      uuid NOT NULL,
                split           text NOT NULL GENERATED ALWAYS AS ('train') STORED,
                method          text NOT NULL CHECK (method IN
                                    ('random', 'dropout-train-test', 'dropout-test', 'bootstrap', 'margins')),
                -- finite: in PostgreSQL NaN sorts above Infinity, so this excludes it too
                value           double precision NOT NULL CHECK (value > '-Infinity' AND value < 'Infinity'),
                scored_at       timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (experiment_id, round_index, case_id),
                FOREIGN KEY (experiment_id, round_index) REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                FOREIGN KEY (experiment_id, dataset_id) REFERENCES experiments (id, dataset_id) ON DELETE CASCADE,
                FOREIGN KEY (case_id, dataset_id, split) REFERENCES cases (id, dataset_id, split)
            );

            -- Bottleneck features of a training case in a round (encoder output averaged over x, y, z:
            -- one value per channel), compared by cosine similarity in redundancy restriction.
            CREATE TABLE features (
                experiment_id   uuid NOT NULL,
                round_index     integer NOT NULL CHECK (round_index > 0),
                case_id         uuid NOT NULL,
                dataset_id      uuid NOT NULL,
                split           text NOT NULL GENERATED ALWAYS AS ('train') STORED,
                vector          real[] NOT NULL,
                computed_at     timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (experiment_id, round_index, case_id),
                FOREIGN KEY (experiment_id, round_index) REFERENCES rounds (experiment_id, round_index) ON DELETE CASCADE,
                FOREIGN KEY (experiment_id, dataset_id) REFERENCES experiments (id, dataset_id) ON DELETE CASCADE,
                FOREIGN KEY (case_id, dataset_id, split) REFERENCES cases (id, dataset_id, split),
                -- a non-empty vector of numbers: one dimension, no NULL or NaN element
                CONSTRAINT features_vector_shape CHECK (
                    array_ndims(vector) = 1 AND cardinality(vector) > 0
                    AND array_position(vector, NULL) IS NULL AND NOT ('NaN'::real = ANY (vector)))
            );

            -- Per-case Dice (threshold 0.5) of a model on its dataset's test split.
            CREATE TABLE evaluations (
                model_id        uuid NOT NULL,
                case_id         uuid NOT NULL,
                dataset_id      uuid NOT NULL,
                split           text NOT NULL GENERATED ALWAYS AS ('test') STORED,
                dice            double precision NOT NULL CHECK (dice >= 0 AND dice <= 1),
                evaluated_at    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (model_id, case_id),
                FOREIGN KEY (model_id, dataset_id) REFERENCES models (id, dataset_id) ON DELETE CASCADE,
                FOREIGN KEY (case_id, dataset_id, split) REFERENCES cases (id, dataset_id, split)
            );
            """)
}
