import Foundation

/// The central schema: postings and entries from every origin (box), keyed by
/// (origin, seq), the station journal keyed by (origin, id), plus what each origin last reported about its own ledger
/// (for lag) and the per-site balance view. Versioned in
/// `scanledger_schema`; `scanledger central init` applies the migrations,
/// the forwarder only checks the version (it never alters a shared schema).
enum CentralSchema {
    /// Migrations by version; index 0 brings an empty database to version 1.
    /// Append only: never edit a released one.
    static let migrations: [String] = [
        """
        CREATE TABLE origins(
          origin text PRIMARY KEY,
          site text NOT NULL DEFAULT 'default',
          -- What the box last said about its own ledger (for lag).
          local_head_seq bigint NOT NULL DEFAULT 0,
          local_head_commit_us bigint NOT NULL DEFAULT 0,
          reported_at timestamptz NOT NULL DEFAULT now()
        );
        -- No foreign keys on postings/entries: the one ingest statement writes a
        -- posting, its entries and its origin row together, and per-row
        -- referential checks cost more than the insert itself at 5,000 rows a batch.
        CREATE TABLE postings(
          origin text NOT NULL,
          seq bigint NOT NULL CHECK (seq > 0),
          key text NOT NULL,
          kind text NOT NULL,
          ref text,
          station text,
          device text,
          sscc text,
          event_time text,
          reverses bigint,
          commit_us bigint NOT NULL,
          -- The box's canonical request, compared on re-send (a conflict is reported, never overwritten).
          payload jsonb NOT NULL,
          -- Arrival order at the central database: shows order per origin is kept.
          ingest_id bigint GENERATED ALWAYS AS IDENTITY,
          ingested_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (origin, seq),
          UNIQUE (origin, key)
        );
        CREATE TABLE entries(
          origin text NOT NULL,
          seq bigint NOT NULL,
          line int NOT NULL,
          location text NOT NULL,
          item text NOT NULL,
          lot text,
          serial text,
          epc text,
          qty bigint NOT NULL,
          PRIMARY KEY (origin, seq, line)
        );
        -- On-hand per site (all boxes of the site together) at physical locations.
        CREATE VIEW site_balances AS
          SELECT o.site, e.location, e.item, e.lot, e.serial, sum(e.qty)::bigint AS qty
          FROM entries e JOIN origins o USING (origin)
          WHERE e.location NOT LIKE '@%'
          GROUP BY o.site, e.location, e.item, e.lot, e.serial
          HAVING sum(e.qty) <> 0;
        -- The same per box, to compare with each box's own `scanledger stock`.
        CREATE VIEW origin_balances AS
          SELECT e.origin, e.location, e.item, e.lot, e.serial, sum(e.qty)::bigint AS qty
          FROM entries e
          WHERE e.location NOT LIKE '@%'
          GROUP BY e.origin, e.location, e.item, e.lot, e.serial
          HAVING sum(e.qty) <> 0;
        -- Lag per origin: postings and seconds the central copy is behind the box.
        CREATE VIEW origin_lag AS
          SELECT o.origin, o.site, o.local_head_seq,
                 coalesce(p.max_seq, 0) AS central_seq,
                 greatest(o.local_head_seq - coalesce(p.max_seq, 0), 0) AS postings_behind,
                 CASE WHEN o.local_head_seq <= coalesce(p.max_seq, 0) THEN 0
                      ELSE greatest(o.local_head_commit_us - coalesce(p.max_commit_us, 0), 0) / 1e6 END AS seconds_behind,
                 o.reported_at
          FROM origins o
          LEFT JOIN (SELECT origin, max(seq) AS max_seq, max(commit_us) AS max_commit_us FROM postings GROUP BY origin) p USING (origin);
        """,
        // 2, for ingest speed (each change measured, see docs/forwarding.md):
        // - a posting's entries are arrays in its row, one per column
        //   (entry_location[i], entry_item[i], …, now with the expiry), and
        //   `entries` is a view that unnests them: one heap row and one index
        //   entry per posting instead of three and three. A reversal's
        //   entries are its original's, negated, by the view (the original is
        //   the same origin's earlier posting; the ledger refuses reversing a
        //   reversal).
        // - no payload column: the box extracts every field of its canonical
        //   JSON into the columns (so the server parses nothing), and the
        //   columns are the content a re-send is compared with. Half the row
        //   and its WAL were the payload.
        // - no unique index on (origin, key): keys arrive in random order, so
        //   every insert touched a random page of a large index. The box's
        //   own ledger already keeps keys unique; centrally, (origin, seq)
        //   plus the content comparison on re-send detects a second box
        //   using the same origin (it collides on sequences long before it
        //   could re-use a key). The (origin, seq) index is append-only.
        """
        DROP VIEW site_balances, origin_balances;
        ALTER TABLE postings DROP CONSTRAINT postings_origin_key_key,
          ADD COLUMN entry_location text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_item text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_lot text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_serial text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_epc text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_expiry text[] NOT NULL DEFAULT '{}',
          ADD COLUMN entry_qty bigint[] NOT NULL DEFAULT '{}';
        UPDATE postings p SET entry_location = e.location, entry_item = e.item, entry_lot = e.lot,
                              entry_serial = e.serial, entry_epc = e.epc, entry_qty = e.qty,
                              entry_expiry = ARRAY(SELECT v->>'expiry' FROM jsonb_array_elements(p.payload->'entries')
                                                     WITH ORDINALITY AS x(v, i) ORDER BY i)
          FROM (SELECT origin, seq, array_agg(location ORDER BY line) AS location, array_agg(item ORDER BY line) AS item,
                       array_agg(lot ORDER BY line) AS lot, array_agg(serial ORDER BY line) AS serial,
                       array_agg(epc ORDER BY line) AS epc, array_agg(qty ORDER BY line) AS qty
                FROM entries GROUP BY origin, seq) e
          WHERE p.origin = e.origin AND p.seq = e.seq AND p.kind <> 'reversal';
        ALTER TABLE postings DROP COLUMN payload,
          ALTER COLUMN entry_location DROP DEFAULT, ALTER COLUMN entry_item DROP DEFAULT,
          ALTER COLUMN entry_lot DROP DEFAULT, ALTER COLUMN entry_serial DROP DEFAULT, ALTER COLUMN entry_epc DROP DEFAULT,
          ALTER COLUMN entry_expiry DROP DEFAULT, ALTER COLUMN entry_qty DROP DEFAULT;
        DROP TABLE entries;
        CREATE VIEW entries AS
          SELECT p.origin, p.seq, (e.ord - 1)::int AS line, e.location, e.item, e.lot, e.serial, e.epc, e.qty, e.expiry
          FROM postings p,
               unnest(p.entry_location, p.entry_item, p.entry_lot, p.entry_serial, p.entry_epc, p.entry_qty, p.entry_expiry)
                 WITH ORDINALITY AS e(location, item, lot, serial, epc, qty, expiry, ord)
          WHERE p.kind <> 'reversal'
          UNION ALL
          SELECT r.origin, r.seq, (e.ord - 1)::int, e.location, e.item, e.lot, e.serial, e.epc, -e.qty, e.expiry
          FROM postings r
          JOIN postings o ON o.origin = r.origin AND o.seq = r.reverses,
               unnest(o.entry_location, o.entry_item, o.entry_lot, o.entry_serial, o.entry_epc, o.entry_qty, o.entry_expiry)
                 WITH ORDINALITY AS e(location, item, lot, serial, epc, qty, expiry, ord)
          WHERE r.kind = 'reversal';
        CREATE VIEW site_balances AS
          SELECT o.site, e.location, e.item, e.lot, e.serial, sum(e.qty)::bigint AS qty
          FROM entries e JOIN origins o USING (origin)
          WHERE e.location NOT LIKE '@%'
          GROUP BY o.site, e.location, e.item, e.lot, e.serial
          HAVING sum(e.qty) <> 0;
        CREATE VIEW origin_balances AS
          SELECT e.origin, e.location, e.item, e.lot, e.serial, sum(e.qty)::bigint AS qty
          FROM entries e
          WHERE e.location NOT LIKE '@%'
          GROUP BY e.origin, e.location, e.item, e.lot, e.serial
          HAVING sum(e.qty) <> 0;
        """,
        // 3: who posted and why (the box's payload carries `operator` and
        // `reason` only when set; rows from before have NULL, which is also
        // what a re-send of their payloads extracts, so they still compare
        // equal), and the station journal of every box.
        // - keyed by (origin, id): the box's journal id is append-only and
        //   never re-used (AUTOINCREMENT), like a posting's seq.
        // - a foreign key to the posting an entry committed with: journal
        //   rows are a few per posting at most, so the check is cheap, and it
        //   holds the forwarder to its order (postings first) instead of
        //   leaving a dangling reference if that order were ever broken.
        // - time as timestamptz (the box's microsecond UTC text) and detail
        //   as jsonb, for the supervisor's queries by time, station and
        //   detail; both compare exactly on a re-send.
        """
        ALTER TABLE postings ADD COLUMN operator text, ADD COLUMN reason text;
        CREATE TABLE station_journal(
          origin text NOT NULL,
          id bigint NOT NULL CHECK (id > 0),
          seq bigint,
          time timestamptz NOT NULL,
          station text NOT NULL,
          device text,
          operator text,
          code text NOT NULL,
          severity text NOT NULL,
          document text,
          reason text,
          message text NOT NULL,
          detail jsonb NOT NULL,
          ingested_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (origin, id),
          FOREIGN KEY (origin, seq) REFERENCES postings(origin, seq)
        );
        CREATE INDEX station_journal_time ON station_journal(time);
        CREATE INDEX station_journal_station_time ON station_journal(station, time);
        """,
        // 4: the KPIs of docs/kpis.md as views (CentralKPIViews.swift); no table changes.
        CentralKPIViews.migration,
    ]

    static var currentVersion: Int { migrations.count }

    /// The database's schema version: 0 when not initialised.
    static func version(_ db: PGConnection) throws(CentralError) -> Int {
        let exists = try db.query("SELECT to_regclass('scanledger_schema') IS NOT NULL")
        guard exists.text(0, 0) == "t" else { return 0 }
        return Int(try db.query("SELECT version FROM scanledger_schema WHERE id = 1").int(0, 0) ?? 0)
    }

    /// Fails unless the schema is exactly the one this build writes.
    static func check(_ db: PGConnection) throws(CentralError) {
        let v = try version(db)
        if v == 0 {
            throw CentralError(.schema, "the central database has no scanledger schema; run `scanledger central init` against it")
        }
        if v > currentVersion {
            throw CentralError(.schema, "the central schema version \(v) is newer than this scanledger supports (\(currentVersion)); upgrade scanledger on this box")
        }
        if v < currentVersion {
            throw CentralError(.schema, "the central schema version \(v) is older than this scanledger writes (\(currentVersion)); run `scanledger central init` to migrate it")
        }
    }

    /// Creates or migrates the schema; returns (from, to). Runs in one
    /// transaction holding an advisory lock, so two boxes initialising at
    /// once do not both migrate. `target` below the current version is for
    /// tests of the migrations.
    @discardableResult
    static func migrate(_ db: PGConnection, to target: Int = currentVersion) throws(CentralError) -> (from: Int, to: Int) {
        try db.run("BEGIN")
        do throws(CentralError) {
            try db.run("SELECT pg_advisory_xact_lock(7305286415)")
            try db.run("CREATE TABLE IF NOT EXISTS scanledger_schema(id int PRIMARY KEY CHECK (id = 1), version int NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())")
            try db.run("INSERT INTO scanledger_schema(id, version) VALUES (1, 0) ON CONFLICT DO NOTHING")
            let from = Int(try db.query("SELECT version FROM scanledger_schema WHERE id = 1").int(0, 0) ?? 0)
            if from > currentVersion {
                throw CentralError(.schema, "the central schema version \(from) is newer than this scanledger supports (\(currentVersion)); upgrade scanledger")
            }
            let to = max(from, min(target, currentVersion))
            for v in from..<to {
                try db.run(migrations[v])
                try db.run("UPDATE scanledger_schema SET version = \(v + 1), migrated_at = now() WHERE id = 1")
            }
            try db.run("COMMIT")
            return (from, to)
        } catch {
            _ = db.exec("ROLLBACK")
            throw error
        }
    }
}
