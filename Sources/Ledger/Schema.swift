/// Schema migrations, applied at open and recorded in `PRAGMA user_version`.
/// Append new migrations; never edit a released one.
enum Schema {
    static let migrations: [String] = [
        // 1: master data, accounts, postings, entries, idempotency, outbox.
        """
        CREATE TABLE items(
          id INTEGER PRIMARY KEY,
          gtin TEXT UNIQUE CHECK(gtin IS NULL OR length(gtin) = 14),
          sku TEXT UNIQUE,
          description TEXT NOT NULL DEFAULT '',
          tracking TEXT NOT NULL CHECK(tracking IN ('none','lot','serial')),
          CHECK(gtin IS NOT NULL OR sku IS NOT NULL)
        ) STRICT;
        CREATE TABLE locations(
          id INTEGER PRIMARY KEY,
          code TEXT NOT NULL UNIQUE,
          gln TEXT CHECK(gln IS NULL OR length(gln) = 13),
          gcp_length INTEGER CHECK(gcp_length IS NULL OR gcp_length BETWEEN 6 AND 12),
          type TEXT NOT NULL CHECK(type IN ('dock','storage','pack','shipping','virtual')),
          allow_negative INTEGER NOT NULL DEFAULT 0 CHECK(allow_negative IN (0,1)),
          CHECK((type = 'virtual') = (substr(code,1,1) = '@'))
        ) STRICT;
        CREATE TABLE lots(
          id INTEGER PRIMARY KEY,
          item_id INTEGER NOT NULL REFERENCES items(id),
          lot TEXT NOT NULL,
          expiry TEXT,
          UNIQUE(item_id, lot)
        ) STRICT;
        CREATE TABLE serials(
          id INTEGER PRIMARY KEY,
          item_id INTEGER NOT NULL REFERENCES items(id),
          serial TEXT NOT NULL,
          epc TEXT UNIQUE,
          UNIQUE(item_id, serial)
        ) STRICT;
        CREATE TABLE accounts(
          id INTEGER PRIMARY KEY,
          location_id INTEGER NOT NULL REFERENCES locations(id),
          item_id INTEGER NOT NULL REFERENCES items(id),
          lot_id INTEGER REFERENCES lots(id),
          serial_id INTEGER REFERENCES serials(id),
          balance INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE UNIQUE INDEX accounts_key ON accounts(item_id, location_id, ifnull(lot_id, 0), ifnull(serial_id, 0));
        CREATE INDEX accounts_location ON accounts(location_id);
        CREATE INDEX accounts_serial ON accounts(serial_id) WHERE serial_id IS NOT NULL;
        CREATE TABLE postings(
          seq INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          kind TEXT NOT NULL CHECK(kind IN ('receipt','move','adjustment','pack','ship','reversal')),
          station TEXT,
          device TEXT,
          ref TEXT,
          sscc TEXT,
          event_time TEXT,
          commit_time INTEGER NOT NULL,
          reverses INTEGER UNIQUE REFERENCES postings(seq),
          CHECK((kind = 'reversal') = (reverses IS NOT NULL))
        ) STRICT;
        CREATE INDEX postings_ref ON postings(ref) WHERE ref IS NOT NULL;
        -- An entry is line `line` of posting `seq`; clustered by posting.
        CREATE TABLE entries(
          seq INTEGER NOT NULL REFERENCES postings(seq),
          line INTEGER NOT NULL CHECK(line >= 0),
          account_id INTEGER NOT NULL REFERENCES accounts(id),
          qty INTEGER NOT NULL CHECK(qty <> 0),
          PRIMARY KEY(seq, line)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX entries_account ON entries(account_id);
        CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
          BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal instead'); END;
        CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
          BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal instead'); END;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        -- A posted key's payload is its outbox row; only rejections keep their own.
        CREATE TABLE idempotency(
          key TEXT PRIMARY KEY,
          seq INTEGER REFERENCES postings(seq),
          payload TEXT,
          error TEXT,
          CHECK((seq IS NULL) <> (error IS NULL)),
          CHECK(seq IS NOT NULL OR payload IS NOT NULL)
        ) STRICT, WITHOUT ROWID;
        -- The canonical request of each posting, for the central forwarder.
        CREATE TABLE outbox(
          seq INTEGER PRIMARY KEY REFERENCES postings(seq),
          payload TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
          BEGIN SELECT RAISE(ABORT, 'outbox rows are immutable'); END;
        CREATE TABLE outbox_cursor(
          id INTEGER PRIMARY KEY CHECK(id = 1),
          forwarded_upto INTEGER NOT NULL
        ) STRICT;
        INSERT INTO outbox_cursor VALUES (1, 0);
        CREATE TABLE ledger_meta(
          id INTEGER PRIMARY KEY CHECK(id = 1),
          ledger_id TEXT NOT NULL
        ) STRICT;
        INSERT INTO ledger_meta VALUES (1, lower(hex(randomblob(16))));
        INSERT INTO locations(code, type, allow_negative) VALUES
          ('@supplier','virtual',1), ('@customer','virtual',1), ('@adjustment','virtual',1), ('@transit','virtual',1);
        """,
        // 2: generic documents, journals and counters (station sessions, expected data, count results).
        """
        CREATE TABLE documents(
          kind TEXT NOT NULL,
          key TEXT NOT NULL,
          body TEXT NOT NULL,
          UNIQUE(kind, key)
        ) STRICT;
        CREATE TABLE document_aliases(
          kind TEXT NOT NULL,
          alias TEXT NOT NULL,
          key TEXT NOT NULL,
          PRIMARY KEY(kind, alias)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX document_aliases_key ON document_aliases(kind, key);
        CREATE TABLE journal_entries(
          journal TEXT NOT NULL,
          position INTEGER NOT NULL CHECK(position > 0),
          body TEXT NOT NULL,
          PRIMARY KEY(journal, position)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE counters(
          name TEXT PRIMARY KEY,
          value INTEGER NOT NULL CHECK(value > 0)
        ) STRICT, WITHOUT ROWID;
        """,
        // 3: who and why on postings; the station journal (append-only, forwarded
        // like postings, by its own cursor).
        """
        ALTER TABLE postings ADD COLUMN operator TEXT;
        ALTER TABLE postings ADD COLUMN reason TEXT;
        -- AUTOINCREMENT: retention deletes old rows, and an id must never come
        -- back (the forwarder's cursor and the central copy key on it).
        CREATE TABLE station_journal(
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          seq INTEGER REFERENCES postings(seq),
          time TEXT NOT NULL,
          station TEXT NOT NULL,
          device TEXT,
          operator TEXT,
          code TEXT NOT NULL,
          severity TEXT NOT NULL CHECK(severity IN ('info','warning','error','done')),
          document TEXT,
          reason TEXT,
          message TEXT NOT NULL,
          detail TEXT NOT NULL CHECK(json_valid(detail) AND json_type(detail) = 'object')
        ) STRICT;
        CREATE INDEX station_journal_time ON station_journal(time);
        CREATE INDEX station_journal_document ON station_journal(document) WHERE document IS NOT NULL;
        CREATE TRIGGER station_journal_no_update BEFORE UPDATE ON station_journal
          BEGIN SELECT RAISE(ABORT, 'journal entries are immutable'); END;
        ALTER TABLE outbox_cursor ADD COLUMN journal_forwarded_upto INTEGER NOT NULL DEFAULT 0;
        """,
        // 4: held stock. SQLite cannot alter a CHECK, so `locations` (new types
        // quarantine, damaged) and `postings` (new kinds release, scrap) are
        // rebuilt the way SQLite documents it: create, copy with the same ids,
        // drop, rename, recreate indexes and triggers. `migrate` turns foreign
        // keys off around it and runs foreign_key_check before committing.
        // Columns keep their order, so `SELECT *` copies them.
        """
        CREATE TABLE locations_v4(
          id INTEGER PRIMARY KEY,
          code TEXT NOT NULL UNIQUE,
          gln TEXT CHECK(gln IS NULL OR length(gln) = 13),
          gcp_length INTEGER CHECK(gcp_length IS NULL OR gcp_length BETWEEN 6 AND 12),
          type TEXT NOT NULL CHECK(type IN ('dock','storage','pack','shipping','virtual','quarantine','damaged')),
          allow_negative INTEGER NOT NULL DEFAULT 0 CHECK(allow_negative IN (0,1)),
          CHECK((type = 'virtual') = (substr(code,1,1) = '@'))
        ) STRICT;
        INSERT INTO locations_v4 SELECT * FROM locations;
        DROP TABLE locations;
        ALTER TABLE locations_v4 RENAME TO locations;
        CREATE TABLE postings_v4(
          seq INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          kind TEXT NOT NULL CHECK(kind IN ('receipt','move','adjustment','pack','ship','reversal','release','scrap')),
          station TEXT,
          device TEXT,
          ref TEXT,
          sscc TEXT,
          event_time TEXT,
          commit_time INTEGER NOT NULL,
          reverses INTEGER UNIQUE REFERENCES postings(seq),
          operator TEXT,
          reason TEXT,
          CHECK((kind = 'reversal') = (reverses IS NOT NULL)),
          -- A release or scrap says why and who, always.
          CHECK(kind NOT IN ('release','scrap') OR (reason IS NOT NULL AND reason <> '' AND operator IS NOT NULL AND operator <> ''))
        ) STRICT;
        INSERT INTO postings_v4 SELECT * FROM postings;
        DROP TABLE postings;
        ALTER TABLE postings_v4 RENAME TO postings;
        CREATE INDEX postings_ref ON postings(ref) WHERE ref IS NOT NULL;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        INSERT INTO locations(code, type, allow_negative) VALUES ('@scrap','virtual',1);
        -- Lots on hold (a recall): the current holds only. Their history (who
        -- held and released, why, when) is the station journal's `lot-held`
        -- and `lot-released` entries, which are append-only.
        CREATE TABLE lot_holds(
          lot_id INTEGER PRIMARY KEY REFERENCES lots(id),
          reason TEXT NOT NULL CHECK(reason <> ''),
          operator TEXT,
          since INTEGER NOT NULL
        ) STRICT;
        """,
        // 5: customer returns. Only the postings CHECK changes (new kind
        // `return`); rebuilt exactly as migration 4 rebuilt it, with the same
        // columns in the same order, so `SELECT *` copies them.
        """
        CREATE TABLE postings_v5(
          seq INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          kind TEXT NOT NULL CHECK(kind IN ('receipt','move','adjustment','pack','ship','reversal','release','scrap','return')),
          station TEXT,
          device TEXT,
          ref TEXT,
          sscc TEXT,
          event_time TEXT,
          commit_time INTEGER NOT NULL,
          reverses INTEGER UNIQUE REFERENCES postings(seq),
          operator TEXT,
          reason TEXT,
          CHECK((kind = 'reversal') = (reverses IS NOT NULL)),
          -- A release or scrap says why and who, always.
          CHECK(kind NOT IN ('release','scrap') OR (reason IS NOT NULL AND reason <> '' AND operator IS NOT NULL AND operator <> ''))
        ) STRICT;
        INSERT INTO postings_v5 SELECT * FROM postings;
        DROP TABLE postings;
        ALTER TABLE postings_v5 RENAME TO postings;
        CREATE INDEX postings_ref ON postings(ref) WHERE ref IS NOT NULL;
        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
          BEGIN SELECT RAISE(ABORT, 'postings are immutable: post a reversal instead'); END;
        """,
        // 6: KPIs over a period (docs/kpis.md) find its postings by commit time.
        """
        CREATE INDEX postings_commit_time ON postings(commit_time);
        """,
    ]

    /// The names of the triggers `verify` expects to find.
    static let requiredTriggers = ["entries_no_update", "entries_no_delete", "postings_no_update", "postings_no_delete", "outbox_no_update",
                                   "station_journal_no_update"]

    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Brings the database to `currentVersion`, or refuses a newer one.
    static func migrate(_ db: Connection, path: String) throws {
        let found = try db.scalarInt("PRAGMA user_version") ?? 0
        if found > currentVersion {
            throw LedgerError.schemaTooNew(path: path, found: found, supported: currentVersion)
        }
        guard found < currentVersion else { return }
        // Rebuilding a table (migrations 4 and 5) drops a parent that children point
        // at; with foreign keys on that would cascade or fail. The pragma is a
        // no-op inside a transaction, so it is set around it, and the result
        // is checked with foreign_key_check before COMMIT.
        try db.exec("PRAGMA foreign_keys = OFF")
        defer { try? db.exec("PRAGMA foreign_keys = ON") }
        try db.exec("BEGIN IMMEDIATE")
        do {
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let now = try db.scalarInt("PRAGMA user_version") ?? 0
            if now > currentVersion { throw LedgerError.schemaTooNew(path: path, found: now, supported: currentVersion) }
            for version in Int(now)..<migrations.count {
                try db.exec(migrations[version])
            }
            if let broken = try db.scalarText("SELECT \"table\" || ' row ' || ifnull(rowid, '?') || ' -> ' || parent FROM pragma_foreign_key_check LIMIT 1") {
                throw LedgerError.sqlite("\(path): migration left a dangling foreign key (\(broken)); nothing was changed")
            }
            try db.exec("PRAGMA user_version = \(currentVersion)")
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
    }
}
