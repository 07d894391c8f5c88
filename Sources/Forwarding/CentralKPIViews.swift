// Central schema 4: the KPIs of docs/kpis.md as views over the postings and
// station journal of every box, so the central store answers with the same
// numbers as `scanledger kpi` on each box (and on all of them together).
//
// `kpi_facts` is one row per counted thing (a posting, a unit, a refusal, a
// receipt line's put-away time…) with origin, station, operator and time, so
// any grouping or period is a WHERE and a GROUP BY over it; `kpi_by_origin`
// turns the facts into the KPIs per origin and, in the row whose origin is
// NULL, over every origin. Ratios with nothing to divide by are NULL (n/a).

import Ledger

enum CentralKPIViews {
    /// Postings that count: neither a reversal nor reversed.
    static let livePostings = """
        CREATE VIEW kpi_live_postings AS
          SELECT p.* FROM postings p
          WHERE p.kind <> 'reversal' AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.origin = p.origin AND r.reverses = p.seq);
        """

    static let facts = """
        CREATE VIEW kpi_facts AS
          SELECT p.origin, p.station, p.operator, p.commit_us AS time_us, 'postings'::text AS measure, NULL::text AS document, 1::bigint AS value
          FROM kpi_live_postings p
          UNION ALL
          SELECT p.origin, p.station, p.operator, p.commit_us, m.measure, NULL, m.value
          FROM kpi_live_postings p, unnest(p.entry_location, p.entry_qty) AS e(location, qty)
          CROSS JOIN LATERAL (VALUES
            ('units', CASE WHEN e.qty > 0 THEN e.qty END),
            ('units_' || p.kind, CASE WHEN e.qty > 0 THEN e.qty END),
            ('picked_lines', CASE WHEN e.qty > 0 AND p.kind IN ('move', 'pack') THEN 1 END),
            ('count_loss', CASE WHEN p.kind = 'adjustment' AND e.location = '@adjustment' AND e.qty > 0 THEN e.qty END),
            ('count_gain', CASE WHEN p.kind = 'adjustment' AND e.location = '@adjustment' AND e.qty < 0 THEN -e.qty END)) AS m(measure, value)
          WHERE m.value IS NOT NULL
          UNION ALL
          -- An order's first pack posting, and whether it went out complete.
          SELECT p.origin, p.station, p.operator, p.commit_us, m.measure, p.ref, m.value
          FROM kpi_live_postings p
          CROSS JOIN LATERAL (VALUES ('orders_packed', 1),
            ('orders_complete_first_time', CASE WHEN NOT EXISTS (SELECT 1 FROM station_journal j
                                                 WHERE j.origin = p.origin AND j.seq = p.seq AND j.code = 'short-pack') THEN 1 END)) AS m(measure, value)
          WHERE p.kind = 'pack' AND p.ref IS NOT NULL AND m.value IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM kpi_live_postings f WHERE f.origin = p.origin AND f.ref = p.ref AND f.kind = 'pack' AND f.seq < p.seq)
          UNION ALL
          SELECT p.origin, p.station, p.operator, p.commit_us, 'order_considered', p.ref, 1
          FROM kpi_live_postings p WHERE p.kind = 'pack' AND p.ref IS NOT NULL
          UNION ALL
          SELECT j.origin, j.station, j.operator, (extract(epoch FROM j.time) * 1000000)::bigint, m.measure, j.document, 1
          FROM station_journal j CROSS JOIN LATERAL (VALUES ('order_considered'), ('backordered')) AS m(measure)
          WHERE j.code = 'backordered' AND j.document IS NOT NULL
          UNION ALL
          SELECT j.origin, j.station, j.operator, (extract(epoch FROM j.time) * 1000000)::bigint, m.measure, NULL, m.value
          FROM station_journal j
          CROSS JOIN LATERAL (VALUES
            ('pack_errors', CASE WHEN j.severity = 'error' AND j.code IN ('wrong-item-for-order', 'over-pack', 'wrong-serial') THEN 1 END),
            ('pick_errors', CASE WHEN j.severity = 'error' AND j.code IN (\(KPICodes.pickErrors.map { "'\($0)'" }.joined(separator: ", "))) THEN 1 END),
            ('short_packs', CASE WHEN j.code = 'short-pack' THEN 1 END),
            ('units_short_packed', CASE WHEN j.code = 'short-pack' THEN (j.detail->>'missing')::bigint END),
            ('counts_posted', CASE WHEN j.code = 'count-posted' THEN 1 END),
            ('counts_exact', CASE WHEN j.code = 'count-posted' AND (j.detail->>'missing')::bigint = 0 AND (j.detail->>'misplaced')::bigint = 0
                                   AND (j.detail->>'unknown')::bigint = 0 AND (j.detail->>'adjustment_lines')::bigint = 0 THEN 1 END),
            ('serials_found', CASE WHEN j.code = 'count-posted' THEN (j.detail->>'found')::bigint END),
            ('serials_missing', CASE WHEN j.code = 'count-posted' THEN (j.detail->>'missing')::bigint END),
            ('returned', CASE WHEN j.code = 'returned' THEN coalesce((j.detail->>'qty')::bigint, 1) END)) AS m(measure, value)
          WHERE m.value IS NOT NULL
          UNION ALL
          SELECT j.origin, j.station, j.operator, (extract(epoch FROM j.time) * 1000000)::bigint, m.measure, NULL, m.value
          FROM station_journal j, jsonb_array_elements(CASE WHEN jsonb_typeof(j.detail->'lines') = 'array' THEN j.detail->'lines' END) AS l(line)
          CROSS JOIN LATERAL (VALUES ('asn_lines', 1),
            ('asn_lines_discrepant', CASE WHEN (l.line->>'over')::bigint > 0 OR (l.line->>'short')::bigint > 0 THEN 1 END),
            ('asn_units_expected', (l.line->>'expected')::bigint),
            ('asn_units_discrepant', (l.line->>'over')::bigint + (l.line->>'short')::bigint)) AS m(measure, value)
          WHERE j.code = 'receipt-report' AND m.value IS NOT NULL
          UNION ALL
          SELECT j.origin, j.station, j.operator, (extract(epoch FROM j.time) * 1000000)::bigint, m.measure, NULL, m.value
          FROM station_journal j, jsonb_array_elements(CASE WHEN jsonb_typeof(j.detail->'unexpected') = 'array' THEN j.detail->'unexpected' END) AS l(line)
          CROSS JOIN LATERAL (VALUES ('asn_lines', 1), ('asn_lines_discrepant', 1),
            ('asn_units_discrepant', (l.line->>'received')::bigint)) AS m(measure, value)
          WHERE j.code = 'receipt-report' AND m.value IS NOT NULL
          UNION ALL
          -- Each receipt line to the next move (by sequence) out of the same location, item, lot and serial; NULL: not put away yet.
          SELECT p.origin, p.station, p.operator, p.commit_us, 'dock_to_stock_us', NULL,
                 (SELECT mv.commit_us FROM kpi_live_postings mv,
                         unnest(mv.entry_location, mv.entry_item, mv.entry_lot, mv.entry_serial, mv.entry_qty) AS x(location, item, lot, serial, qty)
                  WHERE mv.origin = p.origin AND mv.kind = 'move' AND mv.seq > p.seq AND x.qty < 0 AND x.location = e.location
                    AND x.item = e.item AND x.lot IS NOT DISTINCT FROM e.lot AND x.serial IS NOT DISTINCT FROM e.serial
                  ORDER BY mv.seq LIMIT 1) - p.commit_us
          FROM kpi_live_postings p,
               unnest(p.entry_location, p.entry_item, p.entry_lot, p.entry_serial, p.entry_qty) AS e(location, item, lot, serial, qty)
          WHERE p.kind = 'receipt' AND e.qty > 0
          UNION ALL
          SELECT p.origin, p.station, p.operator, p.commit_us, 'order_cycle_us', p.ref,
                 p.commit_us - (SELECT min(f.commit_us) FROM kpi_live_postings f WHERE f.origin = p.origin AND f.ref = p.ref AND f.kind = 'pack')
          FROM kpi_live_postings p
          WHERE p.kind = 'ship' AND p.ref IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM kpi_live_postings f WHERE f.origin = p.origin AND f.ref = p.ref AND f.kind = 'ship' AND f.seq < p.seq);
        """

    static func sum(_ measure: String) -> String { "coalesce(sum(value) FILTER (WHERE measure = '\(measure)'), 0)" }
    static func percent(_ part: String, _ whole: String) -> String { "100.0 * \(part) / NULLIF(\(whole), 0)" }
    static func percentile(_ p: Double, _ measure: String) -> String {
        "percentile_disc(\(p)) WITHIN GROUP (ORDER BY value) FILTER (WHERE measure = '\(measure)' AND value IS NOT NULL) / 60e6"
    }

    /// The KPIs by name, as `KPI.values` names them.
    static let columns: [(String, String)] = {
        let shrinkage = "(\(sum("count_loss")) - \(sum("count_gain")) + \(sum("units_scrap")))"
        let hours = "count(DISTINCT time_us / 3600000000) FILTER (WHERE measure = 'postings')"
        // An order is a document of one origin: the same number at two boxes is two orders.
        let considered = "count(DISTINCT origin || chr(31) || document) FILTER (WHERE measure = 'order_considered')"
        let backordered = "count(DISTINCT origin || chr(31) || document) FILTER (WHERE measure = 'backordered')"
        return [
            ("inventory_accuracy", percent(sum("counts_exact"), sum("counts_posted"))),
            ("count_unit_accuracy", percent(sum("serials_found"), "\(sum("serials_found")) + \(sum("serials_missing"))")),
            ("counts", sum("counts_posted")),
            ("shrinkage_units", shrinkage),
            ("shrinkage_counted_units", "\(sum("count_loss")) - \(sum("count_gain"))"),
            ("shrinkage_scrapped_units", sum("units_scrap")),
            ("shrinkage_rate", percent(shrinkage, sum("units_receipt"))),
            ("fill_rate", percent(sum("units_pack"), "\(sum("units_pack")) + \(sum("units_short_packed"))")),
            ("order_fill_rate", percent(sum("orders_complete_first_time"), sum("orders_packed"))),
            ("backorder_rate", "CASE WHEN \(sum("backordered")) = 0 THEN NULL ELSE \(percent(backordered, considered)) END"),
            ("pack_error_rate", percent(sum("pack_errors"), sum("orders_packed"))),
            ("short_pack_rate", percent(sum("short_packs"), sum("orders_packed"))),
            ("pick_error_rate", percent(sum("pick_errors"), sum("picked_lines"))),
            ("dock_to_stock_p50", percentile(0.5, "dock_to_stock_us")),
            ("dock_to_stock_p90", percentile(0.9, "dock_to_stock_us")),
            ("receipt_lines_waiting_put_away", "count(*) FILTER (WHERE measure = 'dock_to_stock_us' AND value IS NULL)"),
            ("order_cycle_p50", percentile(0.5, "order_cycle_us")),
            ("order_cycle_p90", percentile(0.9, "order_cycle_us")),
            ("return_rate", percent(sum("units_return"), sum("units_ship"))),
            ("receiving_discrepancy_rate", percent(sum("asn_lines_discrepant"), sum("asn_lines"))),
            ("receiving_unit_discrepancy", percent(sum("asn_units_discrepant"), sum("asn_units_expected"))),
            ("postings", sum("postings")),
            ("units", sum("units")),
            ("postings_per_hour", "1.0 * \(sum("postings")) / NULLIF(\(hours), 0)"),
            ("units_per_hour", "1.0 * \(sum("units")) / NULLIF(\(hours), 0)"),
        ]
    }()

    static let kpis = """
        CREATE VIEW kpi_by_origin AS
          SELECT origin, \(columns.map { "(\($0.1))::double precision AS \($0.0)" }.joined(separator: ",\n    "))
          FROM kpi_facts GROUP BY GROUPING SETS ((origin), ());
        """

    static let migration = livePostings + "\n" + facts + "\n" + kpis
}
